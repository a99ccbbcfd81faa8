"""Daily demand of one stock position as an exact distribution on the units 0, 1, 2, …

A :class:`DailyDemand` is i.i.d. across days. Its n-day demand A_n (units over n days) is
the n-fold convolution of the daily probability mass function. Every table is truncated at
a level Y, and is *exact* on 0…Y: a sum of days at most Y only involves daily values at most
Y, so nothing beyond Y is ever needed to evaluate inventory levels up to Y.

Families (as the twin draws them, :mod:`twin.domain.demand_families`):

* Poisson(μ);
* negative binomial with variance d·μ: n = μ/(d − 1), p = 1/d (Poisson when d ≤ 1);
* intermittent: with probability 1/d a demand of size 1 + Poisson(μ·d − 1), else 0;
* the sum of independent series (a position serving several departments): the
  convolution of their daily distributions.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import signal, stats


def convolve(a: np.ndarray, b: np.ndarray, upto: int) -> np.ndarray:
    """The first ``upto + 1`` terms of the convolution of two sequences on 0, 1, … (direct
    or by FFT, whichever scipy deems faster: FFT rounding is ~10⁻¹⁶ of the largest term)."""
    return signal.convolve(a[:upto + 1], b[:upto + 1], method="auto")[:upto + 1]


def _convolve_pmf(a: np.ndarray, b: np.ndarray, upto: int) -> np.ndarray:
    """:func:`convolve` of two mass functions, FFT rounding below 0 clipped."""
    return np.maximum(convolve(a, b, upto), 0.0)


@dataclass(frozen=True)
class Series:
    """One independent daily demand stream: family, mean μ (units/day), dispersion d."""

    family: str
    mean: float
    dispersion: float = 1.0

    def pmf(self, upto: int) -> np.ndarray:
        """P(D = k) for k = 0…upto."""
        k = np.arange(upto + 1)
        mu, d = self.mean, self.dispersion
        if mu <= 0:
            return (k == 0).astype(float)
        if self.family == "poisson" or (self.family == "negbin" and d <= 1):
            return stats.poisson.pmf(k, mu)
        if self.family == "negbin":
            return stats.nbinom.pmf(k, mu / (d - 1), 1 / d)
        if self.family == "intermittent":
            p = 1 / d
            out = p * stats.poisson.pmf(k - 1, max(mu * d - 1, 0.0))
            out[0] += 1 - p
            return out
        raise ValueError(f"unknown demand family {self.family!r}")

    @property
    def variance(self) -> float:
        """Daily variance (units²)."""
        mu, d = self.mean, self.dispersion
        if self.family == "poisson" or (self.family == "negbin" and d <= 1):
            return mu
        if self.family == "negbin":
            return d * mu
        p = 1 / d
        size = mu / p
        return p * ((size - 1) + size * size) - mu * mu


@dataclass(frozen=True)
class DailyDemand:
    """The daily demand of a position: the sum of independent :class:`Series`."""

    series: tuple[Series, ...]

    @classmethod
    def poisson(cls, mean: float) -> "DailyDemand":
        """Poisson(``mean``) units/day."""
        return cls((Series("poisson", mean),))

    @classmethod
    def negative_binomial(cls, mean: float, variance: float) -> "DailyDemand":
        """Negative binomial with the given mean (units/day) and variance (units²/day ≥ mean;
        Poisson when equal)."""
        return cls((Series("negbin", mean, variance / mean if mean > 0 else 1.0),))

    @classmethod
    def of(cls, series: Sequence[Series]) -> "DailyDemand":
        """The sum of ``series`` (streams with zero mean are dropped)."""
        return cls(tuple(s for s in series if s.mean > 0))

    @property
    def mean(self) -> float:
        """μ, units/day."""
        return float(sum(s.mean for s in self.series))

    @property
    def variance(self) -> float:
        """σ², units²/day."""
        return float(sum(s.variance for s in self.series))

    def pmf(self, upto: int) -> np.ndarray:
        """P(D = k) for k = 0…upto (exact; the mass above ``upto`` is left out)."""
        out = (np.arange(upto + 1) == 0).astype(float)
        for s in self.series:
            out = _convolve_pmf(out, s.pmf(upto), upto)
        return out

    def sums(self, days: int, upto: int) -> np.ndarray:
        """P(A_n = k) for n = 0…days (rows) and k = 0…upto (columns): the n-day demand."""
        daily = self.pmf(upto)
        out = np.zeros((days + 1, upto + 1))
        out[0, 0] = 1.0
        for n in range(1, days + 1):
            out[n] = _convolve_pmf(out[n - 1], daily, upto)
        return out

    def quantile(self, days: int, q: float) -> int:
        """The smallest k with P(A_days ≤ k) ≥ q (units), from a table grown until it
        covers q."""
        upto = int(days * (self.mean + 6 * np.sqrt(self.variance)) + 10)
        while True:
            cdf = np.cumsum(self.sums(days, upto)[days])
            if cdf[-1] >= q:
                return int(np.searchsorted(cdf, q))
            upto *= 2
