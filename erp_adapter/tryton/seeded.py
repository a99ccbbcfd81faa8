"""Seeded Tryton databases cached for the demo and the tests: a network's master data,
opening snapshot and history written once into a copy of the template and kept in the
cache.

The snapshot is seeded on the ERP's today (asked of a server started on the template),
so the history ends the day before the ERP's today whatever the calendar says, and the
open shipments and orders keep their timing relative to it (:meth:`Network.rebased`).
The cache key is the snapshot date, the hash of the network's content and of the seeder's
code, the history length, the sampling seed and the template fingerprint, so a new day, a
changed network or seeder or a new Tryton version seeds afresh; older seeded copies of
the same network are removed. On PostgreSQL (``backend``) the cached copy is a ``pg_dump``
archive, seeded through the API alone (the fast path of :mod:`~erp_adapter.tryton.rows`
writes SQLite files).
"""

import hashlib
import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from erp_adapter.credentials import Credentials
from erp_adapter.tryton import rows as rows_module
from erp_adapter.tryton import seed as seed_module
from erp_adapter.tryton.client import TrytonClient
from erp_adapter.tryton.rows import SqliteRows
from erp_adapter.tryton.seed import seed_network
from erp_adapter.tryton.server import (
    SQLITE,
    Backend,
    TrytonServer,
    ensure_template,
    file_lock,
    template_fingerprint,
)
from twin.domain import Network

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SeededDatabase:
    """A cached database (a saved database of its backend: a ``.sqlite`` file, a
    ``pg_dump`` archive), its admin password and the network as seeded (its snapshot on
    the ERP's today)."""

    db_file: Path
    password: str
    network: Network

    @property
    def key(self) -> str:
        """The cache entry's name (what a copy of this database was seeded from)."""
        return self.db_file.parent.name


def _key(net: Network, history_days: int, seed: int) -> str:
    content = hashlib.sha256(net.digest.encode())
    for module in (seed_module, rows_module):  # a changed seeder seeds afresh
        content.update(Path(module.__file__).read_bytes())
    return (f"seeded-{net.name}-{net.snapshot.as_of}-{content.hexdigest()[:16]}-"
            f"{history_days}d-{seed}-{template_fingerprint()}")


def _prune(cache_dir: Path, keep: str, net: Network) -> None:
    """Remove seeded copies of ``net`` for earlier snapshot dates than ``keep``'s (copies
    of the same day — other history lengths or seeds — stay: another run may use them)."""
    prefix = f"seeded-{net.name}-"
    day = keep[len(prefix):len(prefix) + 10]  # the ISO snapshot date after the prefix
    for old in cache_dir.glob(f"{prefix}*"):
        if old.is_dir() and old.name[len(prefix):len(prefix) + 10] < day:
            shutil.rmtree(old, ignore_errors=True)
            log.info("removed the stale seeded database %s", old.name)


def ensure_seeded(cache_dir: Path, net: Network, history_days: int, seed: int = 0,
                  backend: Backend = SQLITE) -> SeededDatabase:
    """``net`` seeded with ``history_days`` of demand into a cached database, its
    snapshot on the ERP's today; built on first use each day (minutes for the reference
    network), reused afterwards."""
    cache_dir = cache_dir.resolve()
    template, password = ensure_template(cache_dir, backend)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".seeding-") as work:
        server = TrytonServer.from_template(template, Path(work), backend=backend)
        try:
            with server, TrytonClient(server.url, Credentials("admin", password)) as client:
                today = client.today()
                seeded = net.rebased(today)
                key = _key(seeded, history_days, seed) + backend.tag
                target = cache_dir / key
                with file_lock(cache_dir / f".{key}.lock"):
                    if not (target / "ok").exists():
                        log.info("seeding %s into a Tryton database on %s as of %s (first "
                                 "run today)", net.name, backend.name, today)
                        rows = SqliteRows(server.db_file) if backend is SQLITE else None
                        report = seed_network(client, seeded, history_days=history_days,
                                              seed=seed, rows=rows)
                        log.info("seeded %s: %s", net.name, report)
                        client.logout()
                        server.stop()
                        shutil.rmtree(target, ignore_errors=True)
                        target.mkdir(parents=True)
                        backend.save(server.directory, server.database,
                                     target / f"medtwin{backend.suffix}")
                        (target / "ok").touch()
                        _prune(cache_dir, key, net)
        finally:
            backend.drop(server.directory, server.database)
    return SeededDatabase(target / f"medtwin{backend.suffix}", password, seeded)


def start_seeded(cache_dir: Path, net: Network, history_days: int, directory: Path,
                 seed: int = 0, backend: Backend = SQLITE
                 ) -> tuple[TrytonServer, SeededDatabase]:
    """A not-yet-started server on a private copy of the seeded database in
    ``directory``, and what it holds."""
    seeded = ensure_seeded(cache_dir, net, history_days, seed, backend)
    return TrytonServer.from_template(seeded.db_file, directory, backend=backend), seeded
