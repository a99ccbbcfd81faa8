"""Exact long-run performance of a periodic-review (s, S) policy with lost sales and a lead
time longer than the review period (L > R), as the twin runs it.

Day timing as :mod:`.periodic` (a delivery due on day d arrives before day d's demand; the
review every R days comes after the day's demand; the twin's 1-day lead time is the textbook
zero lead time). Let m = ⌈L/R⌉ − 1, so mR < L ≤ (m + 1)R: an order placed at a review arrives
on day a = L − mR (1 ≤ a ≤ R) of the period that follows the m-th review after it. At every
review the orders of the m previous reviews are open, and in every period exactly one order
arrives: the oldest, on day a.

**State** at a review, after the day's demand and before ordering: (x, q_1, …, q_m), the
on-hand x and the quantity q_j ordered j reviews ago (0 if none). IP = x + Σ q_j; when
IP ≤ s the review orders q_0 = S − IP. Over the period that follows, a − 1 days from x, then
q_m arrives, then R − a + 1 more days; with lost sales the on-hand after k days from u is
(u − A_k)⁺, so

    x' = ((x − A_{a−1})⁺ + q_m − A_{R−a+1})⁺,    (q'_1, …, q'_m) = (q_0, …, q_{m−1}).

Every state has x + Σ q_j ≤ S (the position after ordering is at most S and only demand and
arrivals change it) and q_j ∈ {0} ∪ [S − s, S] (an order lifts IP ≤ s to S). The chain is
built on those states reachable from (S, 0, …, 0) — a closed set that holds the recurrent
class, since every state reaches (S, 0, …, 0) by an order and m + 1 periods without demand —
as a sparse matrix (row (x, q) has up to x + q_m + 1 entries: P(x' = v) = Σ_u P((x − A_{a−1})⁺ = u)·
P((u + q_m − A_{R−a+1})⁺ = v)), and its stationary law π is a dense solve (small chains), power
iteration or GMRES (sparse LU fills in badly on these chains). Per period, the units served on
time and the day-end on-hand are those of :class:`.periodic.LostSalesChain` (a − 1 days from
x, R − a + 1 days from (x − A_{a−1})⁺ + q_m); with m = 0 this is that chain.

Size: at most :func:`state_bound` states (the tuples above); beyond :data:`MAX_STATES` the
chain is refused (:class:`TooLarge`) rather than built.
"""

import math

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph
from scipy.sparse.linalg import gmres

from solvers.inventory_theory.periodic import (
    DayTables,
    Performance,
    Position,
    dense_stationary,
    depletion,
)

MAX_STATES = 250_000
"""Largest number of states (:func:`state_bound`) of a chain that is built and solved (one
evaluation at the limit takes a few seconds)."""
NEGLIGIBLE = 1e-12
"""Transitions less likely than this are left out: x' = v > 0 needs A_R ≥ x + q_m − v, so
x' < x + q_m − k is left out where P(A_R ≥ k) < this (the demand tables' own FFT rounding is
~10⁻¹⁶ per term; the long-run means move by ~10⁻¹² of the chain's mixing time)."""
DENSE_STATES = 150
"""Up to this many states the stationary law is a dense solve, beyond by power iteration."""
POWER_STEPS = 100
"""Power-iteration steps before the stationary law is solved by GMRES instead."""


class TooLarge(ValueError):
    """The chain of an (s, S) would exceed :data:`MAX_STATES` states."""


def open_orders(pos: Position) -> int:
    """m = ⌈L/R⌉ − 1: orders open at a review before it orders (0 when L ≤ R)."""
    return -(-pos.lead_days // pos.review_days) - 1


def state_bound(s: int, S: int, m: int) -> int:
    """The number of tuples (x, q_1…q_m) with x + Σ q ≤ S, q_j ∈ {0} ∪ [S − s, S]: an upper
    bound on the states of the chain of (s, S) with m open orders."""
    values = np.zeros(S + 1)
    values[0] = 1.0
    values[max(S - s, 1):] = 1.0
    sums = values[:1].copy()                        # tuples of q by Σ q (floats: a bound
    for _ in range(m):                              # far above any limit stays far above)
        sums = np.convolve(sums, values)[:S + 1]
    return int(sums @ (S + 1 - np.arange(len(sums))))


class PipelineChain:
    """The chain on (on-hand, open orders) at reviews of a lost-sales position, levels 0…Y
    (see the module docstring)."""

    def __init__(self, pos: Position, upto: int):
        if pos.backorder or pos.lead_pmf:
            raise ValueError("the pipeline chain is for lost sales with a fixed lead time")
        self.pos, self.upto = pos, upto
        R = pos.review_days
        self.m = open_orders(pos)
        self.a = pos.lead_days - self.m * R
        sums = pos.demand.sums(R, upto)
        daily = sums[1]
        self.before = DayTables.build(sums, daily, range(1, self.a))
        self.after = DayTables.build(sums, daily, range(1, R - self.a + 2))
        self.P1 = depletion(sums[self.a - 1])
        self.P2 = depletion(sums[R - self.a + 1])
        pmf = sums[R]                                  # P(A_R > k), summed from the top
        tail = np.cumsum(pmf[::-1])[::-1] - pmf + max(1.0 - pmf.sum(), 0.0)
        self.reach = int(np.searchsorted(-tail, -NEGLIGIBLE)) + 1

    def states(self, s: int, S: int) -> np.ndarray:
        """All tuples (x, q_1…q_m), one per row (see :func:`state_bound`)."""
        values = np.concatenate(([0], np.arange(max(S - s, 1), S + 1)))
        pipes = np.zeros((1, 0), dtype=np.int64)
        for _ in range(self.m):
            total = pipes.sum(axis=1)
            room = (total[:, None] + values[None, :]) <= S
            rows, cols = np.nonzero(room)
            pipes = np.column_stack((pipes[rows], values[cols]))
        room = S - pipes.sum(axis=1) + 1
        x = _offsets(room)
        return np.column_stack((x, np.repeat(pipes, room, axis=0)))

    def evaluate(self, s: int, S: int) -> Performance:
        """The exact performance of (s, S), −1 ≤ s < S ≤ Y; :class:`TooLarge` beyond
        :data:`MAX_STATES` states."""
        if not -1 <= s < S <= self.upto:
            raise ValueError(f"(s, S) = ({s}, {S}) outside −1 ≤ s < S ≤ {self.upto}")
        m = self.m
        bound = state_bound(s, S, m)
        if bound > MAX_STATES or (m + 1) * math.log2(S + 1) > 62:
            raise TooLarge(f"lost sales with {m} open orders at a review and S = {S}: up to "
                           f"{bound} states, above the limit of {MAX_STATES}")
        st = self.states(s, S)
        base = (S + 1) ** np.arange(m + 1, dtype=np.int64)
        codes = st @ base
        order = np.argsort(codes)
        st, codes = st[order], codes[order]
        x, arriving = st[:, 0], st[:, -1] if m else np.zeros(len(st), dtype=np.int64)
        ip = st.sum(axis=1)
        placed = np.where(ip <= s, S - ip, 0)
        pipe_next = (np.column_stack((placed, st[:, 1:m])) @ base[1:] if m
                     else np.zeros(len(st), dtype=np.int64))
        if not m:
            arriving = placed
        lo = np.maximum(x + arriving - self.reach, 0)   # x' = lo … x + q_m
        width = x + arriving + 1 - lo
        rows = np.repeat(np.arange(len(st)), width)
        nxt = _offsets(width) + np.repeat(lo, width)
        prob = np.empty(len(nxt))
        served_after, on_hand_after = np.empty(len(st)), np.empty(len(st))
        starts = np.cumsum(width) - width
        for q in np.unique(arriving):
            group = np.flatnonzero(arriving == q)
            top = S - q + 1                            # x ≤ S − q
            first = self.P1[:top, :top]                # a − 1 days, then q_m arrives
            move = first @ self.P2[q:S + 1, :S + 1]
            seg = np.repeat(group, width[group])
            at = np.repeat(starts[group], width[group]) + _offsets(width[group])
            prob[at] = move[x[seg], nxt[at]]
            served_after[group] = (first @ self.after.served[q:S + 1])[x[group]]
            on_hand_after[group] = (first @ self.after.on_hand[q:S + 1])[x[group]]
        cols = np.searchsorted(codes, nxt + np.repeat(pipe_next, width))
        P = sparse.csr_matrix((prob, (rows, cols)), shape=(len(st), len(st)))
        start = int(np.searchsorted(codes, S))        # (S, 0, …, 0)
        keep = np.sort(csgraph.breadth_first_order(P, start, directed=True,
                                                   return_predecessors=False))
        P = P[keep][:, keep]
        pi = _stationary(P)
        xs = x[keep]
        served = pi @ (self.before.served[xs] + served_after[keep])
        on_hand = pi @ (self.before.on_hand[xs] + on_hand_after[keep])
        orders = float(pi[placed[keep] > 0].sum())
        return Performance.per_day(self.pos, s, S, served, on_hand, orders)


def _offsets(width: np.ndarray) -> np.ndarray:
    """0…w − 1 for each w of ``width``, concatenated (positions within ragged segments)."""
    return np.arange(width.sum()) - np.repeat(np.cumsum(width) - width, width)


def _stationary(P: sparse.csr_matrix) -> np.ndarray:
    """The stationary law π = πP of a chain whose states form one closed class (a recurrent
    class and states transient into it): a dense solve up to :data:`DENSE_STATES` states;
    beyond, power iteration from the uniform law until ‖πP − π‖₁ < 10⁻¹⁴ (the chain is
    aperiodic: a period without demand leaves a state without order unchanged) and, where
    that is slow (long order cycles mix slowly), GMRES on (Pᵀ − I)π = 0, Σπ = 1 from the
    last iterate."""
    n = P.shape[0]
    if n <= DENSE_STATES:
        return dense_stationary(P.toarray())
    step = P.T.tocsr()
    pi = np.full(n, 1.0 / n)
    for _ in range(POWER_STEPS):
        new = step @ pi
        new /= new.sum()                    # the negligible transitions left out
        if np.abs(new - pi).sum() < 1e-14:
            return new
        pi = new
    a = (step - sparse.identity(n, format="csr")).tolil()
    a[n - 1, :] = np.ones(n)
    b = np.zeros(n)
    b[-1] = 1.0
    pi, info = gmres(a.tocsr(), b, x0=pi, rtol=1e-13, restart=200, maxiter=50)
    pi = np.maximum(pi, 0.0)
    pi /= pi.sum()
    if info != 0 or np.abs(step @ pi - pi).sum() > 1e-10:
        raise TooLarge(f"the chain on {n} states did not settle ({POWER_STEPS} power steps "
                       "and GMRES)")
    return pi
