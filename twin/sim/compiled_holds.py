"""Holds ending today in one compiled call: the compiled twin of
:func:`twin.sim.lifecycle.release` with the QC of returned units
(:func:`twin.sim.returns.inspect`).

Same rules and same results, bit for bit, as the numpy reference (held equal in
``tests/twin/sim/test_kernel.py``): returned rows are inspected first — QC's split of each
row (a multinomial on the ``returns`` stream, numpy's algorithm) and the repair times of the
units sent for repair, drawn after all splits as the reference draws them — then QC holds
(scrapped, then released) and excursion holds (likewise). Ledger rows come out in that
order; float KPIs (scrap value, repair cost) are summed per org in row order and then added,
as ``np.bincount`` does. The ledger and the pipeline stay in Python.
"""

import numpy as np
from numba import njit

from twin.sim.compiled import _durations, multinomial
from twin.sim.kpis import SCRAP_REASON_CODES
from twin.sim.ledger import Kind, Reason
from twin.sim.lots import NEVER, Hold, Status
from twin.sim.pipeline import Flow, shipments
from twin.sim.randomness import whole_days
from twin.sim.state import SimState

_RELEASE, _SCRAP, _REPAIR_OUT = (np.int64(k) for k in (Kind.RELEASE, Kind.SCRAP,
                                                       Kind.REPAIR_OUT))
_RETURNED, _QC, _QC_FAIL, _EXCURSION, _NO_REASON = (
    np.int64(r) for r in (Reason.RETURNED, Reason.QC, Reason.QC_FAIL, Reason.EXCURSION,
                          Reason.NONE))
_S_RETURNED, _S_QC_FAIL, _S_EXCURSION = (np.int64(SCRAP_REASON_CODES.index(r)) for r in (
    Reason.RETURNED, Reason.QC_FAIL, Reason.EXCURSION))
_H_NONE, _H_QC, _H_EXCURSION, _H_RETURN = (np.int8(h) for h in (Hold.NONE, Hold.QC,
                                                                 Hold.EXCURSION, Hold.RETURN))
_AVAILABLE, _QUARANTINE = np.int8(Status.AVAILABLE), np.int8(Status.QUARANTINE)
_NEVER = np.int32(NEVER)


@njit(cache=True)
def _scrap(n_items: int, pos: int, q: int, reason: int, wh_org: np.ndarray,
           item_cost: np.ndarray, scrapped: np.ndarray, units: np.ndarray,
           value: np.ndarray) -> None:
    """Count ``q`` scrapped units at ``pos`` in the balance (per item) and per org of
    ``reason`` (units, and value into this booking's ``value`` sums)."""
    item = pos % n_items
    org = wh_org[pos // n_items]
    scrapped[item] += q
    units[reason, org] += q
    value[org] += q * item_cost[item]


@njit(cache=True)
def _release(day: int, l_pos: np.ndarray, l_lot: np.ndarray, l_expiry: np.ndarray,
             l_qty: np.ndarray, l_status: np.ndarray, l_hold: np.ndarray,
             l_release: np.ndarray, l_scrap: np.ndarray, l_reason: np.ndarray,
             n_items: int, rng: np.random.Generator, handling_share: np.ndarray,
             handling_cost: np.ndarray, r_family: np.ndarray, r_spread: np.ndarray,
             r_a: np.ndarray, r_b: np.ndarray, wh_org: np.ndarray, item_cost: np.ndarray,
             scrapped: np.ndarray, scrapped_units: np.ndarray, scrapped_value: np.ndarray,
             restocked: np.ndarray, repair_cost: np.ndarray) -> tuple:
    n = len(l_qty)
    due = np.empty(n, dtype=np.int64)
    m = 0
    for j in range(n):
        if l_release[j] <= day:
            l_release[j] = _NEVER
            if l_qty[j] > 0 and l_status[j] == _QUARANTINE:
                due[m] = j
                m += 1
    due = due[:m]
    # ledger rows: returned rows give up to three (release, scrap, repair out), others one
    b_kind = np.empty(3 * m, dtype=np.int64)
    b_pos = np.empty(3 * m, dtype=np.int64)
    b_lot = np.empty(3 * m, dtype=np.int64)
    b_qty = np.empty(3 * m, dtype=np.int64)
    b_reason = np.empty(3 * m, dtype=np.int64)
    b = 0
    n_orgs = scrapped_units.shape[1]
    # QC of returned rows: split each, then book releases, scraps and repairs in turn
    ret = due[l_hold[due] == _H_RETURN]
    split = np.empty((len(ret), 3), dtype=np.int64)
    for k in range(len(ret)):
        j = ret[k]
        multinomial(rng, l_qty[j], handling_share[l_reason[j], l_pos[j] % n_items], split[k])
    value = np.zeros(n_orgs)
    for c, kind in ((0, _RELEASE), (2, _SCRAP)):
        for k in range(len(ret)):
            q = split[k, c]
            if q == 0:
                continue
            j = ret[k]
            b_kind[b], b_pos[b], b_lot[b], b_qty[b], b_reason[b] = (kind, l_pos[j], l_lot[j],
                                                                    q, _RETURNED)
            b += 1
            if kind == _SCRAP:
                _scrap(n_items, l_pos[j], q, _S_RETURNED, wh_org, item_cost, scrapped,
                       scrapped_units, value)
    scrapped_value[_S_RETURNED] += value
    repair_at = np.empty(len(ret), dtype=np.int64)
    n_repair = 0
    cost = np.zeros(n_orgs)
    for k in range(len(ret)):
        j = ret[k]
        restocked[0] += split[k, 0]
        if split[k, 1] > 0:
            repair_at[n_repair] = k
            n_repair += 1
            b_kind[b], b_pos[b], b_lot[b], b_qty[b], b_reason[b] = (
                _REPAIR_OUT, l_pos[j], l_lot[j], split[k, 1], _NO_REASON)
            b += 1
            why, item = l_reason[j], l_pos[j] % n_items
            cost[wh_org[l_pos[j] // n_items]] += split[k, 1] * handling_cost[why, item]
    repair_at = repair_at[:n_repair]
    if n_repair:
        repair_cost += cost
    which = np.empty(n_repair, dtype=np.int64)
    for k in range(n_repair):
        j = ret[repair_at[k]]
        which[k] = l_reason[j] * n_items + l_pos[j] % n_items
    repair_days = _durations(rng, r_family, r_spread, r_a, r_b, which)
    repairs = (l_pos[ret[repair_at]].astype(np.int64), split[repair_at, 1],
               l_lot[ret[repair_at]].astype(np.int64),
               l_expiry[ret[repair_at]].astype(np.int64), repair_days)
    for k in range(len(ret)):
        j = ret[k]
        l_qty[j], l_status[j], l_hold[j], l_reason[j] = split[k, 0], _AVAILABLE, _H_NONE, -1
    # QC and excursion holds: scrapped (failed), then released
    for hold, fail_reason, scrap_code, pass_reason in (
            (_H_QC, _QC_FAIL, _S_QC_FAIL, _QC), (_H_EXCURSION, _EXCURSION, _S_EXCURSION,
                                                 _EXCURSION)):
        for fails in (True, False):
            value = np.zeros(n_orgs)
            for j in due:
                if l_hold[j] != hold or l_scrap[j] != fails:
                    continue
                b_pos[b], b_lot[b], b_qty[b] = l_pos[j], l_lot[j], l_qty[j]
                if fails:
                    b_kind[b], b_reason[b] = _SCRAP, fail_reason
                    _scrap(n_items, l_pos[j], l_qty[j], scrap_code, wh_org, item_cost,
                           scrapped, scrapped_units, value)
                else:
                    b_kind[b], b_reason[b] = _RELEASE, pass_reason
                b += 1
            if fails:
                scrapped_value[scrap_code] += value
    for j in due:
        if l_hold[j] == _H_QC or l_hold[j] == _H_EXCURSION:
            if l_scrap[j]:
                l_qty[j] = 0
            else:
                l_status[j], l_hold[j] = _AVAILABLE, _H_NONE
    book = (b_kind[:b], b_pos[:b], b_lot[:b], b_qty[:b], np.full(b, -1, dtype=np.int64),
            b_reason[:b])
    return book, repairs


def release(state: SimState, day: int) -> None:
    """Compiled :func:`twin.sim.lifecycle.release`."""
    ix, k, r = state.index, state.kpis, state.lots.rows
    days = ix.handling_repair_days
    book, repairs = _release(
        day, r["pos"], r["lot"], r["expiry"], r["qty"], r["status"], r["hold"], r["release"],
        r["scrap"], r["return_reason"], ix.n_items, state.streams.returns, ix.handling_share,
        ix.handling_cost, days.family, days.spread, days.a, days.b, ix.wh_org, ix.item_cost,
        k["scrapped"][day], k["scrapped_units"][day], k["scrapped_value"][day],
        k["restocked_units"][day:day + 1], k["repair_cost"][day])
    state.ledger.append(day, *book)
    pos, units, lot, expiry, repair_days = repairs
    if len(pos):
        state.pipeline.add(shipments(Flow.REPAIR, pos, units, -1, day, lot=lot, expiry=expiry),
                           day + whole_days(repair_days))
