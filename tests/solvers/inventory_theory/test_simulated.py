"""The simulated lost-sales estimate against the exact chains where both apply, its
determinism, and the search that falls back to it beyond the chain's state limit."""

import pytest

from solvers.inventory_theory import DailyDemand, Position, evaluate, optimal_policy
from solvers.inventory_theory.pipeline import MAX_STATES, open_orders, state_bound
from solvers.inventory_theory.simulated import SimulatedLostSales


@pytest.mark.parametrize(("review", "lead", "negbin", "s", "big_s"), [
    # with open orders: tests/solvers/inventory_theory/test_pipeline.py (200,000 days)
    (7, 3, True, 20, 50),       # no open order (the chain on on-hand), negative binomial
])
def test_the_estimate_agrees_with_the_exact_chain(review: int, lead: int, negbin: bool,
                                                  s: int, big_s: int) -> None:
    law = DailyDemand.negative_binomial(5.0, 12.0) if negbin else DailyDemand.poisson(5.0)
    pos = Position(law, review, lead, 1.0, 10.0, 20.0, backorder=False)
    exact = evaluate(pos, s, big_s)
    got = SimulatedLostSales(pos).evaluate(s, big_s)
    assert exact.exact and not got.exact
    assert got.fill_rate == pytest.approx(exact.fill_rate, abs=0.004)
    assert got.on_hand == pytest.approx(exact.on_hand, rel=0.01)
    assert got.orders == pytest.approx(exact.orders, rel=0.01)
    assert got.cost == pytest.approx(exact.cost, rel=0.01)


def test_the_same_position_gives_the_same_estimate() -> None:
    pos = Position(DailyDemand.poisson(20.0), 1, 8, 0.1, 4.0, 20.0, backorder=False)
    assert SimulatedLostSales(pos).evaluate(170, 200) == SimulatedLostSales(pos).evaluate(
        170, 200)


def test_beyond_the_state_limit_the_search_runs_on_the_estimate() -> None:
    pos = Position(DailyDemand.poisson(20.0), 1, 8, 0.1, 4.0, 20.0, backorder=False)
    best = optimal_policy(pos, 0.98)
    assert not best.exact and best.fill_rate >= 0.98
    assert state_bound(best.s, best.S, open_orders(pos)) > MAX_STATES
    sim = SimulatedLostSales(pos)
    for ds in (-1, 0, 1):                      # no feasible neighbour is cheaper
        for d_big in (-1, 0, 1):
            near = sim.evaluate(best.s + ds, best.S + d_big)
            assert near.fill_rate < 0.98 or near.cost >= best.cost
