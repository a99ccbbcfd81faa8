"""The transfer MILP of :mod:`solvers.transfers.model`, rebuilt from the twin's state at a
review (rolling horizon): lateral transfers between warehouses, shipped now.

At a review, after the (s, S) replenishment has been decided, what may move is

* *excess*: stock above a position's order-up-to level S (inventory position − S, or all
  of it where no S is set and nothing is demanded there), taken from its latest-expiring
  lots — moving it out never triggers a reorder at the origin;
* *waste*: the units of a lot that a first-expiry-first-out projection of the position's
  usage says will expire there unused: lot j (expiry e_j, cumulative units c_j of it and
  the lots expiring before it) loses max(0, min(q_j, c_j − r·(e_j − m − t))) with r the
  position's usage (own and downstream demand, units/day), m the least strict minimum
  remaining shelf life of its departments and t today. Waste may only be shipped; what is
  not used elsewhere within the horizon is written off in the model.

Everything else stays where it is (one supply per position and expiry day), joined by what
is under way: open orders and transfers (expected at order day + mean lead time incl. the
mean late delay and the QC hold, or ship day + mean transit) and this review's
replenishment. Needs are the demand models' daily means over the horizon, per serving
position and priority class. Arcs leave a position holding movable stock on an open lane
that obeys the physical rules (cold chain, registration, warehouses up), arrive within the
horizon and the least urgent class's window, with the lot still acceptable on arrival;
excess goes only to positions whose stock and arrivals fall behind their cumulative need
in some bucket, waste only to positions not wasting the item themselves, and an arc ships
at most what its target can use before the lot expires there, by the same FEFO projection:
r·(e − τ − m − t) less the target's units on hand and under way that expire no later (the
MILP's write-off only sees the horizon; without this bound a short-dated lot was shipped
to cover two weeks' need and expired at its target). The MILP (transport, fixed lane cost,
priority-weighted shortage, write-off) then decides what to ship today, over the positions
an arc leaves or enters (nothing can change elsewhere). Lanes stay binary; shipments are
continuous and floored to whole units after the solve (with the per-arc links of
:func:`~solvers.transfers.model.define_arc_links` this closes in well under a second).
"""

import datetime as dt
import math
from dataclasses import dataclass, replace

import numpy as np
import pyomo.environ as pyo

from solvers.highs_bridge import solve
from solvers.transfers.inputs import Arc, StockByExpiry, Supply, TransferInputs
from solvers.transfers.model import build_model
from solvers.transfers.settings import TransferSettings
from twin.api import (
    DemandMeans,
    NetworkIndex,
    Purchases,
    StateView,
    Transfers,
)
from twin.domain.parties import PRIORITIES

ROLLING_SETTINGS = TransferSettings(horizon_days=14, bucket_days=7,
                                    highs_options={"mip_rel_gap": 0.02, "time_limit": 120.0})
"""Two weekly buckets: the review period and the one after, when this review's purchases
start to arrive."""


@dataclass(frozen=True)
class Movable:
    """Lot rows at one review: position, lot id, expiry day and units by use."""

    pos: np.ndarray
    lot: np.ndarray
    expiry: np.ndarray
    keep: np.ndarray    # units that stay
    excess: np.ndarray  # units above S that may move
    waste: np.ndarray   # units projected to expire unused where they are


def fefo_waste(pos: np.ndarray, expiry: np.ndarray, qty: np.ndarray, rate: np.ndarray,
               min_shelf: np.ndarray, today: int) -> np.ndarray:
    """Units of each lot row that expire unused at its position (rows sorted by position,
    then expiry): max(0, min(q_j, c_j − r·(e_j − m − t))), see the module docstring."""
    cum = np.cumsum(qty)
    start = np.searchsorted(pos, pos, side="left")
    before = np.where(start > 0, cum[np.maximum(start - 1, 0)], 0)
    c = cum - before
    usable = np.maximum(expiry - min_shelf[pos] - today, 0)
    return np.clip(c - rate[pos] * usable, 0, qty)


def excess_from_latest(pos: np.ndarray, qty: np.ndarray, excess: np.ndarray) -> np.ndarray:
    """Split ``excess[p]`` units of each position over its rows, latest expiry first."""
    rev = np.arange(len(pos))[::-1]
    q, p = qty[rev], pos[rev]
    cum = np.cumsum(q)
    start = np.searchsorted(-p, -p, side="left")  # rows of a position are contiguous
    before = np.where(start > 0, cum[np.maximum(start - 1, 0)], 0)
    taken_before = cum - before - q
    out = np.clip(excess[p] - taken_before, 0, q)
    return out[::-1].copy()


class RollingTransfers:
    """Builds and solves the rolling transfer MILP for one network (see module docstring).

    ``order_up_to``: S per position (−1 none); ``usage``: units/day drawn from each position
    by its own and downstream demand.
    """

    def __init__(self, index: NetworkIndex, order_up_to: np.ndarray, usage: np.ndarray,
                 settings: TransferSettings = ROLLING_SETTINGS):
        ix = self.index = index
        self.settings, self.order_up_to, self.usage = settings, order_up_to, usage
        self._means = DemandMeans(index).on
        late = ix.offer_late_probability * ix.offer_late_delay.mean
        self._offer_days = ix.offer_lead_time.mean + late + ix.item_qc_hold[ix.offer_item]
        self._lanes_from = [np.flatnonzero(ix.lane_src == w) for w in range(ix.n_warehouses)]
        self._tau = np.ceil(ix.lane_transit.mean).astype(np.int64)

    # -- needs ----------------------------------------------------------------------------
    def _needs(self, view: StateView) -> tuple[np.ndarray, np.ndarray]:
        """Expected units per (bucket, position, class) and the strictest minimum shelf life
        per (position, class) of the series served (days)."""
        ix, st = self.index, self.settings
        n_b = math.ceil(st.horizon_days / st.bucket_days)
        n_c = len(PRIORITIES)
        serving = view.serving
        ok = np.flatnonzero(serving >= 0)
        key = serving[ok] * n_c + ix.series_priority[ok]
        needs = np.zeros((n_b, ix.n_positions * n_c))
        for day in range(st.horizon_days):
            mu = self._means(view.date + dt.timedelta(days=day))
            needs[day // st.bucket_days] += np.bincount(key, weights=mu[ok],
                                                        minlength=ix.n_positions * n_c)
        shelf = np.zeros(ix.n_positions * n_c, dtype=np.int64)
        np.maximum.at(shelf, key, ix.series_min_shelf[ok])
        return needs.reshape(n_b, ix.n_positions, n_c), shelf.reshape(ix.n_positions, n_c)

    # -- stock ----------------------------------------------------------------------------
    def _movable(self, view: StateView, shipped: Transfers, min_accept: np.ndarray) -> Movable:
        """Available lot rows after this review's replenishment transfers (FEFO), split into
        keep / excess / waste."""
        ix = self.index
        r = view.available_lots()
        sel = r.expiry > view.day + 1
        pos, lot, expiry = r.pos[sel].astype(np.int64), r.lot[sel], r.expiry[sel]
        qty = r.qty[sel].astype(float)
        src = ix.position(ix.lane_src[shipped.lane], shipped.item)
        taken = np.bincount(src, weights=shipped.quantity, minlength=ix.n_positions)
        if taken.any():  # FEFO: this review's replenishment takes the first rows
            cum = np.cumsum(qty)
            start = np.searchsorted(pos, pos, side="left")
            before = cum - qty - np.where(start > 0, cum[np.maximum(start - 1, 0)], 0)
            qty = qty - np.clip(taken[pos] - before, 0, qty)
        waste = fefo_waste(pos, expiry, qty, self.usage, min_accept, view.day)
        big_s = self.order_up_to
        ip = view.inventory_position().ravel() - taken
        avail = np.bincount(pos, weights=qty - waste, minlength=ix.n_positions)
        has_need = self.usage > 0
        excess = np.where(big_s >= 0, np.maximum(ip - big_s, 0), np.where(has_need, 0, avail))
        excess = excess_from_latest(pos, qty - waste, np.minimum(excess, avail))
        return Movable(pos, lot, expiry, qty - waste - excess, excess, waste)

    def _arrivals(self, view: StateView, shipped: Transfers, bought: Purchases
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(position, expected day from today, expiry day, units) of what is under way and of
        this review's replenishment."""
        ix, today = self.index, view.day
        p = view.under_way()
        buy = p.purchase
        item = p.pos % ix.n_items
        offer = ix.offer_of[p.origin[buy], item[buy]]
        eta = np.empty(len(p))
        eta[buy] = p.ordered[buy] + self._offer_days[offer]
        eta[~buy] = p.ordered[~buy] + ix.lane_transit.mean[p.origin[~buy]]
        expiry = np.where(buy, p.ordered + ix.item_shelf_life[item], p.expiry)
        s_pos = ix.position(ix.lane_dst[shipped.lane], shipped.item)
        b_offer = ix.offer_of[bought.supplier, bought.item]
        return (np.concatenate([p.pos, s_pos, ix.position(bought.warehouse, bought.item)]),
                np.concatenate([eta, today + ix.lane_transit.mean[shipped.lane],
                                today + self._offer_days[b_offer]]) - today,
                np.concatenate([expiry, np.full(len(s_pos), np.iinfo(np.int32).max),
                                today + ix.item_shelf_life[bought.item]]),
                np.concatenate([p.qty, shipped.quantity, bought.quantity]).astype(float))

    # -- the model --------------------------------------------------------------------------
    def inputs(self, view: StateView, shipped: Transfers, bought: Purchases
               ) -> tuple[TransferInputs, np.ndarray]:
        """The MILP's index sets for this review, and the lot id of every supply (−1 none)."""
        ix, st = self.index, self.settings
        today, width, horizon = view.day, st.bucket_days, st.horizon_days
        n_b = math.ceil(horizon / width)
        needs, shelf = self._needs(view)
        min_accept = np.where(needs.sum(axis=(0, 2)) > 0,
                              np.where(needs.sum(axis=0) > 0, shelf, 10**6).min(axis=1), 0)
        mv = self._movable(view, shipped, min_accept)
        moving = (mv.excess > 0) | (mv.waste > 0)
        items = np.unique(mv.pos[moving] % ix.n_items)
        if not len(items):
            return self._empty(view), np.zeros(0, dtype=np.int64)
        in_play = np.zeros(ix.n_items, dtype=bool)
        in_play[items] = True
        supplies: list[Supply] = []
        lot_ids: list[int] = []
        wh_id, item_id = ix.warehouses, ix.items

        def add(p: int, lot: int, units: float, expiry: int, bucket: int, movable: bool,
                waste: bool = False) -> None:
            supplies.append(Supply(f"{p}:{lot}:{len(supplies)}", str(lot),
                                   item_id[p % ix.n_items], wh_id[p // ix.n_items],
                                   int(units), int(expiry - today), bucket, movable, waste))
            lot_ids.append(lot)

        # stock that stays, pooled by position and expiry day
        stay = in_play[mv.pos % ix.n_items] & (mv.keep >= 1)
        keys, inverse = np.unique(np.stack([mv.pos[stay], mv.expiry[stay]]), axis=1,
                                  return_inverse=True)
        units = np.bincount(inverse.ravel(), weights=mv.keep[stay])
        for (p, e), u in zip(keys.T.tolist(), units.tolist(), strict=True):
            add(p, -1, u, e, 0, False)
        a_pos, a_eta, a_exp, a_qty = self._arrivals(view, shipped, bought)
        on_way = in_play[a_pos % ix.n_items] & (a_eta < horizon) & (a_qty >= 1)
        for p, eta, e, u in zip(a_pos[on_way].tolist(), a_eta[on_way].tolist(),
                                a_exp[on_way].tolist(), a_qty[on_way].tolist(), strict=True):
            add(p, -1, u, min(e, today + 10**5), max(int(eta), 0) // width, False)
        first_movable = len(supplies)
        for k in np.flatnonzero(moving & in_play[mv.pos % ix.n_items]).tolist():
            for units_, waste in ((mv.excess[k], False), (mv.waste[k], True)):
                if units_ >= 1:
                    add(int(mv.pos[k]), int(mv.lot[k]), units_, int(mv.expiry[k]), 0, True,
                        waste)
        total_need = needs.sum(axis=(0, 2))
        local = np.zeros((n_b, ix.n_positions))
        for s in supplies[:first_movable]:
            local[s.available_from, ix.position(ix.wh_of[s.warehouse], ix.item_of[s.item])] += (
                s.quantity)
        # short: what stays and arrives falls behind the cumulative need in some bucket
        short = (np.cumsum(local, axis=0) < np.cumsum(needs.sum(axis=2), axis=0) - 1e-9).any(
            axis=0)
        wasting = np.bincount(mv.pos, weights=mv.waste, minlength=ix.n_positions) > 0
        stock = StockByExpiry.of(np.concatenate([mv.pos, a_pos]),
                                 np.concatenate([mv.expiry, np.minimum(a_exp, today + 10**5)]),
                                 np.concatenate([mv.keep + mv.excess + mv.waste, a_qty]))
        arcs = [arc for k in range(first_movable, len(supplies))
                for arc in self._arcs(view, k, supplies[k], short, wasting, min_accept,
                                      total_need, stock)]
        # only positions an arc leaves or enters take part; elsewhere nothing can change
        touched = {(a.source, supplies[a.supply].item) for a in arcs} | {
            (a.target, supplies[a.supply].item) for a in arcs}
        shipping = {a.supply for a in arcs}
        keep = [k for k, s in enumerate(supplies) if (s.warehouse, s.item) in touched
                and (not s.movable or k in shipping)]
        renumber = {k: n for n, k in enumerate(keep)}
        supplies = [supplies[k] for k in keep]
        lot_ids = [lot_ids[k] for k in keep]
        arcs = [replace(a, supply=renumber[a.supply]) for a in arcs]
        need_map = {(w, i, c, b): float(v)
                    for b, p, ci in zip(*np.nonzero(needs > 1e-9), strict=True)
                    for w, i in ((wh_id[p // ix.n_items], item_id[p % ix.n_items]),)
                    if (w, i) in touched for c, v in ((PRIORITIES[ci], needs[b, p, ci]),)}
        min_shelf = {(wh_id[p // ix.n_items], item_id[p % ix.n_items], PRIORITIES[c]):
                     int(shelf[p, c]) for p, c in zip(*np.nonzero(needs.sum(axis=0) > 0),
                                                      strict=True)}
        starts = [b * width for b in range(n_b)]
        x = TransferInputs(view.date, st, n_b, starts, [min(width, horizon - s) for s in starts],
                           need_map, min_shelf, {}, supplies, arcs,
                           {code: float(c) for code, c in zip(ix.items, ix.item_cost,
                                                              strict=True)})
        return x, np.array(lot_ids, dtype=np.int64)

    def _arcs(self, view: StateView, k: int, s: Supply, short: np.ndarray,
              wasting: np.ndarray, min_accept: np.ndarray, need: np.ndarray,
              stock: StockByExpiry) -> list[Arc]:
        """Arcs of supply ``k`` (see the module docstring), each bounded by what its target
        can use before the lot expires there: usage × (days to expiry on arrival − the
        least strict minimum shelf life its classes accept) less the target's units
        (``stock``: on hand and under way) expiring no later, which FEFO issues first (as
        for a plan's arcs, :func:`solvers.transfers.inputs.build_transfer_inputs`)."""
        ix, st = self.index, self.settings
        w, i = ix.wh_of[s.warehouse], ix.item_of[s.item]
        lanes = self._lanes_from[w]
        dst = ix.lane_dst[lanes]
        dpos = ix.position(dst, i)
        tau = self._tau[lanes]
        cold = ix.item_cold[i]
        ok = (~view.lane_closed[lanes] & ~view.warehouse_down[dst] & ~view.warehouse_down[w]
              & ix.registered[ix.wh_region[dst], i] & (need[dpos] > 0)
              & (~cold | (ix.lane_cold[lanes] & ix.wh_cold[w] & ix.wh_cold[dst]))
              & (tau <= max(st.urgency_window_days.values())) & (tau < st.horizon_days)
              & (s.expiry_day - tau >= np.maximum(min_accept[dpos], 1))
              & (~wasting[dpos] if s.waste else short[dpos]))
        lanes, dpos, tau = lanes[ok], dpos[ok], tau[ok]
        room = (self.usage[dpos] * (s.expiry_day - tau - min_accept[dpos])
                - stock.expiring_by(dpos, np.full(len(dpos), view.day + s.expiry_day)))
        fits = room >= 1
        out = []
        for lane, most in zip(lanes[fits].tolist(), np.floor(room[fits]).tolist(), strict=True):
            crosses = ix.wh_org[w] != ix.wh_org[ix.lane_dst[lane]]
            cap = ix.lane_capacity[lane]
            out.append(Arc(k, ix.lanes[lane], s.warehouse, ix.warehouses[ix.lane_dst[lane]],
                           ix.network.lanes[lane].mode, 0, int(self._tau[lane]),
                           int(self._tau[lane]) // st.bucket_days,
                           float(ix.lane_cost_unit[lane] + (st.inter_org_cost_rate
                                                            * ix.item_cost[i] if crosses
                                                            else 0.0)),
                           float(ix.lane_cost_shipment[lane]),
                           float(cap * st.bucket_days) if cap >= 0 else math.inf,
                           bool(crosses), float(most)))
        return out

    def _empty(self, view: StateView) -> TransferInputs:
        st = self.settings
        return TransferInputs(view.date, st, 0, [], [], {}, {}, {}, [], [], {})

    def plan(self, view: StateView, shipped: Transfers, bought: Purchases) -> Transfers:
        """Lateral transfers to ship today, as twin actions (lane, item, lot, units)."""
        x, lots = self.inputs(view, shipped, bought)
        if not x.arcs:
            return Transfers.empty()  # type: ignore[return-value]
        m, _ = build_model(x)
        for j in m.J:  # lanes stay binary; shipments are floored after the solve
            m.x[j].domain = pyo.NonNegativeReals
        solve(m, options=dict(x.settings.highs_options))
        ix = self.index
        rows = [(ix.lane_of[a.lane], ix.item_of[x.supplies[a.supply].item], lots[a.supply],
                 math.floor(pyo.value(m.x[j]) + 1e-6)) for j, a in enumerate(x.arcs)]
        rows = [r for r in rows if r[3] > 0]
        if not rows:
            return Transfers.empty()  # type: ignore[return-value]
        return Transfers(*(np.array(col, dtype=np.int64) for col in zip(*rows, strict=True)))
