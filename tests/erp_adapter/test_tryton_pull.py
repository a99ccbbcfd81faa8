"""Pulling from a real Tryton seeded with the tiny network: the snapshot comes back exactly."""

import datetime as dt
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from erp_adapter.credentials import Credentials
from erp_adapter.tryton.adapter import TrytonAdapter
from erp_adapter.tryton.client import TrytonClient
from erp_adapter.tryton.seed import sample_history, seed_network
from erp_adapter.tryton.server import TrytonServer
from medtwin.cli import main
from twin.domain import Network
from twin.network_files import load_snapshot

pytestmark = [pytest.mark.slow, pytest.mark.date_sensitive]  # a real Tryton; a year ahead too


def _lots(snapshot):
    return sorted(lp.model_dump_json() for lp in snapshot.lots)


def test_pulled_snapshot_is_the_seeded_one(tiny_erp: TrytonServer, erp_net: Network,
                                           erp_env: Credentials) -> None:
    with TrytonAdapter(tiny_erp.url, erp_net) as adapter:
        snap = adapter.pull_snapshot(erp_net.snapshot.as_of)
        assert adapter.warnings == []
        assert adapter.alerts == []  # a clean seeded ERP raises no data-quality alert
    expected = erp_net.snapshot
    assert _lots(snap) == _lots(expected)
    # WH-SH → WH-GZ crosses orgs: a shipped sale paired with an open purchase
    assert snap.in_transit == expected.in_transit
    assert snap.purchase_orders == expected.purchase_orders


def test_overdue_transfers_and_orders_keep_their_promised_dates(
        start_server: Callable, tryton_template, erp_env: Credentials, tiny_net: Network
) -> None:
    """Tryton drops a planned date that is already before its today from a purchase's
    moves; the pull takes the promised date from the purchase line instead, so an overdue
    shipment between orgs keeps its arrival date (and its lane mode) and an overdue order
    its due date."""
    server: TrytonServer = start_server(tryton_template)
    with TrytonClient(server.url, erp_env) as client:
        today = client.today()
        snap = tiny_net.rebased(today).snapshot
        late = dt.timedelta(days=2)
        net = tiny_net.model_copy(update={"snapshot": snap.model_copy(update={
            "in_transit": [t.model_copy(update={"shipped": t.shipped - late,
                                                "eta": today - late})
                           for t in snap.in_transit],
            "purchase_orders": [po.model_copy(update={"due": today - late})
                                for po in snap.purchase_orders]})})
        seed_network(client, net)
    with TrytonAdapter(server.url, net) as adapter:
        pulled = adapter.pull_snapshot(today)
    assert pulled.in_transit == net.snapshot.in_transit
    assert [t.eta for t in pulled.in_transit] == [today - late]
    assert pulled.purchase_orders == net.snapshot.purchase_orders


def test_history_is_the_demand_recorded_as_customer_shipments(
        tiny_erp: TrytonServer, erp_net: Network, erp_env: Credentials,
        history_days: int) -> None:
    as_of = erp_net.snapshot.as_of
    with TrytonAdapter(tiny_erp.url, erp_net) as adapter:
        records = adapter.pull_history(as_of - dt.timedelta(days=history_days), as_of)
    seeded = Counter()
    for i in sample_history(erp_net, history_days):
        seeded[(i.day, i.warehouse, i.hospital, i.department, i.item, i.lot)] += i.quantity
    pulled = Counter()
    for r in records:
        pulled[(r.date, r.warehouse, r.hospital, r.department, r.item, r.lot)] += r.quantity
    assert pulled == seeded and len(records) > 10
    # the in-transit sale to the sister org is a transfer, never demand
    assert all(not r.hospital.startswith("INTERCO") for r in records)


def test_stock_a_week_ago_adds_back_the_week_of_demand(
        tiny_erp: TrytonServer, erp_net: Network, erp_env: Credentials) -> None:
    as_of = erp_net.snapshot.as_of
    week_ago = as_of - dt.timedelta(days=7)
    with TrytonAdapter(tiny_erp.url, erp_net) as adapter:
        then = adapter.pull_snapshot(week_ago)
        week = adapter.pull_history(week_ago, as_of - dt.timedelta(days=1))
    now = Counter()
    for lp in erp_net.snapshot.lots:
        now[(lp.warehouse, lp.item)] += lp.quantity
    for t in erp_net.snapshot.in_transit:  # still at its source a week ago
        now[(t.source, t.item)] += t.quantity
    for r in week:
        now[(r.warehouse, r.item)] += r.quantity
    before = Counter()
    for lp in then.lots:
        before[(lp.warehouse, lp.item)] += lp.quantity
    assert before == now
    assert then.in_transit == []  # shipped on the 21st
    assert then.purchase_orders == [po for po in erp_net.snapshot.purchase_orders
                                    if po.ordered < week_ago]


def test_erp_pull_cli_writes_a_folder_the_planner_loads(
        tiny_erp: TrytonServer, erp_net: Network, erp_env: Credentials, tmp_path: Path,
        tiny_dir: Path) -> None:
    out = tmp_path / "pulled"
    result = CliRunner().invoke(main, [
        "erp", "pull", "--erp", tiny_erp.url, "--out", str(out), "--network", str(tiny_dir),
        "--as-of", erp_net.snapshot.as_of.isoformat()])
    assert result.exit_code == 0, result.output
    assert "pulled 48 lot positions, 1 in transit, 1 open purchase orders" in result.output
    loaded = load_snapshot(out / "snapshot.yaml", erp_net).snapshot
    assert _lots(loaded) == _lots(erp_net.snapshot)
    assert (out / "history.csv").read_text().count("\n") > 10
    items = (out / "items.csv").read_text()
    assert "IVD-TROP-100" in items and "06901234000023" in items
    orgs = (out / "orgs.csv").read_text()
    assert "SUB-S" in orgs and ",GRP," in orgs  # the org tree from our side
    plan = CliRunner().invoke(main, ["plan", str(tiny_dir), "--snapshot",
                                     str(out / "snapshot.yaml"), "--out",
                                     str(tmp_path / "plan.json")])
    assert plan.exit_code == 0, plan.output


def test_master_data_matches_the_network(tiny_erp: TrytonServer, erp_net: Network,
                                         erp_env: Credentials) -> None:
    with TrytonAdapter(tiny_erp.url, erp_net) as adapter:
        master, differences = adapter.pull_master()
    assert differences == []
    by_code = {i["code"]: i for i in master["items"]}
    assert by_code["STENT-DES-30"]["gtin"] == "06901234000016"
    assert by_code["IVD-TROP-100"]["shelf_life_days"] == 270
    assert by_code["INF-SET-STD"]["unit_cost"] == 4.5
    owners = {w["id"]: w["erp_owner"] for w in master["warehouses"]}
    assert owners["WH-GZ"] == "SUB-S" and owners["WH-SH"] == "GRP"
