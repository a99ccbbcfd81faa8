"""The README's main job: the nightly pipeline on the bundled reference network against a
local Tryton that the demo sets up itself (template and seeded database cached in
``.cache/tryton``; the first run takes several minutes, later runs reuse the cache)."""

import logging
from pathlib import Path

from erp_adapter.credentials import Credentials
from erp_adapter.tryton.seeded import ensure_seeded, start_seeded
from erp_adapter.tryton.server import TrytonServer
from medtwin.nightly.config import NightlyConfig, StressSettings
from medtwin.nightly.pipeline import Nightly, StressStep
from medtwin.nightly.summary import NightlyReport
from twin.network_files import load_network

log = logging.getLogger(__name__)


def run_demo(out: Path, stress: StressStep, *, network: str = "reference",
             history_days: int = 14, cache: Path = Path(".cache") / "tryton",
             reps: int = 4, days: int = 60) -> NightlyReport:
    """Start a local Tryton under ``out/erp`` (seeded on the first run, kept afterwards so
    that ERP and plan store stay in step), run the nightly pipeline against it with its
    store and outputs under ``out``, stop the server; the run's report."""
    net = load_network(network)
    cache, out = cache.resolve(), out.resolve()
    erp = out / "erp"
    if (erp / "medtwin.sqlite").exists():  # the local ERP of an earlier demo run: keep it
        _, password = ensure_seeded(cache, net, history_days)
        server = TrytonServer(directory=erp, database="medtwin")
    else:
        server, password = start_seeded(cache, net, history_days, erp)
    cfg = NightlyConfig(
        network=network, erp=server.url, store=f"sqlite:///{out / 'medtwin.db'}",
        out_dir=str(out), history_days=history_days, lock_file=str(out / "nightly.lock"),
        stress=StressSettings(reps=reps, days=days))
    with server:
        log.info("local Tryton at %s", server.url)
        return Nightly(cfg, stress, credentials=Credentials("admin", password)).run()
