"""Publishing plans to a real Tryton: documents by key, idempotence, dry run, status."""

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from erp_adapter.credentials import Credentials
from erp_adapter.tryton.adapter import TrytonAdapter
from erp_adapter.tryton.client import TrytonClient
from erp_adapter.tryton.server import TrytonServer
from medtwin.cli import main
from tests.medtwin.store.samples import approved_in_store
from twin.domain import Network, Plan, PurchaseAction, ReorderPointAction, TransferAction
from twin.domain.plan import action_key

pytestmark = [pytest.mark.slow, pytest.mark.date_sensitive]  # a real Tryton; a year ahead too


def every_kind_plan(day: dt.date) -> Plan:
    """Lines of every kind on the tiny network from ``day`` (the ERP's snapshot date)."""

    def transfer(source: str, target: str, item: str, lot: str | None, qty: int,
                 mode: str = "road") -> TransferAction:
        return TransferAction(key=action_key("transfer", source, target, mode, item, lot, day),
                              reason="test", **{"from": source, "to": target}, mode=mode,
                              item=item, lot=lot, quantity=qty, ship_date=day)

    return Plan(id="tiny-all", network="tiny", as_of=day, horizon_days=14,
                created=dt.datetime.combine(day, dt.time(), dt.UTC), actions=[
        transfer("WH-SH", "WH-HZ", "INF-SET-STD", "INF2601", 100),   # inside org GRP
        transfer("WH-SH", "WH-HZ", "STENT-DES-30", None, 2),         # FEFO at dispatch
        transfer("WH-SH", "WH-GZ", "IVD-TROP-100", "TROP2610A", 5),  # GRP → SUB-S
        PurchaseAction(key=action_key("purchase", "SUP-MED", "STENT-DES-30", "WH-SH"),
                       reason="test", supplier="SUP-MED", item="STENT-DES-30",
                       warehouse="WH-SH", quantity=20, order_date=day),
        PurchaseAction(key=action_key("purchase", "SUP-DX", "IVD-TROP-100", "WH-GZ"),
                       reason="test", supplier="SUP-DX", item="IVD-TROP-100",
                       warehouse="WH-GZ", quantity=40, order_date=day),
        ReorderPointAction(key=action_key("reorder_point", "WH-SH", "INF-SET-STD"),
                           reason="test", warehouse="WH-SH", item="INF-SET-STD",
                           reorder_point=600, order_up_to=1300),  # seeded as 500/1200
        ReorderPointAction(key=action_key("reorder_point", "WH-HZ", "STENT-DES-30"),
                           reason="test", warehouse="WH-HZ", item="STENT-DES-30",
                           reorder_point=5, order_up_to=12),  # new
    ])


def write_plan(tmp_path: Path, plan: Plan) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(plan.model_dump_json(by_alias=True, indent=2))
    return path


def test_every_kind_becomes_its_documents_once(tiny_erp: TrytonServer, erp_net: Network,
                                              erp_day: dt.date, erp_env: Credentials,
                                              docs) -> None:
    plan = every_kind_plan(erp_day)
    before = docs.count(tiny_erp.url)
    with TrytonAdapter(tiny_erp.url, erp_net) as adapter:
        first = adapter.publish(plan)
    assert [r.outcome for r in first] == ["created"] * 5 + ["updated", "created"]
    keyed = docs.keyed(tiny_erp.url, [a.key for a in plan.actions])
    t_inside, t_fefo, t_cross, p_med, p_dx, *_ = plan.actions
    assert keyed[t_inside.key] == [("stock.shipment.internal", "waiting")]
    assert keyed[t_fefo.key] == [("stock.shipment.internal", "waiting")]
    assert sorted(keyed[t_cross.key]) == [("purchase.purchase", "processing"),
                                          ("sale.sale", "processing")]
    assert keyed[p_med.key] == [("purchase.purchase", "processing")]
    assert keyed[p_dx.key] == [("purchase.purchase", "processing")]
    with TrytonClient(tiny_erp.url, erp_env) as client:
        ops = client.model("stock.order_point").search_read(
            [("product.code", "in", ["INF-SET-STD", "STENT-DES-30"])],
            ["location.code", "product.code", "min_quantity", "target_quantity", "company"])
        by = {(r["location."]["code"], r["product."]["code"]): (r["min_quantity"],
                                                                r["target_quantity"]) for r in ops}
        assert by[("WH-SH", "INF-SET-STD")] == (600, 1300)
        assert by[("WH-HZ", "STENT-DES-30")] == (5, 12)
        # the internal shipment runs through the transit location with the lot on its moves
        ship = client.model("stock.shipment.internal").search_read(
            [("reference", "like", f"%{t_inside.key}%")],
            ["reference", "moves", "planned_start_date", "planned_date"])
        assert ship[0]["reference"].split() == [t_inside.key, t_fefo.key]
        moves = client.model("stock.move").read(ship[0]["moves"], ["lot.number", "quantity",
                                                                   "product.code"])
        lots = {(m["product."]["code"], (m.get("lot.") or {}).get("number")) for m in moves}
        assert lots == {("INF-SET-STD", "INF2601"), ("STENT-DES-30", None)}
        assert ship[0]["planned_start_date"] == erp_day and ship[0]["planned_date"] == erp_day + \
            dt.timedelta(days=1)
        # the sale to the sister org is priced at cost plus the shipping org's mark-up
        sale = client.model("sale.sale").search_read(
            [("reference", "=", t_cross.key)], ["lines", "party.code", "company"])
        assert len(sale) == 1
        line = client.model("sale.line").read(sale[0]["lines"], ["unit_price", "quantity"])
        assert sale[0]["party."]["code"] == "SUB-S" and float(line[0]["unit_price"]) == 1260.0
    after_first = docs.count(tiny_erp.url)
    # the two transfers on the same lane and day travel in one shipment
    assert after_first["stock.shipment.internal"] == before["stock.shipment.internal"] + 1
    assert after_first["sale.sale"] == before["sale.sale"] + 1
    assert after_first["purchase.purchase"] == before["purchase.purchase"] + 3
    assert after_first["stock.order_point"] == before["stock.order_point"] + 1

    with TrytonAdapter(tiny_erp.url, erp_net) as adapter:
        second = adapter.publish(plan)
        status = adapter.status(plan)
    assert [r.outcome for r in second] == ["exists"] * 7
    assert docs.count(tiny_erp.url) == after_first
    assert [r.outcome for r in status] == ["processed"] * 5 + ["published"] * 2


def test_purchases_as_requisitions_make_purchase_requests(
        tiny_erp: TrytonServer, erp_net: Network, erp_day: dt.date, erp_env: Credentials,
        docs) -> None:
    plan = every_kind_plan(erp_day)
    purchases = plan.model_copy(update={"actions": plan.actions[3:5]})
    with TrytonAdapter(tiny_erp.url, erp_net, purchase_mode="requisition") as adapter:
        assert [r.outcome for r in adapter.publish(purchases)] == ["created"] * 2
        assert [r.outcome for r in adapter.publish(purchases)] == ["exists"] * 2
    keyed = docs.keyed(tiny_erp.url, [a.key for a in purchases.actions])
    assert all(v == [("purchase.requisition", "processing")] for v in keyed.values())
    with TrytonClient(tiny_erp.url, erp_env) as client:
        requests = client.model("purchase.request").search_read(
            [("origin", "like", "purchase.requisition.line,%")],
            ["product.code", "quantity", "party.code", "warehouse.code"])
    got = sorted((r["product."]["code"], r["quantity"], r["party."]["code"],
                  r["warehouse."]["code"]) for r in requests)
    assert got == [("IVD-TROP-100", 40, "SUP-DX", "WH-GZ"),
                   ("STENT-DES-30", 20, "SUP-MED", "WH-SH")]


def test_dry_run_lists_documents_and_writes_nothing(
        tiny_erp: TrytonServer, erp_day: dt.date, erp_net: Network, tiny_dir: Path,
        erp_env: Credentials, tmp_path: Path, docs) -> None:
    plan = every_kind_plan(erp_day)
    path = write_plan(tmp_path, plan)
    before = docs.count(tiny_erp.url)
    dry = CliRunner().invoke(main, ["publish", str(path), "--erp", tiny_erp.url, "--network",
                                    str(tiny_dir), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert docs.count(tiny_erp.url) == before
    assert dry.output.count(": would_create\n") == 6
    assert "6 would_create, 1 would_update" in dry.output
    assert "sale.sale (new) [to create] org GRP: sell 5 × IVD-TROP-100 lot TROP2610A" in dry.output
    assert "purchase.purchase (new) [to create] org SUB-S: buy 5 × IVD-TROP-100" in dry.output
    url, plan_id = approved_in_store(path, erp_net, tmp_path)
    real = CliRunner().invoke(main, ["plans", "publish", plan_id, "--store", url, "--erp",
                                     tiny_erp.url, "--network", str(tiny_dir), "--json"])
    assert real.exit_code == 0, real.output
    results = json.loads(real.stdout)
    assert {r["outcome"] for r in results} == {"created", "updated"}
    again = CliRunner().invoke(main, ["publish", str(path), "--erp", tiny_erp.url, "--network",
                                      str(tiny_dir), "--dry-run"])
    assert again.exit_code == 0 and "would_" not in again.output
    assert again.output.count(": exists") == 7
    assert "stock.shipment.internal 1 [waiting] org GRP" in again.output


def test_status_cli_reports_missing_then_published(
        tiny_erp: TrytonServer, erp_day: dt.date, erp_net: Network, tiny_dir: Path,
        erp_env: Credentials, tmp_path: Path) -> None:
    path = write_plan(tmp_path, every_kind_plan(erp_day))
    args = ["erp", "status", str(path), "--erp", tiny_erp.url, "--network", str(tiny_dir)]
    before = CliRunner().invoke(main, args)
    assert before.exit_code == 0, before.output
    assert "status: 1 differs, 6 missing" in before.output
    url, plan_id = approved_in_store(path, erp_net, tmp_path)
    CliRunner().invoke(main, ["plans", "publish", plan_id, "--store", url, "--erp",
                              tiny_erp.url, "--network", str(tiny_dir)])
    after = CliRunner().invoke(main, args)
    assert "status: 5 processed, 2 published" in after.output
