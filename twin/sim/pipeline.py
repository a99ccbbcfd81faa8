"""Shipments under way, filed by arrival day: purchase orders on order, transfers in transit,
units departments return (on their way back to the issuing warehouse) and units out for
repair."""

from collections.abc import Iterable
from enum import IntEnum

import numpy as np


class Flow(IntEnum):
    """What a pipeline row is."""

    PURCHASE = 0
    TRANSFER = 1
    RETURN = 2
    REPAIR = 3


SHIPMENT_DTYPE = np.dtype([
    ("flow", np.int8), ("pos", np.int32), ("lot", np.int32), ("expiry", np.int32),
    ("qty", np.int64), ("origin", np.int32), ("ordered", np.int32), ("excursion", np.bool_),
    ("recalled", np.bool_), ("reason", np.int8),
])
"""``pos``: destination position; ``origin``: supplier (purchase), lane (transfer),
department (return, −1 unknown) or −1 (repair); ``lot``/``expiry``: the travelling lot (−1 /
unused for a purchase, whose lot is made at receipt); ``ordered``: order, ship, issue or
repair day; ``reason``: return reason code (returns, see :mod:`twin.sim.returns`)."""


def shipments(flow: Flow, pos: np.ndarray, qty: np.ndarray, origin: np.ndarray,
              ordered: int | np.ndarray, lot: np.ndarray | int = -1,
              expiry: np.ndarray | int = 0, excursion: np.ndarray | bool = False,
              reason: np.ndarray | int = 0) -> np.ndarray:
    """A structured array of pipeline rows."""
    rows = np.zeros(len(pos), dtype=SHIPMENT_DTYPE)
    rows["flow"], rows["pos"], rows["qty"], rows["origin"] = flow, pos, qty, origin
    rows["ordered"], rows["lot"] = ordered, lot
    rows["expiry"], rows["excursion"], rows["reason"] = expiry, excursion, reason
    return rows


_RAW = np.dtype((np.void, SHIPMENT_DTYPE.itemsize))
"""A pipeline row as raw bytes. Rows are joined, picked and stored as such: numpy's copies of
structured arrays (concatenation, indexing, assignment) re-check the fields and cost several
times as much as copying the bytes."""


def _join(chunks: list[np.ndarray]) -> np.ndarray:
    """Chunks of pipeline rows as one array (joined as raw bytes)."""
    if not chunks:
        return np.zeros(0, dtype=SHIPMENT_DTYPE)
    return np.concatenate([c.view(_RAW) for c in chunks]).view(SHIPMENT_DTYPE)


def _pick(rows: np.ndarray, sel: np.ndarray) -> np.ndarray:
    """``rows[sel]``, a copy (picked as raw bytes)."""
    return rows.view(_RAW)[sel].view(SHIPMENT_DTYPE)


_TAKEN = np.iinfo(np.int64).min
"""Arrival day of a back slot whose row was handed out (no real day is this far back)."""


class Pipeline:
    """Rows by arrival day (the run's day numbers), with units on order, in transit and in
    repair per destination position (returns on their way back are in none of these: they
    left stock when issued).

    Orders and transfers (what policies see, :meth:`rows`) and returns and repairs are filed
    apart, so that a policy's view does not sift through the many small return shipments.
    Orders and transfers: a list of row chunks per arrival day, in filing order. Returns and
    repairs (*back* rows): one flat array of rows (raw bytes) in filing order and a parallel
    array of their arrival days; the slots grow by doubling, and the slots of rows handed
    out are marked (day :data:`_TAKEN`) and squeezed out once they are more than half.
    :meth:`take` hands out a day's chunks, then its back rows, each in filing order."""

    def __init__(self, n_positions: int) -> None:
        self.n_positions = n_positions
        self._by_day: dict[int, list[np.ndarray]] = {}
        self._back = np.empty(0, dtype=_RAW)  # back rows in filing order; slots
        self._back_day = np.empty(0, dtype=np.int64)  # their arrival days
        self._n_back = 0  # slots used, handed out or not
        self._n_taken = 0  # used slots whose rows were handed out
        self._back_days: set[int] = set()  # arrival days with back rows waiting
        # units under way per flow (row: the Flow value) and destination position; returns
        # have their row too, so that one index counts any rows, but nothing reads it
        self._units = np.zeros((len(Flow), n_positions), dtype=np.int64)
        self.on_order = self._units[Flow.PURCHASE]  # views of its rows
        self.in_transit = self._units[Flow.TRANSFER]
        self.in_repair = self._units[Flow.REPAIR]
        self._fresh: list[int] = []  # days first used by returns or repairs, not handed out

    def _count(self, rows: np.ndarray, ufunc: np.ufunc) -> None:
        """Add (``np.add``) or remove (``np.subtract``) ``rows``' units in the totals (the
        units contiguous: ``ufunc.at`` is several times slower on a strided field)."""
        if len(rows):
            at = rows["flow"].astype(np.intp) * self.n_positions + rows["pos"]
            ufunc.at(self._units.reshape(-1), at, np.ascontiguousarray(rows["qty"]))

    def add(self, rows: np.ndarray, arrival: np.ndarray) -> list[int]:
        """File ``rows`` under their ``arrival`` days; return the days that were not used yet
        (orders and transfers' days first, then returns and repairs', each ascending)."""
        self._count(rows, np.add)
        back = rows["flow"] >= int(Flow.RETURN)
        ahead = ~back
        new = self._file_ahead(_pick(rows, ahead), arrival[ahead]) if ahead.any() else []
        if back.any():
            new += self._file_back(rows.view(_RAW)[back], arrival[back])
        return new

    def _file_ahead(self, part: np.ndarray, when: np.ndarray) -> list[int]:
        """File orders and transfers in chunks by day; the days not used yet."""
        if (when == when[0]).all():  # one arrival day: one chunk
            chunks: Iterable[tuple[int, np.ndarray]] = [(int(when[0]), part)]
        else:
            order = np.argsort(when, kind="stable")
            part, when = _pick(part, order), when[order]
            days, first = np.unique(when, return_index=True)
            chunks = zip(days.tolist(), np.split(part, first[1:]), strict=True)
        new = []
        for day, chunk in chunks:
            if day not in self._by_day and day not in self._back_days:
                new.append(day)
            self._by_day.setdefault(day, []).append(chunk)
        return new

    def _file_back(self, part: np.ndarray, when: np.ndarray) -> list[int]:
        """Append returns and repairs (raw rows) to the back slots in their order; the days
        not used yet."""
        days = np.unique(when).tolist()
        new = [day for day in days if day not in self._by_day and day not in self._back_days]
        self._back_days.update(days)
        self._fresh += new
        n, m = self._n_back, len(part)
        if n + m > len(self._back):
            self._grow(n + m)
        self._back[n:n + m], self._back_day[n:n + m] = part, when
        self._n_back = n + m
        return new

    def _grow(self, need: int) -> None:
        """Room for at least ``need`` back slots (double the slots, or more)."""
        n, cap = self._n_back, max(2 * len(self._back), need)
        back, day = np.empty(cap, dtype=_RAW), np.empty(cap, dtype=np.int64)
        back[:n], day[:n] = self._back[:n], self._back_day[:n]
        self._back, self._back_day = back, day

    def _take_back(self, day: int) -> np.ndarray:
        """Hand out the back rows arriving on ``day``, in filing order."""
        self._back_days.remove(day)
        n = self._n_back
        hit = np.flatnonzero(self._back_day[:n] == day)
        rows = self._back.take(hit).view(SHIPMENT_DTYPE)
        self._back_day[hit] = _TAKEN
        self._n_taken += len(hit)
        if 2 * self._n_taken > n:  # squeeze out the slots handed out
            live = np.flatnonzero(self._back_day[:n] != _TAKEN)
            m = len(live)
            self._back[:m], self._back_day[:m] = self._back.take(live), self._back_day.take(live)
            self._n_back, self._n_taken = m, 0
        return rows

    def take(self, day: int) -> np.ndarray:
        """Remove and return the rows arriving on ``day`` (orders and transfers first)."""
        chunks = self._by_day.pop(day, [])
        if day in self._back_days:
            chunks.append(self._take_back(day))
        rows = chunks[0] if len(chunks) == 1 else _join(chunks)
        self._count(rows, np.subtract)
        return rows

    def fresh_days(self) -> list[int]:
        """Arrival days first used by returns or repairs since the last call: their filers
        (issues, QC) schedule nothing, so the twin asks here."""
        out, self._fresh = self._fresh, []
        return out

    def rows(self) -> np.ndarray:
        """A copy of every order and transfer under way (arrival days are not part of a
        row)."""
        return _join([c for day in sorted(self._by_day) for c in self._by_day[day]])

    def mark_recalled(self, lots: np.ndarray) -> list[tuple[int, np.ndarray]]:
        """Flag travelling units of ``lots`` as recalled; return (arrival day, rows) newly
        flagged."""
        hit = []
        for day, chunks in sorted(self._by_day.items()):
            for rows in chunks:
                sel = ((rows["flow"] == Flow.TRANSFER) & np.isin(rows["lot"], lots)
                       & ~rows["recalled"])
                if sel.any():
                    rows["recalled"] |= sel
                    hit.append((day, rows[sel]))
        return hit
