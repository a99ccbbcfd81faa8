"""Integer indices of a network: every entity once, every attribute the twin needs as an array.

A *position* (stock point) is a (warehouse, item) pair, numbered ``p = w · n_items + i``.
A *series* is one (hospital, department, item) demand stream. Lanes, supplier offers and
departments are numbered in the order of the network file, so the numbering (and with it
every random draw) is a function of the network alone.
"""

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from twin.domain import Distribution, Network
from twin.domain.demand_families import DEMAND_FAMILIES
from twin.domain.parties import PRIORITIES
from twin.domain.returns import RATE_REASONS, RETURN_REASONS

DURATION_FAMILIES = ("fixed", "normal", "gamma", "lognormal")
SeriesKey = tuple[str, str, str]
SHARED_INDICES = 2
"""Indices :func:`index_of` keeps: an experiment's true and planning networks."""


@dataclass(frozen=True)
class Durations:
    """Duration distributions as parallel arrays (family code, mean and sd in days) and
    the parameters of their samplers (:func:`sampler_parameters`)."""

    family: np.ndarray
    mean: np.ndarray
    spread: np.ndarray
    a: np.ndarray
    b: np.ndarray

    @classmethod
    def of(cls, dists: Iterable[Distribution | None]) -> "Durations":
        """Arrays of ``dists`` in order (``None``: no duration, a fixed 0 days)."""
        ds = list(dists)
        family = np.array([DURATION_FAMILIES.index(d.family) if d else 0 for d in ds],
                          dtype=np.int8)
        mean = np.array([d.mean if d else 0.0 for d in ds], dtype=float)
        spread = np.array([d.spread if d else 0.0 for d in ds], dtype=float)
        return cls(family, mean, spread, *sampler_parameters(family, mean, spread))


def sampler_parameters(family: np.ndarray, mean: np.ndarray, spread: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Parameters (a, b) of each duration's sampler, moment-matched as in
    :class:`twin.domain.Distribution`: normal (m, s), clipped at 0 when drawn; gamma shape
    (m/s)² and scale s²/m; lognormal μ = ln m − σ²/2 and σ with σ² = ln(1 + s²/m²). Entries
    that draw nothing (fixed, or sd 0: the duration is m) get (m, 0)."""
    a, b = mean.astype(float), np.zeros(len(mean))
    normal, gamma, lognormal = (np.flatnonzero((family == DURATION_FAMILIES.index(f))
                                               & (spread > 0))
                                for f in ("normal", "gamma", "lognormal"))
    b[normal] = spread[normal]
    m, s = mean[gamma], spread[gamma]
    a[gamma], b[gamma] = (m / s) ** 2, s * s / m
    m, s = mean[lognormal], spread[lognormal]
    sigma2 = np.log1p((s / m) ** 2)
    a[lognormal], b[lognormal] = np.log(m) - sigma2 / 2, np.sqrt(sigma2)
    return a, b


def _codes(values: Iterable[str], names: dict[str, int], dtype: type = np.int32) -> np.ndarray:
    return np.fromiter((names[v] for v in values), dtype=dtype)


class NetworkIndex:
    """Static numbering and attribute arrays of a :class:`~twin.domain.Network`; the arrays
    are read-only (an index is shared by every run of its network: :func:`index_of`).

    ``extra_series`` adds (hospital, department, item) streams that have no demand model
    (e.g. found only in a recorded history); they get a zero model mean.
    """

    def __init__(self, network: Network, extra_series: Iterable[SeriesKey] = ()):
        net = self.network = network
        self.warehouses = tuple(w.id for w in net.warehouses)
        self.items = tuple(i.code for i in net.items)
        self.orgs = tuple(o.id for o in net.orgs)
        self.regions = tuple(r.id for r in net.regions)
        self.suppliers = tuple(s.id for s in net.suppliers)
        self.hospitals = tuple(h.id for h in net.hospitals)
        self.lanes = tuple(lane.id for lane in net.lanes)
        self.departments = tuple(f"{h.id}/{d.id}" for h in net.hospitals for d in h.departments)
        self.wh_of = {w: k for k, w in enumerate(self.warehouses)}
        self.item_of = {c: k for k, c in enumerate(self.items)}
        self.org_of = {o: k for k, o in enumerate(self.orgs)}
        self.region_of = {r: k for k, r in enumerate(self.regions)}
        self.supplier_of = {s: k for k, s in enumerate(self.suppliers)}
        self.hospital_of = {h: k for k, h in enumerate(self.hospitals)}
        self.lane_of = {lane: k for k, lane in enumerate(self.lanes)}
        self.department_of = {d: k for k, d in enumerate(self.departments)}
        self.n_warehouses, self.n_items = len(self.warehouses), len(self.items)
        self.n_positions = self.n_warehouses * self.n_items
        self.position_warehouse = np.repeat(np.arange(self.n_warehouses, dtype=np.int32),
                                            self.n_items)
        self.position_item = np.tile(np.arange(self.n_items, dtype=np.int32), self.n_warehouses)
        self._warehouse_arrays()
        self._item_arrays()
        self._lane_arrays()
        self._offer_arrays()
        self._hospital_arrays()
        self._series_arrays(extra_series)
        self._return_arrays()
        self._stock_policy_arrays()
        for value in vars(self).values():
            for array in (vars(value).values() if isinstance(value, Durations) else (value,)):
                if isinstance(array, np.ndarray):
                    array.flags.writeable = False

    # -- construction ------------------------------------------------------------------
    def _warehouse_arrays(self) -> None:
        whs = self.network.warehouses
        self.wh_org = _codes((w.org for w in whs), self.org_of)
        self.wh_region = _codes((w.region for w in whs), self.region_of)
        self.wh_cold = np.array([w.cold_chain for w in whs], dtype=bool)
        self.wh_holding_rate = np.array([w.holding_rate for w in whs], dtype=float)
        self.org_markup = np.array([o.transfer_markup for o in self.network.orgs], dtype=float)

    def _item_arrays(self) -> None:
        items = self.network.items
        self.item_cost = np.array([i.unit_cost for i in items], dtype=float)
        self.item_cold = np.array([i.cold_chain for i in items], dtype=bool)
        self.item_shelf_life = np.array([i.shelf_life_days for i in items], dtype=np.int32)
        self.item_qc_hold = np.array([i.qc_hold_days for i in items], dtype=np.int32)
        self.item_backorder = np.array([i.unmet_demand == "backorder" for i in items], dtype=bool)
        self.item_excursion_scrap = np.array([i.excursion_rule == "scrap" for i in items],
                                             dtype=bool)
        self.registered = np.zeros((len(self.regions), self.n_items), dtype=bool)
        for k, item in enumerate(items):
            self.registered[_codes(item.registered_regions, self.region_of), k] = True

    def _lane_arrays(self) -> None:
        lanes = self.network.lanes
        self.lane_src = _codes((ln.source for ln in lanes), self.wh_of)
        self.lane_dst = _codes((ln.target for ln in lanes), self.wh_of)
        self.lane_cold = np.array([ln.cold_chain for ln in lanes], dtype=bool)
        self.lane_cost_unit = np.array([ln.cost_per_unit for ln in lanes], dtype=float)
        self.lane_cost_shipment = np.array([ln.cost_per_shipment for ln in lanes], dtype=float)
        self.lane_capacity = np.array([ln.capacity_per_day or -1 for ln in lanes], dtype=np.int64)
        self.lane_excursion = np.array([ln.excursion_probability for ln in lanes], dtype=float)
        self.lane_transit = Durations.of(ln.transit_time for ln in lanes)
        self.lane_by_route = {(ln.source, ln.target, ln.mode): k for k, ln in enumerate(lanes)}

    def _offer_arrays(self) -> None:
        sups = self.network.suppliers
        offers = [(s, o) for s, sup in enumerate(sups) for o in sup.supplies]
        self.offer_supplier = np.array([s for s, _ in offers], dtype=np.int32)
        self.offer_item = _codes((o.item for _, o in offers), self.item_of)
        self.offer_moq = np.array([o.moq for _, o in offers], dtype=np.int64)
        self.offer_price = np.array(
            [o.unit_price or self.item_cost[self.item_of[o.item]] for _, o in offers], dtype=float)
        self.offer_capacity_week = np.array([o.capacity_per_week or -1 for _, o in offers],
                                            dtype=np.int64)
        self.offer_lead_time = Durations.of(o.lead_time for _, o in offers)
        lateness = [sups[s].lateness_of(o) for s, o in offers]
        self.offer_late_probability = np.array([lt.probability for lt in lateness], dtype=float)
        self.offer_late_delay = Durations.of(lt.delay for lt in lateness)
        self.offer_of = np.full((len(sups), self.n_items), -1, dtype=np.int32)
        self.offer_of[self.offer_supplier, self.offer_item] = np.arange(len(offers))
        self.delivers = np.zeros((len(sups), self.n_warehouses), dtype=bool)
        for s, sup in enumerate(sups):
            self.delivers[s, _codes(sup.delivers_to, self.wh_of)] = True
        self.supplier_order_cost = np.array([s.order_cost for s in sups], dtype=float)
        self.supplier_defect_rate = np.array([s.defect_rate for s in sups], dtype=float)
        self.supplier_vmi = np.array([s.vmi for s in sups], dtype=bool)

    def _hospital_arrays(self) -> None:
        hosps = self.network.hospitals
        self.hospital_region = _codes((h.region for h in hosps), self.region_of)
        width = max(len(h.served_by) for h in hosps)
        self.served_by = np.full((len(hosps), width), -1, dtype=np.int32)
        for k, h in enumerate(hosps):
            self.served_by[k, :len(h.served_by)] = _codes(h.served_by, self.wh_of)
        self.department_priority = np.array(
            [PRIORITIES.index(d.priority) for h in hosps for d in h.departments], dtype=np.int8)
        self.department_min_shelf = np.array(
            [d.min_shelf_life_days for h in hosps for d in h.departments], dtype=np.int32)
        self.department_hospital = np.array(
            [k for k, h in enumerate(hosps) for _ in h.departments], dtype=np.int32)

    def _series_arrays(self, extra: Iterable[SeriesKey]) -> None:
        models = {(d.hospital, d.department, d.item): d for d in self.network.demand}
        keys = list(models) + sorted(set(extra) - set(models))
        self.series = tuple(keys)
        self.series_of = {k: n for n, k in enumerate(keys)}
        self.n_series = n = len(keys)
        self.series_department = np.fromiter(
            (self.department_of[f"{h}/{d}"] for h, d, _ in keys), dtype=np.int32, count=n)
        self.series_item = np.fromiter((self.item_of[i] for _, _, i in keys), np.int32, count=n)
        self.series_hospital = self.department_hospital[self.series_department]
        self.series_priority = self.department_priority[self.series_department]
        self.series_min_shelf = self.department_min_shelf[self.series_department]
        self.series_region = self.hospital_region[self.series_hospital]
        self.series_org = self.wh_org[self.served_by[self.series_hospital, 0]]
        self.series_class = self.series_priority.astype(np.int64) * len(self.orgs) + \
            self.series_org
        ms = [models.get(k) for k in keys]
        self.series_family = np.array(
            [DEMAND_FAMILIES.code(m.family) if m else 0 for m in ms], dtype=np.int8)
        self.series_mean = np.array([m.mean_per_day if m else 0.0 for m in ms], dtype=float)
        self.series_dispersion = np.array([m.dispersion if m else 1.0 for m in ms], dtype=float)
        self.series_weekly = np.array(
            [m.weekly if m and m.weekly else [1.0] * 7 for m in ms], dtype=float).reshape(n, 7)
        self.series_amplitude = np.array([m.annual_amplitude if m else 0.0 for m in ms])
        self.series_peak = np.array([m.annual_peak_day if m else 1 for m in ms], dtype=float)
        self._substitute_arrays(keys)
        # processing order for issue: priority class first, then strictest shelf life
        self.series_order = np.lexsort(
            (np.arange(n), -self.series_min_shelf, self.series_priority)).astype(np.int64)
        self.series_rank = np.empty(n, dtype=np.int64)
        """Place of each series in :attr:`series_order`."""
        self.series_rank[self.series_order] = np.arange(n)

    def _substitute_arrays(self, keys: list[SeriesKey]) -> None:
        """Per series, its substitutes in preference order: ``series_sub_item[n, r]``
        (item number, −1 none) and ``series_sub_factor[n, r]`` (substitute units per unit)."""
        net = self.network
        rules = [net.substitutes_for(h, d, i) if net.substitutes else [] for h, d, i in keys]
        width = max(map(len, rules), default=0)
        self.series_sub_item = np.full((len(keys), width), -1, dtype=np.int32)
        self.series_sub_factor = np.ones((len(keys), width), dtype=float)
        for n, rs in enumerate(rules):
            for r, rule in enumerate(rs):
                self.series_sub_item[n, r] = self.item_of[rule.substitute]
                self.series_sub_factor[n, r] = rule.factor

    def _return_arrays(self) -> None:
        """Per series and rate reason r (:data:`RATE_REASONS` order): ``series_return_rate[n,
        r]`` (returned units per issued unit) and its delay ``series_return_delay`` (flat
        ``n · 3 + r``); ``series_return_share[n]``: min(1, Σ_r rate) (share of issued units
        returned) and ``series_return_split[n, r]``: rate / Σ_r rate (the reasons' shares of
        the returned units; 0 without returns); ``has_returns``: any rate above 0. Per
        return reason q (:data:`RETURN_REASONS`) and item i, QC's rule (:meth:`Network.handling`):
        ``handling_share[q, i]`` (restock, repair, scrap shares, normalised to sum to 1 in
        floating point), ``handling_cost[q, i]``
        (currency per repaired unit) and ``handling_repair_days`` (flat ``q · n_items + i``)."""
        net, R = self.network, len(RATE_REASONS)
        models = {(d.hospital, d.department, d.item): d for d in net.demand}
        rates = [{r.reason: r for r in m.returns} if (m := models.get(k)) else {}
                 for k in self.series]
        self.series_return_rate = np.array(
            [[(rs[r].rate if r in rs else 0.0) for r in RATE_REASONS] for rs in rates],
            dtype=float).reshape(self.n_series, R)
        self.series_return_delay = Durations.of(
            rs[r].delay_days if r in rs else None for rs in rates for r in RATE_REASONS)
        total = self.series_return_rate.sum(axis=1, keepdims=True)
        self.series_return_share = np.minimum(total[:, 0], 1.0)
        self.series_return_split = np.divide(self.series_return_rate, total,
                                             out=np.zeros_like(self.series_return_rate),
                                             where=total > 0)
        self.has_returns = bool((self.series_return_rate > 0).any())
        rules = [net.handling(q, i) for q in RETURN_REASONS for i in self.items]
        shares = np.array([[h.restock, h.repair, h.scrap] for h in rules],
                          dtype=float).reshape(len(RETURN_REASONS), self.n_items, 3)
        self.handling_share = shares / shares.sum(axis=2, keepdims=True)
        self.handling_cost = np.array([h.repair_cost for h in rules], dtype=float).reshape(
            len(RETURN_REASONS), self.n_items)
        self.handling_repair_days = Durations.of(h.repair_days for h in rules)

    def _stock_policy_arrays(self) -> None:
        """(s, S) per position (−1 = none) and the configured replenishment source."""
        P = self.n_positions
        self.reorder_point = np.full(P, -1, dtype=np.int64)
        self.order_up_to = np.full(P, -1, dtype=np.int64)
        self.source_supplier = np.full(P, -1, dtype=np.int32)
        self.source_warehouse = np.full(P, -1, dtype=np.int32)
        for sp in self.network.stock_policies:
            w, i = self.wh_of[sp.warehouse], self.item_of[sp.item]
            p = w * self.n_items + i
            self.reorder_point[p], self.order_up_to[p] = sp.reorder_point, sp.order_up_to
            if sp.source in self.wh_of:
                self.source_warehouse[p] = self.wh_of[sp.source]
            elif sp.source in self.supplier_of:
                self.source_supplier[p] = self.supplier_of[sp.source]
            else:
                self.source_supplier[p] = self.first_supplier(w, i)

    # -- lookups -----------------------------------------------------------------------
    def position(self, warehouse: int | np.ndarray, item: int | np.ndarray) -> np.ndarray:
        """Position number(s) ``w · n_items + i``."""
        return np.asarray(warehouse, dtype=np.int64) * self.n_items + item

    def first_supplier(self, warehouse: int, item: int) -> int:
        """First supplier (network order) offering ``item`` and delivering to ``warehouse``."""
        ok = (self.offer_of[:, item] >= 0) & self.delivers[:, warehouse]
        return int(np.argmax(ok)) if ok.any() else -1


_shared: OrderedDict[tuple[int, tuple[SeriesKey, ...]], tuple[Network, NetworkIndex]] = \
    OrderedDict()
_shared_lock = threading.Lock()
"""Guards :data:`_shared`: a Dask worker with threads or a threaded dashboard calls from
several threads."""


def index_of(network: Network, extra_series: Iterable[SeriesKey] = ()) -> NetworkIndex:
    """``NetworkIndex(network, extra_series)``, built once for the last
    :data:`SHARED_INDICES` networks asked for (replications of one scenario share it: 11 ms
    a run on the reference network). Kept with its network, so a cached id is never
    another network's; a network is frozen and an index read-only, so sharing is safe."""
    key = (id(network), tuple(extra_series))
    with _shared_lock:
        hit = _shared.get(key)
        if hit is not None and hit[0] is network:
            _shared.move_to_end(key)
            return hit[1]
    index = NetworkIndex(network, key[1])
    with _shared_lock:
        _shared[key] = (network, index)
        while len(_shared) > SHARED_INDICES:
            _shared.popitem(last=False)
    return index
