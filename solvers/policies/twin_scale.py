"""The safety-stock model's shortage prices scaled to what the twin measures.

The sample-average model judges a position by E[(D − s)⁺] units short per replenishment
cycle. Measured against the twin on the reference network, that estimate is far off where
its scenarios cannot follow the twin: 2–6× too high at positions that order at about
every review (after a review the position lies anywhere in (s, S], not at s), ≈ 9× at
hubs, whose scenarios are their children's orders in lumps, and close elsewhere. Within a
budget such errors decide where the money goes: the model bought stock the twin's
departments do not need and took it from positions whose losses it judged right.

So the optimised policy measures its first solution in the twin and scales each position's
shortage price by

    f_p = clip((m_p + a) / (e_p + a), 1/10, 10)

with m_p the units of the position's own departments' demand not served on the day
demanded per year in the twin (:data:`CHECK`), e_p the model's estimate of the same at the
same levels — the scenarios' E[(D − s)⁺] per cycle (pooled with substitutes) × 365μ/(S − s)
cycles a year × the own departments' share μ_own/μ of what the position serves — and
a = :data:`PSEUDO_UNITS` units a year, so that a position with few units short on both
sides keeps f ≈ 1 and one replication's chance shortage cannot move it far. Re-solved with
the prices × f (same scenarios, same budget), the model spends where the twin says units
are lost. Chosen on the development seeds 100–119 (bench/README.md, "Policies in the twin").
"""

import numpy as np

from solvers.policies.measured import TwinCheck, measure
from solvers.safety_stock.inputs import SafetyStockInputs
from solvers.safety_stock.model import cycles_per_year
from solvers.safety_stock.pooling import pooled_shortage
from twin.domain import Network

CHECK = TwinCheck(replications=6, days=365, warm_up=90, first_seed=2001)
"""The twin runs that measure a solution: seeds 2001–2006, disjoint from the scenarios'
(0), the development seeds (100–119), the plan's twin check (1001–) and the evaluation
seeds of ``bench/bench_policies.py`` (1–30)."""
PSEUDO_UNITS = 5.0
"""a: units short a year added to the twin's count and to the model's before their ratio."""
BOUNDS = (0.1, 10.0)
"""Least and greatest scale of a position's shortage price."""


def model_shortage(x: SafetyStockInputs, demand: np.ndarray, s: np.ndarray,
                   big_s: np.ndarray) -> np.ndarray:
    """e_p: units of the own departments' demand the model expects short a year at levels
    (s, S) — E[(D − s)⁺] over the scenarios ``demand`` (P × K, pooled with substitutes)
    × 365μ/(S − s) × μ_own/μ."""
    own = x.replenishment.own_mean_per_day if x.replenishment is not None else x.mean_per_day
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(x.mean_per_day > 0, own / x.mean_per_day, 0.0)
    short = pooled_shortage(demand, s.astype(float), x.links).mean(axis=1)
    return short * cycles_per_year(x, (big_s - s).astype(float)) * share


def twin_shortage(net: Network, x: SafetyStockInputs, s: np.ndarray, big_s: np.ndarray,
                  check: TwinCheck = CHECK) -> np.ndarray:
    """m_p: units of the own departments' demand not served on the day demanded, per year,
    in the twin run with levels (s, S) (per position of ``x``) as ``check`` says."""
    keys = list(zip(x.warehouse.tolist(), x.item.tolist(), strict=True))
    levels = {k: (int(lo), int(hi)) for k, lo, hi in zip(keys, s, big_s, strict=True)}
    m = measure(net, keys, levels, check)
    return (m.demand - m.on_time).sum(axis=0) / (check.replications * check.days / 365)


def shortage_scale(net: Network, x: SafetyStockInputs, demand: np.ndarray, s: np.ndarray,
                   big_s: np.ndarray, check: TwinCheck = CHECK) -> np.ndarray:
    """f_p per position of ``x`` for levels (s, S) (see the module docstring)."""
    twin = twin_shortage(net, x, s, big_s, check)
    model = model_shortage(x, demand, s, big_s)
    return np.clip((twin + PSEUDO_UNITS) / (model + PSEUDO_UNITS), *BOUNDS)
