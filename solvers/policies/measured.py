"""Reorder points measured in the twin: what a line states where no exact model applies.

The twin runs the network with exactly the given (s, S) (:class:`LevelsSS`, emergency
shipments on, as the optimised policy runs) for R replications of ``days`` days after a
``warm_up``; per position it counts the units its departments demanded, the part served on
the day demanded and the end-of-day units on hand. Only the days after the warm-up count:
replication r runs warm-up + days and, with the same seed, the warm-up alone, and the
per-position run totals of the short run are subtracted from the long one (the twin draws
day by day from per-replication streams, so the long run's first days are the short run —
checked on every replication).

Per position, over replications r with demand: fill rate β = Σ_r on-time_r / Σ_r demand_r
(pooled) with the t-interval of the per-replication ratios, clipped to [0, 1]; mean on-hand
(units) = mean_r on-hand_r with its t-interval, clipped at 0.
"""

import functools
from dataclasses import dataclass

import numpy as np
from pydantic import model_validator
from scipy import stats
from tqdm import tqdm

from solvers.policies.levels_ss import Levels, LevelsSS
from twin.domain import Network
from twin.domain.fields import DomainModel, field
from twin.sim import simulate

TOTALS = ("position_demand_units", "position_served_on_time_units",
          "position_on_hand_unit_days")


class TwinCheck(DomainModel):
    """How the twin measures a plan's reorder points (0 replications: it does not)."""

    replications: int = field(8, description="replications (0: lines state the models' "
                              "estimates)", ge=0, le=1000)
    days: int = field(365, unit="days", description="days measured per replication", ge=1,
                      le=3650)
    warm_up: int = field(90, unit="days", description="days run first and not counted",
                         ge=0, le=3650)
    first_seed: int = field(1001, description="seed of the first replication (the next "
                            "ones follow)", ge=0)

    @model_validator(mode="after")
    def _enough_for_an_interval(self) -> "TwinCheck":
        if self.replications == 1:
            raise ValueError("one replication gives no interval: use 0 or at least 2")
        return self


@dataclass(frozen=True)
class Measured:
    """Per replication (rows) and position (columns): units demanded, units served on the
    day demanded, mean end-of-day units on hand."""

    demand: np.ndarray
    on_time: np.ndarray
    on_hand: np.ndarray

    def fill_rate(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pooled fill rate per position and its 95 % interval (NaN without demand)."""
        total = self.demand.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            pooled = np.where(total > 0, self.on_time.sum(axis=0) / total, np.nan)
            ratios = np.where(self.demand > 0, self.on_time / self.demand, np.nan)
        lo, hi = _interval(ratios)
        return pooled, np.clip(lo, 0.0, 1.0), np.clip(hi, 0.0, 1.0)

    def mean_on_hand(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Mean on-hand per position (units) and its 95 % interval."""
        lo, hi = _interval(self.on_hand)
        return self.on_hand.mean(axis=0), np.maximum(lo, 0.0), hi


def _interval(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """95 % t-interval per column of ``values`` over its non-NaN rows (NaN with < 2)."""
    n = np.sum(~np.isnan(values), axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.nanmean(np.where(n > 0, values, 0.0), axis=0)
        sd = np.sqrt(np.nansum((values - mean) ** 2, axis=0) / (n - 1))
        half = stats.t.ppf(0.975, np.maximum(n - 1, 1)) * sd / np.sqrt(n)
    half = np.where(n >= 2, half, np.nan)
    return mean - half, mean + half


def measure(net: Network, positions: list[tuple[str, str]], levels: Levels, check: TwinCheck,
            progress: bool = False) -> Measured:
    """Run the twin with ``levels`` as :class:`TwinCheck` says; totals of ``positions``
    (warehouse, item) after the warm-up (see the module docstring)."""
    policy = functools.partial(LevelsSS, levels=levels, emergency=True)
    seeds = range(check.first_seed, check.first_seed + check.replications)
    out = {k: np.zeros((len(seeds), len(positions))) for k in TOTALS}
    for r, seed in enumerate(tqdm(seeds, desc="twin check", unit="rep", disable=not progress,
                                  leave=False)):
        long = simulate(net, days=check.warm_up + check.days, seed=seed, policy=policy)
        short = simulate(net, days=check.warm_up, seed=seed, policy=policy) \
            if check.warm_up else None
        if short is not None:
            for kpi in ("demand_units", "inventory_units"):
                if not np.array_equal(long.kpis[kpi][:check.warm_up], short.kpis[kpi]):
                    raise RuntimeError(f"seed {seed}: the first {check.warm_up} days differ "
                                       f"({kpi})")
        ix = long.index
        w = np.array([ix.wh_of[wh] for wh, _ in positions], dtype=np.int64)
        i = np.array([ix.item_of[it] for _, it in positions], dtype=np.int64)
        for name in TOTALS:
            total = long.kpis[name] - (short.kpis[name] if short is not None else 0)
            out[name][r] = total[w, i]
    return Measured(out["position_demand_units"], out["position_served_on_time_units"],
                    out["position_on_hand_unit_days"] / check.days)
