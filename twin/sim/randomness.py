"""Random streams of one replication, vectorised duration sampling and the return draw.

Each stochastic family draws from its own :class:`numpy.random.Generator`, spawned in a
fixed order from the replication seed (a family added at the end leaves the others' draws
unchanged: a child's stream depends only on its position). Demand never depends on what a
policy does, so two policies run on the same seed see the same demand and disruptions
(common random numbers).
"""

from dataclasses import dataclass

import numpy as np

from twin.sim.index import DURATION_FAMILIES, Durations

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


def _lognormal(rng: np.random.Generator, m: np.ndarray, s: np.ndarray) -> np.ndarray:
    sigma2 = np.log1p((s / m) ** 2)
    return rng.lognormal(np.log(m) - sigma2 / 2, np.sqrt(sigma2))


_SAMPLERS = {
    "normal": lambda rng, m, s: np.maximum(rng.normal(m, s), 0.0),
    "gamma": lambda rng, m, s: rng.gamma((m / s) ** 2, s * s / m),
    "lognormal": _lognormal,
}


def sample_durations(rng: np.random.Generator, dists: Durations, which: np.ndarray,
                     factor: np.ndarray | float = 1.0) -> np.ndarray:
    """Draw one duration (days, float) for each entry of ``which`` (indices into ``dists``).

    Same moment matching as :class:`twin.domain.Distribution`: normal clipped at 0, gamma
    shape (m/s)² and scale s²/m, lognormal σ² = ln(1 + s²/m²), μ = ln m − σ²/2. Mean and sd
    are multiplied by ``factor``. Draws are made family by family in a fixed order.
    """
    fam = dists.family[which]
    mean = dists.mean[which] * factor
    sd = dists.spread[which] * factor
    out = mean.copy()
    for code, name in enumerate(DURATION_FAMILIES):
        sel = np.flatnonzero((fam == code) & (sd > 0))
        if len(sel) and name in _SAMPLERS:
            out[sel] = _SAMPLERS[name](rng, mean[sel], sd[sel])
    return out


def whole_days(durations: np.ndarray) -> np.ndarray:
    """Durations rounded to whole days, at least one: ``max(1, round(d))``."""
    return np.maximum(np.rint(durations), 1).astype(np.int32)


def return_draws(rng: np.random.Generator, issued: np.ndarray, share: np.ndarray,
                 split: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Units returned of each issue pick j: ``binomial(issued[j], share[j])`` in all, split
    over the reasons ``multinomial(total, split[j])`` where the total is above 0 (one
    binomial per pick, in order, then one multinomial per pick with returns). Returns
    (pick j, reason r, units) of every (j, r) with units, ordered by j then r.

    The numpy reference of :func:`twin.sim.compiled.return_draws` (same draws, bit for
    bit)."""
    total = rng.binomial(issued, share)
    some = np.flatnonzero(total)
    back = rng.multinomial(total[some], split[some])
    k, r = np.nonzero(back)
    return some[k], r, back[k, r]
