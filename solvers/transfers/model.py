"""Transfer routing MILP: which lots to ship where, when, by which lane.

Index sets come from :mod:`solvers.transfers.inputs` (buckets b of Δ days, supplies k,
arcs j = (k, lane a, ship bucket b), needs n = (w, i, c, b)). Variables:
x_j ≥ 0 units shipped on arc j (integer when ``integer_units``); z_ab ∈ {0,1} lane a used
in bucket b; y_kwcbi ≥ 0 units of class-c demand for item i at w in bucket b served from
supply k (i is k's own item, or one k substitutes for: then y takes f·y of k's units, f
the substitute's factor); s_n ≥ 0 units short; e_k ≥ 0 units of k written off at expiry
within the horizon.

    min Σ_j (cost_a + τ·[inter-org]·c_i) x_j + Σ_ab F_a z_ab + Σ_n π_c c_i s_n
        + Σ_k c_i e_k + Σ (ε · expiry_day_k · c_k · f) · y_kwcbi
        + Σ_substitutes (σ · rank · c_i + (f · c_k − c_i)⁺) · y_kwcbi

Constraint families (one function each, below): demand balance, supply limit, arrival
(with urgency windows), lane capacity / fixed cost, expiry write-off. FEFO across the
network follows from the write-off term (a near-expiry lot is worth moving to where it
will be used in time) and the ε tie-break (earlier-expiring lots are consumed first).
Transit within a bucket is treated as arriving at the bucket's start (documented
approximation; buckets default to the review period, so the plan is re-solved before
that matters).
"""

import logging
import math
from collections import defaultdict
from dataclasses import dataclass, replace
from itertools import pairwise

import numpy as np
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.core.expr.numeric_expr import LinearExpression

from solvers.highs_bridge import Solution, solve
from solvers.matrix_rows import matrix_rows
from solvers.transfers.inputs import TransferInputs, build_transfer_inputs
from solvers.transfers.settings import TransferSettings
from twin.domain import Network
from twin.domain.parties import PRIORITIES
from twin.domain.plan import TransferAction, action_key

log = logging.getLogger(__name__)
ConsumeKey = tuple[int, str, str, int, str]  # supply, warehouse, priority, bucket, item
# demanded (the supply's own item, or one it substitutes for)


def consumption_index(x: TransferInputs) -> dict[ConsumeKey, float]:
    """Allowed consumption entries and their upper bounds in demanded units (need × usable
    share, × the accepting share α for a substitute); a waste supply can only be used where
    it is shipped."""
    reach: dict[int, set[str]] = defaultdict(set)
    for arc in x.arcs:
        reach[arc.supply].add(arc.target)
    out: dict[ConsumeKey, float] = {}
    for k, s in enumerate(x.supplies):
        for w in reach[k] if s.waste else {s.warehouse} | reach[k]:
            first = s.available_from if w == s.warehouse else 0
            demanded = [(s.item, c, 1.0) for c in PRIORITIES] + [
                (a.item, a.priority, a.share) for a in x.substitutes.get((w, s.item), ())]
            for item, c, alpha in demanded:
                for b in range(first, x.n_buckets):
                    need = x.needs.get((w, item, c, b), 0.0)
                    share = x.usable_share(s, w, c, b, item)
                    if need > 0 and share > 0:
                        out[(k, w, c, b, item)] = need * share * alpha
    return out


def substitute_factor(x: TransferInputs) -> dict[tuple[str, str, str, str], tuple[float, int]]:
    """(warehouse, substitute, item, class) → (substitute units per unit, preference rank)."""
    return {(w, j, a.item, a.priority): (a.factor, a.rank)
            for (w, j), found in x.substitutes.items() for a in found}


def define_variables(m: pyo.ConcreteModel, x: TransferInputs,
                     consume: dict[ConsumeKey, float]) -> None:
    """x (shipments), z (lane used), s (shortage), e (write-off), y (consumption); declared
    in the order the solver's columns follow (see :class:`Columns`)."""
    st = x.settings
    upper = [min(float(x.supplies[a.supply].quantity), a.max_units) for a in x.arcs]
    m.J = pyo.RangeSet(0, len(x.arcs) - 1) if x.arcs else pyo.Set(initialize=[])
    m.x = pyo.Var(m.J, domain=pyo.NonNegativeIntegers if st.integer_units else
                  pyo.NonNegativeReals, bounds=lambda m, j: (0, upper[j]))
    m.LB = pyo.Set(initialize=sorted({(a.lane, a.bucket) for a in x.arcs}), dimen=2)
    m.z = pyo.Var(m.LB, domain=pyo.Binary if st.integer_units else pyo.UnitInterval)
    m.N = pyo.Set(initialize=sorted(x.needs), dimen=4)
    m.s = pyo.Var(m.N, domain=pyo.NonNegativeReals)
    m.K_exp = pyo.Set(initialize=[k for k, s in enumerate(x.supplies)
                                  if s.lost_if_unused(st.horizon_days)])
    m.e = pyo.Var(m.K_exp, domain=pyo.NonNegativeReals)
    m.C = pyo.Set(initialize=sorted(consume), dimen=5)
    m.y = pyo.Var(m.C, domain=pyo.NonNegativeReals, bounds=lambda m, *key: (0, consume[key]))


@dataclass(frozen=True)
class Columns:
    """The model's variables as one column list (x, z, s, e, y: the order Pyomo's compiler
    meets them in the objective, so HiGHS sees the model as it did before) with the column
    of each family's entries, the index arrays the constraint families are written with."""

    vars: tuple  # Pyomo VarData, one per column
    x: np.ndarray  # column of arc j
    z: np.ndarray  # column of lane-bucket LB[i]
    s: np.ndarray  # column of need N[i]
    e: np.ndarray  # column of K_exp[i]
    y: np.ndarray  # column of consumption entry C[i]

    @classmethod
    def of(cls, m: pyo.ConcreteModel) -> "Columns":
        families = (m.x, m.z, m.s, m.e, m.y)
        starts = np.cumsum([0, *map(len, families)])
        return cls(tuple(v for f in families for v in f.values()),
                   *(np.arange(a, b) for a, b in pairwise(starts)))


@dataclass(frozen=True)
class Entries:
    """Consumption entries C (sorted) as arrays: supply k, destination, class rank (by
    urgency window), bucket, whether the destination is the supply's own warehouse, the
    supply units one consumed unit takes (1, or a substitute's factor) and the substitute's
    preference rank (0 for the item's own stock)."""

    k: np.ndarray
    w: list[str]
    rank: np.ndarray
    b: np.ndarray
    home: np.ndarray
    factor: np.ndarray
    preference: np.ndarray

    @classmethod
    def of(cls, m: pyo.ConcreteModel, x: TransferInputs, order: list[str]) -> "Entries":
        keys = list(m.C)
        rank = {c: r for r, c in enumerate(order)}
        subs = substitute_factor(x)
        link = [subs.get((w, x.supplies[k].item, i, c), (1.0, 0)) for k, w, c, _, i in keys]
        return cls(np.array([k for k, *_ in keys], dtype=np.int64), [w for _, w, *_ in keys],
                   np.array([rank[c] for _, _, c, _, _ in keys], dtype=np.int64),
                   np.array([b for *_, b, _ in keys], dtype=np.int64),
                   np.array([w == x.supplies[k].warehouse for k, w, *_ in keys], dtype=bool),
                   np.array([f for f, _ in link], dtype=float),
                   np.array([r for _, r in link], dtype=np.int64))


def urgency_order(x: TransferInputs) -> list[str]:
    """Priority classes by urgency window, shortest first (their windows nest)."""
    return sorted(PRIORITIES, key=lambda c: x.settings.urgency_window_days[c])


def define_demand(m: pyo.ConcreteModel, x: TransferInputs, col: Columns, ent: Entries) -> None:
    """Σ_k y_kwcbi + s_n = D_n (n = w, i, c, b): every unit of expected demand is served,
    from the item's own lots or its substitutes', or short."""
    need = {n: i for i, n in enumerate(m.N)}
    rows = np.fromiter((need[(w, i, c, b)] for _, w, c, b, i in m.C),
                       dtype=np.int64, count=len(ent.k))
    demand = np.array([x.needs[n] for n in m.N], dtype=float)
    n = len(demand)
    m.demand = matrix_rows(col.vars, np.concatenate((rows, np.arange(n))),
                           np.concatenate((col.y, col.s)), np.ones(len(rows) + n), demand,
                           demand, doc="expected demand is served from lots or counted short")


def define_supply(m: pyo.ConcreteModel, x: TransferInputs, col: Columns, ent: Entries,
                  arc_supply: np.ndarray) -> None:
    """Σ f·y at its warehouse + Σ x shipped ≤ q_k: a lot is used or shipped at most once
    (f = 1, or the substitute units one covered unit takes)."""
    k = np.concatenate((ent.k[ent.home], arc_supply))
    used = np.unique(k)
    q = np.array([x.supplies[i].quantity for i in used.tolist()], dtype=float)
    m.supply = matrix_rows(col.vars, np.searchsorted(used, k),
                           np.concatenate((col.y[ent.home], col.x)),
                           np.concatenate((ent.factor[ent.home], np.ones(len(arc_supply)))),
                           np.full(len(used), -np.inf), q,
                           doc="only available stock, each unit once")


def define_arrival(m: pyo.ConcreteModel, x: TransferInputs, col: Columns, ent: Entries,
                   order: list[str]) -> None:
    """Cumulative use at a destination ≤ cumulative arrivals fast enough for the class.

    For each supply k, destination w, bucket b and class c (windows nest: critical ⊂
    high ⊂ routine), units (f·y) consumed by classes at least as urgent as c up to b must have
    arrived by b on lanes whose transit ≤ c's urgency window. Rows (k, w, b, c) in that
    order, only where something is consumed.
    """
    away = np.flatnonzero(~ent.home)
    pairs = sorted({(int(ent.k[i]), ent.w[i]) for i in away.tolist()})
    pair = {p: i for i, p in enumerate(pairs)}
    y_pair = np.fromiter((pair[(int(ent.k[i]), ent.w[i])] for i in away.tolist()),
                         dtype=np.int64, count=len(away))
    arc_pair = np.array([pair.get((a.supply, a.target), -1) for a in x.arcs], dtype=np.int64)
    n_b, n_c = x.n_buckets, len(order)
    exists = np.zeros((len(pairs), n_b, n_c), dtype=bool)
    exists[y_pair, ent.b[away], ent.rank[away]] = True
    exists = np.logical_or.accumulate(np.logical_or.accumulate(exists, axis=1), axis=2)
    row_of = np.cumsum(exists.ravel()).reshape(exists.shape) - 1
    arrival = np.array([a.arrival_bucket for a in x.arcs], dtype=np.int64)
    transit = np.array([a.transit_days for a in x.arcs], dtype=float)
    win = x.settings.urgency_window_days
    on = arc_pair >= 0
    rows, cols, coefs = [], [], []
    for b in range(n_b):
        for r, c in enumerate(order):
            used = away[(ent.b[away] <= b) & (ent.rank[away] <= r)]
            came = np.flatnonzero(on & (arrival <= b) & (transit <= win[c]))
            came = came[exists[arc_pair[came], b, r]]
            rows += [row_of[y_pair[np.searchsorted(away, used)], b, r],
                     row_of[arc_pair[came], b, r]]
            cols += [col.y[used], col.x[came]]
            coefs += [ent.factor[used], -np.ones(len(came))]
    n = int(exists.sum())
    m.arrival = matrix_rows(col.vars, np.concatenate(rows), np.concatenate(cols),
                            np.concatenate(coefs), np.full(n, -np.inf), np.zeros(n),
                            doc="transit time within the urgency window of the class served")


def define_lanes(m: pyo.ConcreteModel, x: TransferInputs, col: Columns, arc_lb: np.ndarray,
                 arc_q: np.ndarray) -> None:
    """Σ_{j on (a,b)} x_j ≤ U_ab z_ab: lane capacity, and z pays the per-shipment cost;
    U_ab = min(lane capacity, Σ q_k over the arcs on it)."""
    n = len(m.LB)
    _, first = np.unique(arc_lb, return_index=True)
    capacity = np.array([x.arcs[j].capacity for j in first.tolist()], dtype=float)
    bound = np.minimum(capacity, np.bincount(arc_lb, weights=arc_q, minlength=n))
    m.lane = matrix_rows(col.vars, np.concatenate((arc_lb, np.arange(n))),
                         np.concatenate((col.x, col.z)),
                         np.concatenate((np.ones(len(arc_lb)), -bound)),
                         np.full(n, -np.inf), np.zeros(n), doc="lane capacity per bucket")


def define_arc_links(m: pyo.ConcreteModel, x: TransferInputs, col: Columns,
                     arc_lb: np.ndarray, arc_q: np.ndarray) -> None:
    """x_j ≤ min(q_k, U_ab)·z_ab per arc: implied by the lane rows for whole lanes, but it
    tightens the relaxation a branch-and-bound solve starts from (z ≥ x_j/q_k rather than
    Σx/U), so the MILP closes its gap in far fewer nodes."""
    n = len(arc_lb)
    capacity = np.array([a.capacity for a in x.arcs], dtype=float)
    rows = np.arange(n)
    m.arc_link = matrix_rows(col.vars, np.concatenate((rows, rows)),
                             np.concatenate((col.x, col.z[arc_lb])),
                             np.concatenate((np.ones(n), -np.minimum(arc_q, capacity))),
                             np.full(n, -np.inf), np.zeros(n),
                             doc="an arc ships only on an open lane")


def solved_as_milp(x: TransferInputs) -> bool:
    """Whole units by branch and bound (else relax-and-fix, see :func:`solve_transfers`)."""
    return x.settings.integer_units and len(x.arcs) <= x.settings.milp_max_arcs


def define_write_off(m: pyo.ConcreteModel, x: TransferInputs, col: Columns,
                     ent: Entries) -> None:
    """e_k ≥ q_k − Σ f·y_k (as −e_k − Σ f·y_k ≤ −q_k): units of a lot expiring in the
    horizon and not used are lost."""
    expiring = np.array(list(m.K_exp), dtype=np.int64)
    n = len(expiring)
    row = np.full(len(x.supplies), -1, dtype=np.int64)
    row[expiring] = np.arange(n)
    mine = row[ent.k] >= 0
    q = np.array([x.supplies[k].quantity for k in expiring.tolist()], dtype=float)
    m.write_off = matrix_rows(col.vars, np.concatenate((np.arange(n), row[ent.k[mine]])),
                              np.concatenate((col.e, col.y[mine])),
                              -np.concatenate((np.ones(n), ent.factor[mine])),
                              np.full(n, -np.inf), -q,
                              doc="expiry write-off")


def define_objective(m: pyo.ConcreteModel, x: TransferInputs, col: Columns,
                     ent: Entries) -> None:
    """Transport + fixed lane + priority-weighted shortage + write-off + FEFO tie-break +
    substitution: Σ_j u_j x_j + Σ_ab F_a z_ab + Σ_n π_c c_i s_n + Σ_k c_k e_k
    + Σ y (ε t_k c_k f + [substitute] (σ r c_i + (f c_k − c_i)⁺)) (currency; t_k days to
    expiry, c_k the lot's unit cost, f its units per covered unit; a substitute costs σ per
    preference rank r and the value it takes beyond the item's own), one
    ``LinearExpression`` over the columns."""
    st, cost = x.settings, x.unit_cost
    fixed = {a.lane: a.shipment_cost for a in x.arcs}
    item = [s.item for s in x.supplies]
    coefs = [a.unit_cost for a in x.arcs] + [fixed[a] for a, _ in m.LB]
    coefs += [st.shortage_penalty[c] * cost[i] for _, i, c, _ in m.N]
    coefs += [cost[item[k]] for k in m.K_exp]
    coefs += [st.fefo_tiebreak * x.supplies[k].expiry_day * cost[item[k]] * f
              + (st.substitution_penalty * r * cost[i] + max(f * cost[item[k]] - cost[i], 0)
                 if r else 0.0)
              for (k, *_, i), f, r in zip(m.C, ent.factor.tolist(), ent.preference.tolist(),
                                          strict=True)]
    m.cost = pyo.Objective(expr=LinearExpression(constant=0, linear_coefs=coefs,
                                                 linear_vars=list(col.vars)),
                           sense=pyo.minimize)


@dataclass(frozen=True)
class TransferPlan:
    """Solved transfer lines plus the model's totals."""

    actions: list[TransferAction]
    shortage_units: dict[str, float]  # by priority class, over the horizon
    write_off_units: float
    solution: Solution


def build_model(x: TransferInputs) -> tuple[pyo.ConcreteModel, dict[ConsumeKey, float]]:
    """The Pyomo model for ``x`` (built, not solved): the constraint families are
    :class:`~solvers.matrix_rows.MatrixRows` written from index arrays, the objective one
    ``LinearExpression``, so no expression object is made per term."""
    consume = consumption_index(x)
    m = pyo.ConcreteModel(name="transfer routing model")
    with PauseGC():  # many long-lived objects: collecting them midway only costs time
        define_variables(m, x, consume)
        col, order = Columns.of(m), urgency_order(x)
        ent = Entries.of(m, x, order)
        lb = {key: i for i, key in enumerate(m.LB)}
        arc_lb = np.array([lb[(a.lane, a.bucket)] for a in x.arcs], dtype=np.int64)
        arc_supply = np.array([a.supply for a in x.arcs], dtype=np.int64)
        arc_q = np.minimum([x.supplies[k].quantity for k in arc_supply.tolist()],
                           [a.max_units for a in x.arcs]).astype(float)
        define_demand(m, x, col, ent)
        define_supply(m, x, col, ent, arc_supply)
        define_arrival(m, x, col, ent, order)
        define_lanes(m, x, col, arc_lb, arc_q)
        if solved_as_milp(x):
            define_arc_links(m, x, col, arc_lb, arc_q)
        define_write_off(m, x, col, ent)
        define_objective(m, x, col, ent)
    return m, consume


def solve_transfers(net: Network, settings: TransferSettings | None = None,
                    inputs: TransferInputs | None = None) -> TransferPlan:
    """Build, solve and read back the transfer plan for ``net``'s snapshot."""
    x = inputs if inputs is not None else build_transfer_inputs(net, settings)
    milp = solved_as_milp(x)
    m, consume = build_model(x if milp or not x.settings.integer_units else replace(
        x, settings=x.settings.model_copy(update={"integer_units": False})))
    solution = solve(m, options=dict(x.settings.highs_options))
    if x.settings.integer_units and not milp:
        solution = _fix_lanes_and_resolve(m, x)
    log.info("transfers: %d arcs, %d consumption entries, %d needs solved in %.2f s (%s)",
             len(x.arcs), len(consume), len(x.needs), solution.seconds,
             "MILP" if milp else "LP, lanes fixed" if x.settings.integer_units else "LP")
    y = {key: pyo.value(m.y[key]) for key in m.C}
    short: dict[str, float] = defaultdict(float)
    for n in m.N:
        short[n[2]] += pyo.value(m.s[n])
    ships = {j: math.floor(pyo.value(m.x[j]) + 1e-6) for j in range(len(x.arcs))}
    ships = {j: q for j, q in ships.items() if q > 0}
    on_lane: dict[tuple[str, int], int] = defaultdict(int)
    for j, qty in ships.items():
        on_lane[(x.arcs[j].lane, x.arcs[j].bucket)] += qty
    actions = [_action(x, j, qty, qty / on_lane[(x.arcs[j].lane, x.arcs[j].bucket)], y, consume)
               for j, qty in ships.items()]
    return TransferPlan(actions, dict(short), float(sum(pyo.value(m.e[k]) for k in m.K_exp)),
                        solution)


def _fix_lanes_and_resolve(m: pyo.ConcreteModel, x: TransferInputs) -> Solution:
    """Relax-and-fix for models too large for the MILP: after the LP relaxation, open the
    lane-buckets the LP used (z = 1), close the others (z = 0) and solve the LP again, so
    every used lane pays its full shipment cost; quantities are then rounded down."""
    for lb in m.LB:
        m.z[lb].fix(1.0 if pyo.value(m.z[lb]) > 1e-6 else 0.0)
    return solve(m, options={k: v for k, v in x.settings.highs_options.items()
                             if k != "mip_rel_gap"})


def _next_best(x: TransferInputs, j: int, qty: int) -> tuple[str, float | None]:
    """The cheapest other (origin, mode) that could bring ``qty`` of the item to the same
    warehouse, and its cost (currency) — what the chosen line is measured against."""
    arc, item = x.arcs[j], x.supplies[x.arcs[j].supply].item
    options = {(a.unit_cost * qty + a.shipment_cost, f"{a.source} by {a.mode}") for a in x.arcs
               if a.target == arc.target and x.supplies[a.supply].item == item
               and (a.source, a.mode) != (arc.source, arc.mode)}
    if not options:
        return "none", None
    cost, what = min(options)
    return what, cost


def _action(x: TransferInputs, j: int, qty: int, share: float, y: dict[ConsumeKey, float],
            consume: dict[ConsumeKey, float]) -> TransferAction:
    """One plan line with its reason and evidence; ``share`` of the lane's shipment cost."""
    arc = x.arcs[j]
    s = x.supplies[arc.supply]
    served: dict[str, float] = defaultdict(float)
    standing_in: dict[str, float] = defaultdict(float)  # demanded units of other items
    for (k, w, c, _b, i), units in y.items():
        if k == arc.supply and w == arc.target and units > 1e-6:
            served[c] += units
            if i != s.item:
                standing_in[i] += units
    at_home = sum(bound for (k, w, *_), bound in consume.items()
                  if k == arc.supply and w == s.warehouse)
    expiring = s.lost_if_unused(x.settings.horizon_days)
    expiry_avoided = min(qty, max(s.quantity - at_home, 0)) if expiring else 0
    urgent = next((c for c in PRIORITIES if served.get(c, 0) > 0), None)
    depts = x.departments.get((arc.target, s.item, urgent), []) if urgent else []
    emergency = urgent == "critical" and arc.bucket == 0 and arc.mode in ("air", "courier")
    cost = arc.unit_cost * qty + arc.shipment_cost * share
    alt, alt_cost = _next_best(x, j, qty)
    why = []
    if served:
        why.append("covers " + ", ".join(f"{served[c]:.1f} units of {c} demand" for c in
                                         PRIORITIES if c in served)
                   + f" at {arc.target}" + (f" ({', '.join(depts[:3])})" if depts else ""))
    if standing_in:
        why.append("as a substitute for " + ", ".join(f"{units:.1f} units of {i}"
                                                      for i, units in sorted(standing_in.items())))
    if expiry_avoided:
        why.append(f"saves {expiry_avoided} units expiring on day {s.expiry_day} that "
                   f"{s.warehouse} cannot use in time")
    reason = "; ".join(why) or "rebalances stock towards expected demand"
    ship_date = x.ship_date[arc.bucket]
    serial = s.key.startswith("serials:")
    lot = None if serial else s.lot  # serial units: FEFO pick at dispatch, listed in evidence
    return TransferAction(
        key=action_key("transfer", arc.source, arc.target, arc.mode, s.item, lot or s.key,
                       ship_date),
        reason=reason, source=arc.source, target=arc.target, mode=arc.mode, item=s.item,
        lot=lot, quantity=qty, ship_date=ship_date, emergency=emergency,
        evidence={"avoids_shortage_critical": round(served.get("critical", 0.0), 2),
                  "avoids_shortage_high": round(served.get("high", 0.0), 2),
                  "avoids_shortage_routine": round(served.get("routine", 0.0), 2),
                  "avoids_expiry_units": expiry_avoided, "lot_expiry_day": s.expiry_day,
                  "cost": round(cost, 2), "inter_org": arc.crosses_orgs,
                  "next_best": alt, "next_best_cost": None if alt_cost is None else
                  round(alt_cost, 2), "transit_days": arc.transit_days,
                  **({"serials": ";".join(s.lot.split(";")[:qty])} if serial else {})})
