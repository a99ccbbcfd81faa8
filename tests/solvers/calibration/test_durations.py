import numpy as np
import pytest

from solvers.calibration.durations import fit_duration, summarise_lateness


def test_gamma_sample_recovers_mean_and_spread() -> None:
    x = np.random.default_rng(3).gamma(4.0, 5.0, 20_000)  # mean 20, sd 10
    fit = fit_duration(x)
    assert fit.distribution.family == "gamma"
    assert fit.distribution.mean == pytest.approx(20, rel=0.02)
    assert fit.distribution.spread == pytest.approx(10, rel=0.03)
    assert fit.ks_distance < 0.02


def test_lognormal_sample_picks_lognormal() -> None:
    x = np.random.default_rng(4).lognormal(3.0, 0.8, 20_000)
    assert fit_duration(x).distribution.family == "lognormal"


def test_too_few_samples() -> None:
    with pytest.raises(ValueError, match="at least"):
        fit_duration(np.array([1.0, 2.0, np.nan, 0.0]))


def test_lateness_summary() -> None:
    s = summarise_lateness(np.array([-2, 0, 0, 3, 5, np.nan]))
    assert s.n == 5 and s.on_time_share == pytest.approx(0.6)
    assert s.mean_days_late_when_late == 4
