"""The lost-sales chain with open orders (L > R) against the chain on on-hand, a day-by-day
simulation of the same recursion, and its state limit."""

import pytest

from solvers.inventory_theory import DailyDemand, Position, evaluate
from solvers.inventory_theory.periodic import LostSalesChain
from solvers.inventory_theory.pipeline import MAX_STATES, PipelineChain, TooLarge, state_bound
from solvers.inventory_theory.simulated import SimulatedLostSales


@pytest.mark.parametrize(("review", "lead", "s", "big_s"), [(7, 3, 20, 50), (7, 7, 40, 60),
                                                             (3, 1, -1, 12)])
def test_without_open_orders_it_is_the_chain_on_on_hand(review: int, lead: int, s: int,
                                                         big_s: int) -> None:
    pos = Position(DailyDemand.negative_binomial(5.0, 12.0), review, lead, 1.0, 10.0, 20.0,
                   backorder=False)
    old = LostSalesChain(pos, big_s).evaluate(s, big_s)
    new = PipelineChain(pos, big_s).evaluate(s, big_s)
    assert (new.cost, new.fill_rate, new.on_hand, new.orders) == pytest.approx(
        (old.cost, old.fill_rate, old.on_hand, old.orders), rel=1e-10)


@pytest.mark.parametrize(("review", "lead", "negbin", "s", "big_s"), [
    (7, 10, False, 60, 110),    # one open order, a shortfall each cycle (fill ≈ 93 %)
    (3, 8, True, 25, 60),       # two open orders, negative binomial, fill ≈ 70 %
    (1, 4, False, 19, 20),      # base stock, three open orders (textbook lead time 3)
])
def test_the_chain_states_what_the_recursion_does(review: int, lead: int, negbin: bool,
                                                  s: int, big_s: int) -> None:
    law = DailyDemand.negative_binomial(5.0, 12.0) if negbin else DailyDemand.poisson(5.0)
    pos = Position(law, review, lead, 1.0, 10.0, 20.0, backorder=False)
    exact = evaluate(pos, s, big_s)
    # the same recursion day by day on 200,000 days (solvers.inventory_theory.simulated)
    day_by_day = SimulatedLostSales(pos, days=200_000).evaluate(s, big_s)
    fill, on_hand, orders = day_by_day.fill_rate, day_by_day.on_hand, day_by_day.orders
    assert 0.5 < exact.fill_rate < 0.99
    assert fill == pytest.approx(exact.fill_rate, abs=0.003)
    assert on_hand == pytest.approx(exact.on_hand, rel=0.01)
    assert orders == pytest.approx(exact.orders, rel=0.01)


def test_a_chain_beyond_the_state_limit_is_refused_not_built() -> None:
    pos = Position(DailyDemand.poisson(20.0), 1, 6, 1.0, 10.0, 0.0, backorder=False)
    assert state_bound(119, 120, 5) > MAX_STATES
    with pytest.raises(TooLarge, match=f"limit of {MAX_STATES}"):
        evaluate(pos, 119, 120)
    # the bound counts the tuples (x, q_1…q_m) with x + Σq ≤ S, q ∈ {0} ∪ [S − s, S]
    brute = sum(1 for x in range(11) for q1 in [0, *range(6, 11)] for q2 in [0, *range(6, 11)]
                if x + q1 + q2 <= 10)
    assert state_bound(4, 10, 2) == brute
