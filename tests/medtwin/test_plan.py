"""``medtwin plan`` end to end on the tiny network."""

import json
from pathlib import Path

from click.testing import CliRunner

from medtwin.cli import main
from solvers.planning import make_plan
from twin.domain import Plan
from twin.network_files import load_network


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_plan_has_every_kind_with_keys_and_reasons(tiny_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    result = run("plan", str(tiny_dir), "--out", str(out))
    assert result.exit_code == 0, result.output
    plan = Plan.model_validate_json(out.read_text())
    kinds = {a.kind for a in plan.actions}
    assert kinds == {"reorder_point", "transfer", "purchase"}
    assert len({a.key for a in plan.actions}) == len(plan.actions)
    assert all(a.reason for a in plan.actions)
    raw = json.loads(out.read_text())
    assert all({"key", "kind", "reason"} <= set(line) for line in raw["actions"])
    # WH-HZ only backs WH-SH up (no demand routed to it): no s = S = 0 lines for it
    assert not [a for a in plan.actions if a.kind == "reorder_point" and a.warehouse == "WH-HZ"]
    assert all(a.order_up_to > 0 for a in plan.actions if a.kind == "reorder_point")


def test_same_inputs_same_plan_file(tiny_dir: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    run("plan", str(tiny_dir), "--out", str(a))
    run("plan", str(tiny_dir), "--out", str(b))
    assert a.read_bytes() == b.read_bytes()


def test_infeasible_model_exits_3_naming_the_family(edited_tiny, tmp_path: Path) -> None:
    net = edited_tiny(lambda d: d["warehouses"][0].update(capacity=50))
    out = tmp_path / "plan.json"
    result = run("plan", str(net), "--out", str(out))
    assert result.exit_code == 3
    assert "safety-stock model is infeasible" in result.output and "capacity" in result.output
    assert not out.exists()


def test_bad_settings_file_exits_2(tiny_dir: Path, tmp_path: Path) -> None:
    settings = tmp_path / "s.yaml"
    settings.write_text("transfers:\n  horizon_days: -3\n")
    result = run("plan", str(tiny_dir), "--settings", str(settings), "--out",
                 str(tmp_path / "p.json"))
    assert result.exit_code == 2
    assert "s.yaml: transfers.horizon_days" in result.output


def test_plan_from_a_separate_snapshot(tiny_dir: Path, tmp_path: Path) -> None:
    snap = tmp_path / "snapshot.yaml"
    snap.write_text("as_of: 2026-12-01\nlots:\n  - {warehouse: WH-SH, item: INF-SET-STD, "
                    "lot: X1, expiry: 2028-01-01, quantity: 10}\n")
    result = run("plan", str(tiny_dir), "--snapshot", str(snap), "--out", str(tmp_path / "p.json"))
    assert result.exit_code == 0, result.output
    assert Plan.model_validate_json((tmp_path / "p.json").read_text()).as_of.day == 1
    snap.write_text("as_of: 2026-12-01\nlots:\n  - {warehouse: NOPE, item: INF-SET-STD, "
                    "lot: X1, expiry: 2028-01-01, quantity: 10}\n")
    result = run("plan", str(tiny_dir), "--snapshot", str(snap), "--out", str(tmp_path / "p.json"))
    assert result.exit_code == 2 and "snapshot.yaml: lots[0].warehouse" in result.output


def test_a_forecast_error_reaches_the_reorder_points(tiny_dir: Path) -> None:
    # what the nightly passes on: a demand series forecast with an error far above its
    # model's spread raises its position's reorder point and the line says so
    net = load_network(tiny_dir)
    m = net.demand[0]
    key = (m.hospital, m.department, m.item)
    where = (net.serving_warehouse(m.hospital, m.item), m.item)

    def line(plan: Plan):
        return next(a for a in plan.actions if a.kind == "reorder_point"
                    and (a.warehouse, a.item) == where)

    before = line(make_plan(net))
    after = line(make_plan(net, forecast_error={key: 10 * m.daily_variance ** 0.5 + 10}))
    assert after.reorder_point > before.reorder_point
    assert after.evidence["fill_basis"] == "twin"  # measured: no exact model applies


def test_plan_decides_returned_units(edited_tiny, tmp_path: Path) -> None:
    # WH-SH: 10 unused stents back (1.5/day, expire 2028: all used → restocked, and they
    # lift the stent's inventory position 30 → 40, so its purchase drops 116 → 106);
    # 6 troponin kits expiring in 17 days (ICU wants ≥ 30 days left → scrapped); a
    # recalled stent (scrapped)
    def add_returns(doc: dict) -> None:
        back = {"warehouse": "WH-SH", "received": "2026-11-23"}
        doc["snapshot"]["returns"] = [
            *({**back, "item": "STENT-DES-30", "lot": f"SN9{k:05d}", "expiry": "2028-03-31",
               "quantity": 1, "reason": "unused"} for k in range(10)),
            {**back, "item": "IVD-TROP-100", "lot": "TROP2608B", "expiry": "2026-12-10",
             "quantity": 6, "reason": "near_expiry"},
            {**back, "item": "STENT-DES-30", "lot": "SN100200", "expiry": "2028-03-31",
             "quantity": 1, "reason": "recalled"}]

    settings = tmp_path / "s.yaml"
    settings.write_text("twin_check:\n  replications: 0\n")
    out = tmp_path / "plan.json"
    result = run("plan", str(edited_tiny(add_returns)), "--settings", str(settings),
                 "--out", str(out))
    assert result.exit_code == 0, result.output
    plan = Plan.model_validate_json(out.read_text())
    lines = [a for a in plan.actions if a.kind == "disposition"]
    assert sorted((a.item, a.decision, a.quantity) for a in lines) == [
        ("IVD-TROP-100", "scrap", 6), *[("STENT-DES-30", "restock", 1)] * 10,
        ("STENT-DES-30", "scrap", 1)]
    (buy,) = [a for a in plan.actions if a.kind == "purchase" and a.item == "STENT-DES-30"]
    assert buy.quantity == 106 and buy.reason.startswith(
        "inventory position 40 (available + in transit + on order + today's transfers + 10 "
        "returned units restocked or repaired) ≤ reorder point")
    assert "12 disposition" in result.output and "10 restock, 7 scrap" in result.output
    assert "too short-dated" in result.output and "is recalled" in result.output
