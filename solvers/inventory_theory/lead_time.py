"""The twin's random lead time in whole days, and the chance that two orders cross.

The twin draws a lead time X per order from a moment-matched family
(:class:`twin.domain.Distribution`: normal clipped at 0, gamma of shape (m/s)² and scale
s²/m, lognormal with σ² = ln(1 + s²/m²), μ = ln m − σ²/2) and rounds it to whole days,
L = max(1, round(X)) (:func:`twin.sim.randomness.whole_days`). So

    P(L = 1) = F(1.5),   P(L = ℓ) = F(ℓ + ½) − F(ℓ − ½) for ℓ ≥ 2,

with F the family's distribution function (F(x) = Φ((x − m)/s) for the clipped normal,
whose mass at 0 lands in L = 1).

A late purchase order (:class:`twin.domain.Lateness`) arrives rint(Y) days later still,
Y its late delay (:func:`with_lateness` mixes that into the law).

Orders placed R days apart (the closest two orders of a periodic review) cross when the
earlier one's lead time exceeds the later one's by more than R days (arriving on the same
day is no crossing: both arrive before that day's demand):

    P(cross) = Σ_{a − b > R} P(L = a)·P(L = b).
"""

import math

import numpy as np
from scipy import stats

from twin.domain import Distribution

TAIL = 1e-12
"""Mass beyond the last tabulated day (folded into it)."""
LeadPmf = tuple[tuple[int, float], ...]
"""(ℓ, P(L = ℓ)) for the whole days ℓ ≥ 1 with positive probability, ascending."""


def _cdf(dist: Distribution) -> stats.rv_continuous:
    """The frozen scipy distribution of X (see the module docstring)."""
    m, s = dist.mean, dist.spread
    if dist.family == "normal":
        return stats.norm(m, s)
    if dist.family == "gamma":
        return stats.gamma((m / s) ** 2, scale=s * s / m)
    sigma2 = math.log1p((s / m) ** 2)
    return stats.lognorm(math.sqrt(sigma2), scale=math.exp(math.log(m) - sigma2 / 2))


def _rounded_pmf(dist: Distribution, first: int) -> LeadPmf:
    """P(max(first, rint(X)) = ℓ) for ℓ = first…ℓ_max, ℓ_max the first day beyond which less
    than :data:`TAIL` remains (folded in)."""
    if dist.family == "fixed" or dist.spread == 0:
        return ((max(first, round(dist.mean)), 1.0),)
    x = _cdf(dist)
    last = max(first + 1, math.ceil(x.isf(TAIL) + 0.5))
    edges = np.arange(first + 0.5, last - 0.25)      # first + ½, …, last − ½
    cdf = np.concatenate((x.cdf(edges), [1.0]))
    mass = np.diff(np.concatenate(([0.0], cdf)))
    return tuple((day, float(p)) for day, p in zip(range(first, last + 1), mass, strict=True)
                 if p > 0)


def whole_day_pmf(dist: Distribution) -> LeadPmf:
    """P(L = ℓ) of the twin's rounded lead time (see the module docstring), days 1…ℓ_max
    with ℓ_max the first day beyond which less than :data:`TAIL` remains (folded in)."""
    return _rounded_pmf(dist, 1)


def with_lateness(pmf: LeadPmf, probability: float, delay: Distribution | None) -> LeadPmf:
    """The law of L + B·rint(Y): the whole-day lead time ``pmf`` plus, with ``probability``,
    a late delay Y ~ ``delay`` rounded to whole days (Y ≥ 0; :func:`twin.api.late_days`):

        P(ℓ) = (1 − p)·P(L = ℓ) + p·Σ_k P(L = ℓ − k)·P(rint(Y) = k)."""
    if probability <= 0 or delay is None:
        return pmf
    lead = dict(pmf)
    late = _rounded_pmf(delay, 0)
    out: dict[int, float] = {d: (1 - probability) * q for d, q in lead.items()}
    for d, q in lead.items():
        for k, r in late:
            out[d + k] = out.get(d + k, 0.0) + probability * q * r
    return tuple(sorted(out.items()))


def crossing_risk(pmf: LeadPmf, review_days: int) -> float:
    """P(L_a − L_b > R) for two independent lead times: the chance that an order overtakes
    one placed R days earlier (see the module docstring)."""
    days = np.array([d for d, _ in pmf])
    p = np.array([q for _, q in pmf])
    gap = days[:, None] - days[None, :]
    return float((p[:, None] * p[None, :])[gap > review_days].sum())
