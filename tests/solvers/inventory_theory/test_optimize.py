"""Optimal (s, S): published optima of Zheng & Federgruen (backorders and, by Karlin &
Scarf's equivalence at zero lead time, lost sales) and full enumeration."""

import itertools

import pytest

from solvers.inventory_theory import (
    DailyDemand,
    Position,
    evaluate,
    grid_optimum,
    least_reorder_point,
    local_optimum,
    zheng_federgruen,
)

# Zheng & Federgruen (1991), Table I; the same optima are quoted by Feng & Xiao (2000,
# IIE Transactions) and reproduced in the test suites of N. van Foreest's and R. Rossi's
# (inventoryanalytics) open implementations: Poisson demand with mean μ per period, zero
# lead time, h = 1, p = 9 per unit-period backlogged, K = 64.
PUBLISHED = [(10.0, 6, 40, 35.0215552), (20.0, 14, 62, 49.173036), (64.0, 55, 74, 78.402321)]


@pytest.mark.parametrize(("mu", "s", "big_s", "cost"), PUBLISHED)
def test_zheng_federgruen_reproduces_the_published_optima(mu: float, s: int, big_s: int,
                                                          cost: float) -> None:
    # the twin's 1-day lead time is the period model's zero lead time; with s* ≥ 0 a
    # backlog never outlives its period, so p per unit short = p per unit-period
    pos = Position(DailyDemand.poisson(mu), 1, 1, 1.0, 9.0, 64.0)
    got = zheng_federgruen(pos)
    assert (got.s, got.S) == (s, big_s)
    assert got.cost == pytest.approx(cost, abs=1e-6)


@pytest.mark.parametrize(("mu", "s", "big_s", "cost"), PUBLISHED)
def test_lost_sales_search_reproduces_the_published_optima(mu: float, s: int, big_s: int,
                                                           cost: float) -> None:
    # With zero lead time and s ≥ 0 the lost-sales system has the backorder system's costs
    # (Karlin & Scarf, 1958): a unit short is lost where it would have been backlogged for
    # exactly its one period (both cost p), an order is placed in the same periods and
    # lifts the stock to S either way, and the stock left over is the same. A lost-sales
    # system with s < 0 never orders. So Zheng & Federgruen's optima are its optima too,
    # reached here by the lost-sales chain and its search, not by their algorithm.
    pos = Position(DailyDemand.poisson(mu), 1, 1, 1.0, 9.0, 64.0, backorder=False)
    got = local_optimum(pos)
    assert (got.s, got.S) == (s, big_s)
    assert got.cost == pytest.approx(cost, abs=1e-6)


@pytest.mark.parametrize(("review", "lead", "var"), [(1, 1, 3.0), (7, 5, 3.0), (3, 9, 9.0)])
def test_zheng_federgruen_is_the_grid_optimum(review: int, lead: int, var: float) -> None:
    pos = Position(DailyDemand.negative_binomial(3.0, var), review, lead, 0.2, 5.0, 30.0)
    zf, grid = zheng_federgruen(pos), grid_optimum(pos)
    assert zf.cost == pytest.approx(grid.cost, rel=1e-12)


def _enumerate(pos: Position, fill: float, top: int) -> tuple[float, int, int]:
    return min((p.cost, p.s, p.S) for s, big_s in itertools.combinations(range(-1, top), 2)
               if (p := evaluate(pos, s, big_s)).fill_rate >= fill)


def test_fill_constrained_grid_is_full_enumeration() -> None:
    pos = Position(DailyDemand.poisson(2.0), 2, 3, 1.0, 2.0, 15.0)
    free = grid_optimum(pos)
    got = grid_optimum(pos, 0.99)
    assert free.fill_rate < 0.99 <= got.fill_rate
    assert (got.cost, got.s, got.S) == pytest.approx(_enumerate(pos, 0.99, 40))


@pytest.mark.parametrize("fill", [0.0, 0.98])
def test_lost_sales_search_finds_the_enumerated_optimum(fill: float) -> None:
    pos = Position(DailyDemand.poisson(2.0), 3, 2, 1.0, 4.0, 12.0, backorder=False)
    got = local_optimum(pos, fill)
    assert got.cost == pytest.approx(_enumerate(pos, fill, 36)[0], rel=1e-9)


def test_least_reorder_point_is_the_least_meeting_the_target() -> None:
    for backorder in (True, False):
        pos = Position(DailyDemand.poisson(20.0), 7, 5, 1.0, 10.0, 50.0, backorder)
        got = least_reorder_point(pos, 140, 0.99)
        assert got.fill_rate >= 0.99 > evaluate(pos, got.s - 1, got.S - 1).fill_rate
        assert got.S - got.s == 140
