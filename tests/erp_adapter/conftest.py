"""Real Tryton servers for the ERP adapter tests.

The template database (all modules activated, ~1 min) is built once and cached in
``.cache/tryton`` at the repository root, keyed by the Tryton versions; the tiny network
seeded into it (with 14 days of demand history) is built once a day: its snapshot is
taken on the ERP's today, so the tests hold on any date (``erp_net`` and ``erp_day`` are
what the ERP holds; ``tiny_net`` is the file as written). Each test
that needs a server copies a ``.sqlite`` file into its own ``tmp_path`` and starts its own
``trytond`` on a free 127.0.0.1 port, so a test that kills its server affects no other.

The same on PostgreSQL (``*_pg``): the template and the seeded network are cached as
``pg_dump`` archives, restored into the session's server (the ``postgres`` fixture), and
each test's database is a copy of one of them. ``tryton_backend`` says which a test's
server (``seeded_erp``, ``tiny_erp``) runs on: ``sqlite``, unless a test module overrides
it with a fixture parametrized over both (the ``postgresql`` runs marked ``postgresql``).
"""

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from erp_adapter.credentials import Credentials
from erp_adapter.tryton.client import TrytonClient
from erp_adapter.tryton.seeded import SeededDatabase, ensure_seeded
from erp_adapter.tryton.server import SQLITE, Backend, Postgres, TrytonServer, ensure_template
from tests.postgres import LocalPostgres
from twin.domain import Network
from twin.network_files import load_network

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / ".cache" / "tryton"
TINY = REPO / "tests" / "data" / "tiny"
HISTORY_DAYS = 14
DOC_MODELS = ("stock.shipment.internal", "sale.sale", "purchase.purchase",
              "purchase.requisition", "purchase.request", "stock.order_point")


@dataclass(frozen=True)
class Template:
    """A ready saved database (a ``.sqlite`` file, a ``pg_dump`` archive) of ``backend``
    and the admin password it was built with."""

    db_file: Path
    password: str
    backend: Backend = SQLITE


@pytest.fixture(scope="session")
def tryton_template() -> Template:
    """Empty database with every module activated (cached across sessions)."""
    db_file, password = ensure_template(CACHE)
    return Template(db_file, password)


@pytest.fixture(scope="session")
def template_cache(tryton_template: Template) -> Path:
    """Where the template is cached (built)."""
    return CACHE


@pytest.fixture(scope="session")
def tiny_net() -> Network:
    return load_network(TINY)


@pytest.fixture(scope="session")
def seeded(tryton_template: Template, tiny_net: Network) -> SeededDatabase:
    """The tiny network seeded with its snapshot on the ERP's today and 14 days of history
    before it (cached in ``.cache/tryton`` for the day)."""
    return ensure_seeded(CACHE, tiny_net, HISTORY_DAYS)


@pytest.fixture(scope="session")
def seeded_tiny(seeded: SeededDatabase) -> Template:
    """The seeded database file and its admin password."""
    return Template(seeded.db_file, seeded.password)


@pytest.fixture(scope="session")
def erp_net(seeded: SeededDatabase) -> Network:
    """The tiny network as its seeded ERP holds it: the snapshot on the ERP's today."""
    return seeded.network


@pytest.fixture(scope="session")
def erp_day(erp_net: Network) -> dt.date:
    """The seeded ERP's snapshot date (its today): the date plans against it start on."""
    return erp_net.snapshot.as_of


@pytest.fixture(scope="session")
def tryton_postgres(postgres: LocalPostgres) -> Postgres:
    """Tryton's PostgreSQL backend on the session's PostgreSQL server."""
    return Postgres(postgres.url(""), postgres.bin)


@pytest.fixture(scope="session")
def tryton_template_pg(tryton_postgres: Postgres, tryton_template: Template) -> Template:
    """The template on PostgreSQL (~3 min to build, cached), with the SQLite template's
    admin password: one login (``erp_env``) serves both."""
    saved, password = ensure_template(CACHE, tryton_postgres, tryton_template.password)
    return Template(saved, password, tryton_postgres)


@pytest.fixture(scope="session")
def seeded_tiny_pg(tryton_template_pg: Template, tryton_postgres: Postgres, tiny_net: Network,
                   erp_net: Network) -> Template:
    """``seeded_tiny`` on PostgreSQL (seeded through the API, cached for the day)."""
    seeded = ensure_seeded(CACHE, tiny_net, HISTORY_DAYS, backend=tryton_postgres)
    if seeded.network != erp_net:
        pytest.fail("the ERP's day changed between seeding on SQLite and on PostgreSQL")
    return Template(seeded.db_file, seeded.password, tryton_postgres)


@pytest.fixture
def tryton_backend() -> str:
    """The backend of a test's Tryton (``seeded_erp``, ``tiny_erp``): ``sqlite``; a module
    overrides this fixture to run its tests on ``postgresql`` too."""
    return "sqlite"


@pytest.fixture
def seeded_erp(request: pytest.FixtureRequest, tryton_backend: str) -> Template:
    """The seeded tiny network on the test's backend."""
    name = {"sqlite": "seeded_tiny", "postgresql": "seeded_tiny_pg"}[tryton_backend]
    return request.getfixturevalue(name)


@pytest.fixture
def erp_env(monkeypatch: pytest.MonkeyPatch, tryton_template: Template) -> Credentials:
    """Credentials in the environment, as the CLI reads them."""
    monkeypatch.delenv("MEDTWIN_ERP_SECRETS", raising=False)
    monkeypatch.setenv("MEDTWIN_ERP_USER", "admin")
    monkeypatch.setenv("MEDTWIN_ERP_PASSWORD", tryton_template.password)
    return Credentials("admin", tryton_template.password)


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[[Template], TrytonServer]]:
    """``start_server(template)`` → a running server on a private copy (on the template's
    backend); stopped and its database dropped after."""
    servers: list[TrytonServer] = []

    def start(template: Template) -> TrytonServer:
        server = TrytonServer.from_template(template.db_file, tmp_path / f"erp{len(servers)}",
                                            backend=template.backend)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()
        server.backend.drop(server.directory, server.database)


@pytest.fixture
def tiny_erp(start_server: Callable[[Template], TrytonServer], seeded_erp: Template,
             erp_env: Credentials) -> TrytonServer:
    """A running Tryton holding the seeded tiny network (on the test's backend);
    credentials in the environment."""
    return start_server(seeded_erp)


class Documents:
    """Looks at what an ERP holds, with the test credentials."""

    def __init__(self, credentials: Credentials):
        self.credentials = credentials

    def count(self, url: str) -> dict[str, int]:
        """How many records each document model holds."""
        with TrytonClient(url, self.credentials) as client:
            return {m: client.model(m).search_count([]) for m in DOC_MODELS}

    def keyed(self, url: str, keys: list[str]) -> dict[str, list[tuple[str, str]]]:
        """(model, state) of every document whose key field lists one of ``keys``."""
        out: dict[str, list[tuple[str, str]]] = {k: [] for k in keys}
        with TrytonClient(url, self.credentials) as client:
            for model, field in (("stock.shipment.internal", "reference"),
                                 ("sale.sale", "reference"), ("purchase.purchase", "reference"),
                                 ("purchase.requisition", "description")):
                for r in client.model(model).search_read([(field, "!=", None)],
                                                         [field, "state"]):
                    for token in r[field].split():
                        if token in out:
                            out[token].append((model, r["state"]))
        return out


@pytest.fixture
def docs(erp_env: Credentials) -> Documents:
    return Documents(erp_env)


@pytest.fixture(scope="session")
def history_days() -> int:
    return HISTORY_DAYS
