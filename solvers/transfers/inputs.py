"""From a network and its snapshot to the index sets of the transfer MILP.

Time is split into buckets of ``bucket_days`` over the horizon. *Needs* are the expected
demand per (warehouse, item, priority class, bucket), each department routed to its
serving warehouse (:meth:`twin.domain.Network.serving_warehouse`). *Supplies* are lots:
available on-hand lots (movable) plus in-transit lots and open purchase orders (usable
at their destination from the bucket they arrive in, not movable). *Arcs* are the
(lot, lane, ship bucket) combinations that obey the physical rules: the lane leaves the
lot's warehouse, a cold item only on a cold lane into a cold warehouse, the item
registered in the destination's region, the destination needs the item, the lot still
acceptable there on arrival, and the transit no longer than the least urgent window.
Arcs are pruned to what can matter: a lot leaves a warehouse only if that warehouse has
more of the item than it needs over the horizon or the lot expires within the horizon,
and goes only to a warehouse short of the item over the horizon or, for such an expiring
lot, to any warehouse that needs the item. An arc carries at most what its target can
issue before the lot falls below the target's minimum shelf life (first-expiry-first-out:
its mean need per day × the days until then, less its own supplies that expire no later;
:class:`StockByExpiry`) — the model's write-off only sees the horizon, and a lot
shipped to cover the horizon's need could otherwise expire at its target after it.

*Substitutes* pool demand (:mod:`solvers.substitution`): a lot may also serve the share of
another item's need at its warehouse (or where it is shipped) whose departments accept it,
as the twin serves a shortfall from substitutes.
"""

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from solvers.substitution import Acceptance, acceptances
from solvers.transfers.settings import TransferSettings
from twin.api import DemandMeans, NetworkIndex
from twin.domain import Network
from twin.domain.parties import PRIORITIES

NeedKey = tuple[str, str, str, int]  # warehouse, item, priority, bucket


@dataclass(frozen=True)
class Supply:
    """Units of one lot that the plan can use: on hand (movable) or arriving (not movable)."""

    key: str           # unique supply id
    lot: str           # lot number; for serial items the group's serials, ';'-separated
    item: str
    warehouse: str     # where it is (or arrives)
    quantity: int      # units
    expiry_day: int    # days from as_of to expiry
    available_from: int  # first bucket it can be used in
    movable: bool
    waste: bool = False  # units that expire unused where they are: only shipping saves them

    def lost_if_unused(self, horizon_days: int) -> bool:
        """Whether units not used within the horizon are written off (expiry in it, or waste)."""
        return self.waste or self.expiry_day <= horizon_days


@dataclass(frozen=True)
class Arc:
    """Shipping supply ``supply`` on lane ``lane`` at the start of bucket ``bucket``."""

    supply: int
    lane: str
    source: str
    target: str
    mode: str
    bucket: int
    transit_days: int
    arrival_bucket: int
    unit_cost: float     # currency/unit, transport plus inter-org cost
    shipment_cost: float  # currency/shipment
    capacity: float      # units per bucket (inf when the lane is unlimited)
    crosses_orgs: bool
    max_units: float = math.inf  # most units the target can use before the lot expires


@dataclass
class TransferInputs:
    """Everything the transfer MILP needs, as plain index sets."""

    as_of: dt.date
    settings: TransferSettings
    n_buckets: int
    bucket_start: list[int]
    bucket_len: list[int]
    needs: dict[NeedKey, float]
    min_shelf: dict[tuple[str, str, str], int]
    departments: dict[tuple[str, str, str], list[str]]
    supplies: list[Supply]
    arcs: list[Arc]
    unit_cost: dict[str, float]
    ship_date: list[dt.date] = field(default_factory=list)
    substitutes: dict[tuple[str, str], list[Acceptance]] = field(default_factory=dict)
    # (warehouse, substitute item) → the demand there that accepts it (solvers.substitution)

    def usable_share(self, s: Supply, warehouse: str, priority: str, bucket: int,
                     item: str | None = None) -> float:
        """Share of bucket ``bucket`` during which lot ``s`` is acceptable to ``priority``
        demand for ``item`` (default: the lot's own) at ``warehouse``: remaining shelf life
        ≥ the class's minimum (0 … 1)."""
        limit = s.expiry_day - self.min_shelf.get((warehouse, item or s.item, priority), 0)
        start, length = self.bucket_start[bucket], self.bucket_len[bucket]
        return min(max((limit - start) / length, 0.0), 1.0)


def _needs(net: Network, as_of: dt.date, starts: list[int], lens: list[int]):
    """Expected units per (warehouse, item, class, bucket) from the demand models' daily
    means (:class:`twin.api.DemandMeans`, all series of a day at once)."""
    means = DemandMeans(NetworkIndex(net)).on
    horizon = starts[-1] + lens[-1] if starts else 0
    daily = np.array([means(as_of + dt.timedelta(days=d)) for d in range(horizon)])
    per_bucket = [daily[s:s + n].sum(axis=0) for s, n in zip(starts, lens, strict=True)]
    needs: dict[NeedKey, float] = defaultdict(float)
    min_shelf: dict[tuple[str, str, str], int] = defaultdict(int)
    depts: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    priority = {(h.id, d.id): d for h in net.hospitals for d in h.departments}
    for k, d in enumerate(net.demand):  # the index numbers series in this order
        w = net.serving_warehouse(d.hospital, d.item)
        if w is None:
            continue
        dept = priority[(d.hospital, d.department)]
        key = (w, d.item, dept.priority)
        min_shelf[key] = max(min_shelf[key], dept.min_shelf_life_days)
        depts[key].append(f"{d.hospital}/{d.department}")
        for b, units in enumerate(per_bucket):
            if units[k] > 0:
                needs[(*key, b)] += float(units[k])
    return dict(needs), dict(min_shelf), dict(depts)


def _supplies(net: Network, as_of: dt.date, bucket_days: int, horizon: int) -> list[Supply]:
    """Available lots, in transit and on order. Serial units of one item at one place whose
    expiry falls in the same bucket-length window are pooled into one supply with the
    earliest expiry of the group (they are interchangeable for planning, and pooling keeps
    the MILP free of symmetric copies). Beyond the horizon plus a year of shelf-life margin
    the windows widen to a year: so far out, expiry no longer changes any decision."""
    items = net.item_by_code
    pooled: dict[tuple[str, str, int], list[tuple[int, str]]] = defaultdict(list)
    out = []
    for lp in net.snapshot.lots:
        if lp.status != "available" or lp.expiry <= as_of:
            continue
        days = (lp.expiry - as_of).days
        if items[lp.item].tracking == "serial":
            far = horizon + 365
            window = days // bucket_days if days <= far else far + (days - far) // 365 * 365
            pooled[(lp.warehouse, lp.item, window)].append((days, lp.lot))
        else:
            out.append(Supply(f"lot:{lp.warehouse}:{lp.item}:{lp.lot}", lp.lot, lp.item,
                              lp.warehouse, lp.quantity, days, 0, True))
    for (w, i, window), group in sorted(pooled.items()):
        serials = sorted(group)
        out.append(Supply(f"serials:{w}:{i}:{window}", ";".join(lot for _, lot in serials), i, w,
                          len(serials), serials[0][0], 0, True))
    for t in net.snapshot.in_transit:
        arrive = max((t.eta - as_of).days, 0)
        if arrive < horizon and t.temperature == "ok":
            out.append(Supply(f"transit:{t.source}>{t.target}:{t.item}:{t.lot}", t.lot, t.item,
                              t.target, t.quantity, (t.expiry - as_of).days,
                              arrive // bucket_days, False))
    for po in net.snapshot.purchase_orders:
        due = max((po.due - as_of).days, 0)
        if due < horizon:
            out.append(Supply(f"po:{po.id}", f"PO {po.id}", po.item, po.warehouse, po.quantity,
                              due + items[po.item].shelf_life_days, due // bucket_days, False))
    return out


_SPAN = np.int64(1) << 32
"""Key stride: position × _SPAN + expiry day (expiry days clipped to [0, 2³²))."""


@dataclass(frozen=True)
class StockByExpiry:
    """Units held per position by expiry day, sorted once to answer "how many units at
    position p expire on or before day e" for many (p, e)."""

    key: np.ndarray  # position × _SPAN + expiry day, ascending
    cum: np.ndarray  # units of the rows up to each key (a leading 0)

    @classmethod
    def of(cls, pos: np.ndarray, expiry: np.ndarray, qty: np.ndarray) -> "StockByExpiry":
        """From rows (position, expiry day, units); a day before 0 counts as day 0."""
        key = pos.astype(np.int64) * _SPAN + np.maximum(expiry, 0).astype(np.int64)
        order = np.argsort(key, kind="stable")
        return cls(key[order], np.concatenate(([0.0], np.cumsum(qty[order], dtype=float))))

    def expiring_by(self, at: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Units at position ``at[j]`` expiring on or before ``day[j]``."""
        at = at.astype(np.int64)
        hi = np.searchsorted(self.key, at * _SPAN + day.astype(np.int64), side="right")
        return self.cum[hi] - self.cum[np.searchsorted(self.key, at * _SPAN, side="left")]


def _within_shelf_life(candidates: list[tuple], supplies: list[Supply],
                       held: StockByExpiry, rate: np.ndarray) -> list[Arc]:
    """The candidate arcs whose target can issue at least one unit of the lot before it
    falls below the target's minimum shelf life, each bounded by that many
    (first-expiry-first-out: the target's mean need per day ``rate`` × the days until then,
    less its own supplies that expire no later, which it issues first)."""
    if not candidates:
        return []
    target = np.array([c[-2] for c in candidates], dtype=np.int64)
    expiry = np.array([supplies[c[0]].expiry_day for c in candidates], dtype=np.int64)
    days = np.array([c[-1] for c in candidates], dtype=float)
    room = rate[target] * days - held.expiring_by(target, expiry)
    return [Arc(*c[:-2], math.floor(r)) for c, r in zip(candidates, room.tolist(), strict=True)
            if r >= 1]


def build_transfer_inputs(net: Network, settings: TransferSettings | None = None) -> TransferInputs:
    """Needs, supplies and feasible arcs for ``net`` as of its snapshot date."""
    st = settings or TransferSettings()
    as_of, horizon, width = net.snapshot.as_of, st.horizon_days, st.bucket_days
    n_buckets = math.ceil(horizon / width)
    starts = [b * width for b in range(n_buckets)]
    lens = [min(width, horizon - s) for s in starts]
    needs, min_shelf, depts = _needs(net, as_of, starts, lens)
    supplies = _supplies(net, as_of, width, horizon)
    items = net.item_by_code
    needed_at: dict[str, set[str]] = defaultdict(set)
    balance: dict[tuple[str, str], float] = defaultdict(float)  # supply − need over horizon
    for (w, i, _, _), units in needs.items():
        needed_at[i].add(w)
        balance[(w, i)] -= units
    usage = {key: -units / horizon for key, units in balance.items()}  # units/day
    for s in supplies:
        balance[(s.warehouse, s.item)] += s.quantity
    place = {key: n for n, key in enumerate(sorted({(s.warehouse, s.item) for s in supplies}
                                                     | set(usage)))}
    held = StockByExpiry.of(np.array([place[(s.warehouse, s.item)] for s in supplies]),
                            np.array([s.expiry_day for s in supplies]),
                            np.array([s.quantity for s in supplies], dtype=float))
    lanes_from: dict[str, list] = defaultdict(list)
    for lane in net.lanes:
        lanes_from[lane.source].append(lane)
    slowest_window = max(st.urgency_window_days.values())
    candidates: list[tuple] = []  # Arc fields but the last, then (place, days usable)
    for k, s in enumerate(supplies):
        expiring = s.lost_if_unused(horizon)
        if not s.movable or (balance[(s.warehouse, s.item)] <= 0 and not expiring):
            continue
        item = items[s.item]
        for lane in lanes_from[s.warehouse]:
            tau = math.ceil(lane.transit_time.mean)
            if (lane.target not in needed_at[s.item] or tau > slowest_window
                    or (balance[(lane.target, s.item)] >= 0 and not expiring)
                    or not net.can_ship(lane, s.item)):
                continue
            accept = min(min_shelf.get((lane.target, s.item, p), 10**9) for p in PRIORITIES)
            crosses = net.crosses_orgs(lane)
            per_unit = lane.cost_per_unit + (st.inter_org_cost_rate * item.unit_cost
                                             if crosses else 0.0)
            for b in range(n_buckets):
                arrival_day = starts[b] + tau
                if arrival_day >= horizon or s.expiry_day - arrival_day < max(accept, 1):
                    continue
                cap = (lane.capacity_per_day * lens[b] if lane.capacity_per_day else math.inf)
                candidates.append((k, lane.id, lane.source, lane.target, lane.mode, b, tau,
                                   arrival_day // width, per_unit, lane.cost_per_shipment, cap,
                                   crosses, place[(lane.target, s.item)],
                                   s.expiry_day - arrival_day - accept))
    arcs = _within_shelf_life(candidates, supplies, held,
                              np.array([usage.get(key, 0.0) for key in place]))
    accepts: dict[tuple[str, str], list[Acceptance]] = defaultdict(list)
    for a in acceptances(net):
        accepts[(a.warehouse, a.substitute)].append(a)
    return TransferInputs(as_of, st, n_buckets, starts, lens, needs, min_shelf, depts, supplies,
                          arcs, {i.code: i.unit_cost for i in net.items},
                          [as_of + dt.timedelta(days=s) for s in starts], dict(accepts))
