"""Forecast methods against series with known answers."""

import numpy as np
import pytest

from solvers.forecast.methods import croston, seasonal_es, seasonal_naive_ahead, tsb
from solvers.forecast.selection import backtest, classify, fit_forecast


def intermittent_series(n: int, days: int, p: float, size: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.random((n, days)) < p) * (1 + rng.poisson(size - 1, (n, days)))


def test_croston_on_a_regular_pattern_is_exact() -> None:
    y = np.tile([0, 0, 0, 6], 50)[None, :].astype(float)  # 6 units every 4th day
    _, final = croston(y, alpha=0.2)
    assert final[0] == pytest.approx(1.5)
    _, final_sba = croston(y, alpha=0.2, sba=True)
    assert final_sba[0] == pytest.approx(1.5 * 0.9)


def test_intermittent_methods_are_unbiased_enough() -> None:
    y = intermittent_series(400, 400, p=0.2, size=3.0, seed=1)  # mean 0.6/day
    for fn in (lambda v: croston(v, sba=True), tsb):
        _, final = fn(y)
        assert final.mean() == pytest.approx(0.6, rel=0.08)


def test_tsb_decays_after_obsolescence() -> None:
    y = np.concatenate([np.full(100, 2.0), np.zeros(100)])[None, :]
    assert tsb(y)[1][0] < 0.01 * 2
    assert croston(y)[1][0] == pytest.approx(2.0)  # Croston never learns the item died


def test_seasonal_es_recovers_a_weekly_profile() -> None:
    profile = np.array([10, 12, 11, 10, 13, 4, 2], dtype=float)
    y = np.tile(profile, 30)[None, :]
    _, ahead = seasonal_es(y, alpha=0.2, gamma=0.2)
    assert np.allclose(ahead[0], profile, atol=0.05)
    assert np.array_equal(seasonal_naive_ahead(y, 9)[0], profile[np.arange(9) % 7])


def test_classification() -> None:
    smooth = np.random.default_rng(0).poisson(20, (1, 200))
    rng = np.random.default_rng(1)
    lumpy = (rng.random((1, 200)) < 0.1) * np.ceil(rng.exponential(20.0, (1, 200)))  # CV² ≈ 1
    assert classify(np.vstack([smooth, lumpy])).tolist() == ["smooth", "lumpy"]


def test_selection_and_error_spread() -> None:
    rng = np.random.default_rng(5)
    smooth = rng.poisson(np.tile([30, 30, 30, 30, 30, 8, 8], 40), (50, 280))
    sparse = intermittent_series(50, 280, 0.15, 2.0, 6)
    fc = fit_forecast(np.vstack([smooth, sparse]), horizon=14)
    assert set(fc.method[:50]) == {"seasonal_es"}
    assert set(fc.method[50:]) <= {"croston", "sba", "tsb"}
    assert fc.mean[:50, 5].mean() == pytest.approx(8, rel=0.15)  # a Saturday-ish low day
    assert fc.sigma[:50].mean() == pytest.approx(np.sqrt(24.86), rel=0.2)  # ≈ Poisson sd


def test_backtest_beats_seasonal_naive_on_noisy_series() -> None:
    rng = np.random.default_rng(9)
    y = np.vstack([rng.poisson(np.tile([20, 20, 20, 20, 20, 5, 5], 52), (100, 364)),
                   intermittent_series(100, 364, 0.1, 3.0, 10)])
    result = backtest(y, holdout=56)
    s = result.summary()
    assert s["mase_mean"] < s["seasonal_naive_mase_mean"]
    assert result.scored.sum() >= 190


def test_backtest_needs_history() -> None:
    with pytest.raises(ValueError, match="two weeks"):
        backtest(np.ones((1, 20)), holdout=10)
