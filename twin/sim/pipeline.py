"""Shipments under way: purchase orders on order and transfers in transit, filed by arrival day."""

from enum import IntEnum

import numpy as np


class Flow(IntEnum):
    """What a pipeline row is."""

    PURCHASE = 0
    TRANSFER = 1


SHIPMENT_DTYPE = np.dtype([
    ("flow", np.int8), ("pos", np.int32), ("lot", np.int32), ("expiry", np.int32),
    ("qty", np.int64), ("origin", np.int32), ("ordered", np.int32), ("excursion", np.bool_),
    ("recalled", np.bool_),
])
"""``pos``: destination position; ``origin``: supplier (purchase) or lane (transfer);
``lot``/``expiry``: the travelling lot (−1 / unused for a purchase, whose lot is made at
receipt); ``ordered``: order or ship day."""


def shipments(flow: Flow, pos: np.ndarray, qty: np.ndarray, origin: np.ndarray,
              ordered: int | np.ndarray, lot: np.ndarray | int = -1,
              expiry: np.ndarray | int = 0, excursion: np.ndarray | bool = False) -> np.ndarray:
    """A structured array of pipeline rows."""
    rows = np.zeros(len(pos), dtype=SHIPMENT_DTYPE)
    rows["flow"], rows["pos"], rows["qty"], rows["origin"] = flow, pos, qty, origin
    rows["ordered"], rows["lot"] = ordered, lot
    rows["expiry"], rows["excursion"] = expiry, excursion
    return rows


class Pipeline:
    """Rows by arrival day, with units on order and in transit per destination position."""

    def __init__(self, n_positions: int):
        self.n_positions = n_positions
        self._by_day: dict[int, list[np.ndarray]] = {}
        self.on_order = np.zeros(n_positions, dtype=np.int64)
        self.in_transit = np.zeros(n_positions, dtype=np.int64)

    def _count(self, rows: np.ndarray, sign: int) -> None:
        for flow, total in ((Flow.PURCHASE, self.on_order), (Flow.TRANSFER, self.in_transit)):
            sel = rows["flow"] == flow
            np.add.at(total, rows["pos"][sel], sign * rows["qty"][sel])

    def add(self, rows: np.ndarray, arrival: np.ndarray) -> list[int]:
        """File ``rows`` under their ``arrival`` days; return the days that were not used yet."""
        self._count(rows, +1)
        new = []
        for day in np.unique(arrival).tolist():
            if day not in self._by_day:
                self._by_day[day] = []
                new.append(day)
            self._by_day[day].append(rows[arrival == day])
        return new

    def take(self, day: int) -> np.ndarray:
        """Remove and return the rows arriving on ``day``."""
        chunks = self._by_day.pop(day, [])
        rows = np.concatenate(chunks) if chunks else np.zeros(0, dtype=SHIPMENT_DTYPE)
        self._count(rows, -1)
        return rows

    def rows(self) -> np.ndarray:
        """A copy of every row under way (arrival days are not part of a row)."""
        chunks = [c for day in sorted(self._by_day) for c in self._by_day[day]]
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype=SHIPMENT_DTYPE)

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
