"""The nightly pipeline end to end against a real Tryton (the seeded tiny network)."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from erp_adapter.credentials import Credentials
from erp_adapter.tryton.client import TrytonClient
from erp_adapter.tryton.seeded import start_seeded
from erp_adapter.tryton.server import TrytonServer
from medtwin.nightly.config import NightlyConfig, RetrySettings, StressSettings
from medtwin.nightly.pipeline import Nightly, stress_with_scenarios
from medtwin.nightly.summary import Outcome
from medtwin.store import PlanStore, Status, open_store
from medtwin.store.rules import ApprovalRules
from twin.network_files import load_network

pytestmark = [pytest.mark.slow, pytest.mark.date_sensitive]  # a real Tryton; a year ahead too

REPO = Path(__file__).resolve().parents[3]
TINY = REPO / "tests" / "data" / "tiny"
CACHE = REPO / ".cache" / "tryton"
HISTORY = 14
DOC_MODELS = ("stock.shipment.internal", "sale.sale", "purchase.purchase",
              "purchase.requisition", "stock.order_point")
LIBRARY = {"baseline": "description: as configured\n",
           "surge": "description: east +50 %\nevents:\n  - {kind: demand_multiplier, "
                    "region: east, factor: 1.5, start: 0, end: 10}\n",
           "drought": "events:\n"
                      "  - {kind: supplier_disruption, supplier: SUP-MED, outage: true, "
                      "start: 0, end: 60}\n"
                      "  - {kind: demand_multiplier, factor: 3.0, start: 0, end: 60}\n"}


@pytest.fixture
def erp(tmp_path: Path) -> Iterator[tuple[TrytonServer, str]]:
    """A running Tryton holding the seeded tiny network (a private copy)."""
    server, seeded = start_seeded(CACHE, load_network(TINY), HISTORY, tmp_path / "erp")
    server.start()
    yield server, seeded.password
    server.stop()


LAX = ApprovalRules(min_critical_fill_rate=0.5, max_cost_increase=None)


def _service(store_url: str, folder: Path, rules: ApprovalRules) -> Path:
    """Bootstrap the store (mia, this OS account), set ``rules``, add the nightly's service
    user; its token file (MEDTWIN_SECRETS)."""
    from medtwin.store import Role
    from medtwin.store.identity import os_account, write_token_file

    store = PlanStore(open_store(store_url))
    store.bootstrap("mia", os_account())
    store.set_rules("mia", rules)
    store.add_user("mia", "nightly", Role.SERVICE)
    token = folder / "nightly.secrets.yaml"
    write_token_file(token, store.issue_token("mia", "nightly"))
    return token


def _config(tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch,
            rules: ApprovalRules = LAX, **changes: object) -> NightlyConfig:
    library = tmp_path / "scenarios"
    library.mkdir(exist_ok=True)
    for name, text in LIBRARY.items():
        (library / f"{name}.yaml").write_text(text)
    base = NightlyConfig(
        network=str(TINY), erp=url, store=f"sqlite:///{tmp_path / 'store.db'}",
        out_dir=str(tmp_path / "out"), history_days=HISTORY, horizon_days=14,
        lock_file=str(tmp_path / "out" / "nightly.lock"),
        stress=StressSettings(scenarios=["baseline", "surge"], library=str(library), reps=3,
                              days=21),
        retry=RetrySettings(attempts=2, backoff_seconds=0))
    monkeypatch.setenv("MEDTWIN_SECRETS", str(_service(base.store, tmp_path, rules)))
    return base.model_copy(update=changes)


def _documents(url: str, password: str) -> dict[str, int]:
    with TrytonClient(url, Credentials("admin", password)) as client:
        return {m: client.model(m).search_count([]) for m in DOC_MODELS}


def test_whole_pipeline_publishes_and_a_rerun_sends_nothing(erp, tmp_path: Path,
                                                           monkeypatch) -> None:
    server, password = erp
    cfg = _config(tmp_path, server.url, monkeypatch)
    before = _documents(server.url, password)
    report = Nightly(cfg, stress_with_scenarios, credentials=Credentials("admin", password),
                     sleep=lambda s: None).run()
    assert report.outcome == Outcome.PUBLISHED, report.markdown()
    # seeded on the ERP's today, pulled up to the end of it: the history found is every
    # seeded day (the ERP's today itself holds no demand yet)
    assert any(f"{HISTORY - 1} of {HISTORY} days of history found" in n
               for n in report.notes), report.notes
    store = PlanStore(open_store(cfg.store))
    info = store.info(report.plan_id)
    assert info.status == Status.PUBLISHED
    after = _documents(server.url, password)
    assert after != before and sum(report.published.values()) == info.lines
    summary = Path(report.files["morning summary"]).read_text()
    assert "published" in summary and "| surge |" in summary
    assert Path(report.files["report"]).read_text().startswith("<!DOCTYPE html>")
    evidence = store.evidence(report.plan_id)
    assert [s["scenario"] for s in evidence["scenarios"]] == ["baseline", "surge"]
    assert store.verify_audit().ok

    again = Nightly(cfg, stress_with_scenarios, credentials=Credentials("admin", password),
                    sleep=lambda s: None).run()
    assert again.outcome == Outcome.PUBLISHED
    assert any("nothing sent again" in n for n in again.notes)
    assert _documents(server.url, password) == after


def test_plan_waits_for_a_manager_when_a_rule_fails(erp, tmp_path: Path, monkeypatch) -> None:
    server, password = erp
    cfg = _config(tmp_path, server.url, monkeypatch,
                  ApprovalRules(min_critical_fill_rate=0.99, max_cost_increase=None))
    cfg = cfg.model_copy(update={"stress": cfg.stress.model_copy(
        update={"scenarios": ["baseline", "drought"]})})
    before = _documents(server.url, password)
    report = Nightly(cfg, stress_with_scenarios,
                     credentials=Credentials("admin", password)).run()
    assert report.outcome == Outcome.WAITING, report.markdown()
    assert any(not r.passed for r in report.rules)
    assert "waits for a manager" in report.markdown()
    assert _documents(server.url, password) == before


def test_erp_outage_before_publish_fails_and_nothing_is_half_published(
        erp, tmp_path: Path, monkeypatch) -> None:
    server, password = erp
    cfg = _config(tmp_path, server.url, monkeypatch)

    def stress_then_outage(*args: object) -> dict:
        found = stress_with_scenarios(*args)  # type: ignore[arg-type]
        server.kill()                          # the ERP goes down mid-run
        return found

    report = Nightly(cfg, stress_then_outage, credentials=Credentials("admin", password),
                     sleep=lambda s: None).run()
    assert report.outcome == Outcome.FAILED, report.markdown()
    store = PlanStore(open_store(cfg.store))
    assert store.info(report.plan_id).status == Status.APPROVED
    assert not [r for r in store.audit_rows(report.plan_id) if r.action == "erp_document"]
    server.start()
    resumed = Nightly(cfg, stress_with_scenarios, credentials=Credentials("admin", password),
                      sleep=lambda s: None).run()
    assert resumed.outcome == Outcome.PUBLISHED, resumed.markdown()
    assert store.info(report.plan_id).status == Status.PUBLISHED


def test_two_concurrent_runs_publish_exactly_once(erp, tmp_path: Path, monkeypatch) -> None:
    server, password = erp
    cfg = _config(tmp_path, server.url, monkeypatch)
    config = tmp_path / "nightly.yaml"
    config.write_text(json.dumps(json.loads(cfg.model_dump_json())))
    env = {**os.environ, "MEDTWIN_ERP_USER": "admin", "MEDTWIN_ERP_PASSWORD": password}
    env.pop("MEDTWIN_ERP_SECRETS", None)
    procs = [subprocess.Popen([sys.executable, "-m", "medtwin", "nightly", "--config",
                               str(config)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=600)[0] for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes in ([0, 12], [0, 0]), outputs
    store = PlanStore(open_store(cfg.store))
    plan_id = store.plans()[0].id
    published = [r for r in store.audit_rows(plan_id) if r.action == "status:published"]
    assert len(published) == 1, outputs
    documents = [r for r in store.audit_rows(plan_id) if r.action == "erp_document"]
    pairs = [(json.loads(r.payload)["line"], json.loads(r.payload)["model"]) for r in documents]
    assert documents and len(pairs) == len(set(pairs))
