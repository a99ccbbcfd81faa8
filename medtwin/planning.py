"""Making a plan: safety stock → transfers → purchases, each line with its reason."""

import datetime as dt
import logging
from collections import defaultdict

from solvers.replenishment.model import inventory_positions, purchase_positions, solve_replenishment
from solvers.safety_stock import SafetyStockSettings, solve_safety_stock
from solvers.transfers import TransferSettings, solve_transfers
from twin.domain import Network, Plan
from twin.domain.fields import DomainModel, field
from twin.domain.plan import ReorderPointAction, action_key

log = logging.getLogger(__name__)


class PlanSettings(DomainModel):
    """Settings of every model that contributes to a plan (YAML: ``configs/policies``)."""

    safety_stock: SafetyStockSettings = field(SafetyStockSettings,
                                              description="safety-stock model")
    transfers: TransferSettings = field(TransferSettings, description="transfer routing model")


EVIDENCE = ("fill_rate", "cycle_service", "fill_rate_target", "priority", "fill_basis",
            "protection_days", "protection_demand", "protection_demand_sd",
            "expected_on_hand", "expected_cost_per_day", "binds", "not_exact")
"""What a reorder-point line keeps of its safety-stock row as evidence."""


def reorder_point_actions(net: Network, settings: SafetyStockSettings,
                          progress: bool = False) -> list[ReorderPointAction]:
    """(s, S) per position from the safety-stock model, with the service each achieves;
    positions with no demand routed to them (s = S = 0, e.g. backup warehouses) get none."""
    result = solve_safety_stock(net, settings, progress=progress)
    out = []
    for row in result.rows():
        if row["order_up_to"] == 0:
            continue
        out.append(ReorderPointAction(
            key=action_key("reorder_point", row["warehouse"], row["item"]),
            reason=row["reason"],
            warehouse=row["warehouse"], item=row["item"], reorder_point=row["reorder_point"],
            order_up_to=row["order_up_to"], safety_stock=row["safety_stock"],
            evidence={k: row[k] for k in EVIDENCE if k in row}))
    return out


def make_plan(net: Network, settings: PlanSettings | None = None,
              created: dt.datetime | None = None, progress: bool = False) -> Plan:
    """A draft plan for ``net`` as of its snapshot date (``progress``: a progress bar on
    stderr for the safety-stock models).

    ``created`` defaults to midnight UTC of the snapshot date so that the same inputs give
    the same plan file, bit for bit.
    """
    st = settings or PlanSettings()
    as_of = net.snapshot.as_of
    rop = reorder_point_actions(net, st.safety_stock, progress)
    transfers = solve_transfers(net, st.transfers)
    today = [a for a in transfers.actions if a.ship_date == as_of]
    moved_in: dict[tuple[str, str], int] = defaultdict(int)
    moved_out: dict[tuple[str, str], int] = defaultdict(int)
    for a in today:
        moved_in[(a.target, a.item)] += a.quantity
        moved_out[(a.source, a.item)] += a.quantity
    levels = {(a.warehouse, a.item): (a.reorder_point, a.order_up_to) for a in rop}
    ip = inventory_positions(net, moved_in, moved_out)
    purchases = solve_replenishment(net, purchase_positions(net, levels, ip), as_of,
                                    weeks=net.settings.review_period_days / 7)
    actions = [*rop, *transfers.actions, *purchases.actions]
    log.info("plan: %d reorder points, %d transfers, %d purchases", len(rop),
             len(transfers.actions), len(purchases.actions))
    stamp = created or dt.datetime.combine(as_of, dt.time(), dt.UTC)
    return Plan(id=f"{net.name}-{as_of.isoformat()}", network=net.name, as_of=as_of,
                horizon_days=st.transfers.horizon_days, created=stamp, actions=actions)
