"""The seeder's fast path writes what Tryton's API writes: the same network seeded both
ways gives two databases equal table by table, row by row and column by column
(timestamps of creation and last write aside)."""

import re
import sqlite3
from pathlib import Path

import pytest

from erp_adapter.credentials import Credentials
from erp_adapter.errors import ErpError
from erp_adapter.tryton.client import TrytonClient
from erp_adapter.tryton.rows import SqliteRows
from erp_adapter.tryton.seed import SeedReport, seed_network
from erp_adapter.tryton.server import TrytonServer

pytestmark = [pytest.mark.slow, pytest.mark.date_sensitive]

TIMESTAMPS = {"create_date", "write_date", "enqueued_at", "dequeued_at", "finished_at"}
# Per-connection state of the server, not data the seeder writes.
SESSION_TABLES = {"ir_session", "res_user_login_attempt", "ir_cache", "sqlite_sequence"}
# Tryton's nested-set index of locations: its order among siblings differs between two
# runs of the same API calls (it follows Python's set order).
INDEX_COLUMNS = {"left", "right"}
# Log entries are compared as a multiset: the API writes them batch by batch.
UNORDERED = {"ir_model_log"}
PORT = re.compile(r'"http_host":"127\.0\.0\.1:\d+"')  # queued tasks record the server's port


def _seed(template, net, tmp: Path, fast: bool) -> tuple[Path, SeedReport]:
    server = TrytonServer.from_template(template.db_file, tmp)
    with server, TrytonClient(server.url, Credentials("admin", template.password)) as client:
        rows = SqliteRows(server.db_file) if fast else None
        report = seed_network(client, net.rebased(client.today()), history_days=8, rows=rows)
    return server.db_file, report


def _tables(db_file: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(db_file)
    names = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    out = {}
    for name in names:
        if name in SESSION_TABLES:
            continue
        cur = con.execute(f'SELECT * FROM "{name}" ORDER BY 1')
        drop = TIMESTAMPS | INDEX_COLUMNS | ({"id"} if name in UNORDERED else set())
        keep = [i for i, d in enumerate(cur.description) if d[0] not in drop]
        rows = [tuple(PORT.sub("", v) if isinstance(v, str) else v for v in
                      (row[i] for i in keep)) for row in cur]
        out[name] = sorted(rows, key=repr) if name in UNORDERED else rows
    con.close()
    return out


def test_copied_rows_equal_what_the_api_writes(tryton_template, tiny_net, tmp_path):
    api_db, api_report = _seed(tryton_template, tiny_net, tmp_path / "api", fast=False)
    fast_db, fast_report = _seed(tryton_template, tiny_net, tmp_path / "fast", fast=True)
    assert fast_report.counts == api_report.counts
    assert api_report.counts["demand moves"] > 20
    api, fast = _tables(api_db), _tables(fast_db)
    assert api.keys() == fast.keys()
    differ = {t: (len(api[t]), len(fast[t])) for t in api if api[t] != fast[t]}
    assert not differ, f"tables that differ (rows via API, rows copied): {differ}"


def test_a_sequence_with_a_prefix_is_refused(tryton_template, tmp_path):
    db = tmp_path / "t.sqlite"
    db.write_bytes(tryton_template.db_file.read_bytes())
    with sqlite3.connect(db) as con:
        con.execute("UPDATE ir_sequence SET prefix = 'OUT/' WHERE name = 'Customer Shipment'")
    with pytest.raises(ErpError, match="prefix 'OUT/'"), \
            SqliteRows(db).transaction() as w:
        w.numbers("stock", "sequence_shipment_out", 1, "shipment_out_sequence", 3)
    with sqlite3.connect(db) as con:  # rolled back: no number taken
        assert con.execute("SELECT number_next_internal FROM ir_sequence "
                           "WHERE name = 'Customer Shipment'").fetchone() == (1,)
