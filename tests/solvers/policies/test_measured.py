"""Where no exact model applies, a reorder-point line states what the twin measures: an
independent twin run (other seeds) agrees within the issue's bounds per class, intervals
stay in range, and a plan can opt out."""

from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from solvers.planning import PlanSettings, reorder_point_actions
from solvers.policies.measured import Measured, TwinCheck, measure
from solvers.safety_stock.reasons import reorder_point_reason
from twin.network_files import load_network

TINY = Path(__file__).resolve().parents[2] / "data" / "tiny"
CHECK = TwinCheck(replications=6, days=365, warm_up=60, first_seed=500)


@pytest.fixture(scope="module")
def lines():
    net = load_network(TINY)
    return net, reorder_point_actions(net, PlanSettings().safety_stock, twin_check=CHECK)


def test_the_twin_on_other_seeds_measures_what_the_lines_state(lines) -> None:
    net, actions = lines
    measured = [a for a in actions if a.evidence["fill_basis"] == "twin"]
    assert measured, "the tiny network has lines no exact model represents"
    keys = [(a.warehouse, a.item) for a in measured]
    levels = {(a.warehouse, a.item): (a.reorder_point, a.order_up_to) for a in measured}
    again = measure(net, keys, levels, CHECK.model_copy(update={"first_seed": 1,
                                                                 "replications": 10}))
    for cls in {a.evidence["priority"] for a in measured}:
        idx = [k for k, a in enumerate(measured) if a.evidence["priority"] == cls]
        stated_on_hand = sum(float(measured[k].evidence["expected_on_hand"]) for k in idx)
        assert again.on_hand[:, idx].sum(axis=1).mean() == pytest.approx(stated_on_hand,
                                                                         rel=0.03), cls
        demand = again.demand[:, idx].sum(axis=0)
        stated = [float(measured[k].evidence["fill_rate"]) for k in idx]
        fill = again.on_time[:, idx].sum() / demand.sum()
        assert fill == pytest.approx(np.average(stated, weights=demand), abs=0.005), cls


def test_lines_say_how_their_figures_were_measured(lines) -> None:
    _, actions = lines
    for a in actions:
        ev = a.evidence
        if ev["fill_basis"] != "twin":
            continue
        assert 0 <= ev["fill_rate_low"] <= ev["fill_rate"] <= ev["fill_rate_high"] <= 1
        assert 0 <= ev["expected_on_hand_low"] <= ev["expected_on_hand"] \
            <= ev["expected_on_hand_high"]
        assert "measured in the twin with these levels (6 replications × 365 days" in a.reason
        assert "the sample-average model estimated" in a.reason


def test_without_replications_the_lines_state_the_estimates() -> None:
    net = load_network(TINY)
    actions = reorder_point_actions(net, PlanSettings().safety_stock,
                                    twin_check=TwinCheck(replications=0))
    assert {a.evidence["fill_basis"] for a in actions} <= {"sample average", "exact"}


def test_intervals_stay_in_range_and_need_two_replications() -> None:
    got = Measured(demand=np.array([[10.0, 0.0], [10.0, 0.0], [10.0, 5.0]]),
                   on_time=np.array([[10.0, 0.0], [9.0, 0.0], [10.0, 5.0]]),
                   on_hand=np.array([[0.0, 1.0], [0.1, 1.0], [0.0, 1.0]]))
    fill, lo, hi = got.fill_rate()
    assert fill[0] == pytest.approx(29 / 30) and 0 <= lo[0] <= fill[0] <= hi[0] == 1.0
    assert fill[1] == 1.0 and np.isnan(lo[1])     # one replication with demand: no interval
    on_hand, low, high = got.mean_on_hand()
    assert low[0] == 0.0 and on_hand[1] == low[1] == high[1] == 1.0
    with pytest.raises(ValidationError, match="one replication gives no interval"):
        TwinCheck(replications=1)


def test_a_hub_with_no_departments_and_a_line_without_interval_say_so() -> None:
    row = {"fill_basis": "twin", "fill_rate": None, "fill_rate_low": None,
           "fill_rate_high": None, "fill_rate_target": 0.99, "priority": "critical",
           "expected_on_hand": 12.0, "expected_on_hand_low": None,
           "expected_on_hand_high": None, "measured": "2 replications", "not_exact":
           "replenishes other warehouses (lumpy orders)", "protection_days": 9.0,
           "protection_demand": 30.0, "estimate_fill_rate": 1.0, "estimate_on_hand": 9.0}
    reason = reorder_point_reason(row)
    assert reason.startswith("no department of its own to serve (it replenishes other "
                             "warehouses) against the 99% target")
    assert "expected on-hand 12.0 units (no interval: fewer than 2 replications" in reason
