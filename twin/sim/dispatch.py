"""Executing a policy's actions under physical rules.

Each action is checked in a fixed order and the first rule it breaks refuses it (counted in
``rejected_actions`` / ``rejected_units``): warehouse in outage, lane closed, supplier in
outage, no offer (supplier does not sell the item or deliver there), cold chain (a cold item
on a non-cold lane or into a warehouse without 2–8 °C storage), not registered in the
destination region. Quantities are then cut to lane capacity per day, supplier capacity
per week and, for transfers, to the available stock (FEFO, not expiring before tomorrow).
"""

import numpy as np

from twin.domain.replenishment import late_days
from twin.sim.kernel import allocate
from twin.sim.ledger import Kind
from twin.sim.lots import select
from twin.sim.pipeline import Flow, shipments
from twin.sim.policy import Actions, Purchases, ReorderPoints, Transfers
from twin.sim.randomness import sample_durations, whole_days
from twin.sim.state import SimState


def _refuse(state: SimState, checks: list[tuple[str, np.ndarray]], qty: np.ndarray
            ) -> np.ndarray:
    """Apply ``(rejection, broken)`` checks in order; the mask of actions that pass all."""
    ok = np.ones(len(qty), dtype=bool)
    for name, broken in checks:
        hit = ok & broken
        if hit.any():
            state.kpis.reject(name, int(hit.sum()), qty[hit].sum())
        ok &= ~broken
    return ok


def _cap(used: np.ndarray, capacity: np.ndarray, key: np.ndarray, qty: np.ndarray
         ) -> np.ndarray:
    """Cut ``qty`` (in order) so that ``used[key]`` + what passes stays within ``capacity``
    (−1 = unlimited); the quantities that pass."""
    cap = capacity[key]
    limited = np.flatnonzero(cap >= 0)
    out = qty.copy()
    if len(limited):
        k, q = key[limited], qty[limited]
        order = np.argsort(k, kind="stable")
        cum = np.cumsum(q[order])
        start = np.flatnonzero(np.concatenate(([True], k[order][1:] != k[order][:-1])))
        before = cum - q[order] - np.repeat((cum - q[order])[start], np.diff(
            np.append(start, len(order))))
        room = np.maximum(cap[limited][order] - used[k[order]] - before, 0)
        passed = np.empty(len(limited), dtype=np.int64)
        passed[order] = np.minimum(q[order], room)
        out[limited] = passed
    return out


def set_reorder_points(state: SimState, rop: ReorderPoints) -> None:
    """New (s, S) of positions."""
    pos = state.index.position(rop.warehouse, rop.item)
    state.reorder_point[pos], state.order_up_to[pos] = rop.reorder_point, rop.order_up_to


def ship(state: SimState, day: int, t: Transfers) -> list[int]:
    """Dispatch transfers: pick FEFO at the origin, put the lots on the lane; new arrival
    days. Transit time and excursion are drawn per shipment (transit and cold-chain
    streams); an excursion hits a cold item with the lane's probability × active factor."""
    ix, cond = state.index, state.conditions
    lane, item, qty = t.lane, t.item, t.quantity
    src, dst = ix.lane_src[lane], ix.lane_dst[lane]
    cold = ix.item_cold[item]
    ok = _refuse(state, [
        ("warehouse_outage", cond.warehouse_down[src] | cond.warehouse_down[dst]),
        ("lane_closed", cond.lane_closed[lane]),
        ("cold_chain", cold & ~(ix.lane_cold[lane] & ix.wh_cold[src] & ix.wh_cold[dst])),
        ("not_registered", ~ix.registered[ix.wh_region[dst], item]),
    ], qty)
    lane, item, src, dst, lot, qty = lane[ok], item[ok], src[ok], dst[ok], t.lot[ok], qty[ok]
    if state.lane_day != day:
        state.lane_used[:], state.lane_day = 0, day
    capped = _cap(state.lane_used, ix.lane_capacity, lane, qty)
    if (capped < qty).any():
        state.kpis.reject("lane_capacity", int((capped < qty).sum()), (qty - capped).sum())
    alloc = allocate(state.lots, ix.position(src, item), np.full(len(lane), day + 1), capped, lot)
    np.add.at(state.lane_used, lane, alloc.served)
    short = alloc.served < capped
    if short.any():
        state.kpis.reject("unavailable", int(short.sum()), (capped - alloc.served).sum())
    rows = select(state.lots.rows, alloc.row)
    req = alloc.request
    state.book(day, Kind.TRANSFER_OUT, rows["pos"], rows["lot"], alloc.qty, lane[req])
    sent = np.flatnonzero(alloc.served > 0)
    transit = whole_days(sample_durations(state.streams.transit, ix.lane_transit, lane[sent]))
    p_exc = np.minimum(ix.lane_excursion[lane[sent]] * cond.excursion_factor[lane[sent]], 1)
    excursion = (state.streams.cold_chain.random(len(sent)) < p_exc) & ix.item_cold[item[sent]]
    slot = np.full(len(lane), -1)
    slot[sent] = np.arange(len(sent))
    k = slot[req]
    state.charge_shipments(day, lane[sent], item[sent], alloc.served[sent])
    return state.pipeline.add(
        shipments(Flow.TRANSFER, ix.position(dst[req], item[req]), alloc.qty, lane[req], day,
                  rows["lot"], rows["expiry"], excursion[k]),
        day + transit[k])


def buy(state: SimState, day: int, p: Purchases) -> list[int]:
    """Place purchase orders (at least the MOQ); new arrival days. Arrival: the offer's lead
    time in whole days plus, with its lateness probability, the late delay in whole days
    (:func:`~twin.domain.replenishment.late_days`), both × the supplier's active delay
    factor (lead-time stream). Purchase cost is booked at ordering."""
    ix, cond = state.index, state.conditions
    sup, wh, item = p.supplier, p.warehouse, p.item
    offer = ix.offer_of[sup, item]
    ok = _refuse(state, [
        ("supplier_outage", cond.supplier_down[sup]),
        ("no_offer", (offer < 0) | ~ix.delivers[sup, wh]),
        ("cold_chain", ix.item_cold[item] & ~ix.wh_cold[wh]),
        ("not_registered", ~ix.registered[ix.wh_region[wh], item]),
    ], p.quantity)
    sup, wh, item, offer = sup[ok], wh[ok], item[ok], offer[ok]
    qty = np.maximum(p.quantity[ok], ix.offer_moq[offer])
    if state.offer_week != day // 7:
        state.offer_used[:], state.offer_week = 0, day // 7
    qty_ok = _cap(state.offer_used, ix.offer_capacity_week, offer, qty)
    np.add.at(state.offer_used, offer, qty_ok)
    if (qty_ok < qty).any():
        state.kpis.reject("supplier_capacity", int((qty_ok < qty).sum()), (qty - qty_ok).sum())
    keep = qty_ok > 0
    sup, wh, item, offer, qty = sup[keep], wh[keep], item[keep], offer[keep], qty_ok[keep]
    rng = state.streams.lead_time
    factor = cond.lead_time_factor[sup]
    lead = whole_days(sample_durations(rng, ix.offer_lead_time, offer, factor))
    late = rng.random(len(offer)) < ix.offer_late_probability[offer]
    lead += late_days(late, sample_durations(rng, ix.offer_late_delay, offer, factor))
    org = ix.wh_org[wh]
    cost = qty * ix.offer_price[offer] + ix.supplier_order_cost[sup]
    state.kpis["purchase_cost"][day] += np.bincount(org, weights=cost, minlength=len(ix.orgs))
    return state.pipeline.add(
        shipments(Flow.PURCHASE, ix.position(wh, item), qty, sup, day), day + lead)


def execute(state: SimState, day: int, actions: Actions) -> list[int]:
    """Reorder points first, then transfers, then purchases; the new arrival days."""
    set_reorder_points(state, actions.reorder_points)
    return ((ship(state, day, actions.transfers) if len(actions.transfers) else [])
            + (buy(state, day, actions.purchases) if len(actions.purchases) else []))
