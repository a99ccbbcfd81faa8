"""Dashboard data: inventory health, map layout and outline, flows, stock over time, lots,
lot whereabouts."""

from pathlib import Path

import pandas as pd
import pytest

from dashboards.data import (
    DataStore,
    inventory_health,
    lot_whereabouts,
    lots_by_expiry,
    network_layout,
    plan_flows,
    region_outlines,
    run_flows,
    stock_levels,
    stock_over_time,
    why_not_stocked,
)
from solvers.registry import shipped_policies
from tests.erp_adapter.returns_net import returns_network
from tests.medtwin.store.samples import plan_json
from twin.domain import Network, Plan
from twin.network_files import load_network
from twin.sim import simulate

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


@pytest.fixture(scope="module")
def net() -> Network:
    return load_network(TINY)


def test_inventory_health_adds_up_to_the_snapshot(net: Network) -> None:
    health = inventory_health(net).drop(index="total")
    snap = net.snapshot
    for status in ("available", "quarantine", "reserved"):
        assert health[status].sum() == sum(p.quantity for p in snap.lots if p.status == status)
    assert health["in_transit"].sum() == sum(t.quantity for t in snap.in_transit)
    assert set(health.index) == {w.id for w in net.warehouses}
    assert (health["days_of_supply"].dropna() >= 0).all()   # none where no demand is served


def test_inventory_health_totals_the_network_in_its_currency(net: Network) -> None:
    health = inventory_health(net)
    sites, total = health.drop(index="total"), health.loc["total"]
    assert list(sites.index) == [w.id for w in net.warehouses]
    for col in ("available", "in_transit", "stock_value", "value_near_expiry"):
        assert total[col] == pytest.approx(sites[col].sum())
    costs = {i.code: i.unit_cost for i in net.items}
    assert total["stock_value"] == pytest.approx(
        sum(p.quantity * costs[p.item] for p in net.snapshot.lots))
    assert total["near_expiry_share"] == pytest.approx(
        total["value_near_expiry"] / total["stock_value"])


def test_region_outlines_are_closed_rings_with_a_label_each(net: Network) -> None:
    rings, labels = region_outlines(net)
    assert sorted(labels.region) == sorted(r.name for r in net.regions)
    assert {r["region"] for r in rings} == {r.name for r in net.regions}
    for ring in rings:
        assert len(ring["x"]) == len(ring["y"]) >= 3
        assert all(73 <= x <= 135 for x in ring["x"]) and all(18 <= y <= 54 for y in ring["y"])


def test_flows_of_a_plan_and_of_a_run(net: Network) -> None:
    plan = Plan.model_validate_json(plan_json())
    flows = plan_flows(plan, net)
    assert flows.to_dict("records") == [{"from": "WH-SH", "to": "WH-GZ", "units": 5.0,
                                         "value": 5 * net.item_by_code["IVD-TROP-100"].unit_cost}]
    ledger = simulate(net, days=30, seed=3, policy="heuristic",
                      policies=shipped_policies()).ledger
    shipped = run_flows(ledger, net)
    assert shipped.units.sum() == ledger.loc[ledger.kind == "transfer_out", "quantity"].sum()
    assert set(zip(shipped["from"], shipped["to"], strict=True)) <= {
        (ln.source, ln.target) for ln in net.lanes}


def test_store_shares_the_network_reads_and_rereads_a_rewritten_run(
        net: Network, tmp_path: Path) -> None:
    """Every session reads health, map layers and a run's flows from one per-process copy:
    equal to the pure functions, the same objects on a second read, and a run written again
    is read again."""
    data = DataStore(results_dir=str(tmp_path), network_name=str(TINY))
    pd.testing.assert_frame_equal(data.health(), inventory_health(net))
    rings, labels, wh, hosp, lanes = data.map_layers()
    assert (rings, labels.to_dict()) == (region_outlines(net)[0], region_outlines(net)[1].to_dict())
    for shared, fresh in zip((wh, hosp, lanes), network_layout(net), strict=True):
        pd.testing.assert_frame_equal(shared, fresh)
    assert data.health() is data.health() and data.map_layers()[2] is wh
    path, read = tmp_path / "run.nc", []
    for seed in (3, 4):
        run = simulate(net, days=30, seed=seed, policy="heuristic", policies=shipped_policies())
        run.write(path)
        read.append(data.run_flows(str(path)))
        pd.testing.assert_frame_equal(read[-1], run_flows(run.ledger, net))
    assert not read[0].equals(read[1])                              # the second run differs


def test_layout_has_every_site_and_lane(net: Network) -> None:
    wh, hosp, lanes = network_layout(net)
    assert len(wh) == len(net.warehouses) and len(hosp) == len(net.hospitals)
    assert len(lanes) == len(net.lanes)
    first = net.lanes[0]
    src = net.warehouse_by_id[first.source]
    assert (lanes.x0[0], lanes.y0[0]) == (src.longitude, src.latitude)
    assert lanes["from"][0] == (src.name or src.id) and lanes.transit_days[0] > 0


@pytest.mark.parametrize("returns", [False, True])
def test_stock_over_time_matches_the_twin(net: Network, returns: bool) -> None:
    """On hand from the ledger equals the twin's closing stock, returns and repairs too."""
    net = returns_network(net) if returns else net
    result = simulate(net, days=30, seed=3, policy="fixed_ss")
    ledger = result.ledger
    ds = result.to_dataset()
    w, i = "WH-SH", "INF-SET-STD"
    assert not returns or (ledger["kind"].astype(str) == "return_in").any()
    series = stock_over_time(ledger, w, i)
    total = sum(stock_over_time(ledger, wh.id, i).iloc[-1] for wh in net.warehouses
                if not stock_over_time(ledger, wh.id, i).empty)
    assert total == int(ds["closing_on_hand"].sel(item=i).isel(time=-1))
    assert (series >= 0).all()


def test_lots_by_expiry_and_whereabouts(net: Network) -> None:
    w = net.snapshot.lots[0].warehouse
    lots = lots_by_expiry(net, w)
    assert list(lots.expiry) == sorted(lots.expiry)
    assert lots.units.sum() == sum(p.quantity for p in net.snapshot.lots if p.warehouse == w)
    lot = net.snapshot.lots[0].lot
    where = lot_whereabouts(net, lot)
    assert where.units.sum() == sum(p.quantity for p in net.snapshot.lots if p.lot == lot) + \
        sum(t.quantity for t in net.snapshot.in_transit if t.lot == lot)
    assert isinstance(where, pd.DataFrame)


def test_plan_lines_put_the_most_urgent_first_and_add_up(net: Network) -> None:
    from dashboards.data import plan_lines, plan_summary, served_priority
    from tests.medtwin.store.samples import plan_json
    from twin.domain import Plan

    assert served_priority(net)[("WH-SH", "IVD-TROP-100")] == "critical"   # H-RJ's ICU
    assert served_priority(net)[("WH-GZ", "IVD-TROP-100")] == "high"       # H-ZS's lab
    plan = Plan.model_validate_json(plan_json())
    lines = plan_lines(plan, net, approved={"r-1"})
    assert list(lines.key) == ["t-1", "r-1"]              # high before routine
    t1 = lines.iloc[0]
    assert (t1["from"], t1["to"], t1.org, t1.priority, t1.qty, t1.approved) == \
        ("WH-SH", "WH-GZ", "SUB-S", "high", 5, False)
    assert t1.cost == 5 * net.item_by_code["IVD-TROP-100"].unit_cost
    assert bool(t1.cold_chain) == net.item_by_code["IVD-TROP-100"].cold_chain
    assert lines.iloc[1].approved and pd.isna(lines.iloc[1].qty)
    summary = plan_summary(lines).set_index("kind")
    assert summary.loc["total", "lines"] == 2 and summary.loc["transfer", "units"] == 5
    assert summary.loc["total", "cost"] == t1.cost


def test_plan_lines_show_dispositions_with_their_decision(net: Network) -> None:
    from dashboards.data import plan_lines, plan_summary
    from tests.medtwin.store.samples import returns_plan

    lines = plan_lines(returns_plan(), net, approved=set())
    qc = lines[lines.kind == "disposition"].set_index("item")
    assert list(qc.decision) == ["scrap", "scrap"] and set(lines.decision) == {"", "scrap"}
    trop = qc.loc["IVD-TROP-100"]
    assert (trop.to, trop["from"], trop.priority, trop.qty, trop.cost) == (
        "WH-SH", "", "critical", 6, 6 * 1200)
    assert trop.reason.startswith("scrap 6 returned near_expiry units:")
    assert plan_summary(lines).set_index("kind").loc["disposition", "units"] == 8


def test_stock_levels_and_why_an_item_is_not_stocked(net: Network) -> None:
    sp = net.stock_policies[0]
    assert stock_levels(net, sp.warehouse, sp.item) == (sp.reorder_point, sp.order_up_to)
    assert stock_levels(net, "WH-HZ", "IVD-TROP-100") is None
    assert why_not_stocked(net, sp.warehouse, sp.item) is None
    assert why_not_stocked(net, "WH-HZ", "IVD-TROP-100") == \
        "IVD-TROP-100 needs 2–8 °C storage and WH-HZ has no cold chain."
    assert "not registered in WH-GZ's region (south)" in why_not_stocked(net, "WH-GZ",
                                                                         "INF-SET-STD")
