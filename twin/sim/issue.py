"""Serving the day's demand: FEFO issue by priority class, backorders, lost sales, emergencies.

Every series with need (its backlog plus today's demand) asks its serving position; series
are served critical first, then high, then routine, and within a class the strictest
minimum remaining shelf life first. A series may take units that are available and expire
no earlier than ``day + min_shelf_life_days``. What the item's own stock cannot serve is
covered by the department's substitutes (:func:`_substitute`), then, for critical
departments, by an emergency shipment. Units served (own item first, then substitutes) go to
the backlog first (late), then to today's demand (on time); a demand unit covered by a
substitute counts as served. Unmet new demand is backordered or lost per item. Issued units
of a department's own item may come back later (:func:`twin.sim.returns.send_back`).
"""

import datetime as dt

import numpy as np

from twin.domain.parties import PRIORITIES
from twin.sim import kernel
from twin.sim.kernel import allocate, eligible_stock
from twin.sim.ledger import Kind, Reason
from twin.sim.returns import send_back
from twin.sim.state import SimState

CRITICAL = PRIORITIES.index("critical")
SERVICE_KPIS = ("demand_units", "served_on_time_units", "served_late_units",
                "backordered_units", "lost_units", "emergency_units", "substituted_units",
                "substituted_on_time_units", "substitute_units")
"""Service KPIs of serving a day, in the order both kernels sum them."""
EMERGENCY_SOURCES = 3
"""Other warehouses asked for an emergency shipment, fastest lane first."""


def _issue(state: SimState, day: int, series: np.ndarray, pos: np.ndarray, qty: np.ndarray,
           reason: Reason = Reason.NONE) -> np.ndarray:
    """Issue FEFO to ``series`` from ``pos`` (request order = service order); units served."""
    ix = state.index
    alloc = allocate(state.lots, pos, day + ix.series_min_shelf[series], qty)
    rows = state.lots.rows
    pos, lot = rows["pos"][alloc.row], rows["lot"][alloc.row]
    to = series[alloc.request]
    state.book(day, Kind.ISSUE, pos, lot, alloc.qty, ix.series_department[to], reason)
    send_back(state, day, to, pos, lot, alloc.qty)
    return alloc.served


def _by_class(state: SimState, series: np.ndarray, values: list[np.ndarray]) -> np.ndarray:
    """Sum each of ``values`` (per series) by (priority, org of the hospital's first
    warehouse): shape ``(len(values), priorities, orgs)``."""
    ix = state.index
    n_org = len(ix.orgs)
    key = ix.series_class[series]
    out = np.zeros((len(values), len(PRIORITIES) * n_org), dtype=np.int64)
    for k, v in enumerate(values):
        nz = np.flatnonzero(v)  # mostly zeros: sum only the others
        if len(nz):
            out[k] = np.bincount(key[nz], weights=v[nz], minlength=out.shape[1])
    return out.reshape(len(values), -1, n_org)


def serve_demand(state: SimState, day: int, date: dt.date, emergency: bool) -> None:
    """Draw today's demand and serve it (:func:`serve`, by the chosen kernel)."""
    new = state.demand.sample(day, date, state.conditions.region_demand)
    if kernel.compiled():
        from twin.sim import compiled_serve

        compiled_serve.serve(state, day, new, emergency)
    else:
        serve(state, day, new, emergency)


def serve(state: SimState, day: int, new: np.ndarray, emergency: bool) -> None:
    """Serve today's demand ``new`` (units per series); record service KPIs and recent
    demand. The numpy reference of :func:`twin.sim.compiled_serve.serve`."""
    ix, k = state.index, state.kpis
    need = state.backlog + new
    unrouted = np.flatnonzero((state.serving < 0) & (need > 0))
    routed = state.issue_order[need[state.issue_order] > 0]
    active = np.concatenate((routed, unrouted))
    served = np.zeros(len(active), dtype=np.int64)
    served[:len(routed)] = _issue(state, day, routed, state.serving[routed], need[routed])
    backlog = state.backlog[active]
    own_on_time = np.maximum(served - backlog, 0)
    covered, consumed = np.zeros_like(served), np.zeros_like(served)
    if ix.series_sub_item.shape[1]:
        covered[:len(routed)], consumed[:len(routed)] = _substitute(
            state, day, routed, need[routed] - served[:len(routed)])
        served += covered
    late = np.minimum(served, backlog)
    on_time = served - late
    short = new[active] - on_time
    extra = _emergency(state, day, active, short) if emergency else np.zeros_like(short)
    on_time += extra
    short -= extra
    backorder = ix.item_backorder[ix.series_item[active]]
    state.backlog[active] = np.where(backorder, backlog - late + short, 0)
    sums = _by_class(state, active, [new[active], on_time, late, np.where(backorder, short, 0),
                                     np.where(backorder, 0, short), extra, covered,
                                     on_time - extra - own_on_time, consumed])
    for name, total in zip(SERVICE_KPIS, sums, strict=True):
        k[name][day] += total
    at = state.serving[active]
    home = at >= 0
    shape = k["position_demand_units"].shape
    for name, units in (("position_demand_units", new[active]),
                        ("position_served_on_time_units", on_time)):
        k[name][...] += np.bincount(at[home], weights=units[home], minlength=ix.n_positions
                                    ).astype(np.int64).reshape(shape)
    state.recent_demand[day % len(state.recent_demand)] = np.bincount(
        state.serving[routed], weights=new[routed], minlength=ix.n_positions)


def _substitute(state: SimState, day: int, series: np.ndarray, short: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Cover ``short`` units of each routed ``series`` with its substitutes, in preference
    order, FEFO within each, from the warehouse serving the series.

    Every series tries its first substitute, then its second, and so on. A substitute with
    factor f covers c demanded units by issuing ⌈c·f⌉ of its units; it is skipped where the
    serving warehouse cannot store it (cold-chain; registration is settled in the index).
    Series asking one substitute position in a round share its eligible stock in service
    order (critical first, then strictest shelf life): request k is granted at most its
    eligible stock less the units asked before it there, so every grant can be issued.
    Returns demanded units covered and substitute units issued, per series."""
    ix = state.index
    covered = np.zeros(len(series), dtype=np.int64)
    consumed = np.zeros(len(series), dtype=np.int64)
    left = short.astype(np.int64)
    wh = state.serving[series] // ix.n_items
    for r in range(ix.series_sub_item.shape[1]):
        sub = ix.series_sub_item[series, r]
        todo = np.flatnonzero((left > 0) & (sub >= 0))
        todo = todo[ix.wh_cold[wh[todo]] | ~ix.item_cold[sub[todo]]]
        if not len(todo):
            continue
        s = series[todo]
        pos = ix.position(wh[todo], sub[todo])
        factor = ix.series_sub_factor[s, r]
        order = np.lexsort((ix.series_rank[s], pos))
        todo, s, pos, factor = todo[order], s[order], pos[order], factor[order]
        want = np.ceil(left[todo] * factor - 1e-9).astype(np.int64)
        avail = eligible_stock(state.lots, pos, day + ix.series_min_shelf[s])
        first = np.concatenate(([True], pos[1:] != pos[:-1]))
        asked = np.cumsum(want) - want
        asked -= asked[np.flatnonzero(first)][np.cumsum(first) - 1]
        granted = np.clip(avail - asked, 0, want)
        cover = np.minimum(left[todo], np.floor(granted / factor + 1e-9).astype(np.int64))
        go = cover > 0
        todo, s, pos, factor, cover = todo[go], s[go], pos[go], factor[go], cover[go]
        if not len(todo):
            continue
        got = _issue(state, day, s, pos, np.ceil(cover * factor - 1e-9).astype(np.int64),
                     Reason.SUBSTITUTE)
        cover = np.minimum(cover, np.floor(got / factor + 1e-9).astype(np.int64))
        covered[todo] += cover
        consumed[todo] += got
        left[todo] -= cover
    return covered, consumed


def _emergency(state: SimState, day: int, active: np.ndarray, short: np.ndarray) -> np.ndarray:
    """Serve critical shortfalls by an emergency shipment from one other warehouse: among the
    :data:`EMERGENCY_SOURCES` fastest open lanes into the serving warehouse, the first whose
    origin has the whole shortfall in eligible stock, else the one with the most. Units
    served per active series; costs as a transfer on that lane."""
    ix = state.index
    extra = np.zeros(len(active), dtype=np.int64)
    todo = np.flatnonzero((short > 0) & (ix.series_priority[active] == CRITICAL)
                          & (state.serving[active] >= 0))
    if not len(todo):
        return extra
    series, left = active[todo], short[todo]
    item = ix.series_item[series]
    home = state.serving[series] // ix.n_items
    src_wh, src_lane = state.emergency_sources
    ranks = min(EMERGENCY_SOURCES, src_wh.shape[2])
    cold = ix.item_cold[item].astype(np.int64)
    wh = src_wh[home, cold, :ranks]
    usable = (wh >= 0) & ix.registered[ix.wh_region[home], item][:, None]
    pair = np.flatnonzero(usable.ravel())
    stock = np.zeros(usable.size, dtype=np.int64)
    owner = pair // ranks
    threshold = day + ix.series_min_shelf[series]
    stock[pair] = eligible_stock(state.lots, ix.position(wh.ravel()[pair], item[owner]),
                                 threshold[owner])
    stock = stock.reshape(-1, ranks)
    enough = stock >= left[:, None]
    rank = np.where(enough.any(axis=1), np.argmax(enough, axis=1), np.argmax(stock, axis=1))
    go = np.flatnonzero(stock[np.arange(len(rank)), rank] > 0)
    if not len(go):
        return extra
    got = _issue(state, day, series[go], ix.position(wh[go, rank[go]], item[go]), left[go],
                 Reason.EMERGENCY)
    extra[todo[go]] = got
    sent = got > 0
    lane = src_lane[home[go], cold[go], rank[go]]
    state.charge_shipments(day, lane[sent], item[go][sent], got[sent])
    return extra
