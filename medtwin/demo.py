"""The README's main job: the nightly pipeline on the bundled reference network against a
local Tryton that the demo sets up itself (template and seeded database cached in
``.cache/tryton``; the first run of a day seeds, later runs reuse the cache)."""

import logging
import shutil
from pathlib import Path

from erp_adapter.credentials import Credentials
from erp_adapter.tryton.seeded import ensure_seeded
from erp_adapter.tryton.server import TrytonServer, copy_database
from medtwin.nightly.config import NightlyConfig, StressSettings
from medtwin.nightly.pipeline import Nightly, StressStep
from medtwin.nightly.summary import NightlyReport
from medtwin.store import PlanStore, open_store
from medtwin.store.accounts import AUTO_USER, USER_NAME
from medtwin.store.identity import os_account
from scenarios.evidence import StressEvidence
from scenarios.library import Library
from twin.atomic import write_atomic
from twin.domain import Network, Plan
from twin.network_files import load_network

log = logging.getLogger(__name__)


def run_demo(out: Path, stress: StressStep, *, network: str = "reference",
             history_days: int = 14, cache: Path = Path(".cache") / "tryton",
             reps: int = 4, days: int = 60) -> NightlyReport:
    """Start a local Tryton under ``out/erp`` holding ``network`` seeded on the ERP's today
    (copied from the cache, which seeds it on the first run of the day), run the nightly
    pipeline against it with its store and outputs under ``out``, stop the server; the
    run's report. The ERP and the plan store of an earlier run the same day are kept, so
    that they stay in step; those of an earlier day are replaced."""
    net = load_network(network)
    cache, out = cache.resolve(), out.resolve()
    erp, store = out / "erp", out / "medtwin.db"
    seeded = ensure_seeded(cache, net, history_days)
    marker = erp / "seeded-from"
    if not (marker.exists() and marker.read_text(encoding="utf-8") == seeded.key):
        if marker.exists() or store.exists():
            log.warning("the demo ERP and plan store in %s were seeded on another day: "
                        "starting afresh from %s", out, seeded.network.snapshot.as_of)
        shutil.rmtree(erp, ignore_errors=True)
        for kept in (store, *store.parent.glob(store.name + ".*")):  # secrets, head, locks
            if kept.is_dir():
                shutil.rmtree(kept)
            else:
                kept.unlink(missing_ok=True)
        copy_database(seeded.db_file, erp / "medtwin.sqlite")
        write_atomic(marker, seeded.key)
    _bootstrap(f"sqlite:///{store}")
    server = TrytonServer(directory=erp, database="medtwin")
    cfg = NightlyConfig(
        network=network, erp=server.url, store=f"sqlite:///{store}",
        out_dir=str(out), history_days=history_days, lock_file=str(out / "nightly.lock"),
        stress=StressSettings(reps=reps, days=days))
    with server:
        log.info("local Tryton at %s", server.url)
        return Nightly(cfg, applicable_only(stress),
                       credentials=Credentials("admin", seeded.password)).run()


def applicable_only(stress: StressStep) -> StressStep:
    """``stress`` over the library scenarios that apply to the network it is handed — the
    nightly's, whose return rates are calibrated from the ERP's history, so a scenario that
    applies to the bundled network may not (``defect-wave``'s factors can push a model's
    rates above 1); the others are left out with a warning."""
    def step(net: Network, plan: Plan, settings: StressSettings, out: Path) -> StressEvidence:
        chosen = settings.model_copy(update={"scenarios": _applicable_scenarios(net)})
        return stress(net, plan, chosen, out)
    return step


def _bootstrap(url: str) -> None:
    """Make whoever runs the demo the first manager of its new store (the nightly then
    acts as them); a store that has users is left as it is."""
    store = PlanStore(open_store(url))
    if store.users():
        return
    account = os_account()
    name = account if USER_NAME.fullmatch(account) and account != AUTO_USER else "manager"
    store.bootstrap(name, account)
    log.info("demo: %s is the plan store's first manager (OS account %s)", name, account)


def _applicable_scenarios(net: Network) -> list[str]:
    """The library scenarios that apply to ``net``; the others are left out with a warning."""
    found, skipped = Library().applicable(net)
    for name, why in skipped.items():
        log.warning("demo: scenario %s does not apply to %s, left out: %s", name, net.name, why)
    return found
