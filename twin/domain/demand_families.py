"""Demand families: the one registry of how a family's daily demand is distributed.

Each :class:`DemandFamily` says, for a mean μ (units/day) and a dispersion d, what the
daily variance is, what parameters it refuses and how one day's demand is drawn
(vectorised over series). :class:`~twin.domain.DemandModel` (variance, validation, a
single draw), the twin's demand stream (:class:`twin.sim.demand.ModelDemand`) and the ERP
seeder's history all go through :data:`DEMAND_FAMILIES`; nothing dispatches on a family
name elsewhere. A new family is one more entry here (and its name in :data:`FamilyName`).

============  ====================================  ========================================
family        draw                                  variance
============  ====================================  ========================================
poisson       Poisson(μ)                            μ
negbin        negative binomial, n = μ/(d − 1),     d · μ
              p = 1/d (Poisson when d = 1)
intermittent  with probability 1/d a demand of      p·((μ/p − 1) + (μ/p)²) − μ², p = 1/d
              size 1 + Poisson(μ·d − 1), else 0
============  ====================================  ========================================
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

FamilyName = Literal["poisson", "negbin", "intermittent"]
"""Names of the registered families (the ``family`` field of a demand model)."""

Draw = Callable[[np.random.Generator, np.ndarray, np.ndarray], np.ndarray]
"""``(rng, mean, dispersion) -> units``: one day's demand of each series (int64)."""
DrawOne = Callable[[np.random.Generator, float, float], int]
"""``(rng, mean, dispersion) -> units``: one day's demand of one series (mean > 0)."""


def _no_problem(mean: float, dispersion: float) -> str | None:
    del mean, dispersion
    return None


def _never(dispersion: np.ndarray) -> np.ndarray:
    return np.zeros(np.shape(dispersion), dtype=bool)


@dataclass(frozen=True)
class DemandFamily:
    """How one family's daily demand is distributed (see the module docstring).

    ``draw``: vectorised draw of one day for many series (see :data:`Draw`); ``draw_one``:
    the same draw for one series, without numpy's per-call overhead on tiny arrays (it
    consumes the random stream exactly as ``draw`` does on a one-element array; a test
    checks this). ``variance(μ, d)``: daily variance at the mean rate (units²);
    ``problem(μ, d)``: why a parameter pair is refused (``None``: accepted).
    ``reduces_to`` / ``reduces_when(d)``: where the family *is* another family (negbin with
    d ≤ 1 is Poisson) its series are drawn with that family, in one draw with the family's
    own series (this keeps the random stream independent of the label).
    """

    name: str
    description: str
    draw: Draw
    draw_one: DrawOne
    variance: Callable[[float, float], float]
    problem: Callable[[float, float], str | None] = _no_problem
    reduces_to: str | None = None
    reduces_when: Callable[[np.ndarray], np.ndarray] = _never


class DemandFamilies(Mapping[str, DemandFamily]):
    """Family name → :class:`DemandFamily`, in a fixed order: a family's code is its number
    in that order, and the twin draws the families of a day in that order."""

    def __init__(self, families: tuple[DemandFamily, ...]):
        self._families = {f.name: f for f in families}
        self._codes = {f.name: k for k, f in enumerate(families)}

    def __getitem__(self, name: str) -> DemandFamily:
        try:
            return self._families[name]
        except KeyError:
            raise KeyError(f"unknown demand family {name!r}; known: {', '.join(self)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._families)

    def __len__(self) -> int:
        return len(self._families)

    def code(self, name: str) -> int:
        """Number of family ``name`` (its place in the registry)."""
        return self._codes[self[name].name]  # self[name] raises naming the known ones

    def draw_groups(self, codes: np.ndarray, dispersion: np.ndarray
                    ) -> list[tuple[DemandFamily, np.ndarray]]:
        """Series (indices into ``codes``) drawn together per family, in registry order: each
        family's own series plus those of families that reduce to it (see
        :class:`DemandFamily`); a family with no series is left out."""
        drawn_as = np.asarray(codes, dtype=np.int64).copy()
        for f in self._families.values():
            if f.reduces_to is not None:
                own = drawn_as == self._codes[f.name]
                drawn_as[own & f.reduces_when(dispersion)] = self.code(f.reduces_to)
        return [(f, idx) for k, f in enumerate(self._families.values())
                if len(idx := np.flatnonzero(drawn_as == k))]

    def draw_one(self, name: str, mean: float, dispersion: float,
                 rng: np.random.Generator) -> int:
        """One day's demand (units) of one series of family ``name`` (mean > 0)."""
        fam = self[name]
        if fam.reduces_to is not None and fam.reduces_when(dispersion):
            fam = self[fam.reduces_to]
        return fam.draw_one(rng, mean, dispersion)


def _draw_poisson(rng: np.random.Generator, mean: np.ndarray, dispersion: np.ndarray
                  ) -> np.ndarray:
    del dispersion
    return rng.poisson(mean)


def _draw_one_poisson(rng: np.random.Generator, mean: float, dispersion: float) -> int:
    del dispersion
    return int(rng.poisson(mean))


def _draw_negbin(rng: np.random.Generator, mean: np.ndarray, dispersion: np.ndarray
                 ) -> np.ndarray:
    draws = rng.negative_binomial(np.maximum(mean / (dispersion - 1), 1e-12), 1 / dispersion)
    return np.where(mean > 0, draws, 0)


def _draw_one_negbin(rng: np.random.Generator, mean: float, dispersion: float) -> int:
    return int(rng.negative_binomial(mean / (dispersion - 1), 1 / dispersion))


def _draw_intermittent(rng: np.random.Generator, mean: np.ndarray, dispersion: np.ndarray
                       ) -> np.ndarray:
    out = np.zeros(len(mean), dtype=np.int64)
    occurs = np.flatnonzero((rng.random(len(mean)) < 1 / dispersion) & (mean > 0))
    out[occurs] = 1 + rng.poisson(np.maximum(mean[occurs] * dispersion[occurs] - 1, 0))
    return out


def _draw_one_intermittent(rng: np.random.Generator, mean: float, dispersion: float) -> int:
    if rng.random() >= 1 / dispersion:
        return 0
    return 1 + int(rng.poisson(max(mean * dispersion - 1, 0)))


def _poisson_variance(mean: float, dispersion: float) -> float:
    del dispersion
    return mean


def _negbin_variance(mean: float, dispersion: float) -> float:
    return dispersion * mean


def _negbin_is_poisson(dispersion: np.ndarray | float) -> np.ndarray | bool:
    return dispersion <= 1


def _intermittent_variance(mean: float, dispersion: float) -> float:
    p = 1.0 / dispersion
    size = mean / p
    return max(p * ((size - 1) + size * size) - mean * mean, 0.0)


def _intermittent_problem(mean: float, dispersion: float) -> str | None:
    if 0 < mean * dispersion < 1:
        return (f"intermittent demand needs mean_per_day × dispersion ≥ 1 (a demand is at least "
                f"one unit), got {mean} × {dispersion}")
    return None


DEMAND_FAMILIES = DemandFamilies((
    DemandFamily("poisson", "Poisson(μ)", _draw_poisson, _draw_one_poisson, _poisson_variance),
    DemandFamily("negbin", "negative binomial with variance d·μ (d ≥ 1)", _draw_negbin,
                 _draw_one_negbin, _negbin_variance, reduces_to="poisson",
                 reduces_when=_negbin_is_poisson),
    DemandFamily("intermittent", "a demand of 1 + Poisson(μ·d − 1) units on 1 day in d",
                 _draw_intermittent, _draw_one_intermittent, _intermittent_variance,
                 _intermittent_problem),
))
"""The demand families, in code order."""

if tuple(DEMAND_FAMILIES) != get_args(FamilyName):  # pragma: no cover - a coding error
    raise RuntimeError(f"FamilyName {get_args(FamilyName)} and DEMAND_FAMILIES "
                       f"{tuple(DEMAND_FAMILIES)} disagree")
