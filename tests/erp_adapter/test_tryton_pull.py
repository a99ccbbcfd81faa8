"""Pulling from a real Tryton seeded with the tiny network: the snapshot comes back exactly."""

import datetime as dt
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from erp_adapter.credentials import Credentials
from erp_adapter.tryton.adapter import TrytonAdapter
from erp_adapter.tryton.seed import sample_history
from erp_adapter.tryton.server import TrytonServer
from medtwin.cli import main
from twin.domain import Network
from twin.network_files import load_snapshot


def _lots(snapshot):
    return sorted(lp.model_dump_json() for lp in snapshot.lots)


def test_pulled_snapshot_is_the_seeded_one(tiny_erp: TrytonServer, tiny_net: Network,
                                           erp_env: Credentials) -> None:
    with TrytonAdapter(tiny_erp.url, tiny_net) as adapter:
        snap = adapter.pull_snapshot(tiny_net.snapshot.as_of)
        assert adapter.warnings == []
    expected = tiny_net.snapshot
    assert _lots(snap) == _lots(expected)
    # WH-SH → WH-GZ crosses orgs: a shipped sale paired with an open purchase
    assert snap.in_transit == expected.in_transit
    assert snap.purchase_orders == expected.purchase_orders


def test_history_is_the_demand_recorded_as_customer_shipments(
        tiny_erp: TrytonServer, tiny_net: Network, erp_env: Credentials,
        history_days: int) -> None:
    as_of = tiny_net.snapshot.as_of
    with TrytonAdapter(tiny_erp.url, tiny_net) as adapter:
        records = adapter.pull_history(as_of - dt.timedelta(days=history_days), as_of)
    seeded = Counter()
    for i in sample_history(tiny_net, history_days):
        seeded[(i.day, i.warehouse, i.hospital, i.department, i.item, i.lot)] += i.quantity
    pulled = Counter()
    for r in records:
        pulled[(r.date, r.warehouse, r.hospital, r.department, r.item, r.lot)] += r.quantity
    assert pulled == seeded and len(records) > 10
    # the in-transit sale to the sister org is a transfer, never demand
    assert all(not r.hospital.startswith("INTERCO") for r in records)


def test_stock_a_week_ago_adds_back_the_week_of_demand(
        tiny_erp: TrytonServer, tiny_net: Network, erp_env: Credentials) -> None:
    as_of = tiny_net.snapshot.as_of
    week_ago = as_of - dt.timedelta(days=7)
    with TrytonAdapter(tiny_erp.url, tiny_net) as adapter:
        then = adapter.pull_snapshot(week_ago)
        week = adapter.pull_history(week_ago, as_of - dt.timedelta(days=1))
    now = Counter()
    for lp in tiny_net.snapshot.lots:
        now[(lp.warehouse, lp.item)] += lp.quantity
    for t in tiny_net.snapshot.in_transit:  # still at its source a week ago
        now[(t.source, t.item)] += t.quantity
    for r in week:
        now[(r.warehouse, r.item)] += r.quantity
    before = Counter()
    for lp in then.lots:
        before[(lp.warehouse, lp.item)] += lp.quantity
    assert before == now
    assert then.in_transit == []  # shipped on the 21st
    assert then.purchase_orders == [po for po in tiny_net.snapshot.purchase_orders
                                    if po.ordered < week_ago]


def test_erp_pull_cli_writes_a_folder_the_planner_loads(
        tiny_erp: TrytonServer, tiny_net: Network, erp_env: Credentials, tmp_path: Path,
        tiny_dir: Path) -> None:
    out = tmp_path / "pulled"
    result = CliRunner().invoke(main, [
        "erp", "pull", "--erp", tiny_erp.url, "--out", str(out), "--network", str(tiny_dir),
        "--as-of", tiny_net.snapshot.as_of.isoformat()])
    assert result.exit_code == 0, result.output
    assert "pulled 48 lot positions, 1 in transit, 1 open purchase orders" in result.output
    loaded = load_snapshot(out / "snapshot.yaml", tiny_net).snapshot
    assert _lots(loaded) == _lots(tiny_net.snapshot)
    assert (out / "history.csv").read_text().count("\n") > 10
    items = (out / "items.csv").read_text()
    assert "IVD-TROP-100" in items and "06901234000023" in items
    orgs = (out / "orgs.csv").read_text()
    assert "SUB-S" in orgs and ",GRP," in orgs  # the org tree from our side
    plan = CliRunner().invoke(main, ["plan", str(tiny_dir), "--snapshot",
                                     str(out / "snapshot.yaml"), "--out",
                                     str(tmp_path / "plan.json")])
    assert plan.exit_code == 0, plan.output


def test_master_data_matches_the_network(tiny_erp: TrytonServer, tiny_net: Network,
                                         erp_env: Credentials) -> None:
    with TrytonAdapter(tiny_erp.url, tiny_net) as adapter:
        master, differences = adapter.pull_master()
    assert differences == []
    by_code = {i["code"]: i for i in master["items"]}
    assert by_code["STENT-DES-30"]["gtin"] == "06901234000016"
    assert by_code["IVD-TROP-100"]["shelf_life_days"] == 270
    assert by_code["INF-SET-STD"]["unit_cost"] == 4.5
    owners = {w["id"]: w["erp_owner"] for w in master["warehouses"]}
    assert owners["WH-GZ"] == "SUB-S" and owners["WH-SH"] == "GRP"
