"""Dashboard data: inventory health, map layout, stock over time, lots, lot whereabouts."""

from pathlib import Path

import pandas as pd
import pytest

from dashboards.data import (
    inventory_health,
    lot_whereabouts,
    lots_by_expiry,
    network_layout,
    stock_over_time,
)
from twin.domain import Network
from twin.network_files import load_network
from twin.sim import simulate

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


@pytest.fixture(scope="module")
def net() -> Network:
    return load_network(TINY)


def test_inventory_health_adds_up_to_the_snapshot(net: Network) -> None:
    health = inventory_health(net)
    snap = net.snapshot
    for status in ("available", "quarantine", "reserved"):
        assert health[status].sum() == sum(p.quantity for p in snap.lots if p.status == status)
    assert health["in_transit"].sum() == sum(t.quantity for t in snap.in_transit)
    assert set(health.index) == {w.id for w in net.warehouses}
    assert (health["days_of_supply"] >= 0).all()


def test_layout_has_every_site_and_lane(net: Network) -> None:
    wh, hosp, lanes = network_layout(net)
    assert len(wh) == len(net.warehouses) and len(hosp) == len(net.hospitals)
    assert len(lanes) == len(net.lanes)
    first = net.lanes[0]
    src = net.warehouse_by_id[first.source]
    assert (lanes.x0[0], lanes.y0[0]) == (src.longitude, src.latitude)


def test_stock_over_time_matches_the_twin(net: Network) -> None:
    result = simulate(net, days=30, seed=3, policy="fixed_ss")
    ledger = result.ledger
    ds = result.to_dataset()
    w, i = net.warehouses[0].id, net.items[0].code
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
