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
    assert "inventory position 15 ≤ reorder point 20" in plan.actions[0].reason


def test_moq_rounds_up() -> None:
    plan = solve_replenishment(load_network(TINY), [pos(15, moq=100)], TODAY)
    assert plan.actions[0].quantity == 100 and "MOQ 100" in plan.actions[0].reason


def test_supplier_capacity_limits_and_is_explained() -> None:
    plan = solve_replenishment(load_network(TINY), [pos(15, cap=10)], TODAY)
    assert plan.actions[0].quantity == 10
    assert plan.actions[0].evidence["shortfall_units"] == 25
    assert "supplier capacity" in plan.actions[0].reason


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
