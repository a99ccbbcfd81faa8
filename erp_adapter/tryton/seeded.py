"""Seeded Tryton databases cached for the demo: a network's master data, opening snapshot
and history written once into a copy of the template and kept in the cache.

The cache key is the template fingerprint, the network's content hash, the history length
and the sampling seed, so a changed network or Tryton version seeds afresh.
"""

import hashlib
import logging
import shutil
from pathlib import Path

from erp_adapter.credentials import Credentials
from erp_adapter.tryton.client import TrytonClient
from erp_adapter.tryton.seed import seed_network
from erp_adapter.tryton.server import (
    TrytonServer,
    copy_database,
    ensure_template,
    file_lock,
    template_fingerprint,
)
from twin.domain import Network

log = logging.getLogger(__name__)


def ensure_seeded(cache_dir: Path, net: Network, history_days: int, seed: int = 0
                  ) -> tuple[Path, str]:
    """A cached ``.sqlite`` holding ``net`` seeded with ``history_days`` of demand, and the
    admin password; built on first use (minutes for the reference network)."""
    template, password = ensure_template(cache_dir)
    content = hashlib.sha256(net.model_dump_json(by_alias=True).encode()).hexdigest()[:16]
    key = f"seeded-{net.name}-{content}-{history_days}d-{seed}-{template_fingerprint()}"
    target = cache_dir / key
    with file_lock(cache_dir / f".{key}.lock"):
        if not (target / "ok").exists():
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            server = TrytonServer.from_template(template, target)
            log.info("seeding %s into a Tryton database (first run only)", net.name)
            with server, TrytonClient(server.url, Credentials("admin", password)) as client:
                report = seed_network(client, net, history_days=history_days, seed=seed)
            log.info("seeded %s: %s", net.name, report)
            (target / "ok").touch()
    return target / "medtwin.sqlite", password


def start_seeded(cache_dir: Path, net: Network, history_days: int, directory: Path
                 ) -> tuple[TrytonServer, str]:
    """A not-yet-started server on a private copy of the seeded database in
    ``directory``, and its admin password."""
    db_file, password = ensure_seeded(cache_dir, net, history_days)
    directory.mkdir(parents=True, exist_ok=True)
    copy_database(db_file, directory / "medtwin.sqlite")
    return TrytonServer(directory=directory, database="medtwin"), password
