"""The safety-stock / reorder-point model: a sample-average LP over demand scenarios.

For each position p (warehouse × item) choose the reorder point R_p and the cycle
quantity Q_p (units); the order-up-to level is S_p = R_p + Q_p. With K scenarios D_pk of
demand over the protection interval (review period + replenishment delay, see
:mod:`solvers.safety_stock.sampling`) and shortages
u_pk ≥ (D_pk − R_p)⁺:

    min Σ_p  c_o,p (R_p − D̄_p) + (c_o,p + c_u,p) / K · Σ_k u_pk
           + c_o,p Q_p / 2 + κ_p                                      (currency/year)

where κ_p ≥ A·365μ/Q_p, the yearly ordering cost, is kept by tangent cuts of that convex
function at a geometric grid of Q (exact at the grid points). Q_p lies between
max(MOQ, μ·review) and max(that, μ·usable days / 2); without side constraints it settles
at the EOQ √(2·A·365μ/(c·i)).

with overage cost c_o = c·i (holding a unit for a year: unit cost × holding rate) and
underage cost c_u = π·v·n (penalty multiple π per unit short, the demand-weighted mean of
the priority classes served; v the unit cost, or the network's mean unit cost with
``shortage_basis = "units"``; times n = 365μ/Q° cycles a year at the reference quantity Q°, the
shelf-life-capped EOQ, so that the cost stays linear). At the optimum
u_pk = (D_pk − R_p)⁺, so the objective is the newsvendor cost
c_o·E[(R − D)⁺] + c_u·E[(D − R)⁺], whose unconstrained optimum is the critical-fractile
quantile c_u/(c_u + c_o) of the scenario demand. Side constraints (one function each,
below): substitution (a position's shortfall covered from the stock of its substitutes at
the same warehouse, :mod:`solvers.safety_stock.pooling`), fill rate per cycle by priority
class, warehouse capacity, org budget on the
expected on-hand value c·(E[(R − D)⁺] + Q/2); stock above what can be issued within its
usable shelf life is charged as write-off. The integer (s, S) round R and Q up and then
give back, by marginal analysis, what rounding took beyond an org's budget
(:func:`integer_levels`).

Where exact inventory theory represents a position as the twin runs it (supplier-sourced,
fixed lead time or a random one with its lateness, no holds, not feeding other warehouses; see
:mod:`solvers.safety_stock.exact`), its (s, S) are then replaced by the exact least-cost
periodic-review levels meeting its fill target, with budgets and capacities priced over
candidates, and its fill rate, on-hand and cost are the exact ones (``fill_basis``
"exact"). This matters: on Zheng–Federgruen's instances (Poisson μ ∈ {10, 20, 64}/day,
K ∈ {1, …, 100}, h = 1, p = 9) the LP's levels cost 1.13–3.8× the optimum — its tangent
cuts leave Q at a kink rather than the EOQ, its s is an (R, Q) quantile that ignores the
undershoot of the inventory position at review, and its fill rate 1 − E[(D − R)⁺]/Q
overstates the shortfall several-fold. For the other positions
(random or late lead times, QC holds, hub lumpiness, which only the scenarios represent)
the LP's levels and its fill estimate stay (``fill_basis`` "sample average").
"""

import heapq
import logging
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from tqdm import tqdm

from solvers.array_objective import ArrayObjective
from solvers.highs_bridge import Solution, solve
from solvers.inventory_theory.lead_time import crossing_risk
from solvers.matrix_rows import matrix_rows
from solvers.safety_stock.exact import ExactLevels, exact_levels, lead_days, lead_law
from solvers.safety_stock.inputs import SafetyStockInputs, build_inputs
from solvers.safety_stock.pooling import NO_LINKS, Links, pooled_shortage
from solvers.safety_stock.reasons import reorder_point_reason
from solvers.safety_stock.sampling import Upstream, sample_cycle_demand
from solvers.safety_stock.settings import SafetyStockSettings
from solvers.var_array import VarArray, VarSequence
from twin.domain import Network
from twin.domain.parties import PRIORITIES

log = logging.getLogger(__name__)
SUBSTITUTION_TIE = 1e-6
"""ε of the objective's substitution tie-break (see :func:`define_objective`)."""


@dataclass(frozen=True)
class SafetyStockResult:
    """Per-position results (arrays of length P) and the solver's report."""

    inputs: SafetyStockInputs
    cycle_quantity: np.ndarray   # Q, units
    reorder_point: np.ndarray    # R (continuous LP value), units
    mean_cycle_demand: np.ndarray  # D̄ over lead time + review, units
    fill_rate: np.ndarray        # 1 − E[(D − R)⁺]/Q in the scenarios
    cycle_service: np.ndarray    # P(D ≤ R) in the scenarios
    fill_rate_target: np.ndarray
    expiring: np.ndarray         # units per cycle above what can be used in time
    solution: Solution
    level_s: np.ndarray          # integer reorder point s (see :func:`integer_levels`)
    level_big_s: np.ndarray      # integer order-up-to level S
    on_hand: np.ndarray          # expected on-hand, units: exact where exact, else the
    # scenarios' E[(s − D)⁺] + (S − s)/2 (:func:`expected_on_hand`, what budgets count)
    exact: ExactLevels | None = None  # exact levels and figures where representable

    @property
    def fill_basis(self) -> np.ndarray:
        """How each position's fill rate was computed: "exact" (the periodic-review Markov
        chain of :mod:`solvers.inventory_theory`), "simulated" (its day recursion on a long
        fixed demand path, where the chain is too large) or "sample average" (the
        scenarios)."""
        if self.exact is None:
            return np.full(len(self.level_s), "sample average", dtype=object)
        return np.where(self.exact.simulated, "simulated", np.where(
            self.exact.mask, "exact", "sample average")).astype(object)

    @property
    def safety_stock(self) -> np.ndarray:
        """R − D̄ (units), the stock held against demand above its mean."""
        return self.reorder_point - self.mean_cycle_demand

    def protection(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per position: the protection interval T (days: R + L − 1 for an exact position,
        the scenarios' mean window otherwise), the mean demand over it (units) and its
        standard deviation √(σ²T) (units)."""
        x = self.inputs
        exact = self.exact.mask if self.exact is not None else np.zeros(x.size, dtype=bool)
        with np.errstate(divide="ignore", invalid="ignore"):
            window = np.where(x.mean_per_day > 0, self.mean_cycle_demand / x.mean_per_day, 0.0)
        days = np.where(exact, x.review_days + lead_days(x) - 1, window)
        mean = np.where(exact, x.mean_per_day * days, self.mean_cycle_demand)
        return days, mean, np.sqrt(x.var_per_day * days)

    def _lead_law(self, p: int) -> dict[str, float]:
        """``{"crossing_risk": P}`` for an exact position with a random lead time: the chance
        that an order overtakes the one placed a review period earlier (the chain assumes
        it never does; :func:`~solvers.inventory_theory.lead_time.crossing_risk`)."""
        law = lead_law(self.inputs, p)
        if len(law) <= 1:
            return {}
        return {"crossing_risk": crossing_risk(law, self.inputs.review_days)}

    def rows(self) -> list[dict[str, object]]:
        """One record per position with integer (s, S) as a planner would set them, its
        figures and the ``reason`` (:func:`~solvers.safety_stock.reasons.
        reorder_point_reason`)."""
        days, mean, sd = self.protection()
        takes = set(self.inputs.links.item.tolist())
        rows = [{"warehouse": w, "item": i, "reorder_point": int(self.level_s[p]),
                 "order_up_to": int(self.level_big_s[p]),
                 "safety_stock": int(max(round(self.safety_stock[p]), 0)),
                 "fill_rate": float(self.fill_rate[p]), "cycle_service": float(
                     self.cycle_service[p]), "fill_rate_target": float(self.fill_rate_target[p]),
                 "priority": self.inputs.priority[p],
                 "expiring_per_cycle": float(self.expiring[p]),
                 "fill_basis": self.fill_basis[p],
                 "protection_days": float(days[p]), "protection_demand": float(mean[p]),
                 "protection_demand_sd": float(sd[p]),
                 "expected_on_hand": float(self.on_hand[p]),
                 "pooled": p in takes,
                 **({"return_share": float(self.inputs.return_share[p])}
                    if self.inputs.return_share is not None
                    and self.inputs.return_share[p] > 0 else {}),
                 **({"expected_cost_per_day": float(self.exact.cost[p]),
                     "binds": self.exact.binds[p], **self._lead_law(p),
                     **({"not_exact": self.exact.why_not[p]} if self.exact.why_not[p] else {})}
                    if self.exact is not None and self.exact.mask[p] else
                    {"not_exact": self.exact.why_not[p] if self.exact is not None
                     else "not evaluated"})}
                for p, (w, i) in enumerate(zip(self.inputs.warehouse, self.inputs.item,
                                               strict=True))]
        return [{**row, "reason": reorder_point_reason(row)} for row in rows]


def cycle_quantity(x: SafetyStockInputs) -> np.ndarray:
    """Reference Q°_p = max(MOQ, min(max(EOQ, μ·R), μ·usable/2)) in units (0 without
    demand): the cycle quantity the model settles at without side constraints, used to
    count cycles per year in the shortage cost."""
    annual = x.mean_per_day * 365
    with np.errstate(divide="ignore", invalid="ignore"):
        eoq = np.sqrt(np.where(annual > 0, 2 * x.order_cost * annual /
                               (x.unit_cost * np.maximum(x.holding_rate, 1e-9)), 0.0))
    q = np.maximum(eoq, x.mean_per_day * x.review_days)
    q = np.maximum(x.moq, np.minimum(q, x.mean_per_day * x.usable_days / 2))
    return np.where(x.mean_per_day > 0, np.ceil(q), 0.0)


def quantity_bounds(x: SafetyStockInputs) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of Q_p (units): [max(MOQ, μ·review), max(that, μ·usable/2)]; 0 without demand."""
    lo = np.maximum(x.moq, np.ceil(x.mean_per_day * x.review_days))
    hi = np.maximum(lo, np.floor(x.mean_per_day * x.usable_days / 2))
    none = x.mean_per_day <= 0
    return np.where(none, 0.0, lo), np.where(none, 0.0, hi)


def define_reorder_points(m: pyo.ConcreteModel, x: SafetyStockInputs) -> None:
    """R_p ≥ 0 reorder point and Q_p within :func:`quantity_bounds` (units)."""
    lo, hi = quantity_bounds(x)
    m.R = pyo.Var(m.P, domain=pyo.NonNegativeReals, doc="reorder point (units)")
    m.Q = pyo.Var(m.P, bounds=lambda m, p: (float(lo[p]), float(hi[p])),
                  doc="cycle quantity (units)")


def define_ordering_cost(m: pyo.ConcreteModel, x: SafetyStockInputs, cuts: int = 8) -> None:
    """κ_p ≥ A·Y·(2/Q_t − Q_p/Q_t²) at Q_t on a geometric grid: tangents of A·Y/Q (Y = 365μ),
    written as κ_p + (Y/Q_t²)·Q_p ≥ 2Y/Q_t (currency/year)."""
    lo, hi = quantity_bounds(x)
    yearly = x.order_cost * x.mean_per_day * 365
    grid = {p: np.unique(np.geomspace(lo[p], hi[p], cuts)) for p in range(x.size)
            if yearly[p] > 0 and lo[p] > 0}
    m.kappa = pyo.Var(m.P, domain=pyo.NonNegativeReals, doc="yearly ordering cost")
    labels = [(p, t) for p, g in grid.items() for t in range(len(g))]
    p = np.array([p for p, _ in labels], dtype=np.int64)
    q_t = np.concatenate([np.zeros(0), *grid.values()])
    n = len(p)
    m.ordering = matrix_rows(
        (*m.kappa.values(), *m.Q.values()), np.tile(np.arange(n), 2),
        np.concatenate((p, x.size + p)), np.concatenate((np.ones(n), yearly[p] / q_t ** 2)),
        2 * yearly[p] / q_t, np.full(n, np.inf),
        doc="yearly ordering cost A·365μ/Q (outer linearisation)", labels=labels)


def define_shortage(m: pyo.ConcreteModel, demand: np.ndarray, links: Links = NO_LINKS
                    ) -> None:
    """u_j ≥ D_pk − R_p − Σ_{l: a_l=p} y_lk + Σ_{l: b_l=p} f_l·y_lk, u_j ≥ 0: units short
    in scenario k, one variable j per scenario row with D_pk > 0 (``m.short_position[j]`` =
    p, rows labelled (p, k); u and y are :class:`~solvers.var_array.VarArray` s); with
    substitution links (:func:`define_substitution`) a position's shortfall is net of what
    its substitutes cover and a substitute's includes what it gave."""
    p, k = np.nonzero(demand > 0)
    n = len(p)
    m.short_position = p
    m.u = VarArray(n, domain=pyo.NonNegativeReals, doc="units short per scenario row")
    row_of = np.full(demand.shape, -1, dtype=np.int64)
    row_of[p, k] = np.arange(n)
    y_rows, y_cols, y_coef = define_substitution(m, demand, links, row_of)
    m.shortage = matrix_rows(
        VarSequence(m.u, m.R.values(), m.y),
        np.concatenate((np.arange(n), np.arange(n), y_rows)),
        np.concatenate((np.arange(n), n + p, n + demand.shape[0] + y_cols)),
        np.concatenate((np.ones(2 * n), y_coef)), demand[p, k], np.full(n, np.inf),
        doc="shortage is demand above the reorder point, net of substitution",
        labels=list(zip(p.tolist(), k.tolist(), strict=True)))


def define_substitution(m: pyo.ConcreteModel, demand: np.ndarray, links: Links,
                        row_of: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """0 ≤ y_lk ≤ α_l·D_ak units of a's demand covered by substitute b in scenario k (for
    D_ak > 0), and Σ_{l: b_l=b} f_l·y_lk ≤ R_b: a substitute gives at most its stock. Returns
    the entries (shortage row, y column, coefficient) y adds to :func:`define_shortage`'s rows
    given their index ``row_of[p, k]`` (−1: no row)."""
    ls, ks = [], []
    for link, a in enumerate(links.item.tolist()):
        hit = np.flatnonzero(demand[a] > 0)
        ls.append(np.full(len(hit), link, dtype=np.int64))
        ks.append(hit)
    link = np.concatenate([np.zeros(0, dtype=np.int64), *ls])
    k = np.concatenate([np.zeros(0, dtype=np.int64), *ks])
    n = len(link)
    a, b, f = links.item[link], links.substitute[link], links.factor[link]
    upper = links.share[link] * demand[a, k]
    m.y_link, m.y_scenario = link, k
    m.y = VarArray(n, domain=pyo.NonNegativeReals, lower=0.0, upper=upper,
                   doc="units of a demand covered by a substitute per scenario")
    pair = b * demand.shape[1] + k
    given, cap_row = np.unique(pair, return_inverse=True)
    m.substitute_stock = matrix_rows(
        VarSequence(m.y, m.R.values()), np.concatenate((cap_row, np.arange(len(given)))),
        np.concatenate((np.arange(n), n + given // demand.shape[1])),
        np.concatenate((f, -np.ones(len(given)))), np.full(len(given), -np.inf),
        np.zeros(len(given)), doc="a substitute gives at most its reorder point",
        labels=list(zip((given // demand.shape[1]).tolist(), (given % demand.shape[1]).tolist(),
                        strict=True)))
    own, gave = row_of[a, k], row_of[b, k]
    has = gave >= 0
    return (np.concatenate((own, gave[has])), np.concatenate((np.arange(n), np.flatnonzero(has))),
            np.concatenate((np.ones(n), -f[has])))


def define_fill_rate(m: pyo.ConcreteModel, x: SafetyStockInputs, target: np.ndarray,
                     k: int) -> None:
    """(1/K) Σ_k u_pk ≤ (1 − β_p)·Q_p: expected units short per cycle within the target."""
    p = m.short_position
    rows = np.unique(p)
    row = np.searchsorted(rows, p)
    n = len(rows)
    m.fill_rate = matrix_rows(
        VarSequence(m.u, m.Q.values()), np.concatenate((row, np.arange(n))),
        np.concatenate((np.arange(len(p)), len(p) + rows)),
        np.concatenate((np.full(len(p), 1 / k), -(1 - target[rows].astype(float)))),
        np.full(n, -np.inf), np.zeros(n),
        doc="fill rate per cycle ≥ the target of the most urgent class served",
        labels=[_label(x, r) for r in rows.tolist()])


def _label(x: SafetyStockInputs, p: int) -> str:
    """Readable row index of position p: ``warehouse/item``."""
    return f"{x.warehouse[p]}/{x.item[p]}"


def define_capacity(m: pyo.ConcreteModel, x: SafetyStockInputs) -> None:
    """Σ_{p at w} (R_p + Q_p) ≤ capacity_w: order-up-to levels fit in the warehouse."""
    at = sorted(set(x.warehouse))
    row = np.searchsorted(np.array(at, dtype=object), x.warehouse)
    m.capacity = matrix_rows(
        (*m.R.values(), *m.Q.values()), np.tile(row, 2), np.arange(2 * x.size),
        np.ones(2 * x.size), np.full(len(at), -np.inf),
        np.array([x.capacity[w] for w in at], dtype=float), doc="warehouse capacity (units)",
        labels=at)


def define_budget(m: pyo.ConcreteModel, x: SafetyStockInputs, mean_d: np.ndarray,
                  budget: dict[str, float], k: int) -> None:
    """Σ_{p of org} c_p (R_p − D̄_p + (1/K) Σ_k u_pk + Q_p/2) ≤ budget_org: expected on-hand
    value cap — E[(R − D)⁺], the stock left when a replenishment arrives, plus half a cycle
    (the usual (s, Q) approximation; on-hand stock is never negative)."""
    orgs = sorted(set(x.org.tolist()) & set(budget))
    row = np.array([orgs.index(o) if o in budget else -1 for o in x.org.tolist()],
                   dtype=np.int64)
    mine = np.flatnonzero(row >= 0)
    short = np.flatnonzero(row[m.short_position] >= 0)
    p = m.short_position[short]
    c = x.unit_cost.astype(float)
    m.budget = matrix_rows(
        VarSequence(m.R.values(), m.Q.values(), m.u),
        np.concatenate((row[mine], row[mine], row[p])),
        np.concatenate((mine, x.size + mine, 2 * x.size + short)),
        np.concatenate((c[mine], c[mine] / 2, c[p] / k)), np.full(len(orgs), -np.inf),
        np.array([budget[o] + sum((c * mean_d)[row == r].tolist()) for r, o in enumerate(orgs)]),
        doc="org inventory budget (currency)", labels=orgs)


def expected_on_hand(d: np.ndarray, s: np.ndarray, big_s: np.ndarray) -> np.ndarray:
    """E[(s − D)⁺] + (S − s)/2 per position over the scenarios ``d`` (P, K), units: the
    on-hand stock the budget counts for levels (s, S)."""
    return np.maximum(s[:, None] - d, 0).mean(axis=1) + (big_s - s) / 2


def define_expiry(m: pyo.ConcreteModel, x: SafetyStockInputs) -> None:
    """w_p ≥ R_p + Q_p − μ_p · usable days, w_p ≥ 0: units per cycle that cannot be issued
    before their remaining shelf life falls below what departments accept (written off)."""
    e = np.flatnonzero(x.mean_per_day > 0)
    m.E = pyo.Set(initialize=e.tolist())
    m.expiring = pyo.Var(m.E, domain=pyo.NonNegativeReals, doc="units expiring per cycle")
    n = len(e)
    rows = np.arange(n)
    m.expiry = matrix_rows(
        (*m.expiring.values(), *m.R.values(), *m.Q.values()), np.tile(rows, 3),
        np.concatenate((rows, n + e, n + x.size + e)),
        np.concatenate((np.ones(n), -np.ones(2 * n))),
        -(x.mean_per_day[e] * x.usable_days[e]).astype(float), np.full(n, np.inf),
        doc="stock above what can be used within its shelf life expires",
        labels=[_label(x, p) for p in e.tolist()])


def define_objective(m: pyo.ConcreteModel, over: np.ndarray, under: np.ndarray,
                     write_off: np.ndarray, mean_d: np.ndarray, k: int,
                     links: Links = NO_LINKS) -> None:
    """min Σ_p c_o,p (R_p − D̄_p + Q_p/2) + κ_p + c_e,p w_p + (c_o,p + c_u,p)/K Σ_k u_pk
    + ε/K Σ_lk c_o,a·rank_l·y_lk (currency/year), with c_e = c·n the yearly write-off of a
    unit expiring every cycle and ε (:data:`SUBSTITUTION_TIE`) a tie-break that takes the
    item's own stock, then its substitutes in preference order; one
    :class:`~solvers.array_objective.ArrayObjective`."""
    over = over.astype(float)
    p = m.short_position
    coefs = [over, over / 2, np.ones(len(over)), (over[p] + under[p]) / k]
    variables = [m.R.values(), m.Q.values(), m.kappa.values(), m.u]
    if hasattr(m, "expiring"):
        coefs.append(write_off[list(m.E)].astype(float))
        variables.append(m.expiring.values())
    if m.y.size:
        coefs.append(SUBSTITUTION_TIE * over[links.item[m.y_link]] * links.preference[m.y_link]
                     / k)
        variables.append(m.y)
    m.cost = ArrayObjective(VarSequence(*variables), np.concatenate(coefs),
                            constant=-float(over @ mean_d))


def cycles_per_year(x: SafetyStockInputs, q: np.ndarray) -> np.ndarray:
    """n = 365μ/Q replenishment cycles a year (0 without demand)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(q > 0, 365 * x.mean_per_day / q, 0.0)


def shortage_weight(x: SafetyStockInputs, st: SafetyStockSettings) -> np.ndarray:
    """π_p: the shortage penalty multiple of position p, Σ_c share_pc · π_c over the priority
    classes of the demand it serves (own and downstream)."""
    pi = np.array([st.shortage_penalty[c] for c in PRIORITIES])
    if x.class_share is not None:
        return x.class_share @ pi
    return np.array([st.shortage_penalty[p] for p in x.priority])


def unit_value(x: SafetyStockInputs, st: SafetyStockSettings) -> np.ndarray:
    """What the penalty multiple multiplies (currency/unit): the unit cost, or with
    ``shortage_basis = "units"`` the demand-weighted mean unit cost Σcμ/Σμ of all positions,
    so that every unit short counts alike (the unit fill rate)."""
    if st.shortage_basis == "unit_cost":
        return x.unit_cost
    total = x.mean_per_day.sum()
    mean = (x.unit_cost * x.mean_per_day).sum() / total if total > 0 else x.unit_cost.mean()
    return np.full(x.size, float(mean))


def newsvendor_costs(x: SafetyStockInputs, q: np.ndarray, st: SafetyStockSettings,
                     value: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(c_o, c_u) per position in currency/year: c·i and π·v·365μ/Q, with v the
    :func:`unit_value` (given, or computed from ``x``)."""
    over = x.unit_cost * x.holding_rate
    v = unit_value(x, st) if value is None else value
    return over, shortage_weight(x, st) * v * cycles_per_year(x, q)


def components(x: SafetyStockInputs, st: SafetyStockSettings) -> list[np.ndarray]:
    """Groups of positions that no constraint links: one per warehouse (capacity), or one
    per org when org budgets are set. Each is solved as its own, much smaller, model."""
    keys = x.org if st.org_budget else x.warehouse
    return [np.flatnonzero(keys == k) for k in sorted(set(keys))]


def _solve_component(x: SafetyStockInputs, d: np.ndarray, st: SafetyStockSettings,
                     value: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, Solution]:
    """Reorder points, cycle quantities and expiring units of one component."""
    k = d.shape[1]
    target = np.array([st.fill_rate_target[p] for p in x.priority])
    q_ref = cycle_quantity(x)
    over, under = newsvendor_costs(x, q_ref, st, value)
    m = pyo.ConcreteModel(name="safety-stock model")
    with PauseGC():  # many long-lived objects: collecting them midway only costs time
        m.P = pyo.RangeSet(0, x.size - 1)
        define_reorder_points(m, x)
        define_ordering_cost(m, x)
        define_shortage(m, d, x.links)
        define_fill_rate(m, x, target, k)
        if st.respect_capacity:
            define_capacity(m, x)
        if st.org_budget:
            define_budget(m, x, d.mean(axis=1), st.org_budget, k)
        if st.count_expiry:
            define_expiry(m, x)
        define_objective(m, over, under, x.unit_cost * cycles_per_year(x, q_ref),
                         d.mean(axis=1), k, x.links)
    solution = solve(m, options=dict(st.highs_options),
                     load=[m.R, m.Q, *([m.expiring] if st.count_expiry else [])])
    r = np.array([pyo.value(m.R[p]) for p in range(x.size)])
    q = np.array([pyo.value(m.Q[p]) for p in range(x.size)])
    expiring = np.zeros(x.size)
    if st.count_expiry:
        expiring[list(m.E)] = [pyo.value(m.expiring[p]) for p in m.E]
    return r, q, expiring, solution


def solve_safety_stock(net: Network, settings: SafetyStockSettings | None = None,
                       inputs: SafetyStockInputs | None = None,
                       demand: np.ndarray | None = None,
                       progress: bool = False, upstream: Upstream | None = None,
                       shortage_scale: np.ndarray | None = None) -> SafetyStockResult:
    """Build, solve and read back the model for ``net`` (or for given inputs / scenarios),
    one independent component at a time (see :func:`components`). ``upstream``: what the
    scenarios take from a previous solution (see :func:`sample_cycle_demand`);
    ``shortage_scale``: a multiple of each position's shortage price (default 1, e.g.
    :func:`solvers.policies.twin_scale.shortage_scale`)."""
    st = settings or SafetyStockSettings()
    x = inputs if inputs is not None else build_inputs(net)
    d = demand if demand is not None else sample_cycle_demand(x, st.scenarios, st.seed,
                                                              upstream)
    r, q, expiring = np.zeros(x.size), np.zeros(x.size), np.zeros(x.size)
    solutions = []
    value = unit_value(x, st) * (1.0 if shortage_scale is None else shortage_scale)
    for idx in tqdm(components(x, st), desc="safety stock", unit="model", disable=not progress):
        r[idx], q[idx], expiring[idx], sol = _solve_component(x.subset(idx), d[idx], st,
                                                              value[idx])
        solutions.append(sol)
    solution = Solution(sum(s.objective for s in solutions),
                        "Optimal" if all(s.status == "Optimal" for s in solutions) else
                        ", ".join(sorted({s.status for s in solutions})),
                        sum(s.iterations for s in solutions), sum(s.seconds for s in solutions),
                        max((s.gap for s in solutions), default=0.0))
    short = pooled_shortage(d, r, x.links).mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        fill = np.where(q > 0, 1 - short / q, 1.0)
    log.info("safety stock: %d positions × %d scenarios in %d models solved in %.2f s (%s)",
             x.size, d.shape[1], len(solutions), solution.seconds, solution.status)
    target = np.array([st.fill_rate_target[p] for p in x.priority])
    level_s, level_big_s = integer_levels(x, d, r, q, st, value)
    saa_on_hand = expected_on_hand(d, level_s.astype(float), level_big_s.astype(float))
    exact = exact_levels(x, st, shortage_weight(x, st) * value, level_s, level_big_s,
                         saa_on_hand)
    m = exact.mask
    level_s, level_big_s = np.where(m, exact.s, level_s), np.where(m, exact.big_s, level_big_s)
    r = np.where(m, level_s, r)
    q = np.where(m, level_big_s - level_s, q)
    return SafetyStockResult(x, q, r, d.mean(axis=1), np.where(m, exact.fill_rate, fill),
                             (d <= r[:, None] + 1e-9).mean(axis=1), target, expiring, solution,
                             level_s, level_big_s, np.where(m, exact.on_hand, saa_on_hand),
                             exact)


def integer_levels(x: SafetyStockInputs, d: np.ndarray, r: np.ndarray, q: np.ndarray,
                   st: SafetyStockSettings, unit_short: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Integer (s, S) per position, units: s = ⌈R⌉ and S = s + ⌈Q⌉, then, in every org over
    its budget after rounding up, s lowered one unit at a time where that adds the least
    expected cost per currency of on-hand value it saves, until the org is within budget
    (marginal analysis over the scenarios d: lowering s by one adds
    (c_o + c_u)·(E[(D − s + 1)⁺] − E[(D − s)⁺]) − c_o to the cost and saves
    c·(E[(s − D)⁺] − E[(s − 1 − D)⁺]) of :func:`expected_on_hand` value). ``unit_short``:
    what a unit short is priced at before the penalty multiple (default :func:`unit_value`)."""
    s = np.ceil(r - 1e-6).astype(np.int64)
    big_q = np.ceil(q - 1e-6).astype(np.int64)
    if st.org_budget:
        over, under = newsvendor_costs(x, cycle_quantity(x), st, unit_short)
        value = x.unit_cost * expected_on_hand(d, s.astype(float), (s + big_q).astype(float))
        for org, budget in st.org_budget.items():
            idx = np.flatnonzero(x.org == org)
            _lower_to_budget(s, idx, d, over, under, x.unit_cost,
                             float(value[idx].sum()) - budget)
    return s, s + big_q


def _lower_to_budget(s: np.ndarray, idx: np.ndarray, d: np.ndarray, over: np.ndarray,
                     under: np.ndarray, cost: np.ndarray, excess: float) -> None:
    """Lower ``s[idx]`` greedily (see :func:`integer_levels`) until ``excess`` value is saved."""
    def step(p: int) -> tuple[float, float]:
        if s[p] <= 0:
            return 0.0, 0.0
        more_short = float(np.mean(np.clip(d[p] - s[p] + 1, 0, 1)))
        saved = float(cost[p] * np.mean(np.clip(s[p] - d[p], 0, 1)))
        return (over[p] + under[p]) * more_short - over[p], saved

    heap = []
    for p in idx.tolist():
        added, saved = step(p)
        if saved > 0:
            heapq.heappush(heap, (added / saved, p))
    while excess > 1e-9 and heap:
        _, p = heapq.heappop(heap)
        excess -= step(p)[1]
        s[p] -= 1
        added, saved = step(p)
        if saved > 0:
            heapq.heappush(heap, (added / saved, p))
