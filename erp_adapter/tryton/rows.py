"""Copies of rows Tryton itself wrote, put straight into a local development server's
SQLite file — the seeder's fast path for bulk records.

Through the RPC API every stock move costs Tryton ~30 ms of server CPU (domain
validation, access checks and the workflow, per record), which made seeding the reference
network take minutes. For a database we own — the SQLite file of a ``trytond`` that
medtwin started (:mod:`erp_adapter.tryton.seeded`), never a production ERP — the seeder
writes the first record of each kind through the API (the *prototype*: Tryton computes
every column and runs the workflow) and copies the prototype's row for the others, with
the columns that differ between them changed, in one SQLite transaction while the server
is idle between two calls. Document numbers come from the same ``ir.sequence`` Tryton
numbers with, and the prototype's entries in Tryton's log (the buttons clicked, the
transitions) are copied for each copy. ``tests/erp_adapter/test_rows.py`` seeds a network
both ways and finds the two databases equal table by table, row by row, column by column
(timestamps, the server's port in queued tasks and the order of log entries aside).
"""

import datetime as dt
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from erp_adapter.errors import ErpError


def _adapt(value: Any) -> Any:
    """A Python value as Tryton's SQLite backend stores it (decimals as UTF-8 bytes,
    dates in ISO format)."""
    if isinstance(value, Decimal):
        return str(value).encode()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@dataclass
class RowWriter:
    """Writes into one open SQLite transaction (see :meth:`SqliteRows.transaction`)."""

    con: sqlite3.Connection

    def clone(self, table: str, proto_id: int, changes: Sequence[Mapping[str, Any]]
              ) -> list[int]:
        """Insert one copy of row ``proto_id`` of ``table`` per mapping in ``changes``,
        with the columns it names set to its values (and a new id); the new ids, in
        order."""
        cur = self.con.execute(f'SELECT * FROM "{table}" WHERE id = ?', (proto_id,))
        names = [d[0] for d in cur.description]
        proto = cur.fetchone()
        if proto is None:
            raise ErpError(f"no row {proto_id} in {table} to copy")
        unknown = set().union(*changes) - set(names) if changes else set()
        if unknown:
            raise ErpError(f"{table} has no columns {sorted(unknown)}")
        cols = [n for n in names if n != "id"]
        base = dict(zip(names, proto, strict=True))
        quoted = ", ".join(f'"{c}"' for c in cols)
        sql = f'INSERT INTO "{table}" ({quoted}) VALUES ({", ".join("?" * len(cols))})'
        ids = []
        for change in changes:
            row = {**base, **{k: _adapt(v) for k, v in change.items()}}
            ids.append(int(self.con.execute(sql, [row[c] for c in cols]).lastrowid or 0))
        return ids

    def copy_log(self, model: str, proto: int, ids: Sequence[int]) -> None:
        """Tryton's log entries of record ``proto`` of ``model`` (``ir.model.log``: the
        buttons clicked, the transitions), copied for each record of ``ids``."""
        logs = self.con.execute("SELECT id FROM ir_model_log WHERE resource = ? ORDER BY id",
                                (f"{model},{proto}",)).fetchall()
        for (log_id,) in logs:
            self.clone("ir_model_log", log_id, [{"resource": f"{model},{i}"} for i in ids])

    def cost_prices(self) -> dict[tuple[int, int], Decimal]:
        """Each product's cost price per company: ``{(product id, company id): price}``."""
        return {(p, c): Decimal(v.decode() if isinstance(v, bytes) else str(v))
                for p, c, v in self.con.execute(
                    "SELECT product, company, cost_price FROM product_cost_price "
                    "WHERE product IS NOT NULL")}

    def numbers(self, module: str, fs_id: str, company: int, config_column: str, n: int
                ) -> list[str]:
        """The next ``n`` numbers of the sequence Tryton numbers a document type with
        (the company's stock configuration's ``config_column``, else the module's default
        ``fs_id``), taken as ``ir.sequence`` would take them."""
        row = self.con.execute(
            f'SELECT "{config_column}" FROM stock_configuration_sequence '
            "WHERE company = ? OR company IS NULL ORDER BY company IS NULL", (company,)
        ).fetchone()
        seq = row[0] if row and row[0] else None
        if seq is None:
            found = self.con.execute(
                "SELECT db_id FROM ir_model_data WHERE module = ? AND fs_id = ?",
                (module, fs_id)).fetchone()
            if found is None:
                raise ErpError(f"no sequence {module}.{fs_id} in the database")
            seq = found[0]
        kind, prefix, suffix, padding, nxt, step = self.con.execute(
            "SELECT type, prefix, suffix, padding, number_next_internal, number_increment "
            "FROM ir_sequence WHERE id = ?", (seq,)).fetchone()
        if kind != "incremental" or prefix or suffix:
            raise ErpError(f"sequence {seq} is {kind} with prefix {prefix!r} and suffix "
                           f"{suffix!r}: only plain incremental sequences are copied")
        self.con.execute("UPDATE ir_sequence SET number_next_internal = ? WHERE id = ?",
                         (nxt + n * step, seq))
        return [str(nxt + k * step).zfill(padding or 0) for k in range(n)]


@dataclass(frozen=True)
class SqliteRows:
    """The SQLite file of a local ``trytond`` that medtwin started and owns."""

    db_file: Path

    @contextmanager
    def transaction(self) -> Iterator[RowWriter]:
        """One write transaction (``BEGIN IMMEDIATE``; committed when the block ends,
        rolled back if it raises). Open it only while the server is idle."""
        con = sqlite3.connect(self.db_file, isolation_level=None, timeout=60)
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield RowWriter(con)
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        finally:
            con.close()
