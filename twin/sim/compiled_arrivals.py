"""Today's arrivals put into stock in one compiled call: the compiled twin of the per-flow
arrival functions of :mod:`twin.sim.lifecycle` and :mod:`twin.sim.returns` (purchase
receipts into QC, transfers with excursion and recall holds, returns into QC, repairs).

Same rules and same results, bit for bit, as the numpy reference
(:func:`twin.sim.lifecycle.arrive`; whole replications and single days are held equal in
``tests/twin/sim/test_kernel.py``): new lot rows come out flow by flow in
:data:`~twin.sim.lifecycle.ARRIVALS` order, row order within a flow, and ledger rows in the
reference's order (per flow: the arrival, then its quarantines). What stays in Python
touches Python objects or other streams: the lot catalogue, the quality draws (drawn before
the call, as many as receipts, as the reference draws them), recall reports, the ledger
and the lot table.
"""

import numpy as np
from numba import njit

from twin.sim.ledger import Kind, Reason
from twin.sim.lots import NEVER, Hold, Rows, Status, sort_key
from twin.sim.pipeline import Flow
from twin.sim.returns import LEDGER_REASON, in_recall
from twin.sim.state import SimState

_K = {k.name: np.int64(k) for k in Kind}
_R = {r.name: np.int64(r) for r in Reason}
_H = {h.name: np.int8(h) for h in Hold}
_AVAILABLE, _QUARANTINE = np.int8(Status.AVAILABLE), np.int8(Status.QUARANTINE)
_PURCHASE, _TRANSFER, _RETURN, _REPAIR = (np.int8(f) for f in Flow)
_RECEIPT, _TRANSFER_IN, _RETURN_IN, _REPAIR_IN, _QUARANTINE_KIND = (
    _K["RECEIPT"], _K["TRANSFER_IN"], _K["RETURN_IN"], _K["REPAIR_IN"], _K["QUARANTINE"])
_QC, _EXCURSION, _RECALL, _NO_REASON = _R["QC"], _R["EXCURSION"], _R["RECALL"], _R["NONE"]
_H_NONE, _H_QC, _H_EXCURSION, _H_RECALL, _H_RETURN = (
    _H["NONE"], _H["QC"], _H["EXCURSION"], _H["RECALL"], _H["RETURN"])
_NEVER = np.int32(NEVER)


@njit(cache=True)
def _arrive(day: int, flow: np.ndarray, pos: np.ndarray, lot: np.ndarray,
            expiry: np.ndarray, qty: np.ndarray, origin: np.ndarray, ordered: np.ndarray,
            excursion: np.ndarray, recall_hold: np.ndarray, reason: np.ndarray,
            quality: np.ndarray, n_lots: int, n_items: int,
            shelf_life: np.ndarray, qc_hold: np.ndarray, excursion_scrap: np.ndarray,
            defect_rate: np.ndarray, ledger_reason: np.ndarray, lane_offset: int,
            department_offset: int, received: np.ndarray, returned: np.ndarray,
            returned_units: np.ndarray, repaired: np.ndarray) -> tuple:
    n = len(flow)
    # new lot rows, flow by flow
    r_pos = np.empty(n, dtype=np.int32)
    r_expiry = np.empty(n, dtype=np.int32)
    r_lot = np.empty(n, dtype=np.int32)
    r_qty = np.empty(n, dtype=np.int64)
    r_status = np.empty(n, dtype=np.int8)
    r_hold = np.empty(n, dtype=np.int8)
    r_release = np.empty(n, dtype=np.int32)
    r_scrap = np.zeros(n, dtype=np.bool_)
    r_reason = np.full(n, -1, dtype=np.int8)
    # ledger rows: at most an arrival and a quarantine per row
    b_kind = np.empty(2 * n, dtype=np.int64)
    b_pos = np.empty(2 * n, dtype=np.int64)
    b_lot = np.empty(2 * n, dtype=np.int64)
    b_qty = np.empty(2 * n, dtype=np.int64)
    b_cp = np.empty(2 * n, dtype=np.int64)
    b_reason = np.empty(2 * n, dtype=np.int64)
    # new lots of receipts: item, expiry, supplier
    c_item = np.empty(n, dtype=np.int64)
    c_expiry = np.empty(n, dtype=np.int64)
    c_supplier = np.empty(n, dtype=np.int64)
    m = 0  # lot rows
    b = 0  # ledger rows
    c = 0  # receipts
    for f in (_PURCHASE, _TRANSFER, _RETURN, _REPAIR):
        first = m
        for j in range(n):
            if flow[j] != f:
                continue
            p, q = pos[j], qty[j]
            item = p % n_items
            r_pos[m], r_qty[m] = p, q
            if f == _PURCHASE:
                s = origin[j]
                e = ordered[j] + shelf_life[item]
                new_lot = n_lots + c
                c_item[c], c_expiry[c], c_supplier[c] = item, e, s
                r_expiry[m], r_lot[m] = e, new_lot
                r_status[m], r_hold[m] = _QUARANTINE, _H_QC
                r_release[m] = day + qc_hold[item]
                r_scrap[m] = quality[c] < defect_rate[s]
                c += 1
                b_kind[b], b_pos[b], b_lot[b], b_qty[b] = _RECEIPT, p, new_lot, q
                b_cp[b], b_reason[b] = s, _QC
                b += 1
                received[item] += q
            else:
                r_expiry[m], r_lot[m] = expiry[j], lot[j]
                held = recall_hold[j]
                if f == _TRANSFER:
                    b_kind[b], b_cp[b], b_reason[b] = _TRANSFER_IN, origin[j] + lane_offset, \
                        _NO_REASON
                    hold = _H_RECALL if held else (_H_EXCURSION if excursion[j] else _H_NONE)
                    r_hold[m] = hold
                    r_status[m] = _AVAILABLE if hold == _H_NONE else _QUARANTINE
                    r_release[m] = day + qc_hold[item] if hold == _H_EXCURSION else _NEVER
                    r_scrap[m] = hold == _H_EXCURSION and excursion_scrap[item]
                elif f == _RETURN:
                    why = reason[j]
                    b_kind[b], b_cp[b] = _RETURN_IN, origin[j] + department_offset
                    b_reason[b] = ledger_reason[why]
                    returned[item] += q
                    returned_units[why] += q
                    r_status[m] = _QUARANTINE
                    r_hold[m] = _H_RECALL if held else _H_RETURN
                    r_release[m] = _NEVER if held else day + qc_hold[item]
                    r_reason[m] = why
                else:
                    b_kind[b], b_cp[b], b_reason[b] = _REPAIR_IN, -1, _NO_REASON
                    repaired[0] += q
                    r_status[m] = _QUARANTINE if held else _AVAILABLE
                    r_hold[m] = _H_RECALL if held else _H_NONE
                    r_release[m] = _NEVER
                b_pos[b], b_lot[b], b_qty[b] = p, lot[j], q
                b += 1
            m += 1
        if f == _PURCHASE or m == first:
            continue
        # the flow's quarantines: excursions, then recalls (transfers); recalls (others)
        for hold, why in ((_H_EXCURSION, _EXCURSION), (_H_RECALL, _RECALL)):
            if hold == _H_EXCURSION and f != _TRANSFER:
                continue
            for k in range(first, m):
                if r_hold[k] == hold:
                    b_kind[b], b_pos[b], b_lot[b], b_qty[b] = (_QUARANTINE_KIND, r_pos[k],
                                                               r_lot[k], r_qty[k])
                    b_cp[b], b_reason[b] = -1, why
                    b += 1
    rows = (r_pos, r_expiry, r_lot, r_qty, r_status, r_hold, r_release, r_scrap, r_reason)
    book = (b_kind[:b], b_pos[:b], b_lot[:b], b_qty[:b], b_cp[:b], b_reason[:b])
    return rows, book, (c_item[:c], c_expiry[:c], c_supplier[:c])


def arrive(state: SimState, day: int, rows: np.ndarray) -> Rows | None:
    """Compiled :func:`twin.sim.lifecycle.arrive`: book today's arriving pipeline ``rows``
    and give their new lot rows (``None`` when there are none)."""
    if not len(rows):
        return None
    ix, k, ledger = state.index, state.kpis, state.ledger
    n_purchase = int(np.count_nonzero(rows["flow"] == int(Flow.PURCHASE)))
    quality = state.streams.quality.random(n_purchase) if n_purchase else np.zeros(0)
    transfer = rows["flow"] == int(Flow.TRANSFER)
    back = transfer & rows["recalled"]
    state.recover(day, rows["lot"][back], rows["qty"][back])
    held = back | (~transfer & in_recall(state, rows["lot"]))  # into the recall hold
    new, book, lots = _arrive(
        day, rows["flow"], rows["pos"], rows["lot"], rows["expiry"], rows["qty"],
        rows["origin"], rows["ordered"], rows["excursion"], held, rows["reason"], quality,
        state.catalog.size, ix.n_items, ix.item_shelf_life,
        ix.item_qc_hold, ix.item_excursion_scrap, ix.supplier_defect_rate, LEDGER_REASON,
        ledger.offset(Kind.TRANSFER_IN), ledger.offset(Kind.RETURN_IN), k["received"][day],
        k["returned"][day], k["returned_units"][day], k["repaired_units"][day:day + 1])
    state.catalog.add(*lots)
    ledger.append(day, *book)
    pos, expiry, lot, qty, status, hold, release, scrap, return_reason = new
    return {"key": sort_key(pos, expiry, lot), "pos": pos, "expiry": expiry, "lot": lot,
            "qty": qty, "status": status, "hold": hold, "release": release, "scrap": scrap,
            "return_reason": return_reason}

