"""Exact long-run performance of a periodic-review (s, S) policy, as the twin runs it.

One item at one location (:class:`Position`). Days are the twin's day cycle
(:mod:`twin.sim.engine`): a delivery due on day d arrives before that day's demand; demand
is served from on-hand (a backlog first); every R days, after the day's demand, the review
looks at the inventory position IP (on-hand + on order − backlog) and, if IP ≤ s, orders
S − IP, which arrives L whole days later (L ≥ 1: the twin's 1-day lead time is the
textbook zero lead time of a period model); holding is charged on end-of-day on-hand.

Costs per day: h per unit on hand at day end, p per unit short (demand not served on the
day it was demanded, backordered or lost — the twin's fill rate counts exactly these), K
per order. Let A_k be the demand over k days (:class:`~solvers.inventory_theory.demand.
DailyDemand`), D one day's demand, μ = E[D].

**Backorder.** Let y be IP right after a review (after ordering). Every order placed up to
that review has arrived by day L after it and none placed later has, so the end-of-day net
inventory on day L + j after the review (j = 0…R−1) is y − A_{L+j}. The review-to-review
cost is therefore a function of y alone,

    G(y) = Σ_{j=0}^{R−1} h·E[(y − A_{L+j})⁺] + p·(μ − E[min(D, (y − A_{L+j−1})⁺)]),

and y moves between reviews as y − A_R (re-ordered up to S when at or below s). With the
renewal quantities of Zheng & Federgruen (1991) on A_R — m(0) = 1/(1 − P(A_R = 0)),
m(j) = Σ_{l=1}^{j} P(A_R = l)·m(j − l) / (1 − P(A_R = 0)), M(Q) = Σ_{j<Q} m(j) — an order
cycle lasts M(S − s) reviews and spends m(j) of them at y = S − j, so

    cost/day = [K + Σ_{j<S−s} m(j)·G(S − j)] / (M(S − s)·R),

and fill rate, on-hand and orders/day are the same weighted means of their parts of G.

**Random lead time (backorder).** Each order's lead time L is drawn independently from
P(L = ℓ) (:mod:`~solvers.inventory_theory.lead_time`). If orders cannot cross
(ℓ_max − ℓ_min ≤ R), give every review a lead time of that law (for a review without an
order any value serves: no order changes the stock between it and the next one); the days
from L_n to R + L_{n+1} − 1 after review n then have net inventory y_n − A_k, and since
L_n, L_{n+1} are independent of y_n and alike, E[Σ_{k=L_n}^{R+L_{n+1}−1} f(y, k)] =
E_L[Σ_{k=L}^{L+R−1} f(y, k)] (the two sums differ by F(R + L_{n+1}) − F(R + L_n), mean 0).
So G(y) = Σ_ℓ P(L = ℓ)·G_ℓ(y): each k-day term weighted by w_k = P(k − R < L ≤ k). Where
orders may cross this is an approximation whose error grows with the crossing probability.

**Lost sales (L ≤ R).** With L ≤ R every order has arrived by the next review, so the state
is the on-hand x at a review (0 ≤ x ≤ S once S has been reached). Over a cycle: L − 1 days
from x, the order S − x (if x ≤ s) arrives, R − L + 1 more days; with lost sales the on-hand
after k days from u is (u − A_k)⁺. The chain on x is solved for its stationary law
(dense, (S + 1)² states' transitions: O(S³) time, so S is bounded in practice by a few
thousand units). L > R needs the open orders in the state: :mod:`.pipeline`.

Everything is exact: tables are truncated at S and exact below it (see
:mod:`~solvers.inventory_theory.demand`).
"""

import functools
from dataclasses import dataclass

import numpy as np

from solvers.inventory_theory.demand import DailyDemand, convolve
from solvers.inventory_theory.lead_time import LeadPmf


@dataclass(frozen=True)
class Position:
    """One item at one location: demand, review period R (days), lead time L (whole days
    ≥ 1; with ``lead_pmf`` a random lead time of that law and L its longest value), h
    (currency per unit-day on hand at day end), p (currency per unit short), K (currency
    per order) and what happens to demand not met from stock."""

    demand: DailyDemand
    review_days: int
    lead_days: int
    holding: float
    shortage: float
    order_cost: float
    backorder: bool = True
    lead_pmf: LeadPmf = ()

    @property
    def leads(self) -> LeadPmf:
        """(ℓ, P(L = ℓ)) of the lead time (one value when it is fixed)."""
        return self.lead_pmf or ((self.lead_days, 1.0),)

    def __post_init__(self) -> None:
        if self.review_days < 1 or self.lead_days < 1:
            raise ValueError("review period and lead time are whole days ≥ 1 "
                             f"(got R={self.review_days}, L={self.lead_days})")
        if self.lead_pmf and (not self.backorder or min(d for d, _ in self.lead_pmf) < 1
                              or max(d for d, _ in self.lead_pmf) != self.lead_days
                              or abs(sum(p for _, p in self.lead_pmf) - 1) > 1e-9):
            raise ValueError("a random lead time needs backorders, days ≥ 1 with "
                             "probabilities summing to 1 and lead_days its longest day")
        if self.demand.mean <= 0:
            raise ValueError("a position without demand has no (s, S) to evaluate")
        if self.holding <= 0 or self.shortage < 0 or self.order_cost < 0:
            raise ValueError("costs must be h > 0, p ≥ 0, K ≥ 0 (without holding cost no "
                             f"level is too high), got h={self.holding}, p={self.shortage}, "
                             f"K={self.order_cost}")


@dataclass(frozen=True)
class Performance:
    """Long-run means of one (s, S): cost (currency/day), fill rate (units served on the day
    demanded / units demanded), on-hand (units at day end), orders (orders/day); ``exact``:
    from an exact chain (else estimated on a simulated path, :mod:`.simulated`)."""

    s: int
    S: int
    cost: float
    fill_rate: float
    on_hand: float
    orders: float
    exact: bool = True

    @classmethod
    def per_day(cls, pos: "Position", s: int, S: int, served: float, on_hand: float,
                orders: float) -> "Performance":
        """From expected units served, on-hand unit-days and orders over one review period
        of R days: cost/day = (K·orders + h·on-hand + p·(μR − served)) / R, fill = served / μR."""
        R = pos.review_days
        mu_r = pos.demand.mean * R
        cost = pos.order_cost * orders + pos.holding * on_hand + pos.shortage * (mu_r - served)
        return cls(s, S, float(cost / R), float(served / mu_r), float(on_hand / R), orders / R)


def _ramp_and_min(pmf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(u ↦ u, u ↦ E[min(D, u)]) for u = 0…Y, with E[min(D, u)] = Σ_{k<u} P(D > k)."""
    upto = len(pmf) - 1
    survival = 1.0 - np.cumsum(pmf)
    return (np.arange(upto + 1, dtype=float),
            np.concatenate(([0.0], np.cumsum(np.maximum(survival[:-1], 0.0)))))


@dataclass(frozen=True)
class DayTables:
    """Per start level u = 0…Y and day counts k weighted w_k (``days``: a range, each k
    weighted 1, or k ↦ w_k): on-hand Σ_k w_k·E[(u − A_k)⁺] and units served on time
    Σ_k w_k·E[min(D, (u − A_{k−1})⁺)], for demand drawn from u on without replenishment
    (units)."""

    on_hand: np.ndarray
    served: np.ndarray

    @classmethod
    def build(cls, sums: np.ndarray, daily: np.ndarray, days: range | dict[int, float]
              ) -> "DayTables":
        """From the k-day tables ``sums`` (:meth:`DailyDemand.sums`) and the daily pmf."""
        upto = sums.shape[1] - 1
        ramp, served_from = _ramp_and_min(daily)
        on_hand, served = np.zeros(upto + 1), np.zeros(upto + 1)
        weights = dict.fromkeys(days, 1.0) if isinstance(days, range) else days
        for k, w in weights.items():
            on_hand += w * convolve(sums[k], ramp, upto)
            served += w * convolve(sums[k - 1], served_from, upto)
        return cls(on_hand, served)


class BackorderTables:
    """G(y) and its parts for y = −1…Y, and the renewal m(j), M(Q) for j, Q ≤ Y + 1 (see the
    module docstring); arrays are indexed by y + 1."""

    def __init__(self, pos: Position, upto: int):
        if not pos.backorder:
            raise ValueError("backorder tables for a lost-sales position")
        self.pos, self.upto = pos, upto
        self.on_hand, self.served, self.m = _backorder_parts(pos.demand, pos.review_days,
                                                             pos.leads, upto)
        self.mu_r = pos.demand.mean * pos.review_days
        self.G = pos.holding * self.on_hand + pos.shortage * (self.mu_r - self.served)
        self.M = np.concatenate(([0.0], np.cumsum(self.m)))

    def evaluate(self, s: int, S: int) -> Performance:
        """The exact performance of (s, S), −1 ≤ s < S ≤ Y."""
        if not -1 <= s < S <= self.upto:
            raise ValueError(f"(s, S) = ({s}, {S}) outside −1 ≤ s < S ≤ {self.upto}")
        q = S - s
        w = self.m[:q] / self.M[q]            # share of reviews at y = S − j
        y = S - np.arange(q) + 1              # index of y
        R = self.pos.review_days
        return Performance(s, S, float(self.pos.order_cost / self.M[q] + w @ self.G[y]) / R,
                           float(w @ self.served[y]) / self.mu_r, float(w @ self.on_hand[y]) / R,
                           float(1.0 / (self.M[q] * R)))

    def cost(self, s: int, S: int) -> float:
        """c(s, S) per review: [K + Σ_{j<S−s} m(j)·G(S − j)] / M(S − s) (currency/review)."""
        q = S - s
        return float((self.pos.order_cost + self.m[:q] @ self.G[S - np.arange(q) + 1])
                     / self.M[q])

    def g(self, y: int) -> float:
        """G(y), currency per review (y ≥ −1; levels below −1 cost as −1)."""
        return float(self.G[max(y, -1) + 1])


@functools.lru_cache(maxsize=8)
def _backorder_parts(demand: DailyDemand, review: int, leads: LeadPmf, upto: int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """On-hand and on-time parts of G for y = −1…Y (index y + 1) and the renewal m(0…Y):
    cost-free, so cached across the cost rates a search tries (read-only arrays). Day k
    after a review weighs w_k = P(k − R < L ≤ k) (1 on L…L + R − 1 for a fixed L)."""
    longest = max(d for d, _ in leads)
    sums = demand.sums(longest + review, upto)
    weights: dict[int, float] = {}
    for lead, p in leads:
        for k in range(lead, lead + review):
            weights[k] = weights.get(k, 0.0) + p
    day = DayTables.build(sums, sums[1], weights)
    # y = −1: nothing on hand, nothing served on time
    out = (np.concatenate(([0.0], day.on_hand)), np.concatenate(([0.0], day.served)),
           _renewal(sums[review], upto + 1))
    for a in out:
        a.flags.writeable = False
    return out


def _renewal(pmf: np.ndarray, n: int) -> np.ndarray:
    """m(0…n−1) of the renewal equation on the review-period demand pmf (see module doc)."""
    p0 = pmf[0]
    if p0 >= 1.0:
        raise ValueError("demand over a review period is always 0")
    m = np.zeros(n)
    m[0] = 1.0 / (1.0 - p0)
    for j in range(1, n):
        m[j] = pmf[1:j + 1] @ m[j - 1::-1] / (1.0 - p0)
    return m


class LostSalesChain:
    """The chain on on-hand at reviews of a lost-sales position with L ≤ R, levels 0…Y."""

    def __init__(self, pos: Position, upto: int):
        if pos.backorder:
            raise ValueError("lost-sales chain for a backorder position")
        self.pos, self.upto = pos, upto
        R, L = pos.review_days, pos.lead_days
        self.sums = pos.demand.sums(R, upto)
        daily = self.sums[1]
        self.before = DayTables.build(self.sums, daily, range(1, L))
        self.after = DayTables.build(self.sums, daily, range(1, R - L + 2))
        self.P1 = depletion(self.sums[L - 1])
        self.P2 = depletion(self.sums[R - L + 1])
        self.PR = depletion(self.sums[R])      # a review without an order: (x − A_R)⁺

    def evaluate(self, s: int, S: int) -> Performance:
        """The exact performance of (s, S), 0 ≤ s < S ≤ Y (see the module docstring)."""
        if not -1 <= s < S <= self.upto:
            raise ValueError(f"(s, S) = ({s}, {S}) outside −1 ≤ s < S ≤ {self.upto}")
        n = S + 1
        arrive = self.P1[:n, :n].copy()       # x → level on the morning the order lands
        ordering = np.arange(max(s, -1) + 1)  # x ≤ s: z ≤ x moves to z + S − x ≤ S
        shifted = (np.arange(n)[None, :] - (S - ordering)[:, None]) % n
        arrive[ordering] = np.take_along_axis(arrive[ordering], shifted, axis=1)
        step = self.PR[:n, :n].copy()
        step[ordering] = arrive[ordering] @ self.P2[:n, :n]
        pi = dense_stationary(step)
        rho = pi @ arrive
        served = pi @ self.before.served[:n] + rho @ self.after.served[:n]
        on_hand = pi @ self.before.on_hand[:n] + rho @ self.after.on_hand[:n]
        orders = float(pi[:max(s, -1) + 1].sum())
        return Performance.per_day(self.pos, s, S, served, on_hand, orders)


def depletion(pmf: np.ndarray) -> np.ndarray:
    """P[u, v] = P((u − A)⁺ = v) for u, v = 0…Y, A with mass function ``pmf`` on 0…Y."""
    upto = len(pmf) - 1
    u = np.arange(upto + 1)
    diff = u[:, None] - u[None, :]
    out = np.where(diff >= 0, pmf[np.clip(diff, 0, upto)], 0.0)
    out[:, 0] = 1.0 - np.concatenate(([0.0], np.cumsum(pmf)[:-1]))   # P(A ≥ u)
    return out


def dense_stationary(P: np.ndarray) -> np.ndarray:
    """The stationary law π = πP of a chain with one recurrent class."""
    n = len(P)
    a = P.T - np.eye(n)
    a[-1] = 1.0
    b = np.zeros(n)
    b[-1] = 1.0
    pi = np.linalg.solve(a, b)
    pi = np.maximum(pi, 0.0)
    return pi / pi.sum()
