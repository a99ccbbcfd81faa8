"""Replenishment MILP: which purchase order lines to place today.

For each position p (warehouse × item) replenished by a supplier that is not VMI, with
inventory position IP_p (available + in transit + on order, units) and (s_p, S_p):

    min Σ_sup A_sup v_sup + Σ_p c_p q_p + Σ_p π_p g_p
    s.t. IP_p + q_p + g_p ≥ S_p            for triggered p (IP_p ≤ s_p)      [cover]
         MOQ_p o_p ≤ q_p ≤ M_p o_p                                          [moq]
         o_p ≤ v_sup(p)                     one order per supplier pays A    [order]
         Σ_{p of offer} q_p ≤ capacity_week × weeks                          [capacity]

q_p ≥ 0 integer units ordered, o_p and v_sup binary, g_p ≥ 0 the shortfall below S_p
(penalised at π_p = penalty × unit cost, so it is used only when MOQ-free capacity runs
out). VMI suppliers replenish to their own S and get no purchase lines.

Each line says why (:func:`purchase_reason`): the position that triggered it (IP ≤ s), the
warehouses it replenishes (their demand is in its levels), what the MOQ added above S, how
many lines share the supplier's order cost, and the weekly capacity it shared and any
shortfall below S that capacity left.
"""

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

import pyomo.environ as pyo

from solvers.highs_bridge import Solution, solve
from twin.domain import Network
from twin.domain.plan import PurchaseAction, action_key

log = logging.getLogger(__name__)
SHORTFALL_PENALTY = 10.0  # × unit cost per unit below S


@dataclass(frozen=True)
class Position:
    """A supplier-replenished position and its (s, S) and inventory position (units)."""

    warehouse: str
    item: str
    supplier: str
    reorder_point: int
    order_up_to: int
    inventory_position: int
    moq: int
    unit_price: float
    capacity_per_week: int | None
    feeds: tuple[str, ...] = ()   # warehouses replenished from this one (their demand is in S)
    returned: int = 0             # returned units the plan restocks or repairs (in the IP)


def inventory_positions(net: Network, transfers_in: dict[tuple[str, str], int] | None = None,
                        transfers_out: dict[tuple[str, str], int] | None = None,
                        returned: dict[tuple[str, str], int] | None = None
                        ) -> dict[tuple[str, str], int]:
    """Available + in transit to + on order + planned transfers in − planned transfers out
    + returned units the plan restocks or repairs (units) per position."""
    ip: dict[tuple[str, str], int] = defaultdict(int)
    for lp in net.snapshot.lots:
        if lp.status == "available" and lp.expiry > net.snapshot.as_of:
            ip[(lp.warehouse, lp.item)] += lp.quantity
    for t in net.snapshot.in_transit:
        ip[(t.target, t.item)] += t.quantity
    for po in net.snapshot.purchase_orders:
        ip[(po.warehouse, po.item)] += po.quantity
    for key, q in [*(transfers_in or {}).items(), *(returned or {}).items()]:
        ip[key] += q
    for key, q in (transfers_out or {}).items():
        ip[key] -= q
    return ip


def purchase_positions(net: Network, levels: dict[tuple[str, str], tuple[int, int]],
                       ip: dict[tuple[str, str], int],
                       returned: dict[tuple[str, str], int] | None = None) -> list[Position]:
    """Positions with (s, S) in ``levels`` that a non-VMI supplier delivering there supplies
    (``returned``: the returned units in each one's inventory position ``ip``, for the
    reason)."""
    feeds: dict[tuple[str, str], list[str]] = defaultdict(list)
    for pol in net.stock_policies:
        if pol.source in net.warehouse_by_id:
            feeds[(pol.source, pol.item)].append(pol.warehouse)
    out = []
    for (w, i), (s, big_s) in sorted(levels.items()):
        for sup in net.suppliers:
            offer = next((o for o in sup.supplies if o.item == i), None)
            if offer is None or w not in sup.delivers_to:
                continue
            if not sup.vmi:
                out.append(Position(w, i, sup.id, s, big_s, ip.get((w, i), 0), offer.moq,
                                    offer.unit_price or net.item_by_code[i].unit_cost,
                                    offer.capacity_per_week, tuple(sorted(feeds[(w, i)])),
                                    (returned or {}).get((w, i), 0)))
            break
    return out


@dataclass(frozen=True)
class Effects:
    """What shaped one purchase line besides its position's (s, S)."""

    moq_lift: int                 # units the MOQ added above S − IP
    order_lines: int              # lines on the same supplier's order (sharing its cost)
    order_cost: float             # the supplier's fixed cost per order (currency)
    capacity_lines: int           # lines sharing the offer's weekly capacity (0: uncapped)
    capacity_units: float | None  # that capacity over the review period (units)
    shortfall: float              # units left below S (capacity ran out)


def purchase_reason(p: Position, qty: int, e: Effects) -> str:
    """One sentence: the trigger, the quantity and what shaped it (see the module doc)."""
    returned = (f" + {p.returned} returned units restocked or repaired" if p.returned
                else "")
    parts = [f"inventory position {p.inventory_position} (available + in transit + on order "
             f"+ today's transfers{returned}) ≤ reorder point {p.reorder_point} at "
             f"{p.warehouse}: order {qty} to reach {p.order_up_to}"]
    if p.feeds:
        parts.append(f"it replenishes {', '.join(p.feeds)} (their demand is in its levels)")
    if e.moq_lift > 0:
        parts.append(f"the MOQ of {p.moq} adds {e.moq_lift} above that")
    if e.order_lines > 1:
        parts.append(f"one of {e.order_lines} lines on {p.supplier}'s order (order cost "
                     f"{e.order_cost:,.0f} shared)")
    if e.capacity_units is not None:
        parts.append(f"{p.supplier}'s capacity of {e.capacity_units:,.0f} units over the review "
                     f"period shared by {e.capacity_lines} line(s)"
                     + (f": {e.shortfall:.0f} units short of S" if e.shortfall > 0.5 else ""))
    return "; ".join(parts)


@dataclass(frozen=True)
class PurchasePlan:
    """Purchase lines and the solver's report."""

    actions: list[PurchaseAction]
    solution: Solution | None


def solve_replenishment(net: Network, positions: list[Position], order_date: dt.date,
                        weeks: float = 1.0) -> PurchasePlan:
    """Choose today's purchase lines for the triggered positions."""
    triggered = [k for k, p in enumerate(positions) if p.inventory_position <= p.reorder_point]
    if not triggered:
        return PurchasePlan([], None)
    suppliers = sorted({positions[k].supplier for k in triggered})
    m = pyo.ConcreteModel(name="replenishment model")
    m.P = pyo.Set(initialize=triggered)
    m.V = pyo.Set(initialize=suppliers)
    big = {k: max(positions[k].order_up_to - positions[k].inventory_position,
                  positions[k].moq) * 2 for k in triggered}
    m.q = pyo.Var(m.P, domain=pyo.NonNegativeIntegers, bounds=lambda m, k: (0, big[k]))
    m.o = pyo.Var(m.P, domain=pyo.Binary)
    m.g = pyo.Var(m.P, domain=pyo.NonNegativeReals)
    m.v = pyo.Var(m.V, domain=pyo.Binary)
    m.cover = pyo.Constraint(m.P, rule=lambda m, k: positions[k].inventory_position + m.q[k]
                             + m.g[k] >= positions[k].order_up_to,
                             doc="order up to S (shortfall penalised)")
    m.moq_low = pyo.Constraint(m.P, rule=lambda m, k: m.q[k] >= positions[k].moq * m.o[k],
                               doc="minimum order quantity")
    m.moq_high = pyo.Constraint(m.P, rule=lambda m, k: m.q[k] <= big[k] * m.o[k],
                                doc="no quantity without an order line")
    m.order = pyo.Constraint(m.P, rule=lambda m, k: m.o[k] <= m.v[positions[k].supplier],
                             doc="a line needs its supplier's order")
    caps: dict[tuple[str, str], list[int]] = defaultdict(list)
    for k in triggered:
        if positions[k].capacity_per_week:
            caps[(positions[k].supplier, positions[k].item)].append(k)
    m.capacity = pyo.Constraint(
        sorted(caps), rule=lambda m, s, i: sum(m.q[k] for k in caps[(s, i)])
        <= positions[caps[(s, i)][0]].capacity_per_week * weeks, doc="supplier capacity")
    cost = {s.id: s.order_cost for s in net.suppliers}
    m.cost = pyo.Objective(expr=sum(cost[s] * m.v[s] for s in m.V) + sum(
        positions[k].unit_price * (m.q[k] + SHORTFALL_PENALTY * m.g[k]) for k in m.P))
    solution = solve(m)
    qty = {k: round(pyo.value(m.q[k])) for k in triggered}
    lines = [k for k in triggered if qty[k] > 0]
    per_supplier = defaultdict(int)
    for k in lines:
        per_supplier[positions[k].supplier] += 1
    actions = []
    for k in lines:
        p = positions[k]
        gap = pyo.value(m.g[k])
        sharing = caps.get((p.supplier, p.item), [])
        effects = Effects(moq_lift=max(qty[k] - max(p.order_up_to - p.inventory_position, 0), 0)
                          if qty[k] == p.moq else 0,
                          order_lines=per_supplier[p.supplier],
                          order_cost=cost[p.supplier],
                          capacity_lines=len(sharing),
                          capacity_units=p.capacity_per_week * weeks if sharing else None,
                          shortfall=gap)
        actions.append(PurchaseAction(
            key=action_key("purchase", p.supplier, p.item, p.warehouse, order_date),
            reason=purchase_reason(p, qty[k], effects), supplier=p.supplier, item=p.item,
            warehouse=p.warehouse, quantity=qty[k], order_date=order_date,
            evidence={"inventory_position": p.inventory_position,
                      "reorder_point": p.reorder_point, "order_up_to": p.order_up_to,
                      "moq": p.moq, "moq_lift_units": effects.moq_lift,
                      "cost": round(qty[k] * p.unit_price, 2),
                      "order_lines_with_supplier": effects.order_lines,
                      "capacity_units": effects.capacity_units,
                      "capacity_lines": effects.capacity_lines,
                      "shortfall_units": round(gap, 2), "feeds": " ".join(p.feeds)}))
    log.info("replenishment: %d triggered positions → %d purchase lines", len(triggered),
             len(actions))
    return PurchasePlan(actions, solution)
