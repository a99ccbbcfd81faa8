"""Lots on hand as a table sorted for FEFO, and the vectorised FEFO allocator.

The table holds one array per field of :data:`LOT_DTYPE` (the day cycle works column by
column; :meth:`LotTable.records` gives the structured array). Rows are kept sorted by
``key = (position, expiry day, lot id)`` so that each position's lots form one contiguous
segment in first-expiry-first-out order. A row carries a stock status (available /
quarantine / reserved); a quarantined row also has a hold reason, the day its hold ends
and whether it is scrapped (rather than released) then; a returned row (:attr:`Hold.RETURN`)
also has its return reason, which picks QC's rule when the hold ends.
"""

from dataclasses import dataclass
from enum import IntEnum

import numpy as np


class Status(IntEnum):
    """Stock status, in the order of :data:`twin.domain.snapshot.STATUSES`."""

    AVAILABLE = 0
    QUARANTINE = 1
    RESERVED = 2


class Hold(IntEnum):
    """Why a row is in quarantine."""

    NONE = 0
    QC = 1
    EXCURSION = 2
    RECALL = 3
    RETURN = 4


NEVER = np.iinfo(np.int32).max
"""Release day of a hold that does not end (recalls)."""

LOT_DTYPE = np.dtype([
    ("key", np.int64), ("pos", np.int32), ("expiry", np.int32), ("lot", np.int32),
    ("qty", np.int64), ("status", np.int8), ("hold", np.int8), ("release", np.int32),
    ("scrap", np.bool_), ("return_reason", np.int8),
])
"""Fields of a lot row (the record type of :meth:`LotTable.records`); ``return_reason``: code
in :data:`twin.sim.returns.RETURN_REASONS` of a returned row, −1 for others."""
_EXPIRY_OFFSET = 1 << 15  # expiry days are stored as 16-bit offsets in the sort key


def column(value: np.ndarray | int, n: int, dtype: type) -> np.ndarray:
    """A fresh array of length ``n`` from an array or a scalar."""
    if isinstance(value, np.ndarray) and value.ndim:
        return value.astype(dtype)
    out = np.empty(n, dtype=dtype)
    out.fill(value)
    return out


Rows = dict[str, np.ndarray]
"""Lot rows as one array per field of :data:`LOT_DTYPE` (all of one length)."""


def sort_key(pos: np.ndarray, expiry: np.ndarray, lot: np.ndarray) -> np.ndarray:
    """FEFO sort key: position (23 bits) · expiry (16 bits) · lot id (24 bits)."""
    return ((pos.astype(np.int64) << 40) | ((expiry.astype(np.int64) + _EXPIRY_OFFSET) << 24)
            | lot.astype(np.int64))


def new_rows(pos: np.ndarray, expiry: np.ndarray, lot: np.ndarray, qty: np.ndarray,
             status: int | np.ndarray = Status.AVAILABLE, hold: int | np.ndarray = Hold.NONE,
             release: int | np.ndarray = NEVER, scrap: bool | np.ndarray = False,
             return_reason: int | np.ndarray = -1) -> Rows:
    """Lot rows (keys filled in)."""
    n = len(pos)
    values = {"pos": pos, "expiry": expiry, "lot": lot, "qty": qty, "status": status,
              "hold": hold, "release": release, "scrap": scrap, "return_reason": return_reason}
    rows = {name: column(values[name], n, LOT_DTYPE[name])
            for name in LOT_DTYPE.names if name != "key"}
    return {"key": sort_key(rows["pos"], rows["expiry"], rows["lot"]), **rows}


def select(rows: Rows, which: np.ndarray) -> Rows:
    """The rows at ``which`` (indices or mask)."""
    return {name: col[which] for name, col in rows.items()}


def concat(parts: list[Rows]) -> Rows:
    """Rows of ``parts`` one after the other."""
    return {name: np.concatenate([p[name] for p in parts]) for name in LOT_DTYPE.names}


class LotTable:
    """All lot rows on hand at every position, sorted by :func:`sort_key`."""

    def __init__(self, n_positions: int, rows: Rows):
        self.n_positions = n_positions
        self.rows = select(rows, np.argsort(rows["key"], kind="stable"))
        self._segments: np.ndarray | None = None

    @property
    def segments(self) -> np.ndarray:
        """``segments[p]:segments[p+1]`` are the rows of position ``p``."""
        if self._segments is None:
            counts = np.bincount(self.rows["pos"], minlength=self.n_positions)
            self._segments = np.concatenate(([0], np.cumsum(counts)))
        return self._segments

    def insert(self, rows: Rows) -> None:
        """Add ``rows`` (any order), keeping the sort order; emptied rows are dropped once
        they are more than a quarter of the table."""
        empty = self.rows["qty"] == 0
        keep = select(self.rows, ~empty) if 4 * np.count_nonzero(empty) > len(empty) \
            else self.rows
        rows = select(rows, np.argsort(rows["key"], kind="stable"))
        at = np.searchsorted(keep["key"], rows["key"], side="right")
        at += np.arange(len(at))  # where the new rows land
        old = np.ones(len(keep["key"]) + len(at), dtype=bool)
        old[at] = False
        self.rows = {}
        for name in LOT_DTYPE.names:
            self.rows[name] = np.empty(len(old), dtype=LOT_DTYPE[name])
            self.rows[name][at], self.rows[name][old] = rows[name], keep[name]
        self._segments = None

    def records(self) -> np.ndarray:
        """A copy of the rows as a structured array of :data:`LOT_DTYPE`."""
        out = np.empty(len(self.rows["key"]), dtype=LOT_DTYPE)
        for name in LOT_DTYPE.names:
            out[name] = self.rows[name]
        return out

    def on_hand(self, status_count: int = len(Status)) -> np.ndarray:
        """Units per (position, status), shape ``(n_positions, 3)``."""
        r = self.rows
        flat = np.bincount(r["pos"].astype(np.int64) * status_count + r["status"],
                           weights=r["qty"], minlength=self.n_positions * status_count)
        return flat.astype(np.int64).reshape(self.n_positions, status_count)

    def totals(self) -> tuple[np.ndarray, np.ndarray]:
        """Units per position: all statuses, and available only (segment sums)."""
        seg, qty = self.segments, self.rows["qty"]
        empty = seg[1:] == seg[:-1]
        avail = np.where(self.rows["status"] == Status.AVAILABLE, qty, 0)
        # a trailing zero makes every segment start a valid index for reduceat
        return (np.where(empty, 0, np.add.reduceat(np.append(qty, 0), seg[:-1])),
                np.where(empty, 0, np.add.reduceat(np.append(avail, 0), seg[:-1])))

    def held(self, hold: Hold) -> np.ndarray:
        """Units per position in quarantine for reason ``hold``."""
        r = self.rows
        sel = r["hold"] == int(hold)
        return np.bincount(r["pos"][sel], weights=r["qty"][sel],
                           minlength=self.n_positions).astype(np.int64)


@dataclass(frozen=True)
class Allocation:
    """Result of :func:`allocate`: units served per request and the lot rows they came from."""

    served: np.ndarray
    request: np.ndarray
    row: np.ndarray
    qty: np.ndarray


def _ranges(start: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Concatenated ``range(start[k], start[k] + count[k])``, the owner k of each, and the
    offset of each range's first element in the result."""
    first = np.cumsum(count) - count
    owner = np.repeat(np.arange(len(count)), count)
    return start[owner] + (np.arange(first[-1] + count[-1]) - first[owner]), owner, first


def eligible_stock(table: LotTable, pos: np.ndarray, min_expiry: np.ndarray) -> np.ndarray:
    """Units at ``pos[k]`` that are available and expire on or after ``min_expiry[k]``."""
    seg, rows = table.segments, table.rows
    start = seg[pos]
    count = seg[pos + 1] - start
    if not count.any():
        return np.zeros(len(pos), dtype=np.int64)
    idx, owner, _ = _ranges(start, count)
    ok = (rows["status"][idx] == Status.AVAILABLE) & (rows["expiry"][idx] >= min_expiry[owner])
    return np.bincount(owner, weights=np.where(ok, rows["qty"][idx], 0),
                       minlength=len(pos)).astype(np.int64)


def allocate(table: LotTable, pos: np.ndarray, min_expiry: np.ndarray, qty: np.ndarray,
             lot: np.ndarray | None = None) -> Allocation:
    """Take ``qty[k]`` units for request ``k`` from position ``pos[k]``, FEFO, in request order.

    A request may use rows that are available, expire on or after ``min_expiry[k]`` and (if
    given, ``lot[k] ≥ 0``) belong to lot ``lot[k]``; among them it takes the earliest expiry
    first. Requests are served in the given order within each position, so earlier requests
    (higher priority) are served first. Where a position's first row is available, meets
    every request's expiry limit and holds all their units, they all take from it; other
    positions go through :func:`_sequential`. Decrements ``table`` in place and returns the
    units served per request plus the (request, row, units) picks, ordered by request, then
    row.
    """
    n = len(pos)
    empty = np.zeros(0, dtype=np.int64)
    if n == 0 or not len(table.rows["key"]):
        return Allocation(np.zeros(n, dtype=np.int64), empty, empty, empty)
    by_lot = lot is not None and bool((lot >= 0).any())
    order = (np.arange(n) if np.all(pos[1:] >= pos[:-1])
             else np.argsort(pos, kind="stable"))
    sp, st, sq = pos[order], min_expiry[order], qty[order]
    sl = lot[order] if by_lot else None
    # one run of requests per position
    new_pos = np.concatenate(([True], sp[1:] != sp[:-1]))
    run_start = np.flatnonzero(new_pos)
    run = np.cumsum(new_pos) - 1
    seg, rows = table.segments, table.rows
    p_run = sp[run_start]
    has = seg[p_run + 1] > seg[p_run]
    first = np.minimum(seg[p_run], len(rows["key"]) - 1)
    run_demand = np.add.reduceat(sq, run_start)
    fresh = has & (rows["expiry"][first] >= np.maximum.reduceat(st, run_start))
    easy = fresh & (rows["status"][first] == Status.AVAILABLE) & (rows["qty"][first]
                                                                 >= run_demand)
    if by_lot:
        easy[:] = False
    rows["qty"][first[easy]] -= run_demand[easy]
    served_sorted = np.where(easy[run], sq, 0)
    e_req = np.flatnonzero(easy[run] & (sq > 0))
    parts = [(e_req, first[run[e_req]], sq[e_req])]
    hard = np.flatnonzero(~easy[run])
    if len(hard):
        h_served, h_req, h_row, h_qty = _sequential(
            table, sp[hard], st[hard], sq[hard], sl[hard] if by_lot else None,
            fresh[run[hard]])
        served_sorted[hard] = h_served
        parts.append((hard[h_req], h_row, h_qty))
    served = np.empty(n, dtype=np.int64)
    served[order] = served_sorted
    req, row, units = (np.concatenate(x) for x in zip(*parts, strict=True))
    req = order[req]
    by_request = np.lexsort((row, req))
    return Allocation(served, req[by_request], row[by_request], units[by_request])


def _sequential(table: LotTable, sp: np.ndarray, st: np.ndarray, sq: np.ndarray,
                sl: np.ndarray | None, fresh: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """FEFO for position-sorted requests, served in order within each position.

    Consecutive requests at a position with the same eligibility (the same expiry limit
    and lot; the limit is ignored where ``fresh``: every row of the position meets it) form
    a group served in one cumulative-sum pass over the position's rows r,
    ``take_r = min(avail_r, max(0, D − Σ_{r' < r} avail_r'))``; groups at one position are
    served in successive rounds. Returns units served per request and the picks (request,
    row, units) with request indices into the given arrays.
    """
    n = len(sp)
    seg, table_rows = table.segments, table.rows
    new_pos = np.concatenate(([True], sp[1:] != sp[:-1]))
    new_group = new_pos.copy()
    new_group[1:] |= (st[1:] != st[:-1]) & ~fresh[1:]
    if sl is not None:
        new_group[1:] |= sl[1:] != sl[:-1]
    gid = np.cumsum(new_group) - 1
    gstart = np.flatnonzero(new_group)
    g_round = (gid - gid[new_pos][np.cumsum(new_pos) - 1])[gstart]
    by_round = np.argsort(g_round, kind="stable")
    round_end = np.cumsum(np.bincount(g_round))
    g_demand = np.add.reduceat(sq, gstart)
    g_served = np.zeros(len(gstart), dtype=np.int64)
    picks = []
    for r in range(len(round_end)):
        sel = by_round[round_end[r - 1] if r else 0:round_end[r]]
        p = sp[gstart[sel]]
        start = seg[p]
        count = seg[p + 1] - start
        if not count.any():
            continue
        rows, owner, first = _ranges(start, count)
        on_hand = table_rows["qty"][rows]
        ok = table_rows["status"][rows] == Status.AVAILABLE
        ok &= table_rows["expiry"][rows] >= st[gstart[sel]][owner]
        if sl is not None:
            want = sl[gstart[sel]][owner]
            ok &= (want < 0) | (table_rows["lot"][rows] == want)
        avail = np.where(ok, on_hand, 0)
        before = np.cumsum(avail)
        before -= avail
        before -= before[first[owner]]
        take = np.minimum(avail, np.maximum(g_demand[sel][owner] - before, 0))
        table_rows["qty"][rows] = on_hand - take
        g_served[sel] = np.bincount(owner, weights=take, minlength=len(sel)).astype(np.int64)
        nz = np.flatnonzero(take)
        picks.append((sel[owner[nz]], rows[nz], take[nz]))
    # split each group's units over its requests, in request order
    cum = np.cumsum(sq) - sq
    served = np.minimum(sq, np.maximum(g_served[gid] - (cum - cum[gstart][gid]), 0))
    if not picks:
        empty = np.zeros(0, dtype=np.int64)
        return served, empty, empty, empty
    pg, prow, pq = (np.concatenate(x) for x in zip(*picks, strict=True))
    po = np.argsort(pg, kind="stable")  # group-major; rows of a group are already in FEFO order
    pg, prow, pq = pg[po], prow[po], pq[po]
    size = np.diff(np.append(gstart, n))
    shared = size[pg] > 1
    if not shared.any():
        return served, gstart[pg], prow, pq
    # picks of groups with several requests: intersect the two partitions of the cumulative
    # axis (requests in order × lot rows in FEFO order)
    mine = np.flatnonzero(size[gid] > 1)
    req_end, pick_end = np.cumsum(served[mine]), np.cumsum(pq[shared])
    bp = np.concatenate((req_end, pick_end))
    bp.sort(kind="stable")  # merges the two sorted runs
    units = np.diff(bp, prepend=0)
    keep = units > 0
    bp, units = bp[keep], units[keep]
    alone = ~shared
    return (served,
            np.concatenate((gstart[pg][alone], mine[np.searchsorted(req_end, bp)])),
            np.concatenate((prow[alone], prow[shared][np.searchsorted(pick_end, bp)])),
            np.concatenate((pq[alone], units)))


class LotCatalog:
    """Every lot the run has seen: id → item, expiry day, origin supplier, number.

    Lots from the opening snapshot keep their numbers; lots created by receipts are
    numbered ``R<id>`` when names are first needed.
    """

    def __init__(self, item: np.ndarray, expiry: np.ndarray, names: list[str]):
        self._chunks = [(item.astype(np.int32), expiry.astype(np.int32),
                         np.full(len(item), -1, dtype=np.int32))]
        self._named = list(names)
        self._arrays: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self.size = len(item)

    def add(self, item: np.ndarray, expiry: np.ndarray, supplier: np.ndarray) -> np.ndarray:
        """Register new lots; return their ids."""
        ids = np.arange(self.size, self.size + len(item), dtype=np.int32)
        self._chunks.append((item.astype(np.int32), expiry.astype(np.int32),
                             supplier.astype(np.int32)))
        self._arrays = None
        self.size += len(item)
        return ids

    @property
    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(item, expiry day, supplier or −1) per lot id."""
        if self._arrays is None:
            self._arrays = tuple(np.concatenate(c) for c in zip(*self._chunks, strict=True))
            self._chunks = [self._arrays]
        return self._arrays

    def names(self) -> list[str]:
        """Lot number of every lot id."""
        return self._named + [f"R{k:07d}" for k in range(len(self._named), self.size)]

    def find(self, item: int, name: str) -> int:
        """Id of lot ``name`` of ``item`` (−1 when unknown)."""
        lot_item = self.arrays[0]
        names = self.names()
        return next((k for k in np.flatnonzero(lot_item == item).tolist() if names[k] == name),
                    -1)
