"""The simulated impact of a recall: the same replication without and with a lot recalled."""

import pandas as pd

from solvers.registry import shipped_policies
from twin.domain import Network
from twin.sim import Recall, simulate

IMPACT_KPIS = ("fill_rate_critical", "fill_rate", "lost_units", "backordered_units",
               "emergency_units", "scrapped_units_expired", "inventory_value_mean")


def lot_item(net: Network, lot: str) -> str:
    """The item of ``lot`` (on hand or in transit at the snapshot)."""
    snap = net.snapshot
    return next(p.item for p in [*snap.lots, *snap.in_transit] if p.lot == lot)


def recall_impact(net: Network, item: str, lot: str, days: int, seed: int,
                  policy: str) -> pd.DataFrame:
    """KPIs of the same replication (same seed) without and with the lot recalled on day
    0, and the difference."""
    policies = shipped_policies()
    base = simulate(net, days=days, seed=seed, policy=policy, policies=policies).summary()
    hit = simulate(net, days=days, seed=seed, policy=policy, policies=policies,
                   events=[Recall(item=item, lots=[lot], day=0)]).summary()
    return pd.DataFrame([(k, base[k], hit[k], hit[k] - base[k]) for k in IMPACT_KPIS],
                        columns=["kpi", "without recall", "with recall", "difference"])
