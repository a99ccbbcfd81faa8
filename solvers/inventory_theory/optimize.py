"""Optimal periodic-review (s, S) policies, exactly evaluated (:mod:`.periodic`).

* :func:`zheng_federgruen` — the least-cost (s, S) of a backorder position by the algorithm
  of Zheng & Federgruen (1991), "Finding optimal (s, S) policies is about as simple as
  evaluating a single policy", Operations Research 39(4):654–665, on the review-period
  chain (cost per review G(y) and renewal m(j) of :class:`.periodic.BackorderTables`).
* :func:`grid_optimum` — the least-cost (s, S) of a backorder position subject to a fill
  rate, by exact evaluation of every (s, S) with S ≤ Y and S − s ≤ Q_max (one vector pass
  per order quantity: c(s, S)·M(Q) grows by m(Q − 1)·G(S − Q + 1) when Q grows by one).
* :func:`local_optimum` — the same for a lost-sales position: a pattern search on the exact
  chain (on on-hand for L ≤ R, with the open orders for L > R: :mod:`.pipeline`) from the
  backorder optimum (not proven global; the tests compare it with full enumeration on
  small instances). Where the chain at that start is beyond its state limit (a fixed
  L > R), the whole search runs on the simulated estimate of :mod:`.simulated` instead
  (results marked ``exact=False``).
* :func:`optimal_policy` picks the right one; :func:`least_reorder_point` is the least s
  meeting a fill rate for a given order quantity Q = S − s.

Search bounds Y (the largest S tabulated) start at the 1 − 10⁻⁹ quantile of demand over
L + R days plus a few EOQs and double whenever an optimum lands on the bound.
"""

import logging
import math
from collections.abc import Callable

import numpy as np

from solvers.inventory_theory.evaluation import evaluate as evaluate_exactly
from solvers.inventory_theory.evaluation import lost_sales_chain
from solvers.inventory_theory.periodic import (
    BackorderTables,
    LostSalesChain,
    Performance,
    Position,
)
from solvers.inventory_theory.pipeline import (
    MAX_STATES,
    PipelineChain,
    TooLarge,
    open_orders,
    state_bound,
)
from solvers.inventory_theory.simulated import SimulatedLostSales

log = logging.getLogger(__name__)
FILL_TOLERANCE = 1e-12
"""Slack on a fill-rate constraint (rounding of exact sums)."""


def _eoq(pos: Position) -> float:
    """Economic order quantity √(2Kμ/h), units (∞ without holding cost)."""
    mu = pos.demand.mean
    return math.sqrt(2 * pos.order_cost * mu / pos.holding) if pos.holding > 0 else math.inf


def _quantity_bound(pos: Position) -> int:
    """Q_max: 4 × max(EOQ, μR, 5) units (a bound on the order quantities searched)."""
    eoq = _eoq(pos)
    base = max(eoq if math.isfinite(eoq) else 0.0, pos.demand.mean * pos.review_days, 5.0)
    return math.ceil(4 * base)


def _level_bound(pos: Position) -> int:
    """Initial Y: the 1 − 10⁻⁹ quantile of A_{L+R} plus Q_max."""
    return pos.demand.quantile(pos.lead_days + pos.review_days, 1 - 1e-9) + \
        _quantity_bound(pos)


class _Grow(Exception):
    """The search reached the tabulated bound Y."""


def zheng_federgruen(pos: Position) -> Performance:
    """The least-cost (s, S) of a backorder position (no service constraint).

    With y* = argmin G: s starts at y* − 1 and drops while c(s, y*) > G(s); then S rises
    from y* + 1 while G(S) ≤ c*, and each S with c(s, S) < c* becomes the new S*, after
    which s rises while c(s, S*) ≤ G(s + 1). s is kept ≥ −1 (below it every level serves
    nothing on time and G is flat).
    """
    upto = _level_bound(pos)
    while True:
        try:
            return _zf(BackorderTables(pos, upto))
        except _Grow:
            upto *= 2
            log.debug("Zheng–Federgruen: bound raised to %d", upto)


def _zf(t: BackorderTables) -> Performance:
    y_star = int(np.argmin(t.G)) - 1
    if y_star >= t.upto:
        raise _Grow
    big_s = y_star
    s = y_star - 1
    while s > -1 and t.cost(s, big_s) > t.g(s):
        s -= 1
    best = t.cost(s, big_s)
    level = big_s + 1
    while True:
        if level > t.upto:
            raise _Grow
        if t.g(level) > best:
            break
        if t.cost(s, level) < best:
            big_s = level
            while t.cost(s, big_s) <= t.g(s + 1):
                s += 1
            best = t.cost(s, big_s)
        level += 1
    return t.evaluate(s, big_s)


def grid_optimum(pos: Position, fill_target: float = 0.0, min_quantity: int = 1,
                 max_level: int | None = None) -> Performance:
    """The least-cost (s, S), −1 ≤ s < S ≤ min(Y, ``max_level``), ``min_quantity`` ≤ S − s ≤
    Q_max, with fill rate ≥ ``fill_target`` (backorder; every pair evaluated exactly).
    Raises ``ValueError`` when ``max_level`` leaves no such pair."""
    upto = _level_bound(pos)
    q_max = max(_quantity_bound(pos), 2 * min_quantity)
    while True:
        if max_level is not None:
            upto = min(upto, max_level)
        t = BackorderTables(pos, upto)
        found = _grid(t, min_quantity, min(q_max, upto + 1), fill_target)
        at_bound = found is None or upto <= found.S
        if at_bound and max_level is not None and upto >= max_level:
            if found is None:
                raise ValueError(f"no (s, S) with S ≤ {max_level} and S − s ≥ {min_quantity} "
                                 f"has fill rate ≥ {fill_target}")
            return found
        if at_bound:
            upto *= 2
        elif found.S - found.s >= q_max:
            q_max *= 2
        else:
            return found


def _grid(t: BackorderTables, q_min: int, q_max: int, fill_target: float
          ) -> Performance | None:
    n = t.upto + 2                     # index of S + 1, S = −1…Y
    num_g, num_served = np.zeros(n), np.zeros(n)
    best: tuple[float, int, int] | None = None
    R = t.pos.review_days
    for q in range(1, q_max + 1):
        num_g[q:] += t.m[q - 1] * t.G[1:n - q + 1]
        num_served[q:] += t.m[q - 1] * t.served[1:n - q + 1]
        if q < q_min:
            continue
        cost = (t.pos.order_cost + num_g[q:]) / (t.M[q] * R)
        ok = num_served[q:] / t.M[q] >= (fill_target - FILL_TOLERANCE) * t.mu_r
        if ok.any():
            k = int(np.argmin(np.where(ok, cost, np.inf)))
            if best is None or cost[k] < best[0]:
                best = (float(cost[k]), q + k - 1, q)
    if best is None:
        return None
    _, big_s, q = best
    return t.evaluate(big_s - q, big_s)


def local_optimum(pos: Position, fill_target: float = 0.0, min_quantity: int = 1,
                  max_level: int | None = None) -> Performance:
    """A least-cost (s, S) of a lost-sales position with fill rate ≥ ``fill_target``,
    S − s ≥ ``min_quantity`` and S ≤ ``max_level``, by pattern search on the exact chain
    from the backorder optimum of the same position: moves of s, S or both by ±k (k halving
    from max(1, Q/4) to 1) while one lowers the cost of a feasible pair. When the chain at
    that start exceeds its state limit (a fixed L > R, :mod:`.pipeline`) every pair is
    estimated on :class:`~.simulated.SimulatedLostSales`' common demand path instead;
    otherwise pairs beyond the limit count as infeasible, and :class:`~.pipeline.TooLarge`
    when no feasible pair is left."""
    start = optimal_policy(Position(pos.demand, pos.review_days, pos.lead_days, pos.holding,
                                    pos.shortage, pos.order_cost, True), fill_target,
                           min_quantity, max_level)
    chains: dict[int, LostSalesChain | PipelineChain] = {}
    seen: dict[tuple[int, int], Performance | None] = {}
    refused: list[TooLarge] = []
    top = max_level if max_level is not None else math.inf
    m = open_orders(pos)
    simulated = (SimulatedLostSales(pos) if m and len(pos.leads) == 1
                 and state_bound(max(start.s, 0), max(start.S, 1), m) > MAX_STATES else None)

    def evaluate(s: int, big_s: int) -> Performance | None:
        if not (s >= -1 and s + min_quantity <= big_s <= top):
            return None
        if simulated is not None:
            return simulated.evaluate(s, big_s)
        if (s, big_s) not in seen:
            bound = 1 << max(big_s, 1).bit_length()       # a power of two ≥ S: few tables
            if bound not in chains:
                chains[bound] = lost_sales_chain(pos, bound)
            try:
                seen[(s, big_s)] = chains[bound].evaluate(s, big_s)
            except TooLarge as exc:                       # beyond the state limit
                refused.append(exc)
                seen[(s, big_s)] = None
        return seen[(s, big_s)]

    try:
        return _pattern_search(evaluate, max(start.s, 0), max(start.S, 1), fill_target, top)
    except ValueError:
        if refused:          # no feasible pair within the state limit: say so
            raise refused[-1] from None
        raise


_MOVES = tuple((ds, dS) for ds in (-1, 0, 1) for dS in (-1, 0, 1) if (ds, dS) != (0, 0))
"""Pattern-search moves of (s, S): the eight neighbours."""


def _pattern_search(evaluate: Callable[[int, int], Performance | None], s: int, big_s: int,
                    fill_target: float, top: float) -> Performance:
    def score(p: Performance | None) -> float:
        if p is None or p.fill_rate < fill_target - FILL_TOLERANCE:
            return math.inf
        return p.cost

    current = evaluate(s, big_s)
    step = max(1, (big_s - s) // 4)
    while score(current) == math.inf:          # infeasible start: raise both levels
        s, big_s = s + step, big_s + step
        if big_s > top:
            raise ValueError(f"no (s, S) with S ≤ {top} has fill rate ≥ {fill_target}")
        current = evaluate(s, big_s)
    assert current is not None
    step = max(1, (big_s - s) // 4)
    while True:
        moves = [(ds * step, dS * step) for ds, dS in _MOVES]
        better = None
        for ds, dS in moves:
            cand = evaluate(current.s + ds, current.S + dS)
            if score(cand) < score(better or current):
                better = cand
        if better is not None:
            current = better
        elif step > 1:
            step //= 2
        else:
            return current


def _check_target(fill_target: float) -> None:
    if not fill_target < 1:
        raise ValueError(f"a fill rate target must be below 1 (got {fill_target}): unbounded "
                         "demand is never met in full")


def optimal_policy(pos: Position, fill_target: float = 0.0, min_quantity: int = 1,
                   max_level: int | None = None) -> Performance:
    """The least-cost (s, S) with fill rate ≥ ``fill_target``, S − s ≥ ``min_quantity`` and
    S ≤ ``max_level`` (see the module docstring)."""
    _check_target(fill_target)
    if not pos.backorder:
        return local_optimum(pos, fill_target, min_quantity, max_level)
    if fill_target <= 0 and min_quantity <= 1 and max_level is None:
        return zheng_federgruen(pos)
    return grid_optimum(pos, fill_target, min_quantity, max_level)


def least_reorder_point(pos: Position, order_quantity: int, fill_target: float
                        ) -> Performance:
    """The least s ≥ −1 whose (s, s + Q) has fill rate ≥ ``fill_target`` (fill grows with s
    at a fixed Q: bisection on exact evaluations)."""
    _check_target(fill_target)
    q = max(int(order_quantity), 1)

    def evaluate(s: int) -> Performance:
        return evaluate_exactly(pos, s, s + q)

    lo, hi = -1, max(pos.demand.quantile(pos.lead_days + pos.review_days, 0.5), 1)
    while evaluate(hi).fill_rate < fill_target - FILL_TOLERANCE:
        lo, hi = hi, 2 * hi
    if evaluate(lo).fill_rate >= fill_target - FILL_TOLERANCE:
        return evaluate(lo)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if evaluate(mid).fill_rate >= fill_target - FILL_TOLERANCE:
            hi = mid
        else:
            lo = mid
    return evaluate(hi)
