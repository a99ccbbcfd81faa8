"""The lot-level movement ledger: the single source for traceability and stock KPIs.

Every change of a lot's quantity or status at a warehouse is one row: day, kind,
position (warehouse × item), lot, units, counterpart (supplier for receipts, lane for
transfers, department for issues) and reason. On-hand stock at a warehouse is
``opening + receipt + transfer_in + return_in + repair_in − transfer_out − repair_out − issue
− scrap``; in-transit stock is ``opening_in_transit + transfer_out − transfer_in``; stock out
for repair is ``opening_in_repair + repair_out − repair_in``. A ``return_in`` row (units a
department sends back, counterpart the department; reason unused / near_expiry / defective /
recall) brings issued units back on hand.
"""

import datetime as dt
from enum import IntEnum

import numpy as np
import pandas as pd

from twin.sim.index import NetworkIndex


class Kind(IntEnum):
    """Ledger row kinds."""

    OPENING = 0
    OPENING_IN_TRANSIT = 1
    RECEIPT = 2
    TRANSFER_OUT = 3
    TRANSFER_IN = 4
    ISSUE = 5
    SCRAP = 6
    QUARANTINE = 7
    RELEASE = 8
    RETURN_IN = 9
    REPAIR_OUT = 10
    REPAIR_IN = 11
    OPENING_IN_REPAIR = 12


class Reason(IntEnum):
    """Why a row happened ("" when self-evident)."""

    NONE = 0
    EXPIRED = 1
    QC_FAIL = 2
    EXCURSION = 3
    RECALL = 4
    QC = 5
    EMERGENCY = 6
    AVAILABLE = 7
    QUARANTINE = 8
    RESERVED = 9
    SUBSTITUTE = 10
    UNUSED = 11
    NEAR_EXPIRY = 12
    DEFECTIVE = 13
    RETURNED = 14


REASON_NAMES = tuple("" if r is Reason.NONE else r.name.lower() for r in Reason)
KIND_NAMES = tuple(k.name.lower() for k in Kind)
COLUMNS = ("day", "kind", "pos", "lot", "qty", "counterpart", "reason")
ON_HAND_SIGN = {"opening": 1, "receipt": 1, "transfer_in": 1, "return_in": 1,
                "repair_in": 1, "transfer_out": -1, "repair_out": -1, "issue": -1, "scrap": -1}
"""Change of on-hand units per ledger row kind (status changes move nothing)."""
_DTYPES = (np.int32, np.int8, np.int32, np.int32, np.int64, np.int32, np.int8)


def column(value: np.ndarray | int, n: int, dtype: type) -> np.ndarray:
    """A fresh array of length ``n`` from an array or a scalar."""
    return np.full(n, value, dtype=dtype) if np.ndim(value) == 0 else np.array(value, dtype=dtype)


class Ledger:
    """Append-only ledger kept as column chunks (one chunk per recorded batch)."""

    def __init__(self, index: NetworkIndex):
        n_sup, n_lanes = len(index.suppliers), len(index.lanes)
        self.counterpart_names = index.suppliers + index.lanes + index.departments
        self._offset = {Kind.RECEIPT: 0, Kind.TRANSFER_OUT: n_sup, Kind.TRANSFER_IN: n_sup,
                        Kind.OPENING_IN_TRANSIT: n_sup, Kind.ISSUE: n_sup + n_lanes,
                        Kind.RETURN_IN: n_sup + n_lanes}
        self._chunks: list[tuple[np.ndarray, ...]] = []

    def record(self, day: int, kind: Kind, pos: np.ndarray, lot: np.ndarray, qty: np.ndarray,
               counterpart: np.ndarray | int = -1, reason: np.ndarray | int = Reason.NONE
               ) -> None:
        """Append rows; ``counterpart`` is a supplier, lane or department index per ``kind``."""
        n = len(pos)
        if n == 0:
            return
        cp = np.broadcast_to(counterpart, n)
        if kind in self._offset:
            cp = cp + self._offset[kind]
        values = (day, kind, pos, lot, qty, cp, reason)
        self._chunks.append(tuple(column(v, n, t) for v, t in zip(values, _DTYPES, strict=True)))

    def counterpart_index(self, kind: Kind, codes: np.ndarray) -> np.ndarray:
        """The supplier, lane or department indices of counterpart ``codes`` of ``kind``."""
        return codes - self._offset.get(kind, 0)

    def columns(self) -> dict[str, np.ndarray]:
        """The whole ledger as arrays (kept consolidated in one chunk afterwards)."""
        if not self._chunks:
            return {c: np.zeros(0, dtype=t) for c, t in zip(COLUMNS, _DTYPES, strict=True)}
        if len(self._chunks) > 1:
            self._chunks = [tuple(np.concatenate(col) for col in zip(*self._chunks, strict=True))]
        return dict(zip(COLUMNS, self._chunks[0], strict=True))

    def to_frame(self, index: NetworkIndex, lot_names: list[str], lot_expiry: np.ndarray,
                 start: dt.date) -> pd.DataFrame:
        """Readable ledger: day, date, kind, warehouse, item, lot, expiry (date), quantity,
        counterpart, reason."""
        c = self.columns()
        names = np.asarray((*self.counterpart_names, ""), dtype=object)
        day0 = np.datetime64(start, "D")
        return pd.DataFrame({
            "day": c["day"],
            "date": day0 + c["day"].astype("timedelta64[D]"),
            "kind": pd.Categorical.from_codes(c["kind"], KIND_NAMES),
            "warehouse": pd.Categorical.from_codes(c["pos"] // index.n_items, index.warehouses),
            "item": pd.Categorical.from_codes(c["pos"] % index.n_items, index.items),
            "lot": np.asarray(lot_names, dtype=object)[c["lot"]],
            "expiry": day0 + lot_expiry[c["lot"]].astype("timedelta64[D]"),
            "quantity": c["qty"],
            "counterpart": names[c["counterpart"]],
            "reason": pd.Categorical.from_codes(c["reason"], REASON_NAMES),
        })
