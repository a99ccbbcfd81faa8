"""Substitutes in the twin: served after the item's own FEFO, in preference order, counted."""

import pytest
from sim_builders import department, hospital, item, lot, network, trace, warehouse

from twin.sim import simulate


def _net(unmet: str = "lost"):
    return network(
        warehouses=[warehouse("A", cold_chain=False)],
        items=[item("X", unmet_demand=unmet), item("Y"), item("Z"), item("C", cold_chain=True)],
        hospitals=[hospital("H", ["A"], [department("ICU", "critical"), department("WARD")])],
        lots=[lot("A", "X", "LX", 100, 2), lot("A", "Y", "LY2", 100, 2),
              lot("A", "Y", "LY1", 50, 1), lot("A", "Z", "LZ", 100, 5)],
        substitutes=[{"item": "X", "substitute": "C", "preference": 1},  # cold: not at A
                     {"item": "X", "substitute": "Y", "preference": 2, "department": "ICU"},
                     {"item": "X", "substitute": "Z", "factor": 2, "preference": 3}])


def _issues(result):
    led = result.ledger
    r = led[led["kind"] == "issue"]
    return sorted(zip(r["day"], r["item"], r["lot"], r["quantity"], r["counterpart"],
                      r["reason"], strict=True))


def test_short_demand_is_covered_by_substitutes_in_preference_order_fefo_within_each():
    demand = trace([(0, "H", "ICU", "X", 4), (0, "H", "WARD", "X", 3),
                    (1, "H", "ICU", "X", 2), (1, "H", "WARD", "X", 1)])
    result = simulate(_net(), days=2, seed=0, demand=demand)
    assert _issues(result) == sorted([
        (0, "X", "LX", 2, "H/ICU", ""),
        (0, "Y", "LY1", 1, "H/ICU", "substitute"), (0, "Y", "LY2", 1, "H/ICU", "substitute"),
        (0, "Z", "LZ", 4, "H/WARD", "substitute"),  # 2 units of X at 2 Z each; 1 lost
        (1, "Y", "LY2", 1, "H/ICU", "substitute"),  # the last Y; one Z cannot cover a unit
    ])
    ds = result.to_dataset()
    assert int(ds.substituted_units.sum()) == 5
    assert int(ds.substitute_units.sum()) == 7
    assert int(ds.lost_units.sum()) == 3
    assert float(ds.run_fill_rate) == pytest.approx(7 / 10)
    assert float(ds.run_fill_rate_own_item) == pytest.approx(2 / 10)
    assert float(ds.run_fill_rate_critical) == pytest.approx(5 / 6)
    assert float(ds.run_substituted_units) == 5


def test_on_time_units_covered_by_substitutes_are_counted_apart():
    net = _net("backorder")
    demand = trace([(0, "H", "ICU", "X", 6), (1, "H", "ICU", "X", 1)])
    result = simulate(net, days=2, seed=0, demand=demand)
    ds = result.to_dataset()
    # day 0: 2 own + 3 Y + 1 of X at 2 Z = 6 on time; day 1: Z covers 1 more (2 Z) on time
    assert int(ds.served_on_time_units.sum()) == 7
    assert int(ds.substituted_on_time_units.sum()) == 5
    assert int(ds.substitute_units.sum()) == 3 + 4


def test_departments_sharing_a_short_substitute_are_served_critical_first():
    net = network(warehouses=[warehouse("A")], items=[item("X"), item("Z")],
                  hospitals=[hospital("H", ["A"], [department("WARD"),
                                                   department("ICU", "critical")])],
                  lots=[lot("A", "Z", "LZ", 100, 3)],
                  substitutes=[{"item": "X", "substitute": "Z"}])
    demand = trace([(0, "H", "WARD", "X", 2), (0, "H", "ICU", "X", 2)])
    result = simulate(net, days=1, seed=0, demand=demand)
    assert _issues(result) == [(0, "Z", "LZ", 1, "H/WARD", "substitute"),
                               (0, "Z", "LZ", 2, "H/ICU", "substitute")]
