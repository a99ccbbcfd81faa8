"""Transfer routing MILP: which lots to ship where, when, by which lane.

Index sets come from :mod:`solvers.transfers.inputs` (buckets b of Δ days, supplies k,
arcs j = (k, lane a, ship bucket b), needs n = (w, i, c, b)). Variables:
x_j ≥ 0 units shipped on arc j (integer when ``integer_units``); z_ab ∈ {0,1} lane a used
in bucket b; y_kwcb ≥ 0 units of supply k consumed by class-c demand at w in bucket b;
s_n ≥ 0 units short; e_k ≥ 0 units of k written off at expiry within the horizon.

    min Σ_j (cost_a + τ·[inter-org]·c_i) x_j + Σ_ab F_a z_ab + Σ_n π_c c_i s_n
        + Σ_k c_i e_k + ε Σ expiry_day_k · c_i · y_kwcb

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

import pyomo.environ as pyo

from solvers.highs_bridge import Solution, solve
from solvers.transfers.inputs import TransferInputs, build_transfer_inputs
from solvers.transfers.settings import TransferSettings
from twin.domain import Network
from twin.domain.parties import PRIORITIES
from twin.domain.plan import TransferAction, action_key

log = logging.getLogger(__name__)
ConsumeKey = tuple[int, str, str, int]  # supply, warehouse, priority, bucket


def consumption_index(x: TransferInputs) -> dict[ConsumeKey, float]:
    """Allowed consumption entries and their upper bounds (need × usable share), units;
    a waste supply can only be used where it is shipped."""
    reach: dict[int, set[str]] = defaultdict(set)
    for arc in x.arcs:
        reach[arc.supply].add(arc.target)
    out: dict[ConsumeKey, float] = {}
    for k, s in enumerate(x.supplies):
        for w in reach[k] if s.waste else {s.warehouse} | reach[k]:
            for c in PRIORITIES:
                for b in range(s.available_from if w == s.warehouse else 0, x.n_buckets):
                    need = x.needs.get((w, s.item, c, b), 0.0)
                    share = x.usable_share(s, w, c, b)
                    if need > 0 and share > 0:
                        out[(k, w, c, b)] = need * share
    return out


def define_variables(m: pyo.ConcreteModel, x: TransferInputs,
                     consume: dict[ConsumeKey, float]) -> None:
    """x (shipments), z (lane used), y (consumption), s (shortage), e (write-off)."""
    st = x.settings
    m.J = pyo.RangeSet(0, len(x.arcs) - 1) if x.arcs else pyo.Set(initialize=[])
    m.x = pyo.Var(m.J, domain=pyo.NonNegativeIntegers if st.integer_units else
                  pyo.NonNegativeReals, bounds=lambda m, j: (0, x.supplies[x.arcs[j].supply]
                                                             .quantity))
    m.LB = pyo.Set(initialize=sorted({(a.lane, a.bucket) for a in x.arcs}), dimen=2)
    m.z = pyo.Var(m.LB, domain=pyo.Binary if st.integer_units else pyo.UnitInterval)
    m.C = pyo.Set(initialize=sorted(consume), dimen=4)
    m.y = pyo.Var(m.C, domain=pyo.NonNegativeReals, bounds=lambda m, *key: (0, consume[key]))
    m.N = pyo.Set(initialize=sorted(x.needs), dimen=4)
    m.s = pyo.Var(m.N, domain=pyo.NonNegativeReals)
    m.K_exp = pyo.Set(initialize=[k for k, s in enumerate(x.supplies)
                                  if s.lost_if_unused(st.horizon_days)])
    m.e = pyo.Var(m.K_exp, domain=pyo.NonNegativeReals)


def define_demand(m: pyo.ConcreteModel, x: TransferInputs) -> None:
    """Σ_k y_kwcb + s_n = D_n: every unit of expected demand is served or short."""
    by_need: dict[tuple, list] = defaultdict(list)
    for k, w, c, b in m.C:
        by_need[(w, x.supplies[k].item, c, b)].append((k, w, c, b))
    m.demand = pyo.Constraint(
        m.N, rule=lambda m, *n: sum(m.y[key] for key in by_need[n]) + m.s[n] == x.needs[n],
        doc="expected demand is served from lots or counted short")


def define_supply(m: pyo.ConcreteModel, x: TransferInputs) -> None:
    """Σ y at its warehouse + Σ x shipped ≤ q_k: a lot is used or shipped at most once."""
    home: dict[int, list] = defaultdict(list)
    for key in m.C:
        if key[1] == x.supplies[key[0]].warehouse:
            home[key[0]].append(key)
    ships: dict[int, list[int]] = defaultdict(list)
    for j, arc in enumerate(x.arcs):
        ships[arc.supply].append(j)
    used = sorted(set(home) | set(ships))
    m.supply = pyo.Constraint(
        used, rule=lambda m, k: sum(m.y[key] for key in home[k]) + sum(m.x[j] for j in ships[k])
        <= x.supplies[k].quantity, doc="only available stock, each unit once")


def define_arrival(m: pyo.ConcreteModel, x: TransferInputs) -> None:
    """Cumulative use at a destination ≤ cumulative arrivals fast enough for the class.

    For each supply k, destination w, bucket b and class c (windows nest: critical ⊂
    high ⊂ routine), units consumed by classes at least as urgent as c up to b must have
    arrived by b on lanes whose transit ≤ c's urgency window.
    """
    win = x.settings.urgency_window_days
    order = sorted(PRIORITIES, key=lambda c: win[c])
    arcs_to: dict[tuple[int, str], list[int]] = defaultdict(list)
    for j, arc in enumerate(x.arcs):
        arcs_to[(arc.supply, arc.target)].append(j)
    uses: dict[tuple[int, str], list] = defaultdict(list)
    for key in m.C:
        if key[1] != x.supplies[key[0]].warehouse:
            uses[(key[0], key[1])].append(key)
    rows = [(k, w, b, c) for (k, w) in sorted(uses) for b in range(x.n_buckets) for c in order]

    def rule(m: pyo.ConcreteModel, k: int, w: str, b: int, c: str):
        urgent = set(order[: order.index(c) + 1])
        used = [key for key in uses[(k, w)] if key[3] <= b and key[2] in urgent]
        came = [j for j in arcs_to[(k, w)] if x.arcs[j].arrival_bucket <= b
                and x.arcs[j].transit_days <= win[c]]
        if not used:
            return pyo.Constraint.Skip
        return sum(m.y[key] for key in used) <= sum(m.x[j] for j in came)

    m.arrival = pyo.Constraint(rows, rule=rule,
                               doc="transit time within the urgency window of the class served")


def define_lanes(m: pyo.ConcreteModel, x: TransferInputs) -> None:
    """Σ_{j on (a,b)} x_j ≤ U_ab z_ab: lane capacity, and z pays the per-shipment cost."""
    on: dict[tuple[str, int], list[int]] = defaultdict(list)
    for j, arc in enumerate(x.arcs):
        on[(arc.lane, arc.bucket)].append(j)

    def bound(lb: tuple[str, int]) -> float:
        total = sum(x.supplies[x.arcs[j].supply].quantity for j in on[lb])
        return float(min(x.arcs[on[lb][0]].capacity, total))

    m.lane = pyo.Constraint(m.LB, rule=lambda m, a, b: sum(m.x[j] for j in on[(a, b)])
                            <= bound((a, b)) * m.z[a, b], doc="lane capacity per bucket")


def define_arc_links(m: pyo.ConcreteModel, x: TransferInputs) -> None:
    """x_j ≤ min(q_k, U_ab)·z_ab per arc: implied by the lane rows for whole lanes, but it
    tightens the relaxation a branch-and-bound solve starts from (z ≥ x_j/q_k rather than
    Σx/U), so the MILP closes its gap in far fewer nodes."""
    m.arc_link = pyo.Constraint(
        m.J, rule=lambda m, j: m.x[j] <= float(min(x.supplies[x.arcs[j].supply].quantity,
                                                    x.arcs[j].capacity))
        * m.z[x.arcs[j].lane, x.arcs[j].bucket], doc="an arc ships only on an open lane")


def solved_as_milp(x: TransferInputs) -> bool:
    """Whole units by branch and bound (else relax-and-fix, see :func:`solve_transfers`)."""
    return x.settings.integer_units and len(x.arcs) <= x.settings.milp_max_arcs


def define_write_off(m: pyo.ConcreteModel, x: TransferInputs) -> None:
    """e_k ≥ q_k − Σ y_k: units of a lot expiring in the horizon and not used are lost."""
    used: dict[int, list] = defaultdict(list)
    for key in m.C:
        used[key[0]].append(key)
    m.write_off = pyo.Constraint(m.K_exp, rule=lambda m, k: m.e[k] >= x.supplies[k].quantity
                                 - sum(m.y[key] for key in used[k]),
                                 doc="expiry write-off")


def define_objective(m: pyo.ConcreteModel, x: TransferInputs) -> None:
    """Transport + fixed lane + priority-weighted shortage + write-off + FEFO tie-break."""
    st, cost = x.settings, x.unit_cost
    fixed = {a.lane: a.shipment_cost for a in x.arcs}
    ship = sum(a.unit_cost * m.x[j] for j, a in enumerate(x.arcs))
    ship += sum(fixed[a] * m.z[a, b] for a, b in m.LB)
    short = sum(st.shortage_penalty[c] * cost[i] * m.s[(w, i, c, b)] for w, i, c, b in m.N)
    lost = sum(cost[x.supplies[k].item] * m.e[k] for k in m.K_exp)
    fefo = sum(st.fefo_tiebreak * x.supplies[k].expiry_day * cost[x.supplies[k].item]
               * m.y[(k, w, c, b)] for k, w, c, b in m.C)
    m.cost = pyo.Objective(expr=ship + short + lost + fefo, sense=pyo.minimize)


@dataclass(frozen=True)
class TransferPlan:
    """Solved transfer lines plus the model's totals."""

    actions: list[TransferAction]
    shortage_units: dict[str, float]  # by priority class, over the horizon
    write_off_units: float
    solution: Solution


def build_model(x: TransferInputs) -> tuple[pyo.ConcreteModel, dict[ConsumeKey, float]]:
    """The Pyomo model for ``x`` (built, not solved)."""
    consume = consumption_index(x)
    m = pyo.ConcreteModel(name="transfer routing model")
    define_variables(m, x, consume)
    define_demand(m, x)
    define_supply(m, x)
    define_arrival(m, x)
    define_lanes(m, x)
    if solved_as_milp(x):
        define_arc_links(m, x)
    define_write_off(m, x)
    define_objective(m, x)
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
    served = defaultdict(float)
    for (k, w, c, _b), units in y.items():
        if k == arc.supply and w == arc.target and units > 1e-6:
            served[c] += units
    at_home = sum(bound for (k, w, _c, _b), bound in consume.items()
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
