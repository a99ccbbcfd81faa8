"""Random lead times: the whole-day law against the twin's own sampler, the crossing
probability against pairs of draws, and the mixed chain against a day-by-day simulation."""

import numpy as np
import pytest

from solvers.inventory_theory import DailyDemand, Position, evaluate
from solvers.inventory_theory.lead_time import crossing_risk, whole_day_pmf
from twin.domain import Distribution
from twin.sim.index import Durations
from twin.sim.randomness import sample_durations, whole_days

DRAWS = 200_000


@pytest.mark.parametrize(("family", "mean", "spread"), [
    ("gamma", 5.0, 1.5), ("lognormal", 10.0, 3.0), ("normal", 2.0, 2.0), ("gamma", 1.2, 1.0)])
def test_the_law_is_what_the_twin_samples(family: str, mean: float, spread: float) -> None:
    dist = Distribution(family=family, mean=mean, spread=spread)
    pmf = dict(whole_day_pmf(dist))
    assert sum(pmf.values()) == pytest.approx(1.0, abs=1e-12) and min(pmf) >= 1
    rng = np.random.default_rng(5)
    days = whole_days(sample_durations(rng, Durations.of([dist]), np.zeros(DRAWS, dtype=int)))
    seen = np.bincount(days) / DRAWS
    for day in range(1, max(len(seen), max(pmf) + 1)):
        p = pmf.get(day, 0.0)
        got = seen[day] if day < len(seen) else 0.0
        assert abs(got - p) <= 5 * np.sqrt(p * (1 - p) / DRAWS) + 1e-5, day


def test_the_crossing_probability_is_that_of_two_draws() -> None:
    dist = Distribution(family="gamma", mean=14.0, spread=3.0)
    pmf = whole_day_pmf(dist)
    rng = np.random.default_rng(2)
    a, b = (whole_days(sample_durations(rng, Durations.of([dist]), np.zeros(DRAWS, dtype=int)))
            for _ in range(2))
    seen = float(np.mean(a.astype(int) - b > 7))
    risk = crossing_risk(pmf, 7)
    assert risk == pytest.approx(seen, abs=5 * np.sqrt(risk / DRAWS))
    assert crossing_risk(((3, 0.3), (5, 0.5), (10, 0.2)), 7) == 0.0
    assert crossing_risk(whole_day_pmf(Distribution(family="fixed", mean=4.0)), 1) == 0.0


def _simulate(pmf: tuple[tuple[int, float], ...], mean: float, review: int, s: int,
              big_s: int, days: int, seed: int) -> tuple[float, float]:
    """Fill rate and mean end-of-day on-hand of (s, S) with backorders, an order's lead time
    drawn from ``pmf`` (a delivery due on day d arrives before its demand), day by day."""
    rng = np.random.default_rng(seed)
    lead, p = np.array([d for d, _ in pmf]), np.array([q for _, q in pmf])
    due = np.zeros(days + lead.max() + 1)
    demand = rng.poisson(mean, days)
    net, on_order, served, total, on_hand, warm = big_s, 0.0, 0.0, 0.0, 0.0, 500
    for t in range(days):
        net += due[t]
        on_order -= due[t]
        d = demand[t]
        if t >= warm:
            served += min(d, max(net, 0))
            total += d
            on_hand += max(net - d, 0)
        net -= d
        if t % review == 0 and net + on_order <= s:
            due[t + rng.choice(lead, p=p)] += big_s - net - on_order
            on_order = big_s - net
    return served / total, on_hand / (days - warm)


def test_the_mixed_chain_is_exact_when_orders_cannot_cross() -> None:
    # lead time 3, 5 or 9 days, weekly review: two orders never cross (9 − 3 ≤ 7)
    pmf = ((3, 0.3), (5, 0.5), (9, 0.2))
    pos = Position(DailyDemand.poisson(10.0), 7, 9, 0.05, 1.0, 20.0, True, pmf)
    exact = evaluate(pos, 60, 160)
    fill, on_hand = _simulate(pmf, 10.0, 7, 60, 160, 300_000, 1)
    assert fill == pytest.approx(exact.fill_rate, abs=0.002)
    assert on_hand == pytest.approx(exact.on_hand, rel=0.01)
    # and the lead time's spread matters: a fixed mean lead time states another fill
    fixed = evaluate(Position(DailyDemand.poisson(10.0), 7, 5, 0.05, 1.0, 20.0), 60, 160)
    assert abs(fixed.fill_rate - fill) > 0.01


def test_a_one_point_law_is_the_fixed_lead_time() -> None:
    demand = DailyDemand.poisson(4.0)
    fixed = evaluate(Position(demand, 7, 6, 0.1, 2.0, 30.0), 20, 60)
    mixed = evaluate(Position(demand, 7, 6, 0.1, 2.0, 30.0, True, ((6, 1.0),)), 20, 60)
    assert mixed == fixed


def test_a_random_lead_time_needs_backorders_and_a_proper_law() -> None:
    demand = DailyDemand.poisson(4.0)
    with pytest.raises(ValueError, match="random lead time"):
        Position(demand, 7, 6, 0.1, 2.0, 30.0, False, ((3, 0.5), (6, 0.5)))
    with pytest.raises(ValueError, match="random lead time"):
        Position(demand, 7, 6, 0.1, 2.0, 30.0, True, ((3, 0.5), (6, 0.4)))
    with pytest.raises(ValueError, match="random lead time"):
        Position(demand, 7, 5, 0.1, 2.0, 30.0, True, ((3, 0.5), (6, 0.5)))
