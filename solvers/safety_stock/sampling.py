"""Scenarios of demand over each position's protection interval, as the twin runs it.

A position reviewed every R days that does not order at review t is next replenished by
the order placed at t + R, usable d days later, where d (whole days) is the
*replenishment delay*: the lead time or the lane's transit rounded to whole days (at least
one), plus a purchase's late delay in whole days with its offer's lateness probability
(:mod:`twin.domain.replenishment`), plus a quarantine hold on
arrival (QC for purchases, an excursion for cold transfers), plus R for every order the
source cannot fill at a review (probability q of the upstream warehouse, geometric
retries) and ⌈d/R⌉·R for every delivery scrapped on arrival (QC failure, excursion with
the scrap rule). Its own departments' demand must be covered over R + d − 1 days.

A warehouse that replenishes others sees their orders, not their demand: at its review it
does not yet see the orders its children place at the same review, so it must cover the
children's orders at the n = ⌈(R + d)/R⌉ reviews up to its next delivery. A child with
order quantity Q orders Q · ⌊D/Q + U⌋ over a window in which its (own and downstream)
demand is D, with U uniform on [0, 1) (a random phase of its order cycle): lumps of Q
with the right mean.

Given the windows, demand is gamma with the moments of the demand models (mean μT,
variance σ²T over T days).

These scenarios set the levels only of the positions exact inventory theory does not
represent (:mod:`solvers.safety_stock.exact`: random or late lead times, holds, scrapped
deliveries, hub lumpiness, seasonal demand) — exactly the features sampled here. For those
positions the stated fill rate remains a sample-average estimate, not checked against the
twin; where both can be computed the per-cycle fill formula overstates the shortfall
(weekly review, L = 5, Poisson 20/day: stated 95.0 / 99.0 %, exact 99.05 / 99.92 %).
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from solvers.safety_stock.inputs import Replenishment, SafetyStockInputs
from twin.api import late_days
from twin.domain import Distribution

MAX_SHORT_PROBABILITY = 0.9
"""Upper clip of an upstream warehouse's chance of not filling an order (keeps retries finite)."""


@dataclass(frozen=True)
class Upstream:
    """What a position's scenarios take from the solution of the rest of the network.

    ``short_probability[p]``: chance that position p cannot fill an order of a position it
    replenishes at a review (its share of time out of stock, 1 − fill rate);
    ``order_quantity[p]``: units per order that p places (Q = S − s), units.
    """

    short_probability: np.ndarray
    order_quantity: np.ndarray

    @classmethod
    def default(cls, x: SafetyStockInputs) -> "Upstream":
        """Never short; every position orders max(μR, MOQ) (the fixed-z rule's Q)."""
        return cls(np.zeros(x.size), np.maximum(np.ceil(x.mean_per_day * x.review_days), x.moq))


def _no_extras(x: SafetyStockInputs) -> Replenishment:
    zeros = np.zeros(x.size)
    return Replenishment(zeros, np.full(x.size, None, dtype=object), zeros, zeros, zeros,
                         np.full(x.size, -1, dtype=np.int64),
                         x.mean_per_day, x.var_per_day)


def _sample_by_distribution(rng: np.random.Generator, dists: Sequence[Distribution | None],
                            out: np.ndarray) -> None:
    """Fill row p of ``out`` (P, K) with draws of ``dists[p]`` (rows of ``None`` are left),
    one batch per distinct distribution, in order of first appearance."""
    groups: dict[Distribution, list[int]] = defaultdict(list)
    for p, dist in enumerate(dists):
        if dist is not None:
            groups[dist].append(p)
    for dist, rows in groups.items():
        out[rows] = np.reshape(dist.sample(rng, len(rows) * out.shape[1]),
                               (len(rows), out.shape[1]))


def sample_delays(x: SafetyStockInputs, rng: np.random.Generator, scenarios: int,
                  short_probability: np.ndarray) -> np.ndarray:
    """Replenishment delay d (whole days ≥ 1) per position and scenario, shape (P, K);
    ``short_probability`` is q per position of the upstream warehouse (0 for a supplier)."""
    rp = x.replenishment if x.replenishment is not None else _no_extras(x)
    shape = (x.size, scenarios)
    lead = np.empty(shape)
    _sample_by_distribution(rng, x.lead_time, lead)
    days = np.maximum(np.rint(lead), 1)
    late = rng.random(shape) < rp.late_probability[:, None]
    delay = np.zeros(shape)
    _sample_by_distribution(rng, rp.late_delay, delay)
    days += late_days(late, delay)
    days += np.where(rng.random(shape) < rp.hold_probability[:, None], rp.hold_days[:, None], 0)
    review = x.review_days
    lost = rng.geometric(1 - np.minimum(rp.loss_probability, MAX_SHORT_PROBABILITY)[:, None],
                         shape) - 1
    short = rng.geometric(1 - np.minimum(short_probability, MAX_SHORT_PROBABILITY)[:, None],
                          shape) - 1
    return (days + lost * np.ceil(days / review) * review + short * review).astype(np.int64)


def _gamma(rng: np.random.Generator, mean: np.ndarray, var: np.ndarray) -> np.ndarray:
    """Gamma draws with the given means and variances (0 where the mean is 0)."""
    var = np.maximum(var, 1e-12)
    with np.errstate(divide="ignore", invalid="ignore"):
        shape, scale = np.where(mean > 0, mean * mean / var, 1.0), np.where(mean > 0, var / mean,
                                                                            0.0)
    return rng.gamma(shape, 1.0, size=mean.shape) * scale


def sample_cycle_demand(x: SafetyStockInputs, scenarios: int, seed: int,
                        upstream: Upstream | None = None) -> np.ndarray:
    """Demand over the protection interval in each scenario, shape (P, K), units.

    Streams of ``seed``: 0 delays, 1 own demand, 2 children's demand, 3 order phases.
    """
    up = upstream or Upstream.default(x)
    rp = x.replenishment if x.replenishment is not None else _no_extras(x)
    delay_rng, own_rng, child_rng, phase_rng = (np.random.default_rng(s) for s in
                                                np.random.SeedSequence(seed).spawn(4))
    parent_short = np.where(rp.parent >= 0, up.short_probability[np.maximum(rp.parent, 0)], 0.0)
    delay = sample_delays(x, delay_rng, scenarios, parent_short)
    review = x.review_days
    window = review + delay - 1
    demand = _gamma(own_rng, rp.own_mean_per_day[:, None] * window,
                    rp.own_var_per_day[:, None] * window)
    child = np.flatnonzero((rp.parent >= 0) & (x.mean_per_day > 0))
    if len(child):
        parent = rp.parent[child]
        days = np.ceil((review + delay[parent]) / review) * review
        d = _gamma(child_rng, x.mean_per_day[child, None] * days,
                   x.var_per_day[child, None] * days)
        q = np.maximum(up.order_quantity[child], 1.0)[:, None]
        orders = q * np.floor(d / q + phase_rng.random(d.shape))
        np.add.at(demand, parent, orders)
    return demand
