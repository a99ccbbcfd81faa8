"""The exact (s, S) evaluator against closed forms, the brute-force chain and the twin."""

import numpy as np
import pytest
from scipy import stats
from sim_builders import department, hospital, item, lot, network, warehouse

from solvers.inventory_theory import DailyDemand, Position, Series, evaluate
from solvers.inventory_theory.periodic import BackorderTables
from twin.sim import simulate


def test_n_day_demand_of_mixed_series_has_the_summed_moments() -> None:
    d = DailyDemand.of([Series("poisson", 2.0), Series("negbin", 1.5, 3.0),
                        Series("intermittent", 0.4, 5.0)])
    a = d.sums(4, 400)[4]
    k = np.arange(len(a))
    assert a.sum() == pytest.approx(1, abs=1e-12)
    assert a @ k == pytest.approx(4 * d.mean, rel=1e-10)
    assert a @ k**2 - (a @ k) ** 2 == pytest.approx(4 * d.variance, rel=1e-9)
    assert np.allclose(DailyDemand.negative_binomial(3.0, 9.0).pmf(50),
                       stats.nbinom.pmf(np.arange(51), 1.5, 1 / 3))


def test_base_stock_fill_is_the_closed_form() -> None:
    # daily review, (S − 1, S), lead time L: when a day's demand D is served the net stock
    # is S − X, X ~ Poisson(λ(L − 1)); fill = E[min(D, (S − X)⁺)] / λ
    lam, big_s, lead = 4.0, 24, 5
    got = evaluate(Position(DailyDemand.poisson(lam), 1, lead, 1.0, 10.0, 0.0), big_s - 1, big_s)
    d, x = np.arange(80), np.arange(120)
    served = np.minimum(d[:, None], np.maximum(big_s - x[None, :], 0))
    exact = stats.poisson.pmf(d, lam) @ served @ stats.poisson.pmf(x, lam * (lead - 1)) / lam
    assert got.fill_rate == pytest.approx(exact, abs=1e-12)
    on_hand = stats.poisson.pmf(x, lam * lead) @ np.maximum(big_s - x, 0)
    assert got.on_hand == pytest.approx(on_hand, abs=1e-12)
    assert got.orders == pytest.approx(1 - stats.poisson.pmf(0, lam))


@pytest.mark.parametrize(("review", "lead"), [(1, 1), (7, 5), (3, 8)])
def test_renewal_weights_are_the_stationary_law_of_the_review_chain(review: int,
                                                                    lead: int) -> None:
    pos = Position(DailyDemand.negative_binomial(3.0, 7.5), review, lead, 0.5, 6.0, 40.0)
    s, big_s = 20, 55
    t = BackorderTables(pos, big_s)
    # brute force: y (after ordering) on s+1…S, next y = y − A_R, re-ordered to S at ≤ s
    a = pos.demand.sums(review, big_s + 1)[review]
    levels = np.arange(s + 1, big_s + 1)
    P = np.zeros((len(levels), len(levels)))
    for i, y in enumerate(levels):
        nxt = y - np.arange(len(a))
        for j, z in enumerate(levels):
            P[i, j] = a[nxt == z].sum()
    # P(y − A_R ≤ s) = 1 − P(A_R < y − s) (the table a stops at S + 1)
    reorder = np.array([1 - a[:y - s].sum() for y in levels])
    P[:, -1] += reorder
    w, v = np.linalg.eig(P.T)
    pi = np.real(v[:, np.argmin(abs(w - 1))])
    pi /= pi.sum()
    G = t.G[levels + 1]
    p_order = pi @ reorder
    got = t.evaluate(s, big_s)
    assert got.cost == pytest.approx((pi @ G + pos.order_cost * p_order) / review, rel=1e-9)
    assert got.fill_rate == pytest.approx(pi @ t.served[levels + 1] / t.mu_r, rel=1e-9)
    assert got.orders == pytest.approx(p_order / review, rel=1e-9)


def _one_item(s: int, big_s: int, unmet: str, mean: float, review: int, lead: int,
              dispersion: float = 1.0) -> object:
    sup = {"id": "SUP", "name": "SUP", "delivers_to": ["A"],
           "order_cost": 50.0,
           "supplies": [{"item": "X", "lead_time": {"family": "fixed", "mean": lead}}]}
    return network(warehouses=[warehouse("A")],
                   items=[item("X", unmet_demand=unmet, shelf_life_days=20_000)],
                   hospitals=[hospital("H", ["A"], [department("WARD")])], suppliers=[sup],
                   demand=[{"hospital": "H", "department": "WARD", "item": "X",
                            "mean_per_day": mean, "family": "negbin",
                            "dispersion": dispersion}],
                   stock_policies=[{"warehouse": "A", "item": "X", "reorder_point": s,
                                    "order_up_to": big_s, "source": "SUP"}],
                   lots=[lot("A", "X", "L0", 19_000, big_s)], review_period_days=review)


@pytest.mark.parametrize("unmet", ["backorder", "lost"])
def test_the_twin_measures_what_the_evaluator_states(unmet: str) -> None:
    # the instance: weekly review, L = 5, Poisson 20/day; a level where shortages
    # show (fill ≈ 98 %); ±0.5 pp fill and ±3 % on-hand over 11 simulated years
    s, big_s, review = 200, 330, 7
    run = simulate(_one_item(s, big_s, unmet, 20.0, review, 5), days=4000, seed=3,
                   policy="fixed_ss").to_dataset().isel(time=slice(70, None))
    fill = float(run["served_on_time_units"].sum() / run["demand_units"].sum())
    on_hand = float(run["inventory_units"].sum("warehouse").mean())
    exact = evaluate(Position(DailyDemand.poisson(20.0), review, 5, 1.0, 10.0, 50.0,
                              unmet == "backorder"), s, big_s)
    assert 0.95 < exact.fill_rate < 0.995
    assert fill == pytest.approx(exact.fill_rate, abs=0.005)
    assert on_hand == pytest.approx(exact.on_hand, rel=0.03)


def test_the_twin_measures_what_the_evaluator_states_for_negative_binomial_demand() -> None:
    # 8/day with variance 24/day, review every 3 days, L = 4, backorders
    s, big_s = 50, 90
    run = simulate(_one_item(s, big_s, "backorder", 8.0, 3, 4, dispersion=3.0), days=4000,
                   seed=5, policy="fixed_ss").to_dataset().isel(time=slice(70, None))
    fill = float(run["served_on_time_units"].sum() / run["demand_units"].sum())
    on_hand = float(run["inventory_units"].sum("warehouse").mean())
    exact = evaluate(Position(DailyDemand.negative_binomial(8.0, 24.0), 3, 4, 1.0, 10.0, 50.0),
                     s, big_s)
    assert 0.95 < exact.fill_rate < 0.99
    assert fill == pytest.approx(exact.fill_rate, abs=0.005)
    assert on_hand == pytest.approx(exact.on_hand, rel=0.03)


@pytest.mark.parametrize(("review", "lead"), [(7, 3), (7, 8), (3, 8)])
def test_lost_sales_and_backorders_agree_when_nothing_is_short(review: int, lead: int) -> None:
    # two different computations (the review chain on on-hand — with 0, 1 or 2 open orders
    # in its state —, the renewal on the inventory position) of the same dynamics once
    # shortages are negligible
    common = (DailyDemand.poisson(5.0), review, lead, 1.0, 10.0, 20.0)
    s = 5 * (review + lead) + 40
    back, lost = (evaluate(Position(*common, backorder=b), s, s + 40) for b in (True, False))
    assert back.fill_rate > 1 - 1e-9
    assert (lost.fill_rate, lost.on_hand, lost.orders, lost.cost) == pytest.approx(
        (back.fill_rate, back.on_hand, back.orders, back.cost), rel=1e-8)
    with pytest.raises(ValueError, match="no level is too high"):
        Position(DailyDemand.poisson(5.0), 7, 3, 0.0, 10.0, 20.0)
