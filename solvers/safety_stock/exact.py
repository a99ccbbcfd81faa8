"""Reorder points from exact inventory theory wherever it represents a position as the twin
runs it; the network's budgets and capacities priced over candidates by a selection MILP.

A position is *exact* when the periodic-review model of :mod:`solvers.inventory_theory`
is the twin's own dynamics for it: replenished by a supplier (not a warehouse), no warehouse
replenished from it (its demand is its departments' daily demand, not lumps of orders),
a fixed lead time (L whole days) or, for backorders, a random one whose orders cross with
probability ≤ :data:`CROSSING_RISK` (the whole-day law the twin samples,
:func:`~solvers.inventory_theory.lead_time.whole_day_pmf`, mixed into the chain; exact when
orders cannot cross; an offer's lateness is mixed into that law,
:func:`~solvers.inventory_theory.lead_time.with_lateness`), no QC or excursion hold,
no scrapped deliveries, not VMI, no weekly supplier capacity, stationary demand, no
critical demand that another warehouse could serve by emergency shipment (the twin counts
those units as served on time), no demand series whose forecast error is wider than its
model (the scenarios plan those on the forecast's error), stock
that cannot expire before use (:func:`expiry_risk` ≤ :data:`EXPIRY_RISK`), and for
lost sales levels up to :data:`LOST_SALES_MAX_LEVEL` and, when L > R, a chain on on-hand
and open orders of at most :data:`~solvers.inventory_theory.pipeline.MAX_STATES` states
(:mod:`solvers.inventory_theory.pipeline`; :func:`why_not_exact` names the first condition a
position fails, :func:`exact_levels` the state limit). Everything else (lead times whose orders
may cross, holds, hub lumpiness) still goes through the scenarios of
:mod:`solvers.safety_stock.sampling`, and its fill rate stays a sample-average estimate.

Daily demand of an exact position: the sum of its departments' series, each with the
twin's own distribution (Poisson, negative binomial, intermittent), convolved
(:class:`~solvers.inventory_theory.demand.DailyDemand`); a position whose demand has a weekly
or annual profile is not exact (the chain assumes stationary days). Inputs built without
series (hand-made arrays) fall back to a negative binomial with the position's mean and
variance.

Costs per day: h = c·i/365 per unit on hand at day end, p = π·v per unit short (the
model's shortage penalty and unit value), K = the position's share of the order cost.
Candidates: for each budget price λ in :data:`BUDGET_PRICES` (only λ = 0 when there is no
budget and capacity does not bind), the exact least-cost (s, S)
with holding h·(1 + λ), fill rate ≥ the target of the most urgent class served,
S − s ≥ MOQ (so the twin's MOQ never lifts an order) and, when expiry counts,
S ≤ μ·usable days (dropped where no pair within it meets the target); each candidate is
costed at the true h (for lost sales the priced candidates, λ > 0, are the backorder
optima at that price evaluated exactly on the lost-sales chain and kept if they meet the
target — a full lost-sales search per price would cost minutes per position). Without
budgets or capacity the λ = 0 candidate is the exact optimum; with them
:func:`select` picks one candidate per position: min Σ cost subject to
Σ c·E[on-hand] ≤ budget per org and Σ S ≤ capacity per warehouse, the other positions
counted at their sample-average levels.
"""

import functools
import logging
from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np
import pyomo.environ as pyo

from solvers.highs_bridge import Infeasible, solve
from solvers.inventory_theory import DailyDemand, Performance, Position, evaluate
from solvers.inventory_theory import optimal_policy as exact_optimum
from solvers.inventory_theory.lead_time import (
    LeadPmf,
    crossing_risk,
    whole_day_pmf,
    with_lateness,
)
from solvers.inventory_theory.optimize import FILL_TOLERANCE
from solvers.inventory_theory.pipeline import MAX_STATES, TooLarge, open_orders, state_bound
from solvers.inventory_theory.simulated import SimulatedLostSales
from solvers.safety_stock.inputs import SafetyStockInputs
from solvers.safety_stock.settings import SafetyStockSettings
from twin.domain import Distribution

log = logging.getLogger(__name__)
BUDGET_PRICES = (0.0, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0,
                 24.0, 32.0)
"""λ: prices of average on-hand value as multiples of the holding rate (candidate levels)."""
CROSSING_RISK = 1e-3
"""Largest chance that an order overtakes the one placed a review period earlier for which a
random lead time counts as exact (the chain assumes orders never cross; measured against
the twin in the tests)."""
EXPIRY_RISK = 1e-3
"""Largest :func:`expiry_risk` of an exact position: the chain does not model write-offs."""
LOST_SALES_MAX_LEVEL = 1500
"""Largest S (units, estimated by the backorder optimum) for which a lost-sales position is
solved on its exact chain (a dense chain on 0…S: one evaluation at S = 1500 takes ~1 s)."""
MAX_TARGET = 0.9999
"""Fill-rate targets are capped here (a target of 1 cannot be met with unbounded demand)."""


@dataclass(frozen=True)
class ExactLevels:
    """Per-position arrays (length P); values are meaningful where ``mask`` is set."""

    mask: np.ndarray        # levels and figures from the periodic-review model (exact, or
    # estimated on a simulated path where ``why_not`` says why the chain was not used)
    s: np.ndarray           # reorder point, units
    big_s: np.ndarray       # order-up-to level, units
    fill_rate: np.ndarray   # units served on the day demanded / units demanded
    on_hand: np.ndarray     # mean end-of-day on-hand, units
    cost: np.ndarray        # holding + shortage + ordering, currency/day
    binds: np.ndarray       # what sets the levels: "cost", "fill-rate target", "budget",
    # "capacity", "shelf life"
    why_not: np.ndarray     # why a position is not exact ("" where it is)

    @property
    def simulated(self) -> np.ndarray:
        """Where the levels and figures are estimates on the simulated demand path of
        :mod:`solvers.inventory_theory.simulated` (lost sales whose exact chain is beyond its
        state limit): used like exact ones, ``why_not`` saying why the chain was not."""
        return self.mask & (self.why_not != "")


def why_not_exact(x: SafetyStockInputs) -> np.ndarray:
    """Per position, the first reason the exact model does not represent it ("" where it
    does; see the module docstring)."""
    rp = x.replenishment
    n = x.size
    no = np.zeros(n, dtype=bool)
    random = np.array([len(lead_law(x, p)) > 1 for p in range(n)], dtype=bool)
    feeds = np.isin(np.arange(n), rp.parent) if rp is not None else no
    checks = [
        ("no demand", x.mean_per_day <= 0),
        ("no holding cost", x.unit_cost * x.holding_rate <= 0),
        ("replenished from a warehouse", rp.parent >= 0 if rp is not None else no),
        ("replenishes other warehouses (lumpy orders)", feeds),
        ("random lead time with lost sales",
         random & ~x.backorder if x.backorder is not None else no),
        (f"random lead time: orders may cross (P > {CROSSING_RISK:g} that an order "
         "overtakes the one placed a review period earlier)", _may_cross(x, random)),
        ("QC or excursion holds", rp.hold_probability * rp.hold_days > 0 if rp is not None
         else no),
        ("scrapped deliveries", rp.loss_probability > 0 if rp is not None else no),
        ("weekly or annual demand profile", ~x.stationary if x.stationary is not None else no),
        ("a VMI supplier (tops up to S whenever below it)", x.vmi if x.vmi is not None else no),
        ("a weekly supplier capacity", x.supply_capped if x.supply_capped is not None else no),
        ("critical demand other warehouses may serve by emergency shipment",
         x.emergency_backup if x.emergency_backup is not None else no),
        ("the forecast's error exceeds the demand model's spread (planned on the forecast)",
         x.forecast_wider if x.forecast_wider is not None else no),
        ("substitutes pool its demand with other items (the chain is single-item)",
         np.isin(np.arange(n), x.links.pooled())),
        ("returned units come back into its stock (net demand)",
         x.return_share > 0 if x.return_share is not None else no),
    ]
    out = np.full(n, "", dtype=object)
    for why, hit in reversed(checks):
        out[hit] = why
    return out


def _may_cross(x: SafetyStockInputs, random: np.ndarray) -> np.ndarray:
    """Positions with a random lead time whose :func:`crossing_risk` exceeds
    :data:`CROSSING_RISK`."""
    return np.array([bool(random[p]) and crossing_risk(lead_law(x, p), x.review_days)
                     > CROSSING_RISK for p in range(x.size)], dtype=bool)


@functools.lru_cache(maxsize=4096)
def _lead_pmf(lead: Distribution, late_probability: float, delay: Distribution | None
              ) -> LeadPmf:
    """Cached :func:`lead_law` (positions share their offers' laws)."""
    return with_lateness(whole_day_pmf(lead), late_probability, delay)


def lead_law(x: SafetyStockInputs, p: int) -> LeadPmf:
    """Position ``p``'s whole-day replenishment lead time as the twin draws it: the lead
    time's law with its offer's lateness mixed in; one day with probability 1 when fixed."""
    rp = x.replenishment
    late = (float(rp.late_probability[p]), rp.late_delay[p]) if rp is not None else (0.0, None)
    return _lead_pmf(x.lead_time[p], *late)


def lead_days(x: SafetyStockInputs) -> np.ndarray:
    """Lead time in whole days as the twin rounds its mean: max(1, round(mean))."""
    return np.maximum(np.rint([lt.mean for lt in x.lead_time]), 1).astype(np.int64)


def position_model(x: SafetyStockInputs, p: int, penalty: float, price: float = 0.0
                   ) -> Position:
    """The exact model of position ``p``: ``penalty`` per unit short (currency), holding
    c·i·(1 + ``price``)/365 per unit-day."""
    mu, var = float(x.mean_per_day[p]), float(x.var_per_day[p])
    if x.own_series is not None and x.own_series[p]:
        demand = DailyDemand.of(x.own_series[p])
    else:
        demand = (DailyDemand.poisson(mu) if var <= mu * (1 + 1e-9)
                  else DailyDemand.negative_binomial(mu, var))
    backorder = True if x.backorder is None else bool(x.backorder[p])
    pmf = lead_law(x, p)
    pmf = pmf if len(pmf) > 1 else ()
    return Position(demand, x.review_days, max(d for d, _ in pmf) if pmf
                    else int(lead_days(x)[p]),
                    float(x.unit_cost[p] * x.holding_rate[p] / 365 * (1 + price)),
                    float(penalty), float(x.order_cost[p]), backorder, pmf)


def candidates(x: SafetyStockInputs, p: int, penalty: float, target: float,
               cap_expiry: bool, prices: tuple[float, ...] = BUDGET_PRICES
               ) -> tuple[list[Performance], bool]:
    """Candidate (s, S) of position ``p`` costed at its true h (one per budget price of
    ``prices``, duplicates dropped; the least-cost first), and whether the shelf-life cap
    binds."""
    true = position_model(x, p, penalty)
    q_min = max(int(x.moq[p]), 1)
    usable = int(np.floor(x.mean_per_day[p] * x.usable_days[p]))
    top = max(usable, q_min) if cap_expiry else None
    target = min(target, MAX_TARGET)
    out: dict[tuple[int, int], Performance] = {}
    shelf_binds = False
    for price in prices:
        priced = position_model(x, p, penalty, price)
        if price > 0 and not priced.backorder:     # the backorder optimum, if it serves
            priced = replace(priced, backorder=True)
        try:
            best = exact_optimum(priced, target, q_min, top)
        except ValueError:
            shelf_binds, top = True, None
            best = exact_optimum(priced, target, q_min, None)
        if (best.s, best.S) not in out:
            try:                              # λ = 0: the true model, costed already
                costed = best if price == 0 else evaluate(true, best.s, best.S)
            except TooLarge:                  # a priced candidate beyond the state limit
                continue
            if costed.fill_rate >= min(target, MAX_TARGET) - FILL_TOLERANCE:
                out[(best.s, best.S)] = costed
    if top is not None and max(c.S for c in out.values()) >= top:
        shelf_binds = True
    return sorted(out.values(), key=lambda c: c.cost), shelf_binds


def expiry_risk(x: SafetyStockInputs, p: int, big_s: int) -> float:
    """Cantelli's bound on P(A_T < S), T = the usable days of a received unit: under FEFO a
    unit received with at most S − 1 units ahead of it is issued once demand since its
    arrival reaches S, so this bounds the chance it is still on hand when it may no longer
    be issued. σ²T / (σ²T + (μT − S)²) for S < μT, else 1."""
    days = float(x.usable_days[p])
    mean, var = x.mean_per_day[p] * days, x.var_per_day[p] * days
    if big_s >= mean:
        return 1.0
    return float(var / (var + (mean - big_s) ** 2))


def define_choice(m: pyo.ConcreteModel, options: dict[int, list[Performance]]) -> None:
    """z_pk ∈ {0, 1}, Σ_k z_pk = 1: one candidate (s, S) per exact position p."""
    m.PK = pyo.Set(initialize=[(p, k) for p, cs in options.items() for k in range(len(cs))],
                   dimen=2)
    m.z = pyo.Var(m.PK, domain=pyo.Binary, doc="candidate k chosen for position p")
    m.one = pyo.Constraint(sorted(options), rule=lambda m, p: sum(
        m.z[p, k] for k in range(len(options[p]))) == 1, doc="one (s, S) per position")


def define_selection_budget(m: pyo.ConcreteModel, x: SafetyStockInputs,
                            options: dict[int, list[Performance]], budget: dict[str, float],
                            fixed_value: dict[str, float]) -> None:
    """Σ_{p of org} Σ_k c_p·E[on-hand]_pk·z_pk + value of the org's other positions ≤ budget
    (currency)."""
    of: dict[str, list[int]] = defaultdict(list)
    for p in options:
        if x.org[p] in budget:
            of[x.org[p]].append(p)
    m.budget = pyo.Constraint(sorted(of), rule=lambda m, o: sum(
        float(x.unit_cost[p] * c.on_hand) * m.z[p, k] for p in of[o]
        for k, c in enumerate(options[p])) <= budget[o] - fixed_value.get(o, 0.0),
        doc="org inventory budget (currency)")


def define_selection_capacity(m: pyo.ConcreteModel, x: SafetyStockInputs,
                              options: dict[int, list[Performance]],
                              fixed_units: dict[str, float]) -> None:
    """Σ_{p at w} Σ_k S_pk·z_pk + S of the warehouse's other positions ≤ capacity (units)."""
    at: dict[str, list[int]] = defaultdict(list)
    for p in options:
        at[x.warehouse[p]].append(p)
    m.capacity = pyo.Constraint(sorted(at), rule=lambda m, w: sum(
        c.S * m.z[p, k] for p in at[w] for k, c in enumerate(options[p]))
        <= x.capacity[w] - fixed_units.get(w, 0.0), doc="warehouse capacity (units)")


def select(x: SafetyStockInputs, st: SafetyStockSettings, options: dict[int, list[Performance]],
           fixed_value: dict[str, float], fixed_units: dict[str, float],
           ) -> dict[int, Performance] | None:
    """One candidate per position: min Σ cost (currency/day) within the org budgets and
    warehouse capacities; ``None`` when no choice of candidates fits."""
    m = pyo.ConcreteModel(name="exact reorder-point selection")
    define_choice(m, options)
    if st.org_budget:
        define_selection_budget(m, x, options, st.org_budget, fixed_value)
    if st.respect_capacity:
        define_selection_capacity(m, x, options, fixed_units)
    m.cost = pyo.Objective(expr=sum(float(c.cost) * m.z[p, k] for p, cs in options.items()
                                    for k, c in enumerate(cs)), sense=pyo.minimize)
    try:
        solve(m, options=dict(st.highs_options, solver="choose"))
    except Infeasible as exc:
        log.warning("exact reorder points: no choice of candidates fits (%s); the positions "
                    "keep their sample-average levels", exc)
        return None
    return {p: cs[next(k for k in range(len(cs)) if pyo.value(m.z[p, k]) > 0.5)]
            for p, cs in options.items()}


def _binding(x: SafetyStockInputs, p: int, penalty: float, target: float,
             chosen: Performance) -> str:
    """"fill-rate target" when one unit less of s and S (same order quantity) would miss
    the target, else "cost" (the shortage penalty sets the levels); evaluated as ``chosen``
    was (exactly, or on the simulated path)."""
    if target <= 0 or chosen.s <= -1:
        return "cost"
    model = position_model(x, p, penalty)
    lower = (evaluate(model, chosen.s - 1, chosen.S - 1) if chosen.exact else
             SimulatedLostSales(model).evaluate(chosen.s - 1, chosen.S - 1))
    return "fill-rate target" if lower.fill_rate < min(target, MAX_TARGET) else "cost"


def _slack(x: SafetyStockInputs, st: SafetyStockSettings, chosen: dict[int, Performance],
           fixed_value: dict[str, float], fixed_units: dict[str, float]
           ) -> dict[tuple[str, str], float]:
    """Relative slack 1 − use/limit of ("budget", org) and ("capacity", warehouse) under the
    levels ``chosen``."""
    value, units = defaultdict(float, fixed_value), defaultdict(float, fixed_units)
    for p, c in chosen.items():
        value[x.org[p]] += float(x.unit_cost[p] * c.on_hand)
        units[x.warehouse[p]] += c.S
    out = {("budget", o): 1 - value[o] / b for o, b in st.org_budget.items() if b > 0}
    if st.respect_capacity:
        out |= {("capacity", w): 1 - u / x.capacity[w] for w, u in units.items()
                if x.capacity[w] > 0}
    return out


def _over_capacity(x: SafetyStockInputs, chosen: dict[int, Performance],
                   fixed_units: dict[str, float]) -> bool:
    """Whether the levels ``chosen`` plus the other positions' S exceed a warehouse."""
    used = defaultdict(float, fixed_units)
    for p, c in chosen.items():
        used[x.warehouse[p]] += c.S
    return any(u > x.capacity[w] for w, u in used.items())


def _least_cost(x: SafetyStockInputs, st: SafetyStockSettings, penalty: np.ndarray,
                targets: dict[int, float], out: ExactLevels) -> dict[int, list[Performance]]:
    """The least-cost candidate (λ = 0) of each position of ``targets``; positions the
    exact chain turns out not to represent (lost sales too large to solve, stock that may
    expire) are unmasked in ``out`` with the reason, shelf-life caps noted."""
    options: dict[int, list[Performance]] = {}
    for p, target in targets.items():
        model = position_model(x, p, float(penalty[p]))
        if not model.backorder:
            guess = exact_optimum(replace(model, backorder=True), min(target, MAX_TARGET))
            if guess.S > LOST_SALES_MAX_LEVEL:
                out.mask[p] = False
                out.why_not[p] = (f"lost sales with levels above {LOST_SALES_MAX_LEVEL} units "
                                  "(the exact chain's cost grows as S³)")
                continue
        try:
            found, shelf = candidates(x, p, float(penalty[p]), target, st.count_expiry,
                                      prices=(0.0,))
        except TooLarge:
            out.mask[p] = False
            out.why_not[p] = _too_large(model, None)
            continue
        risk = expiry_risk(x, p, found[0].S)
        if risk > EXPIRY_RISK:
            out.mask[p] = False
            out.why_not[p] = (f"stock may expire before use (P ≤ {risk:.2g} that a unit "
                              "received at S is not issued within its usable shelf life)")
            continue
        options[p] = found
        if not found[0].exact:
            out.why_not[p] = _too_large(model, state_bound(found[0].s, found[0].S,
                                                           open_orders(model)))
        if shelf:
            out.binds[p] = "shelf life"
    return options


def _too_large(pos: Position, states: int | None) -> str:
    """Why a lost-sales position with L > R is not exact: its chain exceeds the state limit
    (``states`` at the levels found, when known)."""
    at = f"up to {states:,} states, " if states else ""
    return (f"lost sales with a lead time of {pos.lead_days} days over a {pos.review_days}-day "
            f"review: the chain on on-hand and {open_orders(pos)} open orders has {at}above "
            f"the limit of {MAX_STATES:,} states")


def exact_levels(x: SafetyStockInputs, st: SafetyStockSettings, penalty: np.ndarray,
                 level_s: np.ndarray, level_big_s: np.ndarray, saa_on_hand: np.ndarray
                 ) -> ExactLevels:
    """Exact (s, S) and their exact fill rate, on-hand and cost for the representable
    positions; ``level_s``, ``level_big_s``, ``saa_on_hand`` (units) are the sample-average
    levels and on-hand of all positions, which count for the others in the budgets and
    capacities. ``penalty``: currency per unit short."""
    why = why_not_exact(x)
    mask = why == ""
    n = x.size
    out = ExactLevels(mask.copy(), level_s.copy(), level_big_s.copy(), np.full(n, np.nan),
                      np.full(n, np.nan), np.full(n, np.nan), np.full(n, "", dtype=object), why)
    idx = np.flatnonzero(mask)
    if not len(idx):
        return out
    targets = {p: float(st.fill_rate_target[x.priority[p]]) for p in idx.tolist()}
    options = _least_cost(x, st, penalty, targets, out)
    idx = np.flatnonzero(out.mask)
    chosen = {p: cs[0] for p, cs in options.items()}
    fixed_value: dict[str, float] = defaultdict(float)
    fixed_units: dict[str, float] = defaultdict(float)
    for p in np.flatnonzero(~out.mask).tolist():
        fixed_value[x.org[p]] += float(x.unit_cost[p] * saa_on_hand[p])
        fixed_units[x.warehouse[p]] += float(level_big_s[p])
    if st.org_budget or (st.respect_capacity and _over_capacity(x, chosen, fixed_units)):
        for p in idx.tolist():
            options[p], _ = candidates(x, p, float(penalty[p]), targets[p], st.count_expiry)
        picked = select(x, st, options, fixed_value, fixed_units)
        if picked is None:
            out.mask[idx] = False
            out.why_not[idx] = "no exact candidates fit the budget and capacity"
            return out
        slack = _slack(x, st, picked, fixed_value, fixed_units)
        for p, c in picked.items():
            if (c.s, c.S) != (chosen[p].s, chosen[p].S):    # the tighter of its two limits
                out.binds[p] = min((k for k in (("budget", x.org[p]),
                                                ("capacity", x.warehouse[p])) if k in slack),
                                   key=slack.__getitem__)[0]
        chosen = picked
    for p, c in chosen.items():
        out.s[p], out.big_s[p] = c.s, c.S
        out.fill_rate[p], out.on_hand[p], out.cost[p] = c.fill_rate, c.on_hand, c.cost
        if not out.binds[p]:
            out.binds[p] = _binding(x, p, float(penalty[p]), targets[p], c)
    log.info("exact reorder points for %d of %d positions", len(idx), n)
    return out
