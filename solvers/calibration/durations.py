"""Fitting duration distributions (lead time, transit time) and lateness summaries.

A lead-time sample is fitted by maximum likelihood with the location fixed at 0 as a
gamma and as a lognormal; the family with the lower AIC = 2k − 2 ln L wins and is
returned as a :class:`twin.domain.Distribution` given by the fitted distribution's mean
and standard deviation (days), with the Kolmogorov–Smirnov distance as a fit check.
"""

from dataclasses import dataclass

import numpy as np
from scipy import stats

from twin.domain import Distribution

_FAMILIES = {"gamma": stats.gamma, "lognormal": stats.lognorm}
MIN_SAMPLES = 5


@dataclass(frozen=True)
class FittedDuration:
    """A fitted duration distribution with its goodness of fit."""

    distribution: Distribution
    n: int
    aic: float
    ks_distance: float


@dataclass(frozen=True)
class Lateness:
    """Delivery date minus promised date (days; negative = early)."""

    n: int
    on_time_share: float
    mean_days_late_when_late: float
    p50: float
    p90: float
    p95: float


def fit_duration(days: np.ndarray) -> FittedDuration:
    """Fit gamma and lognormal to strictly positive durations (days); keep the better AIC."""
    x = np.asarray(days, dtype=float)
    x = x[np.isfinite(x) & (x > 0)]
    if x.size < MIN_SAMPLES:
        raise ValueError(f"need at least {MIN_SAMPLES} positive durations to fit, got {x.size}")
    best: FittedDuration | None = None
    for family, dist in _FAMILIES.items():
        params = dist.fit(x, floc=0)
        frozen = dist(*params)
        aic = 2 * 2 - 2 * float(np.sum(frozen.logpdf(x)))
        if best is None or aic < best.aic:
            ks = float(stats.kstest(x, frozen.cdf).statistic)
            fitted = Distribution(family=family, mean=float(frozen.mean()),
                                  spread=float(frozen.std()))
            best = FittedDuration(fitted, int(x.size), aic, ks)
    assert best is not None
    return best


def summarise_lateness(days: np.ndarray) -> Lateness:
    """On-time share (lateness ≤ 0), mean lateness of late deliveries and quantiles (days)."""
    x = np.asarray(days, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        raise ValueError("no lateness observations")
    late = x[x > 0]
    p50, p90, p95 = np.quantile(x, [0.5, 0.9, 0.95])
    return Lateness(int(x.size), float(np.mean(x <= 0)),
                    float(late.mean()) if late.size else 0.0, float(p50), float(p90), float(p95))
