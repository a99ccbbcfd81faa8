"""Serving the day's demand in one compiled call: the compiled twin of
:func:`twin.sim.issue.serve` (FEFO issue by priority class, substitutes, emergency
shipments, the returns those issues send back, backlog and service KPIs).

Same rules and same results, bit for bit, as the numpy reference in :mod:`twin.sim.issue`
(whole replications are held equal in ``tests/twin/sim/test_kernel.py``): every stage — the
own item, each substitute round, emergencies — issues in the reference's request order, and
each stage's returns are drawn right after it from the ``returns`` stream, as the reference
draws them. What stays in Python is what touches Python objects: the ledger (one record of
all issue rows of the day, in the reference's row order), the pipeline (one filing of all
return shipments; rows arriving on one day keep the reference's order) and the emergency
shipments' costs.
"""

import numpy as np
from numba import njit
from numba.typed import List

from twin.domain.parties import PRIORITIES
from twin.sim.compiled import _allocate, _eligible, _return_draws
from twin.sim.issue import CRITICAL, EMERGENCY_SOURCES, SERVICE_KPIS
from twin.sim.ledger import Kind, Reason
from twin.sim.pipeline import Flow, shipments
from twin.sim.randomness import whole_days
from twin.sim.returns import RATE_CODE
from twin.sim.state import SimState

_NONE, _SUBSTITUTE, _EMERGENCY = (np.int8(r) for r in (Reason.NONE, Reason.SUBSTITUTE,
                                                         Reason.EMERGENCY))


@njit(cache=True)
def _parts(first: np.ndarray) -> List:
    """A list of arrays to join (:func:`_joined`), started with ``first``."""
    out = List()
    out.append(first)
    return out


@njit(cache=True)
def _joined(parts: List) -> np.ndarray:
    """The arrays of ``parts`` one after the other (numba's concatenate takes tuples only;
    ``parts`` is never empty)."""
    n = 0
    for p in parts:
        n += len(p)
    out = np.empty(n, dtype=parts[0].dtype)
    at = 0
    for p in parts:
        out[at:at + len(p)] = p
        at += len(p)
    return out


@njit(cache=True)
def _issue(day: int, series: np.ndarray, pos: np.ndarray, qty: np.ndarray, reason: int,
           lots: tuple, ix: tuple, returns: tuple, issued: np.ndarray, book: tuple,
           back: tuple) -> np.ndarray:
    """Issue FEFO to ``series`` from ``pos`` (request order = service order), file the
    picks in ``book`` and draw their returns into ``back``; units served per request."""
    seg, l_qty, l_status, l_expiry, l_lot, l_pos = lots
    min_shelf, department, item, n_items = ix
    rng, has_returns, share, split, d_family, d_spread, d_a, d_b = returns
    n = len(series)
    min_expiry = np.empty(n, dtype=np.int64)
    for k in range(n):
        min_expiry[k] = day + min_shelf[series[k]]
    served, req, row, units = _allocate(seg, l_qty, l_status, l_expiry, l_lot, pos, min_expiry,
                                        qty, np.full(n, -1, dtype=np.int64))
    m = len(req)
    to = series[req]
    p_pos = l_pos[row].astype(np.int64)
    p_lot = l_lot[row].astype(np.int64)
    dept = department[to].astype(np.int64)
    for j in range(m):
        issued[p_pos[j] % n_items] += units[j]
    book[0].append(p_pos)
    book[1].append(p_lot)
    book[2].append(units)
    book[3].append(dept)
    book[4].append(np.full(m, reason, dtype=np.int64))
    if not has_returns:
        return served
    own = np.empty(m, dtype=np.int64)
    n_own = 0
    for j in range(m):
        s = to[j]
        if share[s] > 0 and units[j] > 0 and p_pos[j] % n_items == item[s]:
            own[n_own] = j
            n_own += 1
    if n_own == 0:
        return served
    own = own[:n_own]
    s_own = to[own]
    pick, r, units_back, delay = _return_draws(rng, units[own], share[s_own], split[s_own],
                                               s_own * split.shape[1], d_family, d_spread,
                                               d_a, d_b)
    k = own[pick]
    back[0].append(p_pos[k])
    back[1].append(units_back)
    back[2].append(dept[k])
    back[3].append(p_lot[k])
    back[4].append(r)
    back[5].append(delay)
    return served


@njit(cache=True)
def _substitute(day: int, series: np.ndarray, short: np.ndarray, serving: np.ndarray,
                lots: tuple, ix: tuple, subs: tuple, returns: tuple, issued: np.ndarray,
                book: tuple, back: tuple) -> tuple[np.ndarray, np.ndarray]:
    """:func:`twin.sim.issue._substitute`: demanded units covered and substitute units
    issued per routed series."""
    seg, l_qty, l_status, l_expiry = lots[0], lots[1], lots[2], lots[3]
    min_shelf, n_items = ix[0], ix[3]
    sub_item, sub_factor, rank, wh_cold, item_cold = subs
    n = len(series)
    covered = np.zeros(n, dtype=np.int64)
    consumed = np.zeros(n, dtype=np.int64)
    left = short.copy()
    wh = serving[series] // n_items
    for r in range(sub_item.shape[1]):
        todo = np.empty(n, dtype=np.int64)
        t = 0
        for j in range(n):
            sub = sub_item[series[j], r]
            if left[j] > 0 and sub >= 0 and (wh_cold[wh[j]] or not item_cold[sub]):
                todo[t] = j
                t += 1
        if t == 0:
            continue
        todo = todo[:t]
        s = series[todo]
        pos = wh[todo] * n_items + sub_item[s, r]
        todo = todo[np.argsort(pos * len(rank) + rank[s])]  # by position, then service order
        s = series[todo]
        pos = wh[todo] * n_items + sub_item[s, r]
        factor = np.empty(t)
        want = np.empty(t, dtype=np.int64)
        threshold = np.empty(t, dtype=np.int64)
        for j in range(t):
            factor[j] = sub_factor[s[j], r]
            want[j] = np.int64(np.ceil(left[todo[j]] * factor[j] - 1e-9))
            threshold[j] = day + min_shelf[s[j]]
        avail = _eligible(seg, l_qty, l_status, l_expiry, pos, threshold)
        go = np.empty(t, dtype=np.int64)
        cover = np.empty(t, dtype=np.int64)
        g = 0
        asked = 0
        for j in range(t):
            if j == 0 or pos[j] != pos[j - 1]:
                asked = 0
            granted = min(max(avail[j] - asked, 0), want[j])
            asked += want[j]
            c = min(left[todo[j]], np.int64(np.floor(granted / factor[j] + 1e-9)))
            if c > 0:
                go[g], cover[g] = j, c
                g += 1
        if g == 0:
            continue
        go, cover = go[:g], cover[:g]
        ask = np.empty(g, dtype=np.int64)
        for j in range(g):
            ask[j] = np.int64(np.ceil(cover[j] * factor[go[j]] - 1e-9))
        got = _issue(day, s[go], pos[go], ask, _SUBSTITUTE, lots, ix, returns, issued, book,
                     back)
        for j in range(g):
            q = todo[go[j]]
            c = min(cover[j], np.int64(np.floor(got[j] / factor[go[j]] + 1e-9)))
            covered[q] += c
            consumed[q] += got[j]
            left[q] -= c
    return covered, consumed


@njit(cache=True)
def _emergency(day: int, active: np.ndarray, short: np.ndarray, serving: np.ndarray,
               lots: tuple, ix: tuple, sources: tuple, returns: tuple, issued: np.ndarray,
               book: tuple, back: tuple
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`twin.sim.issue._emergency`: units served per active series, and the lane,
    item and units of every shipment sent."""
    seg, l_qty, l_status, l_expiry = lots[0], lots[1], lots[2], lots[3]
    min_shelf, item_of, n_items = ix[0], ix[2], ix[3]
    priority, item_cold, src_wh, src_lane, registered, wh_region = sources
    extra = np.zeros(len(active), dtype=np.int64)
    none = np.zeros(0, dtype=np.int64)
    todo = np.empty(len(active), dtype=np.int64)
    t = 0
    for j in range(len(active)):
        s = active[j]
        if short[j] > 0 and priority[s] == CRITICAL and serving[s] >= 0:
            todo[t] = j
            t += 1
    if t == 0:
        return extra, none, none, none
    todo = todo[:t]
    ranks = min(EMERGENCY_SOURCES, src_wh.shape[2])
    series = active[todo]
    left = short[todo]
    item = item_of[series].astype(np.int64)
    home = serving[series] // n_items
    cold = item_cold[item].astype(np.int64)
    # eligible stock at every usable source, all asked before any is issued
    pair_pos = np.empty(t * ranks, dtype=np.int64)
    pair_min = np.empty(t * ranks, dtype=np.int64)
    pair_at = np.empty(t * ranks, dtype=np.int64)
    p = 0
    for j in range(t):
        ok = registered[wh_region[home[j]], item[j]]
        for k in range(ranks):
            w = src_wh[home[j], cold[j], k]
            if w >= 0 and ok:
                pair_pos[p] = w * n_items + item[j]
                pair_min[p] = day + min_shelf[series[j]]
                pair_at[p] = j * ranks + k
                p += 1
    stock = np.zeros(t * ranks, dtype=np.int64)
    stock[pair_at[:p]] = _eligible(seg, l_qty, l_status, l_expiry, pair_pos[:p], pair_min[:p])
    go = np.empty(t, dtype=np.int64)
    rank = np.empty(t, dtype=np.int64)
    g = 0
    for j in range(t):
        best = -1
        for k in range(ranks):  # the first source with the whole shortfall ...
            if stock[j * ranks + k] >= left[j]:
                best = k
                break
        if best < 0:  # ... else the first with the most
            best = 0
            for k in range(1, ranks):
                if stock[j * ranks + k] > stock[j * ranks + best]:
                    best = k
        if stock[j * ranks + best] > 0:
            go[g], rank[g] = j, best
            g += 1
    if g == 0:
        return extra, none, none, none
    go, rank = go[:g], rank[:g]
    pos = np.empty(g, dtype=np.int64)
    for j in range(g):
        pos[j] = src_wh[home[go[j]], cold[go[j]], rank[j]] * n_items + item[go[j]]
    got = _issue(day, series[go], pos, left[go], _EMERGENCY, lots, ix, returns, issued, book,
                 back)
    sent = np.flatnonzero(got > 0)
    lane = np.empty(len(sent), dtype=np.int64)
    for q in range(len(sent)):
        j = sent[q]
        lane[q] = src_lane[home[go[j]], cold[go[j]], rank[j]]
    for j in range(g):
        extra[todo[go[j]]] = got[j]
    return extra, lane, item[go][sent], got[sent]


@njit(cache=True)
def _serve(day: int, new: np.ndarray, backlog: np.ndarray, serving: np.ndarray,
           issue_order: np.ndarray, emergency: bool,
           seg: np.ndarray, l_qty: np.ndarray, l_status: np.ndarray, l_expiry: np.ndarray,
           l_lot: np.ndarray, l_pos: np.ndarray,
           min_shelf: np.ndarray, department: np.ndarray, item_of: np.ndarray, n_items: int,
           sub_item: np.ndarray, sub_factor: np.ndarray, rank: np.ndarray,
           wh_cold: np.ndarray, item_cold: np.ndarray,
           priority: np.ndarray, src_wh: np.ndarray, src_lane: np.ndarray,
           registered: np.ndarray, wh_region: np.ndarray,
           rng: np.random.Generator, has_returns: bool, share: np.ndarray, split: np.ndarray,
           d_family: np.ndarray, d_spread: np.ndarray, d_a: np.ndarray, d_b: np.ndarray,
           series_class: np.ndarray, item_backorder: np.ndarray, issued: np.ndarray,
           pos_demand: np.ndarray, pos_on_time: np.ndarray, recent: np.ndarray,
           n_classes: int) -> tuple:
    # flat arguments: numba types a tuple argument in Python on every call (slow)
    lots = (seg, l_qty, l_status, l_expiry, l_lot, l_pos)
    ix = (min_shelf, department, item_of, n_items)
    subs = (sub_item, sub_factor, rank, wh_cold, item_cold)
    sources = (priority, item_cold, src_wh, src_lane, registered, wh_region)
    returns = (rng, has_returns, share, split, d_family, d_spread, d_a, d_b)
    item_of = ix[2]
    no = np.zeros(0, dtype=np.int64)
    book = (_parts(no), _parts(no), _parts(no), _parts(no), _parts(no))
    back = (_parts(no), _parts(no), _parts(no), _parts(no), _parts(no), _parts(np.zeros(0)))
    need = backlog + new
    routed = np.empty(len(issue_order), dtype=np.int64)
    n_routed = 0
    for s in issue_order:
        if need[s] > 0:
            routed[n_routed] = s
            n_routed += 1
    routed = routed[:n_routed]
    unrouted = np.flatnonzero((serving < 0) & (need > 0))
    active = np.concatenate((routed, unrouted))
    n = len(active)
    served = np.zeros(n, dtype=np.int64)
    served[:n_routed] = _issue(day, routed, serving[routed], need[routed], _NONE, lots, ix,
                               returns, issued, book, back)
    owed = backlog[active]
    own_on_time = np.maximum(served - owed, 0)
    covered = np.zeros(n, dtype=np.int64)
    consumed = np.zeros(n, dtype=np.int64)
    if subs[0].shape[1]:
        covered[:n_routed], consumed[:n_routed] = _substitute(
            day, routed, need[routed] - served[:n_routed], serving, lots, ix, subs, returns,
            issued, book, back)
        served += covered
    late = np.minimum(served, owed)
    on_time = served - late
    short = new[active] - on_time
    none = np.zeros(0, dtype=np.int64)
    lane, lane_item, lane_units = none, none, none
    extra = np.zeros(n, dtype=np.int64)
    if emergency:
        extra, lane, lane_item, lane_units = _emergency(day, active, short, serving, lots, ix,
                                                        sources, returns, issued, book, back)
    on_time += extra
    short -= extra
    sums = np.zeros((len(SERVICE_KPIS), n_classes), dtype=np.int64)
    for j in range(n):
        s = active[j]
        kept = item_backorder[item_of[s]]
        backlog[s] = owed[j] - late[j] + short[j] if kept else 0
        c = series_class[s]
        sums[0, c] += new[s]
        sums[1, c] += on_time[j]
        sums[2, c] += late[j]
        sums[3 if kept else 4, c] += short[j]
        sums[5, c] += extra[j]
        sums[6, c] += covered[j]
        sums[7, c] += on_time[j] - extra[j] - own_on_time[j]
        sums[8, c] += consumed[j]
        at = serving[s]
        if at >= 0:
            pos_demand[at] += new[s]
            pos_on_time[at] += on_time[j]
    recent[:] = 0
    for s in routed:
        recent[serving[s]] += new[s]
    ledger = (_joined(book[0]), _joined(book[1]), _joined(book[2]), _joined(book[3]),
              _joined(book[4]))
    returned = (_joined(back[0]), _joined(back[1]), _joined(back[2]), _joined(back[3]),
                _joined(back[4]), _joined(back[5]))
    return sums, ledger, returned, (lane, lane_item, lane_units)


def serve(state: SimState, day: int, new: np.ndarray, emergency: bool) -> None:
    """Compiled :func:`twin.sim.issue.serve`: serve today's demand ``new`` (units per
    series), record service KPIs and recent demand."""
    ix, k, r = state.index, state.kpis, state.lots.rows
    src_wh, src_lane = state.emergency_sources
    delay = ix.series_return_delay
    sums, ledger, back, charged = _serve(
        day, new, state.backlog, state.serving, state.issue_order, emergency,
        state.lots.segments, r["qty"], r["status"], r["expiry"], r["lot"], r["pos"],
        ix.series_min_shelf, ix.series_department, ix.series_item, ix.n_items,
        ix.series_sub_item, ix.series_sub_factor, ix.series_rank, ix.wh_cold, ix.item_cold,
        ix.series_priority, src_wh, src_lane, ix.registered, ix.wh_region,
        state.streams.returns, ix.has_returns, ix.series_return_share, ix.series_return_split,
        delay.family, delay.spread, delay.a, delay.b,
        ix.series_class, ix.item_backorder, k["issued"][day],
        k["position_demand_units"].reshape(-1), k["position_served_on_time_units"].reshape(-1),
        state.recent_demand[day % len(state.recent_demand)], len(PRIORITIES) * len(ix.orgs))
    for name, total in zip(SERVICE_KPIS, sums, strict=True):
        k[name][day] += total.reshape(k[name].shape[1:])
    pos, lot, qty, dept, reason = ledger
    state.ledger.record(day, Kind.ISSUE, pos, lot, qty, dept, reason)
    pos, units, dept, lot, rate, delay_days = back
    if len(pos):
        rows = shipments(Flow.RETURN, pos, units, dept, day, lot=lot,
                         expiry=state.catalog.arrays[1][lot], reason=RATE_CODE[rate])
        state.pipeline.add(rows, day + whole_days(delay_days))
    lane, item, units = charged
    if len(lane):
        state.charge_shipments(day, lane, item, units)
