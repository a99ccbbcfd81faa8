"""Tryton servers on PostgreSQL (``erp_adapter.tryton.server.Postgres``): a saved database (a
``pg_dump`` archive) is restored into the PostgreSQL server once, and each Tryton server
gets its own copy of it, dropped with it. (SQLite servers: every ERP test starts some.)"""

from collections.abc import Callable

import psycopg
import pytest

from erp_adapter.credentials import Credentials
from erp_adapter.tryton.client import TrytonClient
from erp_adapter.tryton.server import Postgres, TrytonServer

pytestmark = pytest.mark.postgresql


def _databases(backend: Postgres) -> set[str]:
    with psycopg.connect(f"{backend.uri}postgres") as con:
        return {r[0] for r in con.execute("SELECT datname FROM pg_database")}


def test_each_server_gets_its_own_copy_of_an_archive_restored_once(
        start_server: Callable, tryton_template_pg, tryton_postgres: Postgres,
        erp_env: Credentials) -> None:
    first: TrytonServer = start_server(tryton_template_pg)
    restored = {n for n in _databases(tryton_postgres) if n.startswith("saved_")}
    second: TrytonServer = start_server(tryton_template_pg)
    names = _databases(tryton_postgres)
    assert {n for n in names if n.startswith("saved_")} == restored  # not restored again
    assert first.db_name != second.db_name and {first.db_name, second.db_name} <= names
    with TrytonClient(first.url, erp_env) as client:
        client.model("party.party").create([{"name": "only in the first"}])
    with TrytonClient(second.url, erp_env) as client:
        assert client.model("party.party").search_count([("name", "=", "only in the first")]) \
            == 0
    second.stop()
    tryton_postgres.drop(second.directory, second.database)
    assert second.db_name not in _databases(tryton_postgres)
