"""Result files in a folder and their kind.

A result file (NetCDF) is a ``simulation`` (one run of the twin, its lot ledger beside it)
or an ``experiment`` (policies × scenarios × replications; written by
:func:`scenarios.results.write`, which stamps its ``kind`` attribute).
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import xarray as xr

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
            with xr.open_dataset(path) as ds:
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
