"""Result files in a folder and their kind.

A result file (NetCDF) is a ``simulation`` (one run of the twin, its lot ledger beside it)
or an ``experiment`` (policies × scenarios × replications; written by
:func:`scenarios.results.write`, which stamps its ``kind`` attribute).
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import xarray as xr

from twin.atomic import NETCDF_LOCK
from twin.sim import ledger_path

Kind = Literal["simulation", "experiment"]


@dataclass(frozen=True)
class ResultFile:
    """One result file: its path, its kind and its ``kind`` attribute (if any)."""

    path: str
    kind: Kind
    kind_attr: str | None = None


def result_files(folder: str | Path) -> list[ResultFile]:
    """Every simulation and experiment under ``folder``, newest first (files that are
    neither, or cannot be read, are skipped)."""
    found = []
    for path in sorted(Path(folder).glob("**/*.nc"), key=lambda p: -p.stat().st_mtime):
        if ledger_path(path).exists():
            found.append(ResultFile(str(path), "simulation"))
            continue
        try:
            with NETCDF_LOCK, xr.open_dataset(path) as ds:
                if "replication" in ds.dims:
                    found.append(ResultFile(str(path), "experiment", ds.attrs.get("kind")))
        except (OSError, ValueError):
            continue
    return found


def files(folder: str | Path, kind: Kind) -> list[str]:
    """Paths of the result files of ``kind`` under ``folder``, newest first."""
    if kind == "simulation":  # no need to open any file
        return [str(p) for p in sorted(Path(folder).glob("**/*.nc"),
                                       key=lambda p: -p.stat().st_mtime)
                if ledger_path(p).exists()]
    return [f.path for f in result_files(folder) if f.kind == kind]


@dataclass(frozen=True)
class ExperimentInfo:
    """What an experiment file says about itself (its attributes): the run kind
    (``compare``, ``what-if`` or ``stress``), policies (the baseline first), scenarios,
    replications, days, the snapshot date it starts on and who ran it."""

    path: str
    run_kind: str
    policies: tuple[str, ...]
    scenarios: tuple[str, ...]
    replications: int
    days: int
    date: str
    author: str

    @property
    def label(self) -> str:
        """One line for a picker."""
        scenarios = ", ".join(self.scenarios[:3]) + (f" +{len(self.scenarios) - 3}"
                                                     if len(self.scenarios) > 3 else "")
        return (f"{self.run_kind} · {' vs '.join(self.policies)} · {scenarios} · "
                f"{self.replications} reps × {self.days} d · from {self.date} · "
                f"{self.author or 'author unknown'} · {Path(self.path).name}")


def _run_kind(ds: xr.Dataset, path: str) -> str:
    """The ``run_kind`` attribute; for files written before it: by policy and name."""
    if "run_kind" in ds.attrs:
        return str(ds.attrs["run_kind"])
    if "plan" in ds.policy.values:
        return "stress"
    return "what-if" if Path(path).name.startswith("whatif-") else "compare"


def experiments(folder: str | Path) -> list[ExperimentInfo]:
    """Every experiment file under ``folder``, described, newest first."""
    found = []
    for f in result_files(folder):
        if f.kind != "experiment":
            continue
        with NETCDF_LOCK, xr.open_dataset(f.path) as ds:
            baseline = str(ds.attrs.get("baseline_policy", ds.policy.values[0]))
            others = [str(p) for p in ds.policy.values if str(p) != baseline]
            found.append(ExperimentInfo(
                f.path, _run_kind(ds, f.path), (baseline, *others),
                tuple(str(s) for s in ds.scenario.values), int(ds.sizes["replication"]),
                int(ds.attrs.get("days", ds.sizes.get("time", 0))),
                str(ds.attrs.get("start_date", "")), str(ds.attrs.get("author", ""))))
    return found


def opening(found: list[ExperimentInfo]) -> ExperimentInfo | None:
    """The experiment a reader starts on: the newest ``compare`` of two policies or more,
    else the newest experiment (None when there is none)."""
    return next((e for e in found if e.run_kind == "compare" and len(e.policies) > 1),
                found[0] if found else None)
