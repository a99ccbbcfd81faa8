"""Expiry alerts against the twin: with integer demand equal to the models' means, the
units an alert says expire unused are the units the twin scraps at expiry."""

import datetime as dt

import pytest
from sim_builders import AS_OF, department, hospital, item, lane, lot, network, trace, warehouse

from solvers.expiry import ExpiryAlerts
from twin.domain import TransferAction
from twin.sim import simulate

DAYS = 40


def _model(dept: str, code: str, mean: float) -> dict:
    return {"hospital": "H", "department": dept, "item": code, "family": "poisson",
            "mean_per_day": mean}


def _net(**kw):
    defaults = {
        "warehouses": [warehouse("A"), warehouse("B")],
        "items": [item("X"), item("Y", unmet_demand="backorder", unit_cost=5.0)],
        "hospitals": [hospital("H", ["A"], [department("ICU", "critical", min_shelf=10),
                                            department("WARD")])],
        "demand": [_model("ICU", "X", 2), _model("WARD", "X", 3), _model("WARD", "Y", 1)],
        "lots": [lot("A", "X", "X-SOON", 12, 40), lot("A", "X", "X-MID", 25, 60),
                 lot("A", "X", "X-LATE", 300, 50), lot("A", "Y", "Y-SOON", 20, 30)]}
    return network(**{**defaults, **kw})


def _replayed(net) -> dict[str, int]:
    """Units per lot the twin scraps at expiry with the demand models' means replayed."""
    rows = [(d, m.hospital, m.department, m.item, int(m.mean_per_day))
            for d in range(DAYS) for m in net.demand]
    ledger = simulate(net, days=DAYS, seed=0, demand=trace(rows)).ledger
    scrap = ledger[(ledger["kind"] == "scrap") & (ledger["reason"] == "expired")]
    return scrap.groupby("lot")["quantity"].sum().to_dict()


def test_units_at_risk_are_what_the_twin_scraps():
    net = _net()
    alerts = ExpiryAlerts(net, within_days=DAYS).alerts()
    stated = {a.lot: a.units_at_risk for a in alerts}
    assert stated == pytest.approx(_replayed(net))
    # X-SOON: ICU (10 days' shelf) may use it to day 2, WARD to day 11: 2·3 + 3·12 = 42 ≥ 40
    # units → none lost; X-MID: ICU 2/day days 3–14 and WARD's 3/day … the twin decides.
    assert "X-SOON" not in stated and "X-LATE" not in stated
    assert stated["Y-SOON"] == 10  # 1/day for 20 days of a 30-unit lot
    assert all(a.value_at_risk == pytest.approx(a.units_at_risk * (5.0 if a.item == "Y" else
                                                                   10.0)) for a in alerts)


def test_a_rescue_ships_to_a_warehouse_that_uses_the_units_in_time():
    net = _net(hospitals=[hospital("H", ["A"], [department("ICU", "critical", min_shelf=10),
                                                department("WARD")]),
                          hospital("K", ["B"], [department("WARD")])],
               demand=[_model("WARD", "Y", 1), {**_model("WARD", "Y", 2), "hospital": "K"}],
               lanes=[lane("A", "B", transit=3, cost_per_unit=0.5)],
               lots=[lot("A", "Y", "Y-SOON", 20, 30)])
    (alert,) = ExpiryAlerts(net, within_days=DAYS).alerts()
    assert alert.lot == "Y-SOON" and alert.units_at_risk == 10
    r = alert.rescue
    assert r is not None and (r.target, r.quantity) == ("B", 10)
    assert r.arrival == AS_OF + dt.timedelta(days=3)
    assert r.units_saved == 10 and r.value_saved == 50 and r.cost == 5
    # checked in the twin: ship the units on day 0, nothing of the lot expires anywhere
    moved = TransferAction(key="t", reason="rescue", **{"from": "A", "to": "B"}, item="Y",
                           lot="Y-SOON", quantity=10, ship_date=AS_OF)
    rows = [(d, m.hospital, m.department, m.item, int(m.mean_per_day))
            for d in range(DAYS) for m in net.demand]

    class Ship:
        emergency = False

        def __init__(self, index):
            del index

        def decide(self, view):
            return [moved] if view.day == 0 else []

    ledger = simulate(net, days=DAYS, seed=0, demand=trace(rows), policy=Ship).ledger
    assert not ((ledger["kind"] == "scrap") & (ledger["lot"] == "Y-SOON")).any()


def test_a_planned_transfer_is_credited_and_nothing_else_suggested():
    net = _net()
    line = TransferAction(key="transfer-1", reason="r", **{"from": "A", "to": "B"}, item="Y",
                          lot="Y-SOON", quantity=10, ship_date=AS_OF)
    alert = next(a for a in ExpiryAlerts(net, within_days=DAYS).alerts([line])
                 if a.lot == "Y-SOON")
    assert alert.planned == {"transfer-1": 10} and alert.rescue is None
    assert "the plan ships 10 units of the lot, more than are at risk" in alert.reason


def test_lots_too_short_dated_for_every_department_are_named_so():
    net = _net(lots=[lot("A", "X", "X-SHORT", 8, 5)], demand=[_model("ICU", "X", 2)])
    (alert,) = ExpiryAlerts(net, within_days=DAYS).alerts()
    assert alert.units_at_risk == 5
    assert "too short-dated" in alert.reason
