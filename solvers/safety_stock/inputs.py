"""From a network to the arrays of the safety-stock model, and the demand scenarios.

A *position* is a warehouse × item that holds stock. Daily demand routed to a position:
each department's demand goes to the first warehouse in its hospital's ``served_by``
that can store the item (cold-capable for a cold item); a warehouse that replenishes
another (``stock_policies[].source``) also carries that warehouse's demand. Moments add:
mean μ = Σ μᵢ, variance σ² = Σ σᵢ² (independent demand streams). An order (or lane
shipment) carries every item its warehouse gets from the same source, so each item bears
an equal share of the per-order (per-shipment) cost.
"""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, fields, replace

import numpy as np

from twin.domain import Distribution, Network
from twin.domain.parties import PRIORITIES

log = logging.getLogger(__name__)
_RANK = {p: i for i, p in enumerate(PRIORITIES)}


@dataclass(frozen=True)
class SafetyStockInputs:
    """Per-position arrays (length P) plus per-warehouse capacity; units in field names."""

    warehouse: np.ndarray          # warehouse id
    item: np.ndarray               # item code
    org: np.ndarray                # owning org id
    mean_per_day: np.ndarray       # units/day
    var_per_day: np.ndarray        # units²/day
    lead_time: list[Distribution]  # replenishment lead time (days)
    source: np.ndarray             # supplier or warehouse id replenishing the position
    priority: np.ndarray           # most urgent class served: critical / high / routine
    unit_cost: np.ndarray          # currency/unit
    holding_rate: np.ndarray       # 1/year
    moq: np.ndarray                # units
    order_cost: np.ndarray         # currency/order
    usable_days: np.ndarray        # days a received unit can still be issued
    review_days: int               # review period R (days)
    capacity: dict[str, int]       # units per warehouse

    @property
    def size(self) -> int:
        """Number of positions P."""
        return len(self.item)

    def subset(self, idx: np.ndarray) -> "SafetyStockInputs":
        """The positions ``idx`` only (same warehouses' capacity and review period)."""
        arrays = {f.name: getattr(self, f.name)[idx] for f in fields(self)
                  if isinstance(getattr(self, f.name), np.ndarray)}
        return replace(self, lead_time=[self.lead_time[i] for i in idx], **arrays)


def _replenishment(net: Network) -> dict[tuple[str, str], tuple[str, Distribution, int, float]]:
    """(warehouse, item) → (source id, lead time, MOQ, order cost) for every possible position."""
    offers = {}
    for sup in net.suppliers:
        for offer in sup.supplies:
            for w in sup.delivers_to:
                offers.setdefault((w, offer.item), (sup.id, offer.lead_time, offer.moq,
                                                    sup.order_cost))
    out = dict(offers)
    for pol in net.stock_policies:
        key = (pol.warehouse, pol.item)
        if pol.source in net.supplier_by_id:
            sup = net.supplier_by_id[pol.source]
            offer = next((o for o in sup.supplies if o.item == pol.item), None)
            if offer is not None:
                out[key] = (sup.id, offer.lead_time, offer.moq, sup.order_cost)
        elif pol.source in net.warehouse_by_id:
            cold = net.item_by_code[pol.item].cold_chain
            lanes = [ln for ln in net.lanes if ln.source == pol.source and ln.target ==
                     pol.warehouse and (ln.cold_chain or not cold)]
            if lanes:
                lane = min(lanes, key=lambda ln: ln.transit_time.mean)
                out[key] = (pol.source, lane.transit_time, 1, lane.cost_per_shipment)
    return out


def build_inputs(net: Network) -> SafetyStockInputs:
    """Positions with demand or a stock policy, and everything the model needs about them."""
    whs, items, hosps = net.warehouse_by_id, net.item_by_code, net.hospital_by_id
    mean: dict[tuple[str, str], float] = defaultdict(float)
    var: dict[tuple[str, str], float] = defaultdict(float)
    prio: dict[tuple[str, str], str] = {}
    min_life: dict[tuple[str, str], int] = defaultdict(int)
    for d in net.demand:
        hosp = hosps[d.hospital]
        wh = net.serving_warehouse(d.hospital, d.item)
        if wh is None:
            continue
        dept = next(x for x in hosp.departments if x.id == d.department)
        key = (wh, d.item)
        mean[key] += d.mean_per_day
        var[key] += d.daily_variance
        prio[key] = min(prio.get(key, "routine"), dept.priority, key=_RANK.__getitem__)
        min_life[key] = max(min_life[key], dept.min_shelf_life_days)
    supply = _replenishment(net)
    children: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for pol in net.stock_policies:
        if pol.source in whs:
            children[(pol.source, pol.item)].append((pol.warehouse, pol.item))
    pushed_mean, pushed_var = _push_upstream(mean, var, prio, children)
    stocked = {(p.warehouse, p.item) for p in net.stock_policies}
    keys = sorted(k for k in set(pushed_mean) | stocked if k in supply)
    missing = sorted(set(pushed_mean) - set(supply))
    if missing:
        log.warning("%d positions have demand but no supplier or lane to replenish them, e.g. %s",
                    len(missing), missing[:3])
    rows = [(w, i, *supply[(w, i)]) for w, i in keys]
    sharing = Counter((r[0], r[2]) for r in rows)  # items per (warehouse, source)
    lead = [r[3] for r in rows]
    mean_lead = np.array([lt.mean for lt in lead])
    shelf = np.array([items[i].shelf_life_days for _, i in keys], dtype=float)
    min_left = np.array([min_life.get(k, 0) for k in keys], dtype=float)
    return SafetyStockInputs(
        warehouse=np.array([w for w, _ in keys], dtype=object),
        item=np.array([i for _, i in keys], dtype=object),
        org=np.array([whs[w].org for w, _ in keys], dtype=object),
        mean_per_day=np.array([pushed_mean.get(k, 0.0) for k in keys]),
        var_per_day=np.array([pushed_var.get(k, 0.0) for k in keys]),
        lead_time=lead,
        source=np.array([r[2] for r in rows], dtype=object),
        priority=np.array([prio.get(k, "routine") for k in keys], dtype=object),
        unit_cost=np.array([items[i].unit_cost for _, i in keys]),
        holding_rate=np.array([whs[w].holding_rate for w, _ in keys]),
        moq=np.array([r[4] for r in rows], dtype=float),
        order_cost=np.array([r[5] / sharing[(r[0], r[2])] for r in rows], dtype=float),
        usable_days=np.maximum(shelf - min_left - mean_lead, 0.0),
        review_days=net.settings.review_period_days,
        capacity={w.id: w.capacity for w in net.warehouses},
    )


def _push_upstream(mean: dict, var: dict, prio: dict,
                   children: dict[tuple[str, str], list[tuple[str, str]]]) -> tuple[dict, dict]:
    """Totals per position: own demand plus that of the positions it replenishes.

    Updates ``prio`` in place with the most urgent class served downstream.
    """
    total_mean: dict[tuple[str, str], float] = {}
    total_var: dict[tuple[str, str], float] = {}

    def visit(key: tuple[str, str], path: frozenset) -> None:
        if key in total_mean:
            return
        m, v = mean.get(key, 0.0), var.get(key, 0.0)
        for child in children.get(key, ()):
            if child in path:  # a replenishment cycle: count each warehouse once
                continue
            visit(child, path | {key})
            m, v = m + total_mean[child], v + total_var[child]
            if child in prio:
                prio[key] = min(prio.get(key, "routine"), prio[child], key=_RANK.__getitem__)
        total_mean[key], total_var[key] = m, v

    for key in sorted(set(mean) | set(children)):
        visit(key, frozenset())
    return total_mean, total_var


def sample_cycle_demand(inputs: SafetyStockInputs, scenarios: int, seed: int) -> np.ndarray:
    """Demand over the protection interval L + R in each scenario, shape (P, K), units.

    L is drawn from the position's lead-time distribution (stream 0 of ``seed``); given L,
    demand over L + R days is gamma with mean μ(L+R) and variance σ²(L+R) (stream 1).
    """
    lead_rng, demand_rng = (np.random.default_rng(s)
                            for s in np.random.SeedSequence(seed).spawn(2))
    lead = np.empty((inputs.size, scenarios))
    groups: dict[Distribution, list[int]] = defaultdict(list)
    for p, dist in enumerate(inputs.lead_time):
        groups[dist].append(p)
    for dist, rows in sorted(groups.items(), key=lambda kv: kv[1][0]):
        lead[rows] = np.reshape(dist.sample(lead_rng, len(rows) * scenarios), (len(rows),
                                                                                scenarios))
    days = lead + inputs.review_days
    m = inputs.mean_per_day[:, None] * days
    v = np.maximum(inputs.var_per_day[:, None] * days, 1e-12)
    with np.errstate(divide="ignore", invalid="ignore"):
        shape, scale = np.where(m > 0, m * m / v, 1.0), np.where(m > 0, v / m, 0.0)
    return demand_rng.gamma(shape, 1.0, size=m.shape) * scale
