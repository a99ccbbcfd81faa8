"""Disposition lines on hand-built networks: exact figures of the FEFO fluid at mean demand,
and the twin scrapping at expiry exactly the units a line says go unused."""

import datetime as dt
from typing import Any

import pytest
from sim_builders import (
    AS_OF,
    department,
    hospital,
    item,
    lane,
    lot,
    network,
    supplier,
    trace,
    warehouse,
)

from solvers.returns import disposition_actions, preferred_supplier
from twin.domain import DispositionAction, Network
from twin.sim import simulate


def _day(n: int) -> str:
    return (AS_OF + dt.timedelta(days=n)).isoformat()


def returned(code: str, name: str, reason: str, expiry_day: int, qty: int,
             received_day: int = 0) -> dict[str, Any]:
    """A returned lot at warehouse A."""
    return {"warehouse": "A", "item": code, "lot": name, "expiry": _day(expiry_day),
            "quantity": qty, "reason": reason, "received": _day(received_day),
            "hospital": "H"}


def _model(code: str, mean: float) -> dict[str, Any]:
    return {"hospital": "H", "department": "WARD", "item": code, "family": "poisson",
            "mean_per_day": mean}


def _net(returns: list[dict[str, Any]], handling: list[dict[str, Any]] | None = None,
         **kw: Any) -> Network:
    """Warehouse A serving H's ward: X (2/day, 40 own units expiring on day 25, QC hold
    2 days), Y (2/day, no stock), Z (1/day, no stock); unit cost 10."""
    defaults: dict[str, Any] = {
        "warehouses": [warehouse("A"), warehouse("B")],
        "items": [item("X", qc_hold_days=2), item("Y"), item("Z")],
        "hospitals": [hospital("H", ["A"], [department("WARD")])],
        "demand": [_model("X", 2), _model("Y", 2), _model("Z", 1)],
        "lots": [lot("A", "X", "X-OWN", 25, 40)]}
    net = network(**{**defaults, **kw})
    doc = net.model_dump(by_alias=True)
    doc["snapshot"]["returns"] = returns
    doc["return_handling"] = handling or []
    return Network.model_validate(doc)


def _lines(net: Network) -> list[tuple[str, str, int]]:
    return [(a.lot, a.decision, a.quantity) for a in disposition_actions(net)]


REPAIRABLE = {"reason": "defective", "item": "Z", "restock": 0.0, "repair": 0.8,
              "repair_days": {"family": "fixed", "mean": 4.5}, "repair_cost": 3.0}


def test_restock_what_is_used_before_expiry_and_scrap_the_rest():
    # Y: 2/day from day 0 until expiry on day 10 → 20 of 30 used
    net = _net([returned("Y", "Y-R", "near_expiry", 10, 30)])
    restock, scrap = disposition_actions(net)
    assert (restock.decision, restock.quantity, scrap.decision, scrap.quantity) == (
        "restock", 20, "scrap", 10)
    assert restock.date == AS_OF and restock.reason == "near_expiry"
    assert restock.evidence["units_used"] == 20 and restock.evidence["value_saved"] == 200
    assert scrap.evidence["value_scrapped"] == 100
    assert restock.explanation().startswith("restock 20 returned near_expiry units: 20.0 of 30")
    assert "the other 10 expire unused" in scrap.why
    assert restock.key != scrap.key and restock.key == disposition_actions(net)[0].key


def test_restocked_units_count_only_what_the_warehouse_gains():
    # X: QC hold 2 days → date day 1 (received day −1). FEFO: the returned lot (expiry 20)
    # goes first from day 1: 2/day days 1–15 → all 30 used; own X-OWN (40, expiry 25) gets
    # day 0 and days 16–24: 2 + 18 = 20 units, 20 expire (without the return: 50 ≥ 40, none)
    net = _net([returned("X", "X-R", "unused", 20, 30, received_day=-1)])
    (line,) = disposition_actions(net)
    assert (line.decision, line.quantity, line.date) == ("restock", 30, AS_OF +
                                                         dt.timedelta(days=1))
    assert line.evidence["own_units_displaced"] == 20 and line.evidence["units_saved"] == 10
    assert line.evidence["value_saved"] == 100


def test_repair_when_the_repaired_units_are_used_and_cheaper_than_new():
    # Z: 1/day; repaired units back on day ⌈4.5⌉ = 5; expiry day 15 → 10 of 20 used
    net = _net([returned("Z", "Z-D", "defective", 15, 20)], [REPAIRABLE])
    repair, scrap = disposition_actions(net)
    assert (repair.decision, repair.quantity, scrap.quantity) == ("repair", 10, 10)
    assert repair.repairer == "SUP" and repair.repair_due == AS_OF + dt.timedelta(days=5)
    assert repair.evidence["value_saved"] == 10 * 10 - 10 * 3


@pytest.mark.parametrize(("rule", "says"), [
    (None, "does not repair"),
    ({**REPAIRABLE, "repair_cost": 12.0}, "buying new is cheaper"),
    ({**REPAIRABLE, "repair_days": {"family": "fixed", "mean": 20}}, "0.0 of 20 units"),
])
def test_defective_units_are_scrapped_when_a_repair_does_not_pay(rule, says):
    net = _net([returned("Z", "Z-D", "defective", 15, 20)], [rule] if rule else [])
    (line,) = disposition_actions(net)
    assert (line.decision, line.quantity) == ("scrap", 20) and says in line.why
    assert line.evidence["value_scrapped"] == 200


def test_no_repair_when_the_repaired_units_only_push_own_stock_into_expiry():
    # Z: 1/day; own Z-OWN (30, expiry 30) covers days 0–29 alone. Repaired units (10, expiry
    # 20) back on day 5 go first (FEFO) days 5–14, and 10 own units then expire: 0 saved
    net = _net([returned("Z", "Z-D", "defective", 20, 10)], [REPAIRABLE],
               lots=[lot("A", "Z", "Z-OWN", 30, 30)])
    (line,) = disposition_actions(net)
    assert (line.decision, line.quantity) == ("scrap", 10)
    assert line.evidence["units_used"] == 10 and line.evidence["own_units_displaced"] == 10
    assert "to repair 10 saves 0.0 units net of the own units they leave to expire" in line.why


def test_recalled_units_are_scrapped_whatever_their_use():
    (line,) = disposition_actions(_net([returned("Y", "Y-R", "recalled", 300, 5)]))
    assert (line.decision, line.quantity) == ("scrap", 5) and "is recalled" in line.why


def test_units_expiring_before_qc_ends_are_scrapped():
    # X's QC hold of 2 days ends on day 1; the lot expires on day 1
    (line,) = disposition_actions(_net([returned("X", "X-R", "unused", 1, 4, -1)]))
    assert (line.decision, line.quantity) == ("scrap", 4)
    assert f"expires on {_day(1)}, before QC can release it on {_day(1)}" in line.why


def test_lots_are_decided_earliest_expiry_first_and_share_the_demand():
    # Y: 2/day. Y-1 (expiry 10): 20 units, all used days 0–9; Y-2 (expiry 15): days 10–14
    # → 10 of 20; the later lot never takes demand from the earlier one
    net = _net([returned("Y", "Y-2", "unused", 15, 20), returned("Y", "Y-1", "unused", 10, 20)])
    assert _lines(net) == [("Y-1", "restock", 20), ("Y-2", "restock", 10),
                           ("Y-2", "scrap", 10)]


def test_preferred_supplier_is_the_policy_source_else_the_first_delivering():
    sups = [supplier("FAR", ["B"], {"X": 5}), supplier("NEAR", ["A"], {"X": 5}),
            supplier("POL", ["A"], {"X": 5})]
    net = _net([], suppliers=sups)
    assert preferred_supplier(net, "A", "X") == "NEAR"
    assert preferred_supplier(net, "B", "Y") is None
    net = _net([], suppliers=sups, stock_policies=[
        {"warehouse": "A", "item": "X", "reorder_point": 1, "order_up_to": 2, "source": "POL"}])
    assert preferred_supplier(net, "A", "X") == "POL"
    assert preferred_supplier(_net([], suppliers=sups[:1]), "A", "X") == "FAR"


def _expired_in_twin(net: Network, days: int, **sections: Any) -> int:
    """Units the twin scraps at expiry over ``days`` with the demand models' means replayed
    on ``net``'s hospitals and ``sections`` as the stock."""
    rows = [(d, "H", "WARD", m.item, int(m.mean_per_day)) for d in range(days)
            for m in net.demand]
    ledger = simulate(_net([], **sections), days=days, seed=0, demand=trace(rows)).ledger
    gone = ledger[(ledger["kind"] == "scrap") & (ledger["reason"] == "expired")]
    return int(gone["quantity"].sum())


def test_the_twin_uses_the_restocked_units_and_scraps_the_rest():
    """Restocked units put on hand on the QC date (day 0 here) with integer mean demand:
    the twin scraps none of them at expiry; all 30 returned units, it scraps the 10 the
    scrap line names."""
    net = _net([returned("Y", "Y-R", "near_expiry", 10, 30)], lots=[])
    restock, scrap = disposition_actions(net)

    def expired(units: int) -> int:
        return _expired_in_twin(net, 12, lots=[lot("A", "Y", "Y-R", 10, units)])

    assert expired(restock.quantity) == 0
    assert expired(restock.quantity + scrap.quantity) == scrap.quantity


def test_the_twin_uses_the_repaired_units_back_on_their_due_date():
    """Repaired units arriving on ``repair_due`` (as a shipment due that day): the twin
    scraps none at expiry; all 20, it scraps the 10 the scrap line names."""
    net = _net([returned("Z", "Z-D", "defective", 15, 20)], [REPAIRABLE], lots=[])
    repair, scrap = disposition_actions(net)
    assert repair.repair_due is not None

    def expired(units: int) -> int:
        back = {"from": "B", "to": "A", "item": "Z", "lot": "Z-D", "expiry": _day(15),
                "quantity": units, "shipped": _day(0), "eta": repair.repair_due.isoformat()}
        return _expired_in_twin(net, 17, lots=[], lanes=[lane("B", "A")], in_transit=[back])

    assert expired(repair.quantity) == 0
    assert expired(repair.quantity + scrap.quantity) == scrap.quantity


def test_plan_lines_round_trip_through_json():
    net = _net([returned("Z", "Z-D", "defective", 15, 20)], [REPAIRABLE])
    for a in disposition_actions(net):
        assert DispositionAction.model_validate_json(a.model_dump_json(by_alias=True)) == a
