"""Stress test of a plan: run it across the scenario library and summarise the evidence.

The plan runs in the twin as :class:`twin.sim.plan_policy.PlanPolicy` (its lines on their
dates, then its reorder points) in every scenario with common random numbers, optionally
beside a reference policy. The evidence (:class:`scenarios.evidence.StressEvidence`,
attached to the plan file as ``stress_test``) holds, per scenario, the KPIs' means with
95 % confidence intervals, the worst scenario (lowest mean critical-department fill rate)
and why it is the worst: how its KPIs moved against the baseline scenario.

:func:`stress_plan` is the one stress test: ``medtwin stress`` and the nightly's stress
step both call it.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from scenarios.evidence import (
    Against,
    KpiDifference,
    KpiStat,
    ScenarioDifferences,
    ScenarioKpis,
    StressEvidence,
    Worst,
)
from scenarios.experiment import PLAN_POLICY, Experiment
from scenarios.stats import paired_differences, summarise
from twin.domain import Network, Plan
from twin.sim import run_kpi

log = logging.getLogger(__name__)

EVIDENCE_KPIS = ("fill_rate_critical", "fill_rate", "lost_units", "backordered_units",
                 "emergency_units", "scrapped_units_expired", "scrapped_value_expired",
                 "inventory_value_mean", "holding_cost", "transport_cost", "purchase_cost",
                 "transfer_cost", "recall_units")
"""KPIs recorded in the evidence (without the ``run_`` prefix; see :data:`twin.sim.RUN_KPIS`
for their labels, units and better direction)."""
WORST_BY = "fill_rate_critical"
BASELINE_SCENARIO = "baseline"


def _stat(summary: xr.Dataset, kpi: str, scenario: str, policy: str) -> dict[str, float]:
    cell = summary[f"run_{kpi}"].sel(scenario=scenario, policy=policy)
    return {str(s): _num(cell.sel(stat=s)) for s in cell.stat.values}


def _num(value: xr.DataArray) -> float | None:
    x = float(value)
    return x if np.isfinite(x) else None


def evidence(ds: xr.Dataset, policy: str = PLAN_POLICY, against: str | None = None
             ) -> StressEvidence:
    """The stress evidence of ``policy`` in experiment ``ds`` (see the module docstring);
    with ``against``, also the paired differences policy − against per scenario."""
    kpis = [k for k in EVIDENCE_KPIS if f"run_{k}" in ds]
    summary = summarise(ds, [f"run_{k}" for k in kpis])
    scenarios = [str(s) for s in ds.scenario.values]
    descriptions = dict(zip(scenarios, (str(d) for d in ds["scenario_description"].values),
                            strict=True))
    rows = [ScenarioKpis(scenario=s, description=descriptions[s],
                         kpis={k: KpiStat(**_stat(summary, k, s, policy)) for k in kpis})
            for s in scenarios]
    out = StressEvidence(
        policy=policy, plan_id=ds.attrs.get("plan_id", ""),
        network=ds.attrs["network"], network_sha256=ds.attrs["network_sha256"],
        replications=int(ds.sizes["replication"]), days=int(ds.attrs["days"]),
        seed=int(ds.attrs["seed"]), confidence_level=0.95,
        code_version=ds.attrs["code_version"], scenarios=rows, worst=worst(rows))
    if against is not None:
        diff = paired_differences(ds, against, [f"run_{k}" for k in kpis])
        out = out.model_copy(update={"against": Against(policy=against, scenarios=[
            ScenarioDifferences(scenario=s, kpis={k: KpiDifference(
                **_stat(diff, k, s, policy), significant=bool(
                    diff[f"run_{k}_significant"].sel(scenario=s, policy=policy)))
                for k in kpis}) for s in scenarios])})
    return out


def worst(rows: Sequence[ScenarioKpis]) -> Worst:
    """The scenario with the lowest mean critical fill rate (then lowest lower bound) and
    why: its KPIs against the baseline scenario's, largest relative moves first."""
    def key(row: ScenarioKpis) -> tuple[float, float]:
        fill = row.kpis[WORST_BY]
        return (fill.mean if fill.mean is not None else np.inf,
                fill.lower if fill.lower is not None else np.inf)
    bad = min(rows, key=key)
    fill = bad.kpis[WORST_BY]
    base = next((r for r in rows if r.scenario == BASELINE_SCENARIO), None)
    why = [(bad.description or bad.scenario).rstrip(".")]
    worst = run_kpi(WORST_BY)
    why.append(f"{worst.label} {worst.format(fill.mean)} "
               f"[{worst.format(fill.lower)}, {worst.format(fill.upper)}]"
               + (f" vs {worst.format(base.kpis[WORST_BY].mean)} in the baseline"
                  if base is not None and base is not bad else ""))
    if base is bad:
        why.append("no scenario lowers it below the baseline")
    elif base is not None:
        moves = []
        for k in EVIDENCE_KPIS:
            if k == WORST_BY or k not in bad.kpis:
                continue
            a, b, kpi = bad.kpis[k].mean, base.kpis[k].mean, run_kpi(k)
            if a is None or b is None or kpi.improves(a - b) is not False:
                continue  # only what got worse than in the baseline explains the scenario
            moves.append((abs(a - b) / max(abs(b), 1e-9),
                          f"{kpi.label} {kpi.format(a)} vs {kpi.format(b)}"))
        why += [m for _, m in sorted(moves, key=lambda t: -t[0])[:3]]
    return Worst(scenario=bad.scenario, kpi=WORST_BY, mean=fill.mean, lower=fill.lower,
                 upper=fill.upper, why="; ".join(why))


@dataclass(frozen=True)
class StressRun:
    """How a plan is stress-tested: the resolved scenarios, replications, days and seed,
    local workers, an optional reference policy run beside the plan (``against``) and
    whether an HTML report is written beside the results."""

    scenarios: Sequence[Any]
    reps: int = 10
    days: int = 90
    seed: int = 0
    workers: int = 1
    against: str | None = None
    report: bool = False


Execute = Callable[[Experiment], xr.Dataset]
"""Runs an experiment (e.g. adaptively, on a Dask cluster, with a progress bar)."""


def stress_plan(net: Network, plan: Plan, settings: StressRun, out: Path,
                execute: Execute | None = None) -> StressEvidence:
    """Stress-test ``plan`` on ``net``: run it (and ``settings.against``) across the
    scenarios with common random numbers, write ``<plan id>.stress.nc`` (and, with
    ``settings.report``, ``<plan id>.report.html``) into ``out`` and return the evidence,
    with the files written. ``execute`` runs the experiment (default: ``settings.reps``
    replications on ``settings.workers`` local workers, warning of idle scenarios)."""
    from scenarios.execution import run
    from scenarios.report import write as write_report
    from scenarios.results import write as write_results

    against = settings.against
    exp = Experiment(net, (PLAN_POLICY,) + ((against,) if against else ()),
                     tuple(settings.scenarios), days=settings.days, seed=settings.seed,
                     baseline=against or PLAN_POLICY, plan=plan, run_kind="stress")
    idle = exp.idle_scenarios()
    if execute is None:
        if idle:
            log.warning("stress: no event of %s within %d days", ", ".join(idle),
                        settings.days)
        ds = run(exp, range(settings.reps), workers=max(settings.workers, 1))
    else:
        ds = execute(exp)
    results = write_results(ds, Path(out) / f"{plan.id}.stress.nc")
    found = evidence(ds, PLAN_POLICY, against)
    if not settings.report:
        return found.model_copy(update={"results_file": str(results)})
    html = write_report(ds, Path(out) / f"{plan.id}.report.html",
                        f"Stress test of plan {plan.id}")
    return found.model_copy(update={"idle_scenarios": idle, "files": {
        "stress results": str(results), "report": str(html)}})
