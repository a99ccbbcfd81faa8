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
from collections.abc import Iterator
from enum import IntEnum

import numpy as np
import pandas as pd
import pyarrow as pa

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
BATCH_ROWS = 250_000
"""Rows per record batch (and Parquet row group) of the readable ledger."""
SCHEMA = pa.schema([
    ("day", pa.int32()), ("date", pa.timestamp("ms")),
    ("kind", pa.dictionary(pa.int8(), pa.string())),
    ("warehouse", pa.dictionary(pa.int32(), pa.string())),
    ("item", pa.dictionary(pa.int32(), pa.string())), ("lot", pa.string()),
    ("expiry", pa.timestamp("ms")), ("quantity", pa.int64()), ("counterpart", pa.string()),
    ("reason", pa.dictionary(pa.int8(), pa.string())),
])
"""The readable ledger: day (from the start), date, kind, warehouse, item, lot, lot expiry
(date), units, counterpart (supplier, lane or hospital/department; "" when none), reason."""


Chunk = tuple[np.ndarray | np.generic, ...]
"""One recorded batch of rows, a column per :data:`COLUMNS`; a column that is one value for
the whole batch (the day, the kind, often the reason) is kept as that value."""


def _joined(chunks: list[Chunk]) -> tuple[np.ndarray, ...]:
    """Chunks of ledger columns as one tuple of full columns."""
    lengths = [len(c[2]) for c in chunks]  # pos is always an array
    out = []
    for col, dtype in zip(zip(*chunks, strict=True), _DTYPES, strict=True):
        if all(np.ndim(v) == 0 for v in col):
            out.append(np.repeat(np.asarray(col, dtype=dtype), lengths))
        elif len(col) == 1:
            out.append(col[0])
        else:
            out.append(np.concatenate([v if np.ndim(v) else np.full(n, v, dtype=dtype)
                                       for v, n in zip(col, lengths, strict=True)]))
    return tuple(out)


class Ledger:
    """Append-only ledger kept as column chunks (one chunk per recorded batch)."""

    def __init__(self, index: NetworkIndex):
        n_sup, n_lanes = len(index.suppliers), len(index.lanes)
        self.counterpart_names = index.suppliers + index.lanes + index.departments
        self._offset = {Kind.RECEIPT: 0, Kind.TRANSFER_OUT: n_sup, Kind.TRANSFER_IN: n_sup,
                        Kind.OPENING_IN_TRANSIT: n_sup, Kind.ISSUE: n_sup + n_lanes,
                        Kind.RETURN_IN: n_sup + n_lanes}
        self._chunks: list[Chunk] = []

    def record(self, day: int, kind: Kind, pos: np.ndarray, lot: np.ndarray, qty: np.ndarray,
               counterpart: np.ndarray | int = -1, reason: np.ndarray | int = Reason.NONE
               ) -> None:
        """Append rows; ``counterpart`` is a supplier, lane or department index per ``kind``."""
        self.append(day, kind, pos, lot, qty, counterpart + self.offset(kind), reason)

    def offset(self, kind: Kind) -> int:
        """What :meth:`record` adds to a counterpart index of ``kind`` to make its code."""
        return self._offset.get(kind, 0)

    def append(self, day: int, kind: np.ndarray | int, pos: np.ndarray, lot: np.ndarray,
               qty: np.ndarray, counterpart: np.ndarray | int, reason: np.ndarray | int
               ) -> None:
        """Append rows (of one kind or several), counterparts already coded
        (:meth:`offset`); a column given as one value is kept as that value."""
        if len(pos):
            self._chunks.append(tuple(
                v.astype(t) if isinstance(v, np.ndarray) and v.ndim else t(v) for v, t in zip(
                    (day, kind, pos, lot, qty, counterpart, reason), _DTYPES, strict=True)))

    def counterpart_index(self, kind: Kind, codes: np.ndarray) -> np.ndarray:
        """The supplier, lane or department indices of counterpart ``codes`` of ``kind``."""
        return codes - self.offset(kind)

    def columns(self) -> dict[str, np.ndarray]:
        """The whole ledger as arrays (kept consolidated in one chunk afterwards)."""
        if not self._chunks:
            return {c: np.zeros(0, dtype=t) for c, t in zip(COLUMNS, _DTYPES, strict=True)}
        if len(self._chunks) > 1 or any(np.ndim(v) == 0 for v in self._chunks[0]):
            self._chunks = [_joined(self._chunks)]
        return dict(zip(COLUMNS, self._chunks[0], strict=True))

    def _groups(self, rows: int) -> Iterator[dict[str, np.ndarray]]:
        """The ledger's columns in consecutive groups of ``rows`` rows (the last one the
        rest; at least one group), each joined from the recorded chunks on its own, so
        that the whole ledger is never copied at once."""
        buf: list[Chunk] = []
        size, sent = 0, False
        for chunk in self._chunks:
            buf.append(chunk)
            size += len(chunk[2])
            while size >= rows:
                cols = _joined(buf)
                yield dict(zip(COLUMNS, (c[:rows] for c in cols), strict=True))
                buf, size, sent = [tuple(c[rows:] for c in cols)], size - rows, True
        if size or not sent:
            yield dict(zip(COLUMNS, _joined(buf) if buf else
                           tuple(np.zeros(0, dtype=t) for t in _DTYPES), strict=True))

    def batches(self, index: NetworkIndex, lot_names: list[str], lot_expiry: np.ndarray,
                start: dt.date, rows: int = BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        """The readable ledger (:data:`SCHEMA`) in record batches of at most ``rows`` rows,
        straight from the column arrays: names are dictionary-encoded (kind, warehouse,
        item, reason) or taken per batch (lot, counterpart), so no batch holds more than
        ``rows`` strings."""
        cat = {"kind": pa.array(KIND_NAMES), "warehouse": pa.array(index.warehouses),
               "item": pa.array(index.items), "reason": pa.array(REASON_NAMES)}
        lots = pa.array(lot_names, pa.string())
        names = pa.array((*self.counterpart_names, ""), pa.string())
        ms_per_day = np.int64(86_400_000)
        day0 = np.datetime64(start, "ms").astype(np.int64)
        for part in self._groups(rows):
            cp = part["counterpart"]
            yield pa.RecordBatch.from_arrays([
                pa.array(part["day"]),
                pa.array(day0 + part["day"].astype(np.int64) * ms_per_day, pa.timestamp("ms")),
                pa.DictionaryArray.from_arrays(part["kind"], cat["kind"]),
                pa.DictionaryArray.from_arrays((part["pos"] // index.n_items).astype(np.int32),
                                               cat["warehouse"]),
                pa.DictionaryArray.from_arrays((part["pos"] % index.n_items).astype(np.int32),
                                               cat["item"]),
                lots.take(pa.array(part["lot"])),
                pa.array(day0 + lot_expiry[part["lot"]].astype(np.int64) * ms_per_day,
                         pa.timestamp("ms")),
                pa.array(part["qty"]),
                names.take(pa.array(np.where(cp < 0, len(names) - 1, cp))),
                pa.DictionaryArray.from_arrays(part["reason"], cat["reason"]),
            ], schema=SCHEMA)

    def to_frame(self, index: NetworkIndex, lot_names: list[str], lot_expiry: np.ndarray,
                 start: dt.date) -> pd.DataFrame:
        """Readable ledger (:meth:`batches` as one frame): day, date, kind, warehouse, item,
        lot, expiry (date), quantity, counterpart, reason."""
        return pa.Table.from_batches(self.batches(index, lot_names, lot_expiry, start),
                                     SCHEMA).to_pandas()
