"""Data-quality alerts: a Tryton seeded with the tiny network, then given one defect of each
kind, is pulled; every defect is listed with its record, severity and what the pull did,
and the critical ones block auto-approval."""

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from erp_adapter.credentials import Credentials
from erp_adapter.flatfile import FlatFileAdapter
from erp_adapter.tryton.adapter import TrytonAdapter
from erp_adapter.tryton.client import TrytonClient
from erp_adapter.tryton.mapping import load_sites
from erp_adapter.tryton.rows import SqliteRows
from erp_adapter.tryton.seeded import SeededDatabase
from erp_adapter.tryton.server import TrytonServer
from medtwin.cli import main
from medtwin.nightly.config import StressSettings
from medtwin.store.rules import ApprovalRules, gate
from scenarios.evidence import KpiStat, ScenarioKpis, StressEvidence
from scenarios.library import Library
from scenarios.stress import StressRun, stress_plan
from twin.domain import Alert, Network, Plan, Snapshot
from twin.domain.alerts import ordered
from twin.problems import InputError

pytestmark = [pytest.mark.slow, pytest.mark.date_sensitive]  # a real Tryton; a year ahead too


@dataclass(frozen=True)
class Defects:
    """The running ERP with its defects, and the ``stock.lot`` ids they were put on."""

    server: TrytonServer
    credentials: Credentials
    net: Network
    lots: dict[str, int]  # defect name → stock.lot id
    products: dict[str, int]  # item → product id
    dup_lot: str  # the lot number given twice
    serial: str  # the serial number given twice


@pytest.fixture(scope="module")
def defects(seeded: SeededDatabase, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[Defects]:
    """One seeded tiny network with one defect of each kind written into it: new lots and
    their stock moves (copies of an opening move, written into the server's SQLite file
    while it is idle: Tryton's API refuses negative and fractional stock), units counted
    to 0.01, a product in kilograms, an item whose supplier offers are deleted."""
    net, creds = seeded.network, Credentials("admin", seeded.password)
    server = TrytonServer.from_template(seeded.db_file, tmp_path_factory.mktemp("dq-erp"))
    server.start()
    as_of = net.snapshot.as_of
    trop = next(lp for lp in net.snapshot.lots
                if lp.item == "IVD-TROP-100" and lp.warehouse == "WH-SH"
                and lp.status == "available")
    stent = next(lp for lp in net.snapshot.lots
                 if lp.item == "STENT-DES-30" and lp.warehouse == "WH-SH"
                 and lp.status == "available")
    with TrytonClient(server.url, creds) as client:
        sites = load_sites(client)
        lost_found = client.model("stock.location").search([("type", "=", "lost_found")])[0]
        new = {  # name: (item, number, expiry, from, to, quantity)
            "negative": ("INF-SET-STD", "NEG-1", as_of + dt.timedelta(days=300),
                         sites.storage["WH-HZ"], lost_found, 5.0),
            "fractional": ("IVD-TROP-100", "FRAC-1", as_of + dt.timedelta(days=100),
                           lost_found, sites.storage["WH-SH"], 7.5),
            "expired": ("IVD-TROP-100", "EXP-1", as_of - dt.timedelta(days=10),
                        lost_found, sites.storage["WH-SH"], 4.0),
            "region": ("INF-SET-STD", "REG-1", as_of + dt.timedelta(days=300),
                       lost_found, sites.storage["WH-GZ"], 20.0),
            "dup_lot": ("IVD-TROP-100", trop.lot, trop.expiry + dt.timedelta(days=30),
                        lost_found, sites.storage["WH-SH"], 3.0),
            "dup_serial": ("STENT-DES-30", stent.lot, stent.expiry,
                           lost_found, sites.storage["WH-HZ"], 1.0),
        }
        ids = client.model("stock.lot").create([
            {"number": number, "product": sites.product[item], "expiration_date": expiry,
             "shelf_life_expiration_date": expiry}
            for item, number, expiry, *_ in new.values()])
        lots = dict(zip(new, ids, strict=True))
        offers = client.model("purchase.product_supplier").search(
            [("product", "=", sites.product["IVD-TROP-100"])])
        client.model("purchase.product_supplier").delete(offers)
        kg = client.model("product.uom").search([("symbol", "=", "kg")])[0]
        stent_template = client.model("product.product").read(
            [sites.product["STENT-DES-30"]], ["template"])[0]["template"]
    with SqliteRows(server.db_file).transaction() as w:
        proto = w.con.execute("SELECT id FROM stock_move WHERE from_location = ? AND "
                              "state = 'done' ORDER BY id LIMIT 1", (lost_found,)).fetchone()[0]
        w.clone("stock_move", proto, [
            {"product": sites.product[item], "lot": lots[name], "quantity": qty,
             "internal_quantity": qty, "from_location": src, "to_location": dst,
             "company": sites.org_company["SUB-S" if dst == sites.storage["WH-GZ"]
                                          else "GRP"]}
            for name, (item, _, _, src, dst, qty) in new.items()])
        w.con.execute("UPDATE product_template SET default_uom = ? WHERE id = ?",
                      (kg, stent_template))
        # Tryton rounds stock to its unit's rounding: fractional stock shows only when the
        # unit allows fractions
        w.con.execute("UPDATE product_uom SET rounding = 0.01, digits = 2 WHERE symbol = 'u'")
    yield Defects(server, creds, net, lots, dict(sites.product), trop.lot, stent.lot)
    server.stop()


@pytest.fixture(scope="module")
def pulled(defects: Defects) -> tuple[Snapshot, list[Alert]]:
    """The snapshot pulled from the defective ERP and the pull's alerts."""
    with TrytonAdapter(defects.server.url, defects.net, defects.credentials) as adapter:
        snap = adapter.pull_snapshot(defects.net.snapshot.as_of)
        return snap, adapter.alerts


def test_each_defect_is_listed_with_its_record_severity_and_action(
        defects: Defects, pulled: tuple[Snapshot, list[Alert]]) -> None:
    snap, alerts = pulled
    lot = {name: f"stock.lot,{i}" for name, i in defects.lots.items()}
    found = {(a.kind, a.severity, a.record, a.item, a.warehouse, a.lot, a.action)
             for a in alerts}
    assert ("negative_stock", "critical", lot["negative"], "INF-SET-STD", "WH-HZ", "NEG-1",
            "left out of the snapshot") in found
    assert ("fractional_stock", "warning", lot["fractional"], "IVD-TROP-100", "WH-SH",
            "FRAC-1", "floored to 7 units") in found
    assert ("expired_available", "critical", lot["expired"], "IVD-TROP-100", "WH-SH",
            "EXP-1", "quarantined in the snapshot: never issued") in found
    assert ("unregistered_region", "critical", lot["region"], "INF-SET-STD", "WH-GZ",
            "REG-1", "quarantined in the snapshot: never issued or moved by the plan") in found
    by_kind = {a.kind: a for a in alerts if a.kind in ("duplicate_lot", "duplicate_serial",
                                                       "unit_mismatch",
                                                       "lot_without_supplier")}
    dup = by_kind["duplicate_lot"]
    assert (dup.severity, dup.lot, dup.item) == ("warning", defects.dup_lot, "IVD-TROP-100")
    assert lot["dup_lot"] in dup.record.split() and len(dup.record.split()) == 2
    serial = by_kind["duplicate_serial"]
    assert (serial.severity, serial.lot) == ("critical", defects.serial)
    assert "2 units on hand (at WH-HZ, WH-SH)" in serial.message
    unit = by_kind["unit_mismatch"]
    assert (unit.severity, unit.record, unit.item) == (
        "critical", f"product.product,{defects.products['STENT-DES-30']}", "STENT-DES-30")
    assert "'kg'" in unit.message
    nosup = by_kind["lot_without_supplier"]
    assert (nosup.severity, nosup.item, nosup.action) == ("warning", "IVD-TROP-100", "kept")
    assert len(alerts) == 8

    # what the pull did to the snapshot is what the alerts say
    pos = {(lp.warehouse, lp.item, lp.lot): lp for lp in snap.lots}
    assert ("WH-HZ", "INF-SET-STD", "NEG-1") not in pos
    assert pos[("WH-SH", "IVD-TROP-100", "FRAC-1")].quantity == 7
    assert pos[("WH-SH", "IVD-TROP-100", "EXP-1")].status == "quarantine"
    assert pos[("WH-GZ", "INF-SET-STD", "REG-1")].status == "quarantine"
    assert not [lp for lp in snap.lots if lp.item == "STENT-DES-30"]
    seeded = next(lp for lp in defects.net.snapshot.lots if lp.lot == defects.dup_lot
                  and lp.warehouse == "WH-SH" and lp.status == "available")
    merged = pos[("WH-SH", "IVD-TROP-100", defects.dup_lot)]
    assert (merged.quantity, merged.expiry) == (seeded.quantity + 3, seeded.expiry)


def _evidence(alerts: list[Alert]) -> StressEvidence:
    fine = {"fill_rate_critical": KpiStat(mean=1.0, lower=1.0),
            **{k: KpiStat(mean=10.0) for k in ("holding_cost", "transport_cost",
                                               "purchase_cost", "transfer_cost")}}
    return StressEvidence(scenarios=[ScenarioKpis(scenario="baseline", kpis=fine)],
                          data_quality=alerts)


def test_critical_alerts_block_the_gate_which_names_each(
        pulled: tuple[Snapshot, list[Alert]]) -> None:
    _, alerts = pulled
    outcomes = {o.rule: o for o in gate(ApprovalRules(), _evidence(alerts), None)}
    verdict = outcomes["block_critical_alerts"]
    assert not verdict.passed and verdict.why.startswith("5 critical data-quality alerts")
    for a in alerts:
        assert (str(a) in verdict.why) == (a.severity == "critical")
    assert outcomes["min_critical_fill_rate"].passed  # the alerts alone block it
    warnings_only = [a for a in alerts if a.severity != "critical"]
    assert all(o.passed for o in gate(ApprovalRules(), _evidence(warnings_only), None))
    off = ApprovalRules(block_critical_alerts=False)
    assert all(o.passed for o in gate(off, _evidence(alerts), None))


def test_erp_pull_prints_the_alerts_and_the_folder_carries_them(
        defects: Defects, pulled: tuple[Snapshot, list[Alert]], tmp_path: Path,
        tiny_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDTWIN_ERP_USER", "admin")
    monkeypatch.setenv("MEDTWIN_ERP_PASSWORD", defects.credentials.password)
    monkeypatch.delenv("MEDTWIN_ERP_SECRETS", raising=False)
    out = tmp_path / "pulled"
    result = CliRunner().invoke(main, [
        "erp", "pull", "--erp", defects.server.url, "--out", str(out), "--network",
        str(tiny_dir), "--as-of", defects.net.snapshot.as_of.isoformat()])
    assert result.exit_code == 0, result.output
    assert "8 data-quality alerts (5 critical: they block auto-approval)" in result.output
    assert "CRITICAL negative_stock [stock.lot," in result.output
    with FlatFileAdapter(out, defects.net) as folder:
        folder.pull_snapshot()
        assert folder.alerts == ordered(pulled[1])


def test_a_bad_alerts_file_names_file_and_field(tmp_path: Path, tiny_net: Network) -> None:
    from erp_adapter.flatfile import read_alerts

    (tmp_path / "alerts.yaml").write_text(
        "alerts:\n  - {kind: negative_stock, severity: info, record: 'stock.lot,1', "
        "message: m, action: a}\n")
    with pytest.raises(InputError) as err:
        read_alerts(tmp_path)
    assert f"{tmp_path / 'alerts.yaml'}: alerts[0]" in str(err.value)
    assert "a negative_stock alert is critical, not info" in str(err.value)


def _stress_without_report(net: Network, plan: Plan, settings: StressSettings,
                           out: Path) -> StressEvidence:
    """The nightly's stress step without its HTML report (seconds of Bokeh here)."""
    chosen = Library(settings.library).resolve_all(settings.scenarios, net)
    return stress_plan(net, plan, StressRun(chosen, reps=settings.reps, days=settings.days,
                                            seed=settings.seed, report=False), out)


def test_the_nightly_lists_them_in_the_morning_summary_and_waits(
        defects: Defects, pulled: tuple[Snapshot, list[Alert]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Fill and cost rules lax enough to pass: only the alerts keep the plan waiting."""
    from medtwin.nightly.pipeline import Nightly
    from medtwin.nightly.summary import Outcome
    from medtwin.store import PlanStore, Status, open_store
    from tests.medtwin.nightly.test_pipeline import _config

    cfg = _config(tmp_path, defects.server.url, monkeypatch,
                  ApprovalRules(min_critical_fill_rate=0.0, max_cost_increase=None))
    cfg = cfg.model_copy(update={"stress": cfg.stress.model_copy(
        update={"scenarios": ["baseline"], "reps": 2, "days": 7})})
    report = Nightly(cfg, _stress_without_report, credentials=defects.credentials,
                     sleep=lambda s: None).run()
    assert report.outcome == Outcome.WAITING, report.markdown()
    verdicts = {r.rule: r for r in report.rules}
    assert [r for r, v in verdicts.items() if not v.passed] == ["block_critical_alerts"]
    critical = [a for a in pulled[1] if a.severity == "critical"]
    assert all(str(a) in verdicts["block_critical_alerts"].why for a in critical)
    summary = Path(report.files["morning summary"]).read_text()
    assert "## Data quality (5 critical, " in summary
    for a in pulled[1]:
        assert f"| {a.severity} | {a.kind} | {a.record} |" in summary
    # the anomaly checks add warnings only if the sampled history has an outlier
    assert {(a.kind, a.record) for a in pulled[1]} <= {(a.kind, a.record) for a in report.alerts}
    assert {a.kind for a in report.alerts[len(pulled[1]):]} <= {"demand_outlier",
                                                                "lead_time_outlier"}
    store = PlanStore(open_store(cfg.store))
    assert store.info(report.plan_id).status == Status.STRESS_TESTED
    recorded = [Alert.model_validate(a) for a in store.evidence(report.plan_id)["data_quality"]]
    assert recorded == report.alerts
    written = json.loads(Path(report.files["data-quality alerts"]).read_text())
    assert [Alert.model_validate(a) for a in written] == report.alerts
