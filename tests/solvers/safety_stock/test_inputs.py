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
