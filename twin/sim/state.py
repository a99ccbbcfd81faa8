"""The explicit state of one replication and the one place where stock movements are booked.

:meth:`SimState.book` writes a movement to the ledger and derives from it the per-item stock
balance and the scrap KPIs, so the ledger stays the single source of both.
"""

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from twin.domain.returns import RETURN_REASONS
from twin.sim.demand import DemandSource
from twin.sim.events import Conditions
from twin.sim.index import NetworkIndex
from twin.sim.kernel import totals
from twin.sim.kpis import SCRAP_REASON_CODES, Kpis
from twin.sim.ledger import Kind, Ledger, Reason
from twin.sim.lots import NEVER, Hold, LotCatalog, LotTable, Rows, Status, concat, new_rows
from twin.sim.pipeline import Flow, Pipeline, shipments
from twin.sim.policy import StateView
from twin.sim.randomness import Streams

_BALANCE_OF = {Kind.RECEIPT: "received", Kind.ISSUE: "issued", Kind.SCRAP: "scrapped",
               Kind.RETURN_IN: "returned"}


@dataclass
class RecallReport:
    """Reach of one recall and how its units came back (days counted from ``day``).

    ``days_to_identify``: days until every affected unit is located — on-hand and issued
    units are found at once through the ledger, travelling units on arrival.
    ``units_used``: units issued to departments and already used on patients (never
    recovered, see :class:`twin.domain.RecallResponse`). ``recovered``: (day, units) as
    units come back under control — on hand on the recall day, travelling units on
    arrival, departments' units on their return day (which may fall after the run's end).
    """

    day: int
    item: str
    lots: tuple[str, ...]
    units_on_hand: int
    units_in_transit: int
    units_issued: int
    departments: tuple[str, ...]
    days_to_identify: int
    units_used: int = 0
    recovered: list[tuple[int, int]] = field(default_factory=list)

    @property
    def units_to_recover(self) -> int:
        """Units on hand, in transit and issued but not used on patients."""
        return self.units_on_hand + self.units_in_transit + self.units_issued - self.units_used

    def recovered_by(self, day: int) -> int:
        """Units recovered on or before ``day`` (a day number)."""
        return sum(units for d, units in self.recovered if d <= day)


@dataclass
class SimState:
    """Everything that changes during a replication (arrays indexed as in :class:`NetworkIndex`).

    Per series: ``backlog`` (units owed), ``serving`` (position serving it, −1 none).
    Per position: ``reorder_point`` / ``order_up_to`` (current (s, S), −1 none),
    ``recent_demand`` (a ring of the last review period's daily demand). ``lane_used`` /
    ``offer_used``: units shipped today per lane and ordered this week per supplier offer.
    ``recall_of_lot``: lot → position in ``recalls`` of the first recall that named it.
    """

    index: NetworkIndex
    start: dt.date
    streams: Streams
    demand: DemandSource
    lots: LotTable
    catalog: LotCatalog
    pipeline: Pipeline
    ledger: Ledger
    kpis: Kpis
    conditions: Conditions
    reorder_point: np.ndarray
    order_up_to: np.ndarray
    backlog: np.ndarray
    recent_demand: np.ndarray
    opening_balance: np.ndarray
    recalls: list[RecallReport] = field(default_factory=list)
    recall_of_lot: dict[int, int] = field(default_factory=dict)
    lane_day: int = -1
    offer_week: int = -1
    serving: np.ndarray = field(init=False)
    issue_order: np.ndarray = field(init=False)
    serving_mask: np.ndarray = field(init=False)
    demand_value_rate: np.ndarray = field(init=False)
    emergency_sources: tuple[np.ndarray, np.ndarray] = field(init=False)
    lane_used: np.ndarray = field(init=False)
    offer_used: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.lane_used = np.zeros(len(self.index.lanes), dtype=np.int64)
        self.offer_used = np.zeros(len(self.index.offer_item), dtype=np.int64)
        self.reroute()

    # -- booking --------------------------------------------------------------------------
    def book(self, day: int, kind: Kind, pos: np.ndarray, lot: np.ndarray, qty: np.ndarray,
             counterpart: np.ndarray | int = -1, reason: np.ndarray | int = Reason.NONE) -> None:
        """Record a movement in the ledger and in the balance and scrap KPIs it feeds."""
        self.ledger.record(day, kind, pos, lot, qty, counterpart, reason)
        if kind not in _BALANCE_OF or not len(pos):
            return
        ix, k = self.index, self.kpis
        item = pos % ix.n_items
        k[_BALANCE_OF[kind]][day] += np.bincount(item, weights=qty,
                                                 minlength=ix.n_items).astype(np.int64)
        if kind == Kind.SCRAP:
            r = SCRAP_REASON_CODES.index(Reason(int(np.broadcast_to(reason, len(pos))[0])))
            org = ix.wh_org[pos // ix.n_items]
            k["scrapped_units"][day, r] += np.bincount(org, weights=qty,
                                                       minlength=len(ix.orgs)).astype(np.int64)
            k["scrapped_value"][day, r] += np.bincount(org, weights=qty * ix.item_cost[item],
                                                       minlength=len(ix.orgs))

    # -- routing --------------------------------------------------------------------------
    def reroute(self) -> None:
        """Where each series is served from and what follows from it.

        ``serving``: position at the first ``served_by`` warehouse of the hospital that is
        operational and can store the item (2–8 °C storage for a cold item), −1 if none;
        ``issue_order``: routed series by (serving position, priority, strictest shelf life);
        emergency sources per (serving warehouse, item is cold)."""
        ix, down = self.index, self.conditions.warehouse_down
        sb = ix.served_by[ix.series_hospital]
        ok = (sb >= 0) & ~down[np.maximum(sb, 0)] & (
            ix.wh_cold[np.maximum(sb, 0)] | ~ix.item_cold[ix.series_item][:, None])
        first = sb[np.arange(len(sb)), np.argmax(ok, axis=1)]
        wh = np.where(ok.any(axis=1), first, -1)
        self.serving = np.where(wh >= 0, ix.position(wh, ix.series_item), -1)
        routed = np.flatnonzero(self.serving >= 0)
        self.issue_order = routed[np.lexsort((ix.series_rank[routed], self.serving[routed]))]
        self.serving_mask = np.zeros(ix.n_positions, dtype=bool)
        self.serving_mask[self.serving[routed]] = True
        self.demand_value_rate = np.bincount(
            wh[routed], weights=(ix.series_mean * ix.item_cost[ix.series_item])[routed],
            minlength=ix.n_warehouses)
        self.emergency_sources = self._emergency_sources()

    def _emergency_sources(self) -> tuple[np.ndarray, np.ndarray]:
        """``(warehouse, lane)[w, cold, k]``: the k-th other warehouse with an open lane into
        w (cold lanes from cold warehouses when ``cold``), fastest first; −1 pads."""
        ix, cond = self.index, self.conditions
        W = ix.n_warehouses
        src_wh = np.full((W, 2, max(W - 1, 1)), -1, dtype=np.int64)
        src_lane = src_wh.copy()
        usable = ~cond.lane_closed & ~cond.warehouse_down[ix.lane_src]
        for w in range(W):
            for cold in (0, 1):
                lanes = np.flatnonzero(usable & (ix.lane_dst == w) & (
                    (ix.lane_cold & ix.wh_cold[ix.lane_src]) | (cold == 0)))
                lanes = lanes[np.lexsort((lanes, ix.lane_transit.mean[lanes]))]
                _, first = np.unique(ix.lane_src[lanes], return_index=True)
                lanes = lanes[np.sort(first)]
                src_wh[w, cold, :len(lanes)] = ix.lane_src[lanes]
                src_lane[w, cold, :len(lanes)] = lanes
        return src_wh, src_lane

    def recover(self, day: int, lot: np.ndarray, qty: np.ndarray) -> None:
        """Count ``qty`` travelling units of recalled ``lot`` as recovered on ``day`` (they
        arrived, into the recall hold), with the recall that named each lot."""
        for lo, q in zip(lot.tolist(), qty.tolist(), strict=True):
            self.recalls[self.recall_of_lot[lo]].recovered.append((day, q))

    # -- costs ----------------------------------------------------------------------------
    def charge_shipments(self, day: int, lane: np.ndarray, item: np.ndarray,
                         qty: np.ndarray) -> None:
        """Transport cost (cost per unit · units + cost per shipment, paid by the receiving
        org) and, across orgs, the transfer price units · unit cost · (1 + seller markup)."""
        ix, k = self.index, self.kpis
        n_org = len(ix.orgs)
        buyer, seller = ix.wh_org[ix.lane_dst[lane]], ix.wh_org[ix.lane_src[lane]]
        cost = ix.lane_cost_unit[lane] * qty + ix.lane_cost_shipment[lane]
        k["transport_cost"][day] += np.bincount(buyer, weights=cost, minlength=n_org)
        cross = buyer != seller
        price = qty[cross] * ix.item_cost[item[cross]] * (1 + ix.org_markup[seller[cross]])
        k["transfer_cost"][day] += np.bincount(buyer[cross], weights=price, minlength=n_org)
        k["transfer_revenue"][day] += np.bincount(seller[cross], weights=price, minlength=n_org)


def opening_state(index: NetworkIndex, streams: Streams, demand: DemandSource, days: int
                  ) -> tuple[SimState, np.ndarray, np.ndarray]:
    """State at the start of day 0 from the network's snapshot, plus the opening shipments
    and their arrival days (for the engine to put in the pipeline and schedule).

    Opening quarantine stock is held for the item's QC time and then released; reserved
    stock stays reserved. Returned units wait in quarantine for QC until ``received`` + the
    item's QC time (day 0 at the earliest); units in repair come back on ``due``. Overdue
    shipments, orders and repairs arrive on day 0.
    """
    net, ix = index.network, index
    snap = net.snapshot
    start = snap.as_of
    day0 = start.toordinal()
    lot_keys: dict[tuple[int, str], int] = {}
    lot_expiry: list[int] = []
    for rec in (*snap.lots, *snap.in_transit, *snap.returns, *snap.repairs):
        key = (ix.item_of[rec.item], rec.lot)
        if key not in lot_keys:
            lot_keys[key] = len(lot_keys)
            lot_expiry.append(rec.expiry.toordinal() - day0)
    catalog = LotCatalog(np.array([i for i, _ in lot_keys], dtype=np.int32),
                         np.array(lot_expiry, dtype=np.int32), [name for _, name in lot_keys])
    status_of = {s.name.lower(): s.value for s in Status}
    wh_of, item_of = ix.wh_of, ix.item_of
    wh, item, lot, qty, status = np.array(
        [(wh_of[r.warehouse], i, lot_keys[(i, r.lot)], r.quantity, status_of[r.status])
         for r in snap.lots for i in (item_of[r.item],)], dtype=np.int64).reshape(-1, 5).T
    quarantined = status == Status.QUARANTINE
    rows = new_rows(ix.position(wh, item), catalog.arrays[1][lot], lot, qty, status,
                    np.where(quarantined, Hold.QC, Hold.NONE),
                    np.where(quarantined, ix.item_qc_hold[item], NEVER))
    lots = LotTable(ix.n_positions, concat([rows, _opening_returns(ix, lot_keys, start)]))
    pipeline = Pipeline(ix.n_positions)
    ledger = Ledger(ix)
    kpis = Kpis(ix, days)
    state = SimState(
        index=ix, start=start, streams=streams, demand=demand, lots=lots, catalog=catalog,
        pipeline=pipeline, ledger=ledger, kpis=kpis, conditions=Conditions(ix),
        reorder_point=ix.reorder_point.copy(), order_up_to=ix.order_up_to.copy(),
        backlog=np.zeros(ix.n_series, dtype=np.int64),
        recent_demand=np.zeros((net.settings.review_period_days, ix.n_positions), np.int64),
        opening_balance=np.zeros(ix.n_items, dtype=np.int64))
    r = lots.rows
    state.book(0, Kind.OPENING, r["pos"], r["lot"], r["qty"],
               reason=np.asarray(Reason.AVAILABLE + r["status"], dtype=np.int8))
    transit = _opening_transit(ix, lot_keys, start)
    orders = _opening_orders(ix, start)
    repairs = _opening_repairs(ix, lot_keys, start)
    state.book(0, Kind.OPENING_IN_TRANSIT, ix.position(ix.lane_src[transit["origin"]],
                                                       transit["pos"] % ix.n_items),
               transit["lot"], transit["qty"], transit["origin"])
    state.book(0, Kind.OPENING_IN_REPAIR, repairs["pos"], repairs["lot"], repairs["qty"])
    arrival = np.array([max((t.eta - start).days, 0) for t in snap.in_transit]
                       + [max((po.due - start).days, 0) for po in snap.purchase_orders]
                       + [max((x.due - start).days, 0) for x in snap.repairs], dtype=np.int64)
    state.opening_balance = sum(
        np.bincount(part["pos"] % ix.n_items, weights=part["qty"],
                    minlength=ix.n_items).astype(np.int64) for part in (r, transit, repairs))
    return state, np.concatenate([transit, orders, repairs]), arrival


def _opening_transit(ix: NetworkIndex, lot_keys: dict[tuple[int, str], int],
                     start: dt.date) -> np.ndarray:
    tr = ix.network.snapshot.in_transit
    item = np.array([ix.item_of[t.item] for t in tr], dtype=np.int64)
    lane = np.array([ix.lane_by_route[(t.source, t.target, t.mode)] for t in tr], dtype=np.int64)
    return shipments(Flow.TRANSFER, ix.position(ix.lane_dst[lane], item),
                     np.array([t.quantity for t in tr], dtype=np.int64), lane,
                     np.array([(t.shipped - start).days for t in tr], dtype=np.int64),
                     lot=np.array([lot_keys[(i, t.lot)] for i, t in zip(item, tr, strict=True)],
                                  dtype=np.int64),
                     expiry=np.array([(t.expiry - start).days for t in tr], dtype=np.int64),
                     excursion=np.array([t.temperature == "excursion" for t in tr], dtype=bool))


def _opening_returns(ix: NetworkIndex, lot_keys: dict[tuple[int, str], int],
                     start: dt.date) -> Rows:
    """Lot rows of the snapshot's returned units, in quarantine until received + QC time."""
    ret = ix.network.snapshot.returns
    item = np.array([ix.item_of[x.item] for x in ret], dtype=np.int64)
    return new_rows(
        ix.position(np.array([ix.wh_of[x.warehouse] for x in ret], dtype=np.int64), item),
        np.array([(x.expiry - start).days for x in ret], dtype=np.int64),
        np.array([lot_keys[(i, x.lot)] for i, x in zip(item, ret, strict=True)], np.int64),
        np.array([x.quantity for x in ret], dtype=np.int64), Status.QUARANTINE, Hold.RETURN,
        np.maximum(np.array([(x.received - start).days for x in ret], dtype=np.int64)
                   + ix.item_qc_hold[item], 0),
        return_reason=np.array([RETURN_REASONS.index(x.reason) for x in ret], dtype=np.int64))


def _opening_repairs(ix: NetworkIndex, lot_keys: dict[tuple[int, str], int],
                     start: dt.date) -> np.ndarray:
    rep = ix.network.snapshot.repairs
    item = np.array([ix.item_of[x.item] for x in rep], dtype=np.int64)
    return shipments(
        Flow.REPAIR,
        ix.position(np.array([ix.wh_of[x.warehouse] for x in rep], dtype=np.int64), item),
        np.array([x.quantity for x in rep], dtype=np.int64), -1,
        np.array([(x.sent - start).days for x in rep], dtype=np.int64),
        lot=np.array([lot_keys[(i, x.lot)] for i, x in zip(item, rep, strict=True)], np.int64),
        expiry=np.array([(x.expiry - start).days for x in rep], dtype=np.int64))


def _opening_orders(ix: NetworkIndex, start: dt.date) -> np.ndarray:
    pos_ = ix.network.snapshot.purchase_orders
    return shipments(Flow.PURCHASE,
                     np.array([ix.position(ix.wh_of[p.warehouse], ix.item_of[p.item])
                               for p in pos_], dtype=np.int64),
                     np.array([p.quantity for p in pos_], dtype=np.int64),
                     np.array([ix.supplier_of[p.supplier] for p in pos_], dtype=np.int64),
                     np.array([(p.ordered - start).days for p in pos_], dtype=np.int64))


def close_day(state: SimState, day: int) -> None:
    """End-of-day levels: stock by warehouse and item, balance, holding cost, stockouts.

    Holding cost of the day: Σ units on hand · unit cost · holding rate / 365 per org.
    """
    ix, k = state.index, state.kpis
    W, n_items = ix.n_warehouses, ix.n_items
    total, available = totals(state.lots)
    units = total.reshape(W, n_items)
    value = units * ix.item_cost
    k["holding_cost"][day] = np.bincount(ix.wh_org, minlength=len(ix.orgs),
                                         weights=value.sum(axis=1) * ix.wh_holding_rate / 365.0)
    k["inventory_units"][day] = units.sum(axis=1)
    k["position_on_hand_unit_days"][...] += units
    k["available_units"][day] = available.reshape(W, n_items).sum(axis=1)
    k["inventory_value"][day] = value.sum(axis=1)
    k["demand_value_rate"][day] = state.demand_value_rate
    k["serving_positions"][day] = state.serving_mask.sum()
    k["stockout_positions"][day] = (state.serving_mask & (available == 0)).sum()
    k["opening"][day] = state.opening_balance if day == 0 else (
        k["closing_on_hand"][day - 1] + k["closing_in_transit"][day - 1]
        + k["closing_in_repair"][day - 1])
    k["closing_on_hand"][day] = units.sum(axis=0)
    k["closing_in_transit"][day] = state.pipeline.in_transit.reshape(W, n_items).sum(axis=0)
    k["closing_in_repair"][day] = state.pipeline.in_repair.reshape(W, n_items).sum(axis=0)
    k["on_order_units"][day] = state.pipeline.on_order.reshape(W, n_items).sum(axis=0)
    k["backlog_units"][day] = np.bincount(ix.series_item, weights=state.backlog, minlength=n_items)


def view(state: SimState, day: int) -> StateView:
    """The read-only state a policy sees on ``day``."""
    ix = state.index
    shape = (ix.n_warehouses, ix.n_items)
    cond = state.conditions
    return StateView(
        day=day, date=state.start + dt.timedelta(days=day), index=ix,
        on_hand=state.lots.on_hand().reshape(*shape, -1),
        recalled=state.lots.held(Hold.RECALL).reshape(shape),
        in_transit=state.pipeline.in_transit.reshape(shape).copy(),
        on_order=state.pipeline.on_order.reshape(shape).copy(),
        backlog=np.bincount(state.serving[state.serving >= 0],
                            weights=state.backlog[state.serving >= 0],
                            minlength=ix.n_positions).astype(np.int64).reshape(shape),
        recent_demand=state.recent_demand.sum(axis=0).reshape(shape),
        reorder_point=state.reorder_point.reshape(shape).copy(),
        order_up_to=state.order_up_to.reshape(shape).copy(),
        lots=state.lots.records(), warehouse_down=cond.warehouse_down.copy(),
        lane_closed=cond.lane_closed.copy(), supplier_down=cond.supplier_down.copy(),
        pipeline=state.pipeline.rows(), serving=state.serving.copy(),
        find_lot=state.catalog.find)
