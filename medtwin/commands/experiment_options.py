"""Options and output shared by ``medtwin compare`` and ``medtwin stress``."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from medtwin.commands.run_options import run_setting
from medtwin.exit_codes import ExitCode
from scenarios.paths import DEFAULT_LIBRARY
from twin.problems import InputError, Problem

if TYPE_CHECKING:
    import xarray as xr

    from scenarios.experiment import Experiment
    from twin.domain import Network

log = logging.getLogger(__name__)
SHOWN_KPIS = ["run_fill_rate_critical", "run_fill_rate", "run_lost_units",
              "run_emergency_units", "run_substituted_units", "run_scrapped_value_expired",
              "run_inventory_value_mean", "run_holding_cost", "run_transport_cost"]
"""KPIs printed, then the returns KPIs when some run had returns and the recall-response
KPIs when some run had a recall."""
BASELINE_SCENARIO = "baseline"
"""The scenario other scenarios are differenced against when it is among those run."""


def experiment_options(default_reps: int, default_days: int) -> Callable:
    """Scenario, replication, run-length and execution options."""
    def wrap(func: Callable) -> Callable:
        options = [
            click.option("--scenarios", "scenario_spec", default="all", show_default=True,
                         help="'all', or comma-separated scenario names from the library, "
                              "or paths to scenario YAML files."),
            click.option("--library", type=click.Path(file_okay=False, path_type=Path),
                         default=DEFAULT_LIBRARY, show_default="bundled configs/scenarios",
                         help="Folder of scenario YAML files."),
            click.option("--reps", type=int, default=default_reps, callback=run_setting,
                         show_default=True, help="Replications per scenario (the first batch "
                                                 "with --target)."),
            click.option("--days", type=int, default=default_days, callback=run_setting,
                         show_default=True, help="Simulated days per run."),
            click.option("--seed", type=int, default=0, show_default=True, callback=run_setting,
                         help="Base seed; replication r uses the same seed for every policy "
                              "and scenario (common random numbers)."),
            click.option("--workers", type=int, default=1, callback=run_setting,
                         show_default=True, help="Local Dask workers (1 = serial, in "
                                                 "process)."),
            click.option("--scheduler", metavar="ADDRESS",
                         help="Dask scheduler of an existing cluster, e.g. tcp://host:8786 "
                              "(its workers need this medtwin installed; exit 9 when it "
                              "cannot be reached or a worker runs other medtwin code)."),
            click.option("--target", metavar="KPI=HALF_WIDTH",
                         help="Adaptive: add replications until every mean of KPI has a 95 %% "
                              "CI half-width ≤ HALF_WIDTH, e.g. run_fill_rate_critical=0.002."),
            click.option("--max-reps", type=click.IntRange(2, 100_000), default=1000,
                         show_default=True, help="Adaptive: at most this many replications."),
            click.option("--progress/--no-progress", default=True, show_default=True,
                         help="Progress bar on stderr."),
        ]
        for option in reversed(options):
            func = option(func)
        return func
    return wrap


def scenarios_of(spec: str, library: Path, network: Network) -> list:
    """The resolved scenarios chosen by ``--scenarios``."""
    from scenarios.library import Library

    return Library(library).resolve_all(spec, network)


def execute(exp: Experiment, reps: int, workers: int, scheduler: str | None,
            target: tuple[str, float] | None, max_reps: int, progress: bool) -> xr.Dataset:
    """Run ``exp``: ``reps`` replications, or adaptively up to ``max_reps`` for ``target``.
    A cluster that cannot run it ends the command with :attr:`ExitCode.CLUSTER`."""
    from scenarios.execution import ClusterError

    try:
        return _execute(exp, reps, workers, scheduler, target, max_reps, progress)
    except ClusterError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(ExitCode.CLUSTER) from None


def _execute(exp: Experiment, reps: int, workers: int, scheduler: str | None,
             target: tuple[str, float] | None, max_reps: int, progress: bool) -> xr.Dataset:
    from scenarios.execution import run
    from scenarios.stats import run_adaptive

    idle = exp.idle_scenarios()
    if idle:
        click.echo(f"warning: no event of {', '.join(idle)} falls within the {exp.days} "
                   "simulated days; they repeat the baseline (use more --days)", err=True)
    go = functools.partial(run, exp, workers=workers, scheduler=scheduler, progress=progress)
    if target is None:
        return go(range(reps))
    kpi, width = target

    def report(n: int, half: float) -> None:
        log.info("adaptive: %d replications, widest half-width of %s = %.4g (target %.4g)",
                 n, kpi, half, width)
    return run_adaptive(go, kpi, width, start=reps, batch=reps, limit=max(max_reps, reps),
                        on_batch=report)


def parse_target(text: str | None, network: Network) -> tuple[str, float] | None:
    """``KPI=HALF_WIDTH`` → (run_KPI, half-width), checked before anything runs."""
    from scenarios.experiment import run_kpi_names

    if text is None:
        return None
    kpi, _, value = text.partition("=")
    try:
        width = float(value)
    except ValueError:
        width = -1.0
    if not kpi or width <= 0:
        raise InputError([Problem("--target", "", f"expected KPI=HALF_WIDTH with a positive "
                                  f"half-width, got {text!r}")])
    kpi = kpi if kpi.startswith("run_") else f"run_{kpi}"
    known = run_kpi_names(network)
    if kpi not in known:
        raise InputError([Problem("--target", "", f"unknown KPI {kpi!r}; one of: "
                                  f"{', '.join(known)}")])
    return kpi, width


def _cell(stat: xr.DataArray, kpi: str) -> str:
    from twin.sim import run_kpi

    mean, lo, hi = (float(stat.sel(stat=s)) for s in ("mean", "lower", "upper"))
    fmt = run_kpi(kpi).format
    return "n/a" if fmt(mean) == "n/a" else f"{fmt(mean)} [{fmt(lo)}, {fmt(hi)}]"


def _differences(diff: xr.Dataset, ds: xr.Dataset, dim: str, baseline: str,
                 kpis: Sequence[str], width: int) -> list[str]:
    """Lines of :func:`paired_differences` along ``dim``: one block per (scenario, policy)
    other than the baseline."""
    lines = []
    for s in ds.scenario.values:
        for p in ds.policy.values:
            if (s if dim == "scenario" else p) == baseline:
                continue
            lines.append(f"  {s} / {p}")
            for k in kpis:
                cell = diff[k].sel(scenario=s, policy=p)
                mark = "*" if bool(diff[f"{k}_significant"].sel(scenario=s, policy=p)) else " "
                lines.append(f"    {k.removeprefix('run_'):<{width}} {_cell(cell, k)} "
                             f"{mark}")
    return lines


def summary_text(ds: xr.Dataset, baseline: str | None,
                 kpis: Sequence[str] | None = None) -> str:
    """Means with 95 % CIs per scenario and policy, then paired differences against the
    ``baseline`` policy and against the scenario :data:`BASELINE_SCENARIO` when it was run
    (``*`` marks an interval that excludes zero); ``kpis`` default:
    :data:`SHOWN_KPIS`, the returns KPIs where some run had returns and the recall-response
    KPIs (those no run defines are left out)."""
    from scenarios.stats import defined_kpis, paired_differences, summarise
    from twin.sim import RECALL_KPIS, RETURN_KPIS

    returned = "run_returned_units" in ds and bool((ds["run_returned_units"] > 0).any())
    shown = [*SHOWN_KPIS, *(f"run_{k}" for k in RETURN_KPIS if returned),
             *(f"run_{k}" for k in RECALL_KPIS)] if kpis is None else kpis
    kpis = defined_kpis(ds, shown)
    summary = summarise(ds, kpis)
    width = max((len(k) - 4 for k in kpis), default=0) + 1
    lines: list[str] = []
    for s in ds.scenario.values:
        lines.append(f"scenario {s}")
        for k in kpis:
            cells = "  ".join(f"{p}: {_cell(summary[k].sel(scenario=s, policy=p), k)}"
                              for p in ds.policy.values)
            lines.append(f"  {k.removeprefix('run_'):<{width}} {cells}")
    if baseline is not None and ds.sizes["policy"] > 1:
        diff = paired_differences(ds, baseline, kpis)
        lines.append(f"paired differences against {baseline} (* = 95 % CI excludes zero)")
        lines += _differences(diff, ds, "policy", baseline, kpis, width)
    if BASELINE_SCENARIO in ds.scenario.values and ds.sizes["scenario"] > 1:
        diff = paired_differences(ds, BASELINE_SCENARIO, kpis, dim="scenario")
        lines.append(f"paired differences against scenario {BASELINE_SCENARIO} "
                     "(* = 95 % CI excludes zero)")
        lines += _differences(diff, ds, "scenario", BASELINE_SCENARIO, kpis, width)
    return "\n".join(lines)

