"""Random streams of one replication, vectorised duration sampling and the return draw.

Each stochastic family draws from its own :class:`numpy.random.Generator`, spawned in a
fixed order from the replication seed (a family added at the end leaves the others' draws
unchanged: a child's stream depends only on its position). Demand never depends on what a
policy does, so two policies run on the same seed see the same demand and disruptions
(common random numbers).
"""

from dataclasses import dataclass

import numpy as np

from twin.sim.index import DURATION_FAMILIES, Durations, sampler_parameters

FAMILIES = ("demand", "lead_time", "transit", "cold_chain", "quality", "recall", "returns")


@dataclass(frozen=True)
class Streams:
    """One generator per stochastic family."""

    demand: np.random.Generator
    lead_time: np.random.Generator
    transit: np.random.Generator
    cold_chain: np.random.Generator
    quality: np.random.Generator
    recall: np.random.Generator
    returns: np.random.Generator
    """Returns: units coming back, their delay, QC's split and repair times."""

    @classmethod
    def from_seed(cls, seed: int) -> "Streams":
        """Spawn the family generators from ``seed`` (same seed → same streams)."""
        children = np.random.SeedSequence(seed).spawn(len(FAMILIES))
        return cls(*(np.random.Generator(np.random.PCG64(c)) for c in children))


_DRAW = {"normal": lambda rng, a, b: np.maximum(rng.normal(a, b), 0.0),
         "gamma": lambda rng, a, b: rng.gamma(a, b),
         "lognormal": lambda rng, a, b: rng.lognormal(a, b)}
"""Each drawn family's sampler on the parameters of :func:`sampler_parameters`."""


def sample_durations(rng: np.random.Generator, dists: Durations, which: np.ndarray,
                     factor: np.ndarray | float = 1.0) -> np.ndarray:
    """Draw one duration (days, float) for each entry of ``which`` (indices into ``dists``).

    Moment matching of :func:`~twin.sim.index.sampler_parameters` (normal clipped at 0,
    gamma, lognormal; fixed or sd 0: the mean). Mean and sd are multiplied by ``factor``.
    Draws are made family by family in :data:`DURATION_FAMILIES` order, in ``which`` order
    within a family.
    """
    fam, sd = dists.family[which], dists.spread[which] * factor
    if np.ndim(factor) == 0 and factor == 1.0:
        a, b = dists.a[which], dists.b[which]
    else:
        a, b = sampler_parameters(fam, dists.mean[which] * factor, sd)
    out = a.copy()
    for code, name in enumerate(DURATION_FAMILIES):
        sel = np.flatnonzero((fam == code) & (sd > 0))
        if len(sel) and name in _DRAW:
            out[sel] = _DRAW[name](rng, a[sel], b[sel])
    return out


def whole_days(durations: np.ndarray) -> np.ndarray:
    """Durations rounded to whole days, at least one: ``max(1, round(d))``."""
    return np.maximum(np.rint(durations), 1).astype(np.int32)


def return_draws(rng: np.random.Generator, issued: np.ndarray, share: np.ndarray,
                 split: np.ndarray, delays: Durations, first: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Units returned of each issue pick j and when: ``binomial(issued[j], share[j])`` in
    all, split over the reasons ``multinomial(total, split[j])`` where the total is above 0
    (one binomial per pick, in order, then one multinomial per pick with returns), then the
    delay of every (j, r) with units, drawn from ``delays[first[j] + r]``
    (:func:`sample_durations`). Returns (pick j, reason r, units, delay in days, float) of
    every (j, r) with units, ordered by j then r.

    The numpy reference of :func:`twin.sim.compiled.return_draws` (same draws, bit for
    bit)."""
    total = rng.binomial(issued, share)
    some = np.flatnonzero(total)
    back = rng.multinomial(total[some], split[some])
    k, r = np.nonzero(back)
    pick = some[k]
    return pick, r, back[k, r], sample_durations(rng, delays, first[pick] + r)
