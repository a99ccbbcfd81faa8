"""The simulated impact of a recall, paired over replications (common random numbers).

Each replication seed runs the twin twice — without and with the lot recalled on day 0 —
so both runs see the same demand. The recall's own reach (units on hand, in transit and
already issued, departments reached, days until every unit is located, units recovered
within 1, 3 and 7 days) comes from the twin's recall report of each run with the recall,
and its response KPIs (:data:`twin.sim.RECALL_KPIS`) get means and intervals over the
replications.

Why one replication showed a recall *improving* service, and what is known of it: only the
demand stream is common to the two runs of a seed. Lead times, transit times, cold-chain
excursions and quality checks are drawn from shared per-family streams, one draw per order
or shipment in the order they are placed, so the recall's replacement order reshuffles
every later draw, for every item (a recall of a lot that does not exist changes nothing:
the runs are then identical). Measured on the reference network (lot L2112-000328, 28
units of STPL-LCR-60B at WH-CAN expiring in 32 days, heuristic, 90 days, 8 paired
replications): the recalled item's fill rate rises 0.979 → 0.996 (not traced; perhaps its
replacement is ordered sooner than the short-dated lot's expiry would), and the *other*
items miss 1,036 fewer
units (95 % CI 630–1,443). Its cause, measured (2026-11-29): the reshuffle. With every
such draw keyed instead by what it is for — a generator per (family, day, offer and
warehouse | lane and item | order and position, repeat of that key that day) — the same
8 pairs give the other items a difference of exactly 0 (every replication identical), the
recalled item's fill rate 0.976 → 0.994 (95 % CI of the difference 0.010–0.026) and its
lost units −16 (−23 to −9): what is left is the recall's own effect. Keyed draws are not
adopted yet: built as one numpy generator per order they double the twin's CPU time
(reference, heuristic, 180 days: 1.3 → 2.7 s) and change every stochastic lead-time,
transit and quality draw; a vectorised keyed draw is the way to take. Until then the page
shows the recalled item apart from the others and every difference with its interval, and
says so.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from scenarios.stats import interval
from solvers.registry import shipped_policies
from twin.domain import Network
from twin.sim import (
    RECALL_KPIS,
    RECOVERY_WINDOWS,
    Recall,
    RunKpi,
    SimulationResult,
    recall_summary,
    run_kpi,
    simulate,
)

IMPACT_KPIS = ("fill_rate", "fill_rate_critical", "backordered_units", "lost_units",
               "emergency_units")
"""Network-wide run KPIs compared (see :data:`twin.sim.kpis.RUN_KPIS`)."""
ITEM_KPIS: dict[str, RunKpi] = {
    "recalled_item_fill_rate": RunKpi("fill rate of the recalled item", "1", "higher", 4),
    "other_items_missed_units": RunKpi("units of other items not served on time", "units",
                                       "lower")}
"""What only the recall can move (its item) and what it cannot (every other item)."""
REACH = ("units_on_hand", "units_in_transit", "units_issued", "units_used", "units_to_recover",
         "departments", "days_to_locate", *(f"recovered_{n}d" for n in RECOVERY_WINDOWS))
"""Per replication: units of the lot on hand, in transit and already issued when recalled,
of those issued the units used on patients, what is left to recover (units), departments
that received some (count), days until every unit is located (days: on-hand and issued
units at once, travelling units on arrival) and units recovered within 1, 3 and 7 days."""


@dataclass(frozen=True)
class RecallImpact:
    """``reach``: one row per replication seed (columns :data:`REACH`); ``kpis``: per KPI
    the means without and with the recall, the mean paired difference (with − without) and
    its confidence interval (``ci_low``, ``ci_high``) at ``level``, over ``replications``;
    ``response``: per recall-response KPI its mean and interval (``mean``, ``ci_low``,
    ``ci_high``) over the runs with the recall."""

    reach: pd.DataFrame
    kpis: pd.DataFrame
    response: pd.DataFrame
    replications: int
    level: float


def kpi_meta(name: str) -> RunKpi:
    """Label, unit and format of a compared KPI (:data:`ITEM_KPIS` or a run KPI)."""
    return ITEM_KPIS[name] if name in ITEM_KPIS else run_kpi(name)


def lot_item(net: Network, lot: str) -> str:
    """The item of ``lot`` (on hand or in transit at the snapshot)."""
    snap = net.snapshot
    return next(p.item for p in [*snap.lots, *snap.in_transit] if p.lot == lot)


def _measures(run: SimulationResult, item: str) -> dict[str, float]:
    """Run KPIs, the recalled item's fill rate (1) and the other items' units not served
    on time (units)."""
    k = list(run.index.items).index(item)
    demand = run.kpis["position_demand_units"].sum(axis=0)
    missed = demand - run.kpis["position_served_on_time_units"].sum(axis=0)
    summary = run.summary()
    return {**{name: float(summary[name]) for name in IMPACT_KPIS},
            "recalled_item_fill_rate": 1 - missed[k] / demand[k] if demand[k] else np.nan,
            "other_items_missed_units": float(missed.sum() - missed[k])}


def recall_impact(net: Network, item: str, lot: str, days: int, seeds: Sequence[int],
                  policy: str, level: float = 0.95) -> RecallImpact:
    """Run every seed of ``seeds`` without and with ``lot`` of ``item`` recalled on day 0
    (``days`` simulated days each, ``policy`` deciding) and compare them pairwise."""
    policies = shipped_policies()
    recall = Recall(item=item, lots=[lot], day=0)
    without, with_, reach, response = [], [], [], []
    for seed in seeds:
        base = simulate(net, days=days, seed=seed, policy=policy, policies=policies)
        hit = simulate(net, days=days, seed=seed, policy=policy, policies=policies,
                       events=[recall])
        without.append(_measures(base, item))
        with_.append(_measures(hit, item))
        r = hit.recalls[0]
        reach.append((seed, r.units_on_hand, r.units_in_transit, r.units_issued, r.units_used,
                      r.units_to_recover, len(r.departments), r.days_to_identify,
                      *(r.recovered_by(min(r.day + n, days - 1)) for n in RECOVERY_WINDOWS)))
        response.append(recall_summary(hit.recalls, days))
    a, b = pd.DataFrame(without), pd.DataFrame(with_)
    rows = []
    for name in (*ITEM_KPIS, *IMPACT_KPIS):
        diff = xr.DataArray((b[name] - a[name]).to_numpy(), dims="replication")
        stat = interval(diff, level)
        rows.append((name, a[name].mean(), b[name].mean(), *stat.values[:3]))
    kpis = pd.DataFrame(rows, columns=["kpi", "without recall", "with recall", "difference",
                                       "ci_low", "ci_high"])
    answered = pd.DataFrame(response)
    stats = [(name, *interval(xr.DataArray(answered[name].to_numpy(), dims="replication",
                                           attrs={"units": run_kpi(name).unit}), level,
                              share=run_kpi(name).unit == "1").values[:3])
             for name in RECALL_KPIS]
    return RecallImpact(pd.DataFrame(reach, columns=["seed", *REACH]), kpis,
                        pd.DataFrame(stats, columns=["kpi", "mean", "ci_low", "ci_high"]),
                        len(seeds), level)
