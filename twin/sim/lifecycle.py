"""Lot life at the warehouses: arrival, quality hold and release or scrap, expiry, recall.

- Purchase receipts create a new lot, expiring ``shelf_life_days`` after manufacture (taken
  as the order day); it is held in quarantine for the item's ``qc_hold_days`` and then
  released, or scrapped with the supplier's ``defect_rate`` (drawn at receipt from the
  quality stream).
- Transfer arrivals keep their lot; a cold-chain excursion puts the units in quarantine for
  ``qc_hold_days`` and then releases or scraps them per the item's ``excursion_rule``.
- A lot expires at the start of its expiry day: every unit left, in any status, is scrapped.
- A recall quarantines every unit of the lots on hand at once and flags travelling units,
  which arrive in quarantine; issued units are traced through the ledger, and each
  department returns those not used on patients after its response delay (the network's
  ``settings.recall``). A lot named by an earlier recall stays with that one.
- Returned units and units back from repair arrive through the pipeline too; returned units
  wait in quarantine for QC (see :mod:`twin.sim.returns`).
"""

import numpy as np

from twin.sim import kernel
from twin.sim.events import Recall
from twin.sim.ledger import Kind, Reason
from twin.sim.lots import NEVER, Hold, Rows, Status, concat, new_rows
from twin.sim.pipeline import Flow
from twin.sim.randomness import whole_days
from twin.sim.returns import inspect, repair_arrivals, return_arrivals
from twin.sim.state import RecallReport, SimState

_HOLD_REASON = {Hold.QC: Reason.QC, Hold.EXCURSION: Reason.EXCURSION, Hold.RECALL: Reason.RECALL}
_SCRAP_REASON = {Hold.QC: Reason.QC_FAIL, Hold.EXCURSION: Reason.EXCURSION}


def receive(state: SimState, day: int) -> tuple[np.ndarray, list[int]]:
    """Put today's arrivals into stock; return release days of new holds and the days that
    now have arrivals for the first time (shipments into a warehouse in outage wait a day)."""
    ix, pipe = state.index, state.pipeline
    rows = pipe.take(day)
    waiting = state.conditions.warehouse_down[rows["pos"] // ix.n_items]
    new_days = pipe.add(rows[waiting], np.full(int(waiting.sum()), day + 1))
    rows = rows[~waiting]
    if kernel.compiled():
        from twin.sim import compiled_arrivals

        added = compiled_arrivals.arrive(state, day, rows)
    else:
        added = arrive(state, day, rows)
    if added is None:
        return np.zeros(0, dtype=np.int32), new_days
    state.lots.insert(added)
    held = added["status"] == Status.QUARANTINE
    return np.unique(added["release"][held & (added["release"] != NEVER)]), new_days


def _receipts(state: SimState, day: int, rows: np.ndarray) -> Rows:
    ix = state.index
    item = rows["pos"] % ix.n_items
    supplier = rows["origin"]
    expiry = rows["ordered"] + ix.item_shelf_life[item]
    lots = state.catalog.add(item, expiry, supplier)
    fails = state.streams.quality.random(len(rows)) < ix.supplier_defect_rate[supplier]
    state.book(day, Kind.RECEIPT, rows["pos"], lots, rows["qty"], supplier, Reason.QC)
    return new_rows(rows["pos"], expiry, lots, rows["qty"], Status.QUARANTINE, Hold.QC,
                    day + ix.item_qc_hold[item], fails)


def _transfer_arrivals(state: SimState, day: int, rows: np.ndarray) -> Rows:
    ix = state.index
    item = rows["pos"] % ix.n_items
    state.book(day, Kind.TRANSFER_IN, rows["pos"], rows["lot"], rows["qty"], rows["origin"])
    state.recover(day, rows["lot"][rows["recalled"]], rows["qty"][rows["recalled"]])
    hold = np.where(rows["recalled"], Hold.RECALL,
                    np.where(rows["excursion"], Hold.EXCURSION, Hold.NONE)).astype(np.int8)
    for h in (Hold.EXCURSION, Hold.RECALL):
        sel = hold == h
        state.book(day, Kind.QUARANTINE, rows["pos"][sel], rows["lot"][sel], rows["qty"][sel],
                   reason=_HOLD_REASON[h])
    release = np.where(hold == Hold.EXCURSION, day + ix.item_qc_hold[item], NEVER)
    return new_rows(rows["pos"], rows["expiry"], rows["lot"], rows["qty"],
                    np.where(hold == Hold.NONE, Status.AVAILABLE, Status.QUARANTINE), hold,
                    release, (hold == Hold.EXCURSION) & ix.item_excursion_scrap[item])


ARRIVALS = ((Flow.PURCHASE, _receipts), (Flow.TRANSFER, _transfer_arrivals),
            (Flow.RETURN, return_arrivals), (Flow.REPAIR, repair_arrivals))
"""How each pipeline flow arrives: (flow, its function giving the new lot rows)."""


def arrive(state: SimState, day: int, rows: np.ndarray) -> Rows | None:
    """Book today's arriving pipeline ``rows`` flow by flow (:data:`ARRIVALS` order) and give
    their new lot rows (``None`` when there are none). The numpy reference of
    :func:`twin.sim.compiled_arrivals.arrive`."""
    flow = rows["flow"]
    stock = [flow_arrives(state, day, part) for f, flow_arrives in ARRIVALS
             if len(part := rows[flow == int(f)])]
    return concat(stock) if stock else None


def release(state: SimState, day: int) -> None:
    """End the QC and excursion holds due today: scrap the failed rows, release the others;
    returned rows go through QC (:func:`twin.sim.returns.inspect`). By the chosen kernel:
    :func:`twin.sim.compiled_holds.release` or this function, its numpy reference.

    Only held rows carry a release day (others have :data:`NEVER`), so one comparison
    finds the candidates."""
    if kernel.compiled():
        from twin.sim import compiled_holds

        compiled_holds.release(state, day)
        return
    r = state.lots.rows
    due = np.flatnonzero(r["release"] <= day)
    r["release"][due] = NEVER
    # plain ints: numpy compares an IntEnum operand only after failed attribute lookups
    due = due[(r["qty"][due] > 0) & (r["status"][due] == int(Status.QUARANTINE))]
    hold, scrap = r["hold"][due], r["scrap"][due]
    inspect(state, day, due[hold == int(Hold.RETURN)])
    for h in (Hold.QC, Hold.EXCURSION):
        for fails in (True, False):
            sel = due[(hold == int(h)) & (scrap == fails)]
            if not len(sel):
                continue
            kind, reason = ((Kind.SCRAP, _SCRAP_REASON[h]) if fails
                            else (Kind.RELEASE, _HOLD_REASON[h]))
            state.book(day, kind, r["pos"][sel], r["lot"][sel], r["qty"][sel], reason=reason)
            if fails:
                r["qty"][sel] = 0
            else:
                r["status"][sel], r["hold"][sel] = Status.AVAILABLE, Hold.NONE


def expire(state: SimState, day: int) -> None:
    """Scrap every unit of lots whose expiry day has come."""
    r = state.lots.rows
    sel = np.flatnonzero((r["expiry"] <= day) & (r["qty"] > 0))
    if len(sel):
        state.book(day, Kind.SCRAP, r["pos"][sel], r["lot"][sel], r["qty"][sel],
                   reason=Reason.EXPIRED)
        r["qty"][sel] = 0


def recall(state: SimState, day: int, event: Recall) -> RecallReport:
    """Quarantine the recalled lots everywhere, trace the units already issued and schedule
    the departments' returns (see the module docstring)."""
    ix = state.index
    item = ix.item_of[event.item]
    lot_item, _, lot_supplier = state.catalog.arrays
    names = np.asarray(state.catalog.names(), dtype=object)
    chosen = lot_item == item
    if event.lots:
        chosen &= np.isin(names, event.lots)
    if event.supplier is not None:
        chosen &= lot_supplier == ix.supplier_of[event.supplier]
    lots = np.flatnonzero(chosen)
    lots = lots[~np.isin(lots, list(state.recall_of_lot))]
    r = state.lots.rows
    hit = np.flatnonzero(np.isin(r["lot"], lots) & (r["qty"] > 0) & (r["hold"] != Hold.RECALL))
    state.book(day, Kind.QUARANTINE, r["pos"][hit], r["lot"][hit], r["qty"][hit],
               reason=Reason.RECALL)
    r["status"][hit], r["hold"][hit], r["release"][hit] = Status.QUARANTINE, Hold.RECALL, NEVER
    travelling = state.pipeline.mark_recalled(lots)
    led = state.ledger.columns()
    issued = (led["kind"] == Kind.ISSUE) & np.isin(led["lot"], lots)
    departments, which = np.unique(led["counterpart"][issued], return_inverse=True)
    per_department = np.bincount(which, weights=led["qty"][issued],
                                 minlength=len(departments)).astype(np.int64)
    response = ix.network.settings.recall
    used = np.floor(response.used_share * per_department + 0.5).astype(np.int64)
    models = [d for h in ix.network.hospitals for d in h.departments]
    delay = whole_days(np.array([
        (models[k].recall_return_days or response.return_days).sample(state.streams.recall)
        for k in state.ledger.counterpart_index(Kind.ISSUE, departments).tolist()],
        dtype=float))
    on_hand = int(r["qty"][hit].sum())
    report = RecallReport(
        day=day, item=event.item, lots=tuple(names[lots].tolist()),
        units_on_hand=on_hand,
        units_in_transit=int(sum(rows["qty"].sum() for _, rows in travelling)),
        units_issued=int(per_department.sum()),
        departments=tuple(state.ledger.counterpart_names[c] for c in departments.tolist()),
        days_to_identify=max((d - day for d, _ in travelling), default=0),
        units_used=int(used.sum()),
        recovered=[(day, on_hand)] * (on_hand > 0) + [
            (day + d, q) for d, q in zip(delay.tolist(), (per_department - used).tolist(),
                                         strict=True) if q > 0])
    state.recall_of_lot.update(dict.fromkeys(lots.tolist(), len(state.recalls)))
    state.recalls.append(report)
    return report
