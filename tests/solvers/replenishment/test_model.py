"""Golden purchase decisions: trigger, MOQ, supplier capacity, VMI."""

import datetime as dt
from pathlib import Path

from solvers.replenishment.model import (
    Position,
    inventory_positions,
    purchase_positions,
    solve_replenishment,
)
from twin.network_files import load_network

TINY = Path(__file__).resolve().parents[2] / "data" / "tiny"
TODAY = dt.date(2026, 11, 23)


def pos(ip: int, moq: int = 1, cap: int | None = None, item: str = "A",
        supplier: str = "SUP-MED") -> Position:
    return Position("WH-SH", item, supplier, 20, 50, ip, moq, 10.0, cap)


def test_orders_up_to_s_only_when_triggered() -> None:
    net = load_network(TINY)
    plan = solve_replenishment(net, [pos(15), pos(25, item="B")], TODAY)
    assert [(a.item, a.quantity) for a in plan.actions] == [("A", 35)]
    assert plan.actions[0].reason.startswith(
        "inventory position 15 (available + in transit + on order + today's transfers) ≤ "
        "reorder point 20 at WH-SH: order 35 to reach 50")


def test_moq_rounds_up_and_says_by_how_much() -> None:
    (line,) = solve_replenishment(load_network(TINY), [pos(15, moq=100)], TODAY).actions
    assert line.quantity == 100 and line.evidence["moq_lift_units"] == 65
    assert "order 100 to reach 50; the MOQ of 100 adds 65 above that" in line.reason


def test_supplier_capacity_limits_and_is_explained() -> None:
    plan = solve_replenishment(load_network(TINY), [pos(15, cap=10)], TODAY)
    assert plan.actions[0].quantity == 10
    assert plan.actions[0].evidence["shortfall_units"] == 25
    assert ("SUP-MED's capacity of 10 units over the review period shared by 1 line(s): 25 "
            "units short of S") in plan.actions[0].reason


def test_lines_sharing_an_order_and_a_capacity_say_so() -> None:
    plan = solve_replenishment(load_network(TINY), [pos(15, cap=60), pos(10, cap=60),
                                                    pos(0, item="B")], TODAY)
    a, b, other = plan.actions
    assert a.quantity + b.quantity == 60 and other.quantity == 50  # 60 a week for A
    assert "one of 3 lines on SUP-MED's order (order cost 800 shared)" in other.reason
    short = a.evidence["shortfall_units"] + b.evidence["shortfall_units"]
    assert short == 15 and "shared by 2 line(s)" in a.reason and "short of S" in a.reason + b.reason
    assert a.evidence["capacity_lines"] == 2 and a.evidence["order_lines_with_supplier"] == 3


def test_a_hub_line_names_the_warehouses_it_replenishes() -> None:
    net = load_network(TINY)
    levels = {("WH-SH", "STENT-DES-30"): (100, 200)}
    (position,) = purchase_positions(net, levels, inventory_positions(net))
    assert position.feeds == ("WH-GZ", "WH-HZ")
    (line,) = solve_replenishment(net, [position], TODAY).actions
    assert "it replenishes WH-GZ, WH-HZ (their demand is in its levels)" in line.reason
    assert line.evidence["feeds"] == "WH-GZ WH-HZ"


def test_vmi_supplier_gets_no_purchase_lines() -> None:
    net = load_network(TINY)
    levels = {("WH-SH", "IVD-TROP-100"): (100, 200), ("WH-SH", "STENT-DES-30"): (100, 200)}
    positions = purchase_positions(net, levels, inventory_positions(net))
    assert [p.item for p in positions] == ["STENT-DES-30"]  # the IVD's supplier is VMI


def test_inventory_position_counts_transit_orders_and_planned_moves() -> None:
    net = load_network(TINY)
    ip = inventory_positions(net, {("WH-GZ", "IVD-TROP-100"): 5}, {("WH-SH", "INF-SET-STD"): 7})
    assert ip[("WH-GZ", "IVD-TROP-100")] == 18 + 12 + 5   # on hand + in transit + planned
    assert ip[("WH-SH", "INF-SET-STD")] == 900 + 1000 - 7  # available + open PO − moved out
