"""Returns and repairs in the twin: units departments send back, QC's split, the repair loop.

- **Return draw** (:func:`send_back`, at each issue of a department's own item): of the q
  units of a lot issued to series n, the units returned per rate reason r are multinomial
  ``(q; rate[n, 0], rate[n, 1], rate[n, 2], 1 − Σ rate[n])`` (each reason's count is
  binomial(q, rate[n, r])), drawn as the units returned in all, binomial(q, min(1, Σ rate[n])),
  split over the reasons multinomially with shares rate[n, r] / Σ rate[n] (the same law, one
  draw per issue pick and one per pick with returns), from the ``returns`` stream so that
  the demand, lead-time and quality draws of a run are the same with or without returns.
  They travel back to the warehouse that issued them, lot kept, arriving
  ``whole_days(delay_days)`` after the issue.
- **Arrival** (:func:`return_arrivals`): returned units go into quarantine
  (:attr:`Hold.RETURN`) for the item's ``qc_hold_days``; units of a recalled lot go to the
  recall hold instead (a recalled lot is never restocked).
- **QC** (:func:`inspect`, when the hold ends): the units of a returned row are split
  multinomially with the shares of ``Network.handling(reason, item)``: restocked (available;
  the lot's expiry still applies), sent for repair (a pipeline flow back after
  ``whole_days(repair_days)``, charged ``repair_cost`` per unit when sent) or scrapped
  (scrap reason ``returned``).
- **Repair arrival** (:func:`repair_arrivals`): repaired units come back available (or to the
  recall hold when their lot was recalled meanwhile).
"""

import numpy as np

from twin.domain.returns import RATE_REASONS, RETURN_REASONS
from twin.sim.kernel import return_draws
from twin.sim.ledger import Kind, Reason
from twin.sim.lots import NEVER, Hold, Rows, Status, new_rows
from twin.sim.pipeline import Flow, shipments
from twin.sim.randomness import sample_durations, whole_days
from twin.sim.state import SimState

_LEDGER = {"unused": Reason.UNUSED, "near_expiry": Reason.NEAR_EXPIRY,
           "defective": Reason.DEFECTIVE, "recalled": Reason.RECALL}
LEDGER_REASON = np.array([_LEDGER[r] for r in RETURN_REASONS], dtype=np.int8)
"""Ledger reason of a ``return_in`` row per return reason code (:data:`RETURN_REASONS`)."""
RATE_CODE = np.array([RETURN_REASONS.index(r) for r in RATE_REASONS], dtype=np.int8)
"""Return reason code of each rate reason (:data:`RATE_REASONS` order)."""


def send_back(state: SimState, day: int, series: np.ndarray, pos: np.ndarray, lot: np.ndarray,
              qty: np.ndarray) -> None:
    """Draw the units returned of each issue pick (``qty`` units of ``lot`` from ``pos`` to
    ``series``) and put them in the pipeline back to ``pos``. Draws nothing where no series
    has a return rate."""
    ix = state.index
    if not ix.has_returns:
        return
    p_back = ix.series_return_share[series]
    own = np.flatnonzero((p_back > 0) & (qty > 0) & (pos % ix.n_items == ix.series_item[series]))
    if not len(own):
        return
    k, r, back, delay = return_draws(state.streams.returns, qty[own], p_back[own],
                                     ix.series_return_split[series[own]],
                                     ix.series_return_delay, series[own] * len(RATE_REASONS))
    if not len(k):
        return
    k = own[k]
    series, pos, lot = series[k], pos[k], lot[k]
    rows = shipments(Flow.RETURN, pos, back, ix.series_department[series], day, lot=lot,
                     expiry=state.catalog.arrays[1][lot], reason=RATE_CODE[r])
    state.pipeline.add(rows, day + whole_days(delay))


def in_recall(state: SimState, lot: np.ndarray) -> np.ndarray:
    """Whether each of ``lot`` has been named by a recall."""
    return np.isin(lot, np.fromiter(state.recall_of_lot, dtype=np.int64,
                                    count=len(state.recall_of_lot)))


def return_arrivals(state: SimState, day: int, rows: np.ndarray) -> Rows:
    """Book returned units arriving today and give their lot rows (quarantined)."""
    ix, k = state.index, state.kpis
    item = rows["pos"] % ix.n_items
    reason = rows["reason"].astype(np.int64)
    state.book(day, Kind.RETURN_IN, rows["pos"], rows["lot"], rows["qty"], rows["origin"],
               LEDGER_REASON[reason])
    k["returned_units"][day] += np.bincount(reason, weights=rows["qty"],
                                            minlength=len(RETURN_REASONS)).astype(np.int64)
    recalled = in_recall(state, rows["lot"])
    state.book(day, Kind.QUARANTINE, rows["pos"][recalled], rows["lot"][recalled],
               rows["qty"][recalled], reason=Reason.RECALL)
    return new_rows(rows["pos"], rows["expiry"], rows["lot"], rows["qty"], Status.QUARANTINE,
                    np.where(recalled, Hold.RECALL, Hold.RETURN),
                    np.where(recalled, NEVER, day + ix.item_qc_hold[item]),
                    return_reason=rows["reason"])


def repair_arrivals(state: SimState, day: int, rows: np.ndarray) -> Rows:
    """Book repaired units arriving today and give their lot rows (available, or held for a
    recall of their lot)."""
    state.book(day, Kind.REPAIR_IN, rows["pos"], rows["lot"], rows["qty"])
    state.kpis["repaired_units"][day] += rows["qty"].sum()
    recalled = in_recall(state, rows["lot"])
    state.book(day, Kind.QUARANTINE, rows["pos"][recalled], rows["lot"][recalled],
               rows["qty"][recalled], reason=Reason.RECALL)
    return new_rows(rows["pos"], rows["expiry"], rows["lot"], rows["qty"],
                    np.where(recalled, Status.QUARANTINE, Status.AVAILABLE),
                    np.where(recalled, Hold.RECALL, Hold.NONE))


def inspect(state: SimState, day: int, due: np.ndarray) -> None:
    """QC of the returned rows ``due`` (indices into the lot table) whose hold ends today:
    restock, repair or scrap their units (see the module docstring)."""
    ix, k, r = state.index, state.kpis, state.lots.rows
    if not len(due):
        return
    pos, lot = r["pos"][due], r["lot"][due]
    item = pos % ix.n_items
    reason = r["return_reason"][due].astype(np.int64)
    split = state.streams.returns.multinomial(r["qty"][due], ix.handling_share[reason, item])
    restock, repair, scrap = split.T
    for kind, units in ((Kind.RELEASE, restock), (Kind.SCRAP, scrap)):
        nz = np.flatnonzero(units)
        state.book(day, kind, pos[nz], lot[nz], units[nz], reason=Reason.RETURNED)
    r["qty"][due], r["status"][due], r["hold"][due] = restock, Status.AVAILABLE, Hold.NONE
    r["return_reason"][due] = -1
    k["restocked_units"][day] += restock.sum()
    out = np.flatnonzero(repair)
    if not len(out):
        return
    state.book(day, Kind.REPAIR_OUT, pos[out], lot[out], repair[out])
    cost = repair[out] * ix.handling_cost[reason[out], item[out]]
    k["repair_cost"][day] += np.bincount(ix.wh_org[pos[out] // ix.n_items], weights=cost,
                                         minlength=len(ix.orgs))
    days = whole_days(sample_durations(state.streams.returns, ix.handling_repair_days,
                                       reason[out] * ix.n_items + item[out]))
    state.pipeline.add(shipments(Flow.REPAIR, pos[out], repair[out], -1, day, lot=lot[out],
                                 expiry=r["expiry"][due][out]), day + days)
