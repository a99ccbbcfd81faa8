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


def _join(chunks: list[np.ndarray]) -> np.ndarray:
    """Chunks of pipeline rows as one array (joined as raw bytes: numpy's concatenation of
    structured arrays re-checks the fields of every chunk, which costs more than the copy)."""
    if not chunks:
        return np.zeros(0, dtype=SHIPMENT_DTYPE)
    return np.concatenate([c.view(_RAW) for c in chunks]).view(SHIPMENT_DTYPE)


class Pipeline:
    """Rows by arrival day, with units on order, in transit and in repair per destination
    position (returns on their way back are counted nowhere: they left stock when issued).

    Orders and transfers (what policies see, :meth:`rows`) and returns and repairs are filed
    apart, so that a policy's view does not sift through the many small return shipments."""

    def __init__(self, n_positions: int):
        self.n_positions = n_positions
        self._by_day: dict[int, list[np.ndarray]] = {}
        self._back: dict[int, list[np.ndarray]] = {}
        self.on_order = np.zeros(n_positions, dtype=np.int64)
        self.in_transit = np.zeros(n_positions, dtype=np.int64)
        self.in_repair = np.zeros(n_positions, dtype=np.int64)
        self._fresh: list[int] = []  # days first used by returns or repairs, not handed out

    def _count(self, rows: np.ndarray, sign: int) -> None:
        if not len(rows):
            return
        for flow, total in ((Flow.PURCHASE, self.on_order), (Flow.TRANSFER, self.in_transit),
                            (Flow.REPAIR, self.in_repair)):
            sel = rows["flow"] == int(flow)
            np.add.at(total, rows["pos"][sel], sign * rows["qty"][sel])

    def add(self, rows: np.ndarray, arrival: np.ndarray) -> list[int]:
        """File ``rows`` under their ``arrival`` days; return the days that were not used yet."""
        self._count(rows, +1)
        new = []
        back = rows["flow"] >= int(Flow.RETURN)
        for shelf, sel in ((self._by_day, ~back), (self._back, back)):
            if not sel.any():
                continue
            part, when = rows[sel], arrival[sel]
            if (when == when[0]).all():  # one arrival day: one chunk
                chunks: Iterable[tuple[int, np.ndarray]] = [(int(when[0]), part)]
            else:
                order = np.argsort(when, kind="stable")
                part, when = part[order], when[order]
                days, first = np.unique(when, return_index=True)
                chunks = zip(days.tolist(), np.split(part, first[1:]), strict=True)
            for day, chunk in chunks:
                if day not in self._by_day and day not in self._back:
                    new.append(day)
                    if shelf is self._back:
                        self._fresh.append(day)
                shelf.setdefault(day, []).append(chunk)
        return new

    def take(self, day: int) -> np.ndarray:
        """Remove and return the rows arriving on ``day`` (orders and transfers first)."""
        rows = _join(self._by_day.pop(day, []) + self._back.pop(day, []))
        self._count(rows, -1)
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
