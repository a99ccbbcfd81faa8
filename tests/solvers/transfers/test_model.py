"""Golden small models, one per rule of the transfer MILP."""

import datetime as dt
from typing import Any

import numpy as np
import pytest

from solvers.transfers import TransferSettings, build_transfer_inputs, solve_transfers
from solvers.transfers.inputs import StockByExpiry
from twin.domain import Network
from twin.domain.gtin import make_gtin14
from twin.validation import check_network

AS_OF = dt.date(2026, 11, 23)


def network(*, lots: list[tuple], lane: dict | None = None, demand: list[tuple] | None = None,
            item: dict | None = None, w2: dict | None = None, dept: dict | None = None) -> Network:
    """Two warehouses W1 → W2, one item X, hospital H1 on W1 and H2 on W2.

    ``lots`` = (warehouse, lot, days to expiry, quantity[, status]);
    ``demand`` = (hospital, units/day).
    """
    doc: dict[str, Any] = {
        "name": "golden", "regions": [{"id": "east"}, {"id": "south"}, {"id": "north"}],
        "orgs": [{"id": "A", "name": "A", "region": "east"}],
        "warehouses": [
            {"id": "W1", "org": "A", "region": "east", "city": "a", "latitude": 31,
             "longitude": 121, "cold_chain": True, "capacity": 10**6},
            {"id": "W2", "org": "A", "region": "south", "city": "b", "latitude": 23,
             "longitude": 113, "cold_chain": True, "capacity": 10**6} | (w2 or {})],
        "items": [{"code": "X", "gtin": make_gtin14("0690000000001"), "description": "x",
                   "category": "catheter", "unit_cost": 100, "shelf_life_days": 400,
                   "registered_regions": ["east", "south"]} | (item or {})],
        "suppliers": [{"id": "S", "name": "S", "delivers_to": ["W1", "W2"],
                       "supplies": [{"item": "X", "lead_time": {"mean": 10, "spread": 2}}]}],
        "hospitals": [
            {"id": h, "name": h, "region": r, "city": "c", "latitude": 30, "longitude": 120,
             "served_by": [w], "departments": [{"id": "D", "kind": "icu",
                                                "priority": "routine"} | (dept or {})]}
            for h, r, w in (("H1", "east", "W1"), ("H2", "south", "W2"))],
        "lanes": [{"from": "W1", "to": "W2", "mode": "road",
                   "transit_time": {"family": "fixed", "mean": 1}, "cost_per_unit": 1,
                   "cost_per_shipment": 10} | (lane or {})],
        "demand": [{"hospital": h, "department": "D", "item": "X", "mean_per_day": r}
                   for h, r in (demand or [("H2", 2.0)])],
        "snapshot": {"as_of": AS_OF, "lots": [
            {"warehouse": w, "item": "X", "lot": lot, "expiry": AS_OF + dt.timedelta(days=d),
             "quantity": q, "status": rest[0] if rest else "available"}
            for w, lot, d, q, *rest in lots]},
    }
    net = Network.model_validate(doc)
    assert check_network(net) == []
    return net


def shipped(plan, lot: str | None = None) -> int:
    return sum(a.quantity for a in plan.actions if lot is None or a.lot == lot)


def test_ships_to_where_demand_is() -> None:
    plan = solve_transfers(network(lots=[("W1", "L1", 300, 100)]))
    assert shipped(plan) == 56  # 2/day over 28 days
    assert sum(plan.shortage_units.values()) == pytest.approx(0, abs=1e-6)
    line = plan.actions[0]
    assert (line.source, line.target, line.lot) == ("W1", "W2", "L1")
    assert "routine demand at W2 (H2/D)" in line.reason and line.key.startswith("transfer-")


@pytest.mark.parametrize(("w1_stock", "w2_stock"), [(10, 60), (60, 10), (10, 30)])
def test_free_fast_lanes_reproduce_pooled_stock(w1_stock: int, w2_stock: int) -> None:
    net = network(lots=[("W1", "L1", 300, w1_stock), ("W2", "L2", 300, w2_stock)],
                  lane={"cost_per_unit": 0, "cost_per_shipment": 0,
                        "transit_time": {"family": "fixed", "mean": 0.01}},
                  demand=[("H1", 1.0), ("H2", 1.0)])
    net = net.model_copy(update={"lanes": [*net.lanes, net.lanes[0].model_copy(
        update={"source": "W2", "target": "W1"})]})
    plan = solve_transfers(net)
    pooled_short = max(0.0, 56 - (w1_stock + w2_stock))
    assert sum(plan.shortage_units.values()) == pytest.approx(pooled_short, abs=1e-6)


def test_cold_item_never_on_a_non_cold_lane() -> None:
    cold = {"cold_chain": True}
    assert shipped(solve_transfers(network(lots=[("W1", "L1", 300, 100)], item=cold))) == 0
    warm_lane = solve_transfers(network(lots=[("W1", "L1", 300, 100)], item=cold,
                                        lane={"cold_chain": True}))
    assert shipped(warm_lane) == 56


def test_never_ships_into_an_unregistered_region() -> None:
    net = network(lots=[("W1", "L1", 300, 100)], w2={"region": "north"})
    assert build_transfer_inputs(net).arcs == []
    plan = solve_transfers(net)
    assert shipped(plan) == 0 and plan.shortage_units["routine"] == pytest.approx(56)


def test_remaining_shelf_life_at_arrival() -> None:
    short_life = network(lots=[("W1", "OLD", 20, 100)], dept={"min_shelf_life_days": 30})
    assert shipped(solve_transfers(short_life)) == 0
    long_life = network(lots=[("W1", "NEW", 200, 100)], dept={"min_shelf_life_days": 30})
    assert shipped(solve_transfers(long_life)) == 56


def test_lane_capacity_per_bucket() -> None:
    plan = solve_transfers(network(lots=[("W1", "L1", 300, 100)], lane={"capacity_per_day": 1}))
    by_date: dict[dt.date, int] = {}
    for a in plan.actions:
        by_date[a.ship_date] = by_date.get(a.ship_date, 0) + a.quantity
    assert max(by_date.values()) <= 7


def test_urgency_window_keeps_slow_lanes_from_critical_demand() -> None:
    slow = {"transit_time": {"family": "fixed", "mean": 4}}
    critical = solve_transfers(network(lots=[("W1", "L1", 300, 100)], lane=slow,
                                       dept={"priority": "critical"}))
    assert shipped(critical) == 0
    high = solve_transfers(network(lots=[("W1", "L1", 300, 100)], lane=slow,
                                   dept={"priority": "high"}))
    assert shipped(high) > 0


def test_only_available_stock_moves() -> None:
    plan = solve_transfers(network(lots=[("W1", "Q", 300, 100, "quarantine"),
                                         ("W1", "R", 300, 100, "reserved")]))
    assert shipped(plan) == 0


def test_near_expiry_lot_goes_first_where_it_is_used_in_time() -> None:
    plan = solve_transfers(network(lots=[("W1", "SOON", 20, 40), ("W1", "LATE", 300, 40)],
                                   demand=[("H2", 2.0)]))
    assert shipped(plan, "SOON") >= 38  # 2/day for the 20 days it is still good
    assert plan.write_off_units <= 2 + 1e-6
    assert any("saves" in a.reason for a in plan.actions if a.lot == "SOON")


def test_fixed_cost_consolidates_shipments() -> None:
    plan = solve_transfers(network(lots=[("W1", "L1", 300, 100)],
                                   lane={"cost_per_shipment": 500}))
    assert len({a.ship_date for a in plan.actions}) == 1


def test_serial_units_are_pooled_and_listed() -> None:
    net = network(lots=[("W1", f"SN{i}", 300, 1) for i in range(10)],
                  item={"tracking": "serial"}, demand=[("H2", 0.2)])
    plan = solve_transfers(net)
    assert len(plan.actions) == 1 and plan.actions[0].lot is None
    assert plan.actions[0].evidence["serials"].count("SN") == plan.actions[0].quantity


def test_lp_relaxation_setting() -> None:
    plan = solve_transfers(network(lots=[("W1", "L1", 300, 100)]),
                           TransferSettings(integer_units=False))
    assert shipped(plan) == 56


def test_relax_and_fix_for_large_models() -> None:
    net = network(lots=[("W1", "L1", 300, 100)], lane={"cost_per_shipment": 500})
    plan = solve_transfers(net, TransferSettings(milp_max_arcs=0))
    assert shipped(plan) == 56 and len({a.ship_date for a in plan.actions}) == 1
    assert all(float(a.quantity).is_integer() for a in plan.actions)


def _with_substitute(y_units: int, factor: float | None, y_cost: float = 100) -> Network:
    """The golden network, W1 holding 100 X and W2 none, the lane at 5 per unit, plus
    ``y_units`` of item Y at W2 and, with ``factor``, a rule that H2's department takes
    ``factor`` Y per X."""
    doc = network(lots=[("W1", "L1", 300, 100)],
                  lane={"cost_per_unit": 5}).model_dump(by_alias=True)
    doc["items"].append({**doc["items"][0], "code": "Y", "gtin": make_gtin14("0690000000002"),
                         "unit_cost": y_cost})
    doc["suppliers"][0]["supplies"].append({"item": "Y", "lead_time": {"mean": 10}})
    doc["snapshot"]["lots"].append({"warehouse": "W2", "item": "Y", "lot": "LY",
                                    "expiry": AS_OF + dt.timedelta(days=300),
                                    "quantity": y_units, "status": "available"})
    if factor is not None:
        doc["substitutes"] = [{"item": "X", "substitute": "Y", "factor": factor}]
    net = Network.model_validate(doc)
    assert check_network(net) == []
    return net


def test_a_substitute_on_site_pools_demand_and_saves_the_transfer() -> None:
    # H2 needs 2 X/day × 28 days = 56 units at W2, which holds no X
    assert shipped(solve_transfers(_with_substitute(100, None))) == 56
    assert shipped(solve_transfers(_with_substitute(100, 1.0))) == 0
    # 60 cheap Y at 2 per X cover 30 of the 56: the rest is shipped
    assert shipped(solve_transfers(_with_substitute(60, 2.0, y_cost=10))) == 26
    # but 2 Y worth 100 each for one X worth 100 costs more than shipping the X
    assert shipped(solve_transfers(_with_substitute(100, 2.0))) == 56


def test_ships_no_more_of_a_lot_than_the_target_can_use_before_it_expires() -> None:
    # SHORT expires in 45 days, after the 28-day horizon, so the model's write-off does not
    # see it; W2 uses 2/day and accepts ≥ 30 days of shelf life: of SHORT it can use
    # 2 × (45 − 1 − 30) = 28 units, the rest of the horizon's 56 comes from LATE
    plan = solve_transfers(network(lots=[("W1", "SHORT", 45, 100), ("W1", "LATE", 300, 100)],
                                   dept={"min_shelf_life_days": 30}))
    assert 0 < shipped(plan, "SHORT") <= 28
    assert shipped(plan) == 56
    # what W2 already holds that expires first is used first
    plan = solve_transfers(network(lots=[("W1", "SHORT", 45, 100), ("W1", "LATE", 300, 100),
                                         ("W2", "HERE", 40, 20)],
                                   dept={"min_shelf_life_days": 30}))
    assert shipped(plan, "SHORT") <= 8


def test_stock_by_expiry_sums_a_positions_rows_up_to_a_day() -> None:
    pos, expiry = np.array([1, 0, 1, 1, 0]), np.array([30, 10, 10, 20, 50])
    qty = np.array([1.0, 2.0, 4.0, 8.0, 16.0])
    at, by = np.array([1, 1, 1, 0, 0, 2]), np.array([9, 10, 25, 10, 49, 99])
    held = StockByExpiry.of(pos, expiry, qty)
    assert held.expiring_by(at, by).tolist() == [0, 4, 12, 2, 2, 0]
    # a row already past its expiry (day < 0) counts as expiring on day 0
    past = StockByExpiry.of(np.array([0, 1]), np.array([-3, 5]), np.array([2.0, 3.0]))
    assert past.expiring_by(np.array([0, 1]), np.array([0, 4])).tolist() == [2, 0]
