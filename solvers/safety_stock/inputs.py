"""From a network to the arrays of the safety-stock model, and the demand scenarios.

A *position* is a warehouse × item that holds stock. Daily demand routed to a position:
each department's demand goes to the first warehouse in its hospital's ``served_by``
that can store the item (cold-capable for a cold item); a warehouse that replenishes
another (``stock_policies[].source``) also carries that warehouse's demand. Moments add:
mean μ = Σ μᵢ, variance σ² = Σ σᵢ² (independent demand streams). An order (or lane
shipment) carries every item its warehouse gets from the same source, so each item bears
an equal share of the per-order (per-shipment) cost. A warehouse-sourced position is
replenished on the lane the twin replenishes on (:func:`twin.api.replenishment_routes`:
the cheapest per unit, then the fastest, a cold-chain lane for a cold item), and a
purchase order is late as its offer's :class:`twin.domain.Lateness` says.

:class:`Replenishment` holds what stands between an order and usable stock besides the
nominal lead time — supplier lateness, QC and excursion holds, lost shipments and the
upstream warehouse — for :mod:`solvers.safety_stock.delays`.

Where a forecast's error σ_e (units/day) is known for a demand series
(:mod:`solvers.forecast.update`) and exceeds the series' own daily standard deviation, the
series counts with variance σ_e² (the forecast is that uncertain about a day's demand);
such a position is planned by the scenarios only.

Returns come back into stock (:mod:`twin.domain.returns`): a series whose issued units
return with total share ρ (rate × the restock and repair shares QC applies) counts with its
net demand, a binomial thinning: mean (1 − ρ)μ, variance (1 − ρ)²σ² + ρ(1 − ρ)μ (units/day);
such a position is planned by the scenarios only.

Substitutes pool demand between the positions of one warehouse
(:mod:`solvers.safety_stock.pooling`): the model lets a position's shortfall be covered
from its substitutes' stock, and such positions are planned by the scenarios only.
"""

import logging
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import NamedTuple

import numpy as np

from solvers.inventory_theory.demand import Series
from solvers.safety_stock.pooling import NO_LINKS, Links, substitution_links
from twin.api import first_open, replenishment_routes
from twin.domain import DemandModel, Distribution, Item, Network, Supplier, SupplyOffer
from twin.domain.parties import PRIORITIES

log = logging.getLogger(__name__)
_RANK = {p: i for i, p in enumerate(PRIORITIES)}


@dataclass(frozen=True)
class Replenishment:
    """Per-position arrays (length P) describing the replenishment delay beyond the nominal
    lead time, as the twin executes it (see :mod:`twin.domain.replenishment`; QC and excursion
    holds as in :mod:`twin.sim.lifecycle`).
    """

    late_probability: np.ndarray   # chance an order is late (the offer's lateness)
    late_delay: np.ndarray         # Distribution | None: days late, given late (object)
    hold_probability: np.ndarray   # chance a delivery is held in quarantine on arrival
    hold_days: np.ndarray          # length of that hold (days)
    loss_probability: np.ndarray   # chance a delivery is scrapped (QC failure, excursion)
    parent: np.ndarray             # index of the position replenishing this one, −1 a supplier
    own_mean_per_day: np.ndarray   # the position's own departments' demand (units/day)
    own_var_per_day: np.ndarray    # its variance (units²/day)

    def subset(self, idx: np.ndarray) -> "Replenishment":
        """The positions ``idx``; parents outside ``idx`` become −1."""
        new = np.full(len(self.parent), -1, dtype=np.int64)
        new[idx] = np.arange(len(idx))
        parent = np.where(self.parent[idx] >= 0, new[np.maximum(self.parent[idx], 0)], -1)
        return replace(self, **{f.name: getattr(self, f.name)[idx] for f in fields(self)
                                if f.name != "parent"}, parent=parent)


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
    replenishment: Replenishment | None = None  # delays beyond the lead time (None: none)
    class_share: np.ndarray | None = None  # (P, classes) share of demand by priority class;
    # None: all of it in the most urgent class served
    backorder: np.ndarray | None = None  # unmet demand is backordered (else lost); None: all
    own_series: tuple[tuple[Series, ...], ...] | None = None  # the position's own departments'
    # daily demand streams (family, mean, dispersion); None: unknown
    stationary: np.ndarray | None = None  # own demand has no weekly or annual profile
    vmi: np.ndarray | None = None  # replenished by a VMI supplier (topped up to S)
    supply_capped: np.ndarray | None = None  # the supplier's offer has a weekly capacity
    emergency_backup: np.ndarray | None = None  # critical demand another warehouse can serve
    # by an emergency shipment (a lane into the warehouse; cold lane from a cold one if cold)
    forecast_wider: np.ndarray | None = None  # a series' forecast error exceeds its model's
    # standard deviation (its variance is σ_e², see the module docstring)
    links: Links = NO_LINKS  # substitutes pooling demand between positions (same warehouse)
    return_share: np.ndarray | None = None  # ρ: share of the position's own issued units
    # that come back into its stock (restocked or repaired returns); None: none

    @property
    def size(self) -> int:
        """Number of positions P."""
        return len(self.item)

    def subset(self, idx: np.ndarray) -> "SafetyStockInputs":
        """The positions ``idx`` only (same warehouses' capacity and review period)."""
        arrays = {f.name: getattr(self, f.name)[idx] for f in fields(self)
                  if isinstance(getattr(self, f.name), np.ndarray)}
        return replace(self, lead_time=[self.lead_time[i] for i in idx], **arrays,
                       links=self.links.subset(idx, self.size),
                       replenishment=None if self.replenishment is None
                       else self.replenishment.subset(idx),
                       own_series=None if self.own_series is None
                       else tuple(self.own_series[i] for i in idx))


class _Source(NamedTuple):
    """How one position is replenished (see :class:`Replenishment` for the delay fields)."""

    source: str            # supplier or warehouse id
    lead_time: Distribution  # offer lead time or lane transit time (days)
    moq: int
    order_cost: float      # per order or per shipment
    late_probability: float
    late_delay: Distribution | None
    hold_probability: float
    hold_days: int
    loss_probability: float
    vmi: bool = False           # a VMI supplier tops the position up to S itself
    capped: bool = False        # the supplier's offer has a weekly capacity


def _objects(values: list) -> np.ndarray:
    """A 1-D object array of ``values`` (numpy would otherwise look inside them)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _from_supplier(sup: Supplier, offer: SupplyOffer, item: Item) -> _Source:
    lateness = sup.lateness_of(offer)
    return _Source(sup.id, offer.lead_time, offer.moq, sup.order_cost, lateness.probability,
                   lateness.delay, 1.0, item.qc_hold_days,
                   sup.defect_rate, sup.vmi, offer.capacity_per_week is not None)


def _replenishment(net: Network) -> dict[tuple[str, str], _Source]:
    """(warehouse, item) → how it is replenished, for every possible position."""
    items = net.item_by_code
    routes = replenishment_routes(net.lanes)
    out: dict[tuple[str, str], _Source] = {}
    for sup in net.suppliers:
        for offer in sup.supplies:
            for w in sup.delivers_to:
                out.setdefault((w, offer.item), _from_supplier(sup, offer, items[offer.item]))
    for pol in net.stock_policies:
        key, item = (pol.warehouse, pol.item), items[pol.item]
        if pol.source in net.supplier_by_id:
            sup = net.supplier_by_id[pol.source]
            offer = next((o for o in sup.supplies if o.item == pol.item), None)
            if offer is not None:
                out[key] = _from_supplier(sup, offer, item)
        elif pol.source in net.warehouse_by_id:
            k = first_open(routes.get((pol.source, pol.warehouse, item.cold_chain), ()))
            if k >= 0:
                lane = net.lanes[k]
                excursion = lane.excursion_probability if item.cold_chain else 0.0
                scrap = item.excursion_rule == "scrap"
                out[key] = _Source(pol.source, lane.transit_time, 1, lane.cost_per_shipment,
                                   0.0, None, 0.0 if scrap else excursion, item.qc_hold_days,
                                   excursion if scrap else 0.0)
    return out


def build_inputs(net: Network,
                 forecast_error: Mapping[tuple[str, str, str], float] | None = None
                 ) -> SafetyStockInputs:
    """Positions with demand or a stock policy, and everything the model needs about them;
    ``forecast_error``: σ_e (units/day) per (hospital, department, item) where a forecast
    exists (see the module docstring)."""
    errors = forecast_error or {}
    whs, items, hosps = net.warehouse_by_id, net.item_by_code, net.hospital_by_id
    # per position: variance, then mean by priority class (units²/day, units/day)
    own: dict[tuple[str, str], np.ndarray] = defaultdict(lambda: np.zeros(1 + len(PRIORITIES)))
    prio: dict[tuple[str, str], str] = {}
    min_life: dict[tuple[str, str], int] = defaultdict(int)
    series: dict[tuple[str, str], list[Series]] = defaultdict(list)
    seasonal: set[tuple[str, str]] = set()
    wider: set[tuple[str, str]] = set()
    back: dict[tuple[str, str], float] = defaultdict(float)  # units/day coming back
    for d in net.demand:
        hosp = hosps[d.hospital]
        wh = net.serving_warehouse(d.hospital, d.item)
        if wh is None:
            continue
        dept = next(x for x in hosp.departments if x.id == d.department)
        key = (wh, d.item)
        sigma_e = errors.get((d.hospital, d.department, d.item), 0.0)
        rho = returned_share(net, d)
        back[key] += rho * d.mean_per_day
        own[key][0] += ((1 - rho) ** 2 * max(d.daily_variance, sigma_e ** 2)
                        + rho * (1 - rho) * d.mean_per_day)
        if sigma_e ** 2 > d.daily_variance:
            wider.add(key)
        own[key][1 + _RANK[dept.priority]] += (1 - rho) * d.mean_per_day
        prio[key] = min(prio.get(key, "routine"), dept.priority, key=_RANK.__getitem__)
        min_life[key] = max(min_life[key], dept.min_shelf_life_days)
        series[key].append(Series(d.family, d.mean_per_day, d.dispersion))
        if d.annual_amplitude > 0 or (d.weekly is not None and any(w != 1 for w in d.weekly)):
            seasonal.add(key)
    supply = _replenishment(net)
    emergency = _emergency_routes(net)
    children: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for pol in net.stock_policies:
        if pol.source in whs:
            children[(pol.source, pol.item)].append((pol.warehouse, pol.item))
    total = _push_upstream(own, prio, children)
    stocked = {(p.warehouse, p.item) for p in net.stock_policies}
    keys = sorted(k for k in set(total) | stocked if k in supply)
    missing = sorted(set(total) - set(supply))
    if missing:
        log.warning("%d positions have demand but no supplier or lane to replenish them, e.g. %s",
                    len(missing), missing[:3])
    rows = [supply[k] for k in keys]
    sharing = Counter((w, r.source) for (w, _), r in zip(keys, rows, strict=True))
    lead = [r.lead_time for r in rows]
    mean_lead = np.array([lt.mean for lt in lead])
    shelf = np.array([items[i].shelf_life_days for _, i in keys], dtype=float)
    min_left = np.array([min_life.get(k, 0) for k in keys], dtype=float)
    at = {k: p for p, k in enumerate(keys)}
    zero = np.zeros(1 + len(PRIORITIES))
    pushed = np.array([total.get(k, zero) for k in keys]).reshape(len(keys), -1)
    mine = np.array([own.get(k, zero) for k in keys]).reshape(len(keys), -1)
    return SafetyStockInputs(
        warehouse=np.array([w for w, _ in keys], dtype=object),
        item=np.array([i for _, i in keys], dtype=object),
        org=np.array([whs[w].org for w, _ in keys], dtype=object),
        mean_per_day=pushed[:, 1:].sum(axis=1),
        var_per_day=pushed[:, 0],
        lead_time=lead,
        source=np.array([r.source for r in rows], dtype=object),
        priority=np.array([prio.get(k, "routine") for k in keys], dtype=object),
        unit_cost=np.array([items[i].unit_cost for _, i in keys]),
        holding_rate=np.array([whs[w].holding_rate for w, _ in keys]),
        moq=np.array([r.moq for r in rows], dtype=float),
        order_cost=np.array([r.order_cost / sharing[(w, r.source)]
                             for (w, _), r in zip(keys, rows, strict=True)], dtype=float),
        usable_days=np.maximum(shelf - min_left - mean_lead, 0.0),
        review_days=net.settings.review_period_days,
        capacity={w.id: w.capacity for w in net.warehouses},
        replenishment=Replenishment(
            *(np.array([getattr(r, name) for r in rows], dtype=float) for name in (
                "late_probability",)),
            _objects([r.late_delay for r in rows]),
            *(np.array([getattr(r, name) for r in rows], dtype=float) for name in (
                "hold_probability", "hold_days", "loss_probability")),
            parent=np.array([at.get((r.source, i), -1) for (_, i), r in zip(keys, rows,
                                                                            strict=True)],
                            dtype=np.int64),
            own_mean_per_day=mine[:, 1:].sum(axis=1), own_var_per_day=mine[:, 0]),
        class_share=_shares(pushed[:, 1:], [prio.get(k, "routine") for k in keys]),
        backorder=np.array([items[i].unmet_demand == "backorder" for _, i in keys], dtype=bool),
        own_series=tuple(tuple(series.get(k, ())) for k in keys),
        stationary=np.array([k not in seasonal for k in keys], dtype=bool),
        vmi=np.array([r.vmi for r in rows], dtype=bool),
        emergency_backup=np.array([mine[p, 1 + _RANK["critical"]] > 0 and (
            (w, items[i].cold_chain) in emergency) for p, (w, i) in enumerate(keys)],
            dtype=bool),
        supply_capped=np.array([r.capped for r in rows], dtype=bool),
        forecast_wider=np.array([k in wider for k in keys], dtype=bool),
        links=substitution_links(net, keys),
        return_share=np.array([back.get(k, 0.0) / (mine[p, 1:].sum() + back.get(k, 0.0))
                               if back.get(k, 0.0) > 0 else 0.0 for p, k in enumerate(keys)]),
    )


def returned_share(net: Network, d: DemandModel) -> float:
    """ρ: the share of a demand series' issued units that come back into stock — Σ over its
    return reasons of rate × (restock + repair share of QC's rule for them)."""
    return sum(r.rate * (h.restock + h.repair) for r in d.returns
               for h in (net.handling(r.reason, d.item),))


def _emergency_routes(net: Network) -> set[tuple[str, bool]]:
    """(warehouse, cold item) pairs another warehouse can reach by an emergency shipment:
    any lane in, for a cold item a cold lane from a cold warehouse (as
    :mod:`twin.sim.issue` chooses emergency sources)."""
    whs = net.warehouse_by_id
    out: set[tuple[str, bool]] = set()
    for lane in net.lanes:
        if lane.source == lane.target:
            continue
        out.add((lane.target, False))
        if lane.cold_chain and whs[lane.source].cold_chain:
            out.add((lane.target, True))
    return out


def _shares(class_mean: np.ndarray, priority: list[str]) -> np.ndarray:
    """Share of each priority class in a position's demand, shape (P, classes); a position
    without demand counts as its most urgent class."""
    total = class_mean.sum(axis=1, keepdims=True)
    fallback = np.eye(len(PRIORITIES))[[_RANK[p] for p in priority]].reshape(class_mean.shape)
    return np.where(total > 0, class_mean / np.where(total > 0, total, 1.0), fallback)


def _push_upstream(own: dict[tuple[str, str], np.ndarray], prio: dict,
                   children: dict[tuple[str, str], list[tuple[str, str]]]
                   ) -> dict[tuple[str, str], np.ndarray]:
    """Totals per position of the (variance, class means) vectors: own demand plus that of
    the positions it replenishes (independent streams: means and variances add).

    Updates ``prio`` in place with the most urgent class served downstream.
    """
    total: dict[tuple[str, str], np.ndarray] = {}
    zero = np.zeros(1 + len(PRIORITIES))

    def visit(key: tuple[str, str], path: frozenset) -> None:
        if key in total:
            return
        v = own[key].copy() if key in own else zero.copy()
        for child in children.get(key, ()):
            if child in path:  # a replenishment cycle: count each warehouse once
                continue
            visit(child, path | {key})
            v += total[child]
            if child in prio:
                prio[key] = min(prio.get(key, "routine"), prio[child], key=_RANK.__getitem__)
        total[key] = v

    for key in sorted(set(own) | set(children)):
        visit(key, frozenset())
    return total
