"""The safety-stock inputs describe the replenishment the twin executes: the same lane and
the same lateness (:mod:`twin.domain.replenishment`)."""

import numpy as np

from solvers.safety_stock import build_inputs
from tests.twin.sim.sim_builders import (
    department,
    hospital,
    item,
    lane,
    network,
    supplier,
    warehouse,
)
from twin.api import replenishment_lane


def test_positions_are_replenished_on_the_twins_lane_and_late_by_the_domain_rule() -> None:
    lanes = [lane("A", "B", 4, mode="road", cost_per_unit=2.0),
             lane("A", "B", 6, mode="rail", cost_per_unit=1.0),
             lane("A", "B", 2, mode="air", cost_per_unit=1.5, cold_chain=True)]
    sup = supplier("SUP", ["A"], {"X": 8.0, "C": 12.0},
                   lateness={"probability": 0.1, "delay": {"mean": 2.0, "spread": 2.0}})
    net = network(warehouses=[warehouse("A"), warehouse("B")],
                  items=[item("X"), item("C", cold_chain=True)], suppliers=[sup],
                  hospitals=[hospital("H", ["B"], [department("WARD")])], lanes=lanes,
                  demand=[{"hospital": "H", "department": "WARD", "item": code,
                           "mean_per_day": 2.0} for code in ("X", "C")],
                  stock_policies=[{"warehouse": "B", "item": code, "reorder_point": 5,
                                   "order_up_to": 10, "source": "A"} for code in ("X", "C")])
    x = build_inputs(net)
    rows = {(w, i): k for k, (w, i) in enumerate(zip(x.warehouse, x.item, strict=True))}
    for code, cold, mode in (("X", False, "rail"), ("C", True, "air")):
        chosen = replenishment_lane(net.lanes, "A", "B", cold)
        assert chosen.mode == mode  # cheapest for the warm item, the cold lane for the cold
        assert x.lead_time[rows[("B", code)]] == chosen.transit_time
        assert x.source[rows[("B", code)]] == "A"
    rp = x.replenishment
    at_a = [rows[("A", code)] for code in ("X", "C")]
    assert [d.mean for d in rp.late_delay[at_a]] == [2.0, 2.0]
    np.testing.assert_allclose(rp.late_probability[at_a], 0.1)


def test_returns_that_come_back_into_stock_net_the_demand() -> None:
    """Unused units (restocked by default) come back: a binomial thinning of the demand,
    mean (1 − ρ)μ and variance (1 − ρ)²σ² + ρ(1 − ρ)μ; defective ones are scrapped (ρ 0)."""
    from solvers.safety_stock.exact import why_not_exact

    back = {"delay_days": {"family": "fixed", "mean": 3}}
    net = network(warehouses=[warehouse("A")],
                  items=[item(c, unmet_demand="backorder") for c in ("X", "Y")],
                  suppliers=[supplier("SUP", ["A"], {"X": 5.0, "Y": 5.0})],
                  hospitals=[hospital("H", ["A"], [department("WARD")])],
                  demand=[{"hospital": "H", "department": "WARD", "item": "X",
                           "mean_per_day": 10.0, "family": "negbin", "dispersion": 2.0,
                           "returns": [{"reason": "unused", "rate": 0.15, **back},
                                       {"reason": "defective", "rate": 0.05, **back}]},
                          {"hospital": "H", "department": "WARD", "item": "Y",
                           "mean_per_day": 10.0, "family": "negbin", "dispersion": 2.0}])
    x = build_inputs(net)
    at = {i: k for k, i in enumerate(x.item)}
    rho = 0.15
    assert x.mean_per_day[at["X"]] == np.float64((1 - rho) * 10.0)
    assert np.isclose(x.var_per_day[at["X"]], (1 - rho) ** 2 * 20.0 + rho * (1 - rho) * 10.0)
    assert np.isclose(x.return_share[at["X"]], rho)
    assert (x.mean_per_day[at["Y"]], x.var_per_day[at["Y"]], x.return_share[at["Y"]]) == (
        10.0, 20.0, 0.0)
    why = why_not_exact(x)
    assert why[at["X"]] == "returned units come back into its stock (net demand)"
    assert "returned" not in why[at["Y"]]
