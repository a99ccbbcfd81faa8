"""Benchmark the planning models on the generated 20 × 2,000 × 100 network.

1. Transfer routing: the Pyomo model (build + compile + solve, the production path) against
   the same model written directly with highspy (numpy/scipy rows + one passModel) in this
   file, LP relaxation and MILP; the objectives must agree.
2. Safety stock: the SAA at K scenarios (one model per warehouse), Pyomo build + solve
   against the same models written directly with highspy; then the whole solve.

Usage: python bench/bench_solvers.py [--network DIR] [--skip-mip] [--skip-transfers]
[--skip-safety-stock] [--repeat N]
(without --network the network is generated with seed 1 into a temporary directory).
"""

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from typing import TypeVar

import highspy
import numpy as np
from scipy import sparse

from solvers.highs_bridge import solve
from solvers.safety_stock import (
    SafetyStockSettings,
    build_inputs,
    sample_cycle_demand,
    solve_safety_stock,
)
from solvers.safety_stock.inputs import SafetyStockInputs
from solvers.safety_stock.model import (
    SUBSTITUTION_TIE,
    _solve_component,
    components,
    cycle_quantity,
    cycles_per_year,
    newsvendor_costs,
    quantity_bounds,
    unit_value,
)
from solvers.transfers import TransferSettings, build_transfer_inputs
from solvers.transfers.inputs import TransferInputs
from solvers.transfers.model import (
    build_model,
    consumption_index,
    solved_as_milp,
    substitute_factor,
)
from twin.domain.parties import PRIORITIES
from twin.network_files import TABLES, load_network, save_network
from twin.synthetic import generate_network

INF = highspy.kHighsInf
T = TypeVar("T")


def highspy_transfer_model(x: TransferInputs) -> tuple[highspy.Highs, int]:
    """The transfer model of solvers/transfers/model.py, built straight into HiGHS: the
    same rows and columns in the same order, so HiGHS solves the identical LP."""
    st = x.settings
    consume = consumption_index(x)
    cons = sorted(consume)
    needs = sorted(x.needs)
    lbs = sorted({(a.lane, a.bucket) for a in x.arcs})
    exp = [k for k, s in enumerate(x.supplies) if s.lost_if_unused(st.horizon_days)]
    n_x, n_z, n_y, n_s, n_e = len(x.arcs), len(lbs), len(cons), len(needs), len(exp)
    ox, oz, os_, oe, oy = 0, n_x, n_x + n_z, n_x + n_z + n_s, n_x + n_z + n_s + n_e
    n_cols = oy + n_y  # the column order of the Pyomo model (x, z, s, e, y)
    y_of = {key: oy + i for i, key in enumerate(cons)}
    z_of = {lb: oz + i for i, lb in enumerate(lbs)}
    cost = np.zeros(n_cols)
    lower = np.zeros(n_cols)
    upper = np.full(n_cols, INF)
    fixed = {a.lane: a.shipment_cost for a in x.arcs}
    subs = substitute_factor(x)  # a substitute's units per covered unit and its rank
    link = {key: subs.get((key[1], x.supplies[key[0]].item, key[4], key[2]), (1.0, 0))
            for key in cons}
    for j, a in enumerate(x.arcs):
        cost[ox + j] = a.unit_cost
        upper[ox + j] = x.supplies[a.supply].quantity
    for i, (lane, _b) in enumerate(lbs):
        cost[oz + i], upper[oz + i] = fixed[lane], 1.0
    for i, key in enumerate(cons):
        s, (f, rank), demanded = x.supplies[key[0]], link[key], key[4]
        cost[oy + i] = st.fefo_tiebreak * s.expiry_day * x.unit_cost[s.item] * f + (
            st.substitution_penalty * rank * x.unit_cost[demanded]
            + max(f * x.unit_cost[s.item] - x.unit_cost[demanded], 0) if rank else 0.0)
        upper[oy + i] = consume[key]
    for i, (_w, item, c, _b) in enumerate(needs):
        cost[os_ + i] = st.shortage_penalty[c] * x.unit_cost[item]
    for i, k in enumerate(exp):
        cost[oe + i] = x.unit_cost[x.supplies[k].item]
    rows, cols, vals, lo, hi = [], [], [], [], []

    def row(entries: list[tuple[int, float]], row_lo: float, row_hi: float) -> None:
        r = len(lo)
        for col, val in entries:
            rows.append(r)
            cols.append(col)
            vals.append(val)
        lo.append(row_lo)
        hi.append(row_hi)

    by_need: dict[tuple, list[int]] = defaultdict(list)
    home: dict[int, list[int]] = defaultdict(list)
    used_k: dict[int, list[int]] = defaultdict(list)
    uses: dict[tuple[int, str], list[tuple]] = defaultdict(list)
    for key in cons:
        k, w, c, b, demanded = key
        by_need[(w, demanded, c, b)].append(y_of[key])
        used_k[k].append(y_of[key])
        if w == x.supplies[k].warehouse:
            home[k].append(y_of[key])
        else:
            uses[(k, w)].append(key)
    factor = {y_of[key]: link[key][0] for key in cons}
    for i, n in enumerate(needs):  # demand
        row([(col, 1.0) for col in by_need[n]] + [(os_ + i, 1.0)], x.needs[n], x.needs[n])
    ships: dict[int, list[int]] = defaultdict(list)
    arcs_to: dict[tuple[int, str], list[int]] = defaultdict(list)
    on: dict[tuple[str, int], list[int]] = defaultdict(list)
    for j, a in enumerate(x.arcs):
        ships[a.supply].append(j)
        arcs_to[(a.supply, a.target)].append(j)
        on[(a.lane, a.bucket)].append(j)
    for k in sorted(set(home) | set(ships)):  # supply
        row([(col, factor[col]) for col in home[k]] + [(ox + j, 1.0) for j in ships[k]], -INF,
            x.supplies[k].quantity)
    win = st.urgency_window_days
    order = sorted(PRIORITIES, key=lambda c: win[c])
    for (k, w) in sorted(uses):  # arrival
        for b in range(x.n_buckets):
            for c in order:
                urgent = set(order[: order.index(c) + 1])
                used = [y_of[key] for key in uses[(k, w)] if key[3] <= b and key[2] in urgent]
                if not used:
                    continue
                came = [j for j in arcs_to[(k, w)] if x.arcs[j].arrival_bucket <= b
                        and x.arcs[j].transit_days <= win[c]]
                row([(col, factor[col]) for col in used] + [(ox + j, -1.0) for j in came],
                    -INF, 0.0)
    for lb in lbs:  # lanes
        total = sum(x.supplies[x.arcs[j].supply].quantity for j in on[lb])
        bound = float(min(x.arcs[on[lb][0]].capacity, total))
        row([(ox + j, 1.0) for j in on[lb]] + [(z_of[lb], -bound)], -INF, 0.0)
    if solved_as_milp(x):  # arc links
        for j, a in enumerate(x.arcs):
            row([(ox + j, 1.0), (z_of[(a.lane, a.bucket)],
                                 -float(min(x.supplies[a.supply].quantity, a.capacity)))],
                -INF, 0.0)
    for i, k in enumerate(exp):  # write-off
        row([(oe + i, -1.0)] + [(col, -factor[col]) for col in used_k[k]], -INF,
            -x.supplies[k].quantity)
    a = sparse.csc_array((vals, (rows, cols)), shape=(len(lo), n_cols))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_cols, len(lo)
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, lower, upper
    lp.row_lower_, lp.row_upper_ = np.array(lo), np.array(hi)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = a.indptr, a.indices, a.data
    if st.integer_units:
        kinds = np.full(n_cols, highspy.HighsVarType.kContinuous)
        kinds[ox:oz + n_z] = highspy.HighsVarType.kInteger
        lp.integrality_ = list(kinds)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for key, value in {"random_seed": 0, **st.highs_options}.items():
        h.setOptionValue(key, value)
    h.passModel(lp)
    return h, n_cols


def bench_transfers(net, integer: bool) -> dict[str, float]:
    """One Pyomo and one direct build + solve of the transfer model; seconds and ratio."""
    settings = TransferSettings(integer_units=integer,  # a loaded machine needs > 120 s
                                highs_options={"mip_rel_gap": 0.02, "time_limit": 1800.0})
    t0 = time.perf_counter()
    x = build_transfer_inputs(net, settings)
    t_inputs = time.perf_counter() - t0
    (m, _), t_build, c_build = timed(build_model, x)
    sol, t_pyomo_solve, c_pyomo_solve = timed(  # compile + HiGHS + values back
        solve, m, options=dict(settings.highs_options))
    (h, n_cols), t_direct_build, c_direct_build = timed(highspy_transfer_model, x)
    _, t_direct_solve, c_direct_solve = timed(h.run)
    direct_obj = h.getInfo().objective_function_value
    pyomo = t_build + t_pyomo_solve
    direct = t_direct_build + t_direct_solve
    cpu_pyomo, cpu_direct = c_build + c_pyomo_solve, c_direct_build + c_direct_solve
    kind = "MILP" if integer else "LP"
    print(f"transfer {kind}: {len(x.arcs)} arcs, {n_cols} columns; inputs {t_inputs:.2f} s")
    print(f"  Pyomo   build {t_build:6.2f} s + compile&solve {t_pyomo_solve:6.2f} s "
          f"(HiGHS {sol.seconds:.2f} s, {sol.iterations} it.) = {pyomo:6.2f} s, "
          f"objective {sol.objective:,.2f}")
    print(f"  highspy build {t_direct_build:6.2f} s + solve {t_direct_solve:6.2f} s "
          f"(HiGHS {h.getRunTime():.2f} s, {h.getInfo().simplex_iteration_count} it.) "
          f"= {direct:6.2f} s, objective {direct_obj:,.2f}")
    print(f"  ratio (Pyomo / highspy) = {pyomo / direct:.2f} wall, "
          f"{cpu_pyomo / cpu_direct:.2f} CPU ({cpu_pyomo:.2f} s / {cpu_direct:.2f} s; builds "
          f"{c_build:.2f} / {c_direct_build:.2f} s CPU), objectives differ by "
          f"{abs(sol.objective - direct_obj) / max(abs(direct_obj), 1):.1e} (relative)")
    return {"pyomo build": t_build, "pyomo compile+solve": t_pyomo_solve,
            "pyomo HiGHS": sol.seconds, "pyomo": pyomo, "highspy build": t_direct_build,
            "highspy solve": t_direct_solve, "highspy": direct, "ratio": pyomo / direct,
            "pyomo build CPU": c_build, "pyomo compile+solve CPU": c_pyomo_solve,
            "highspy build CPU": c_direct_build, "highspy solve CPU": c_direct_solve,
            "ratio CPU": cpu_pyomo / cpu_direct}


def timed(f: Callable[..., T], *args: object, **kwargs: object) -> tuple[T, float, float]:
    """``f(*args, **kwargs)``, its wall time and the process's CPU time (s): on a shared
    machine the CPU time is the steadier figure."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = f(*args, **kwargs)
    return out, time.perf_counter() - wall, time.process_time() - cpu


def highspy_safety_stock_model(x: SafetyStockInputs, d: np.ndarray, st: SafetyStockSettings,
                               value: np.ndarray, cuts: int = 8) -> highspy.Highs:
    """One component of the safety-stock model of solvers/safety_stock/model.py (default
    families: ordering cuts, substitute stock, shortage net of substitution, fill rate,
    capacity, expiry; no org budget), built straight into HiGHS. Columns R, Q, κ, u, y, w;
    rows in the model's order."""
    n_p, k = x.size, d.shape[1]
    target = np.array([st.fill_rate_target[p] for p in x.priority])
    q_ref = cycle_quantity(x)
    over, under = newsvendor_costs(x, q_ref, st, value)
    lo, hi = quantity_bounds(x)
    yearly = x.order_cost * x.mean_per_day * 365
    pk_p, pk_k = np.nonzero(d > 0)
    n_u = len(pk_p)
    links = x.links
    y_l, y_k = np.nonzero(d[links.item] > 0)  # link by link, scenarios in order
    y_a, y_b, y_f = links.item[y_l], links.substitute[y_l], links.factor[y_l]
    n_y = len(y_l)
    e = np.flatnonzero(x.mean_per_day > 0)
    o_r, o_q, o_k, o_u, o_y = 0, n_p, 2 * n_p, 3 * n_p, 3 * n_p + n_u
    o_e = o_y + n_y
    n_cols = o_e + len(e)
    col_lo = np.zeros(n_cols)
    col_lo[o_q:o_k] = lo
    col_hi = np.full(n_cols, INF)
    col_hi[o_q:o_k] = hi
    col_hi[o_y:o_e] = links.share[y_l] * d[y_a, y_k]
    cost = np.concatenate((over, over / 2, np.ones(n_p), (over[pk_p] + under[pk_p]) / k,
                           SUBSTITUTION_TIE * over[y_a] * links.preference[y_l] / k,
                           x.unit_cost[e] * cycles_per_year(x, q_ref)[e]))
    rows, cols, vals, row_lo, row_hi = [], [], [], [], []

    def family(r: np.ndarray, c: np.ndarray, v: np.ndarray, low: np.ndarray,
               high: np.ndarray) -> None:
        start = sum(map(len, row_lo))
        rows.append(start + r)
        cols.append(c)
        vals.append(v)
        row_lo.append(low)
        row_hi.append(high)

    grid = [(p, g) for p in range(n_p) if yearly[p] > 0 and lo[p] > 0
            for g in np.unique(np.geomspace(lo[p], hi[p], cuts))]
    p_t = np.array([p for p, _ in grid], dtype=np.int64)
    q_t = np.array([g for _, g in grid], dtype=float)
    n = len(grid)
    family(np.tile(np.arange(n), 2), np.concatenate((o_k + p_t, o_q + p_t)),
           np.concatenate((np.ones(n), yearly[p_t] / q_t ** 2)), 2 * yearly[p_t] / q_t,
           np.full(n, INF))
    given, given_row = np.unique(y_b * k + y_k, return_inverse=True)  # substitute stock
    family(np.concatenate((given_row, np.arange(len(given)))),
           np.concatenate((o_y + np.arange(n_y), o_r + given // k)),
           np.concatenate((y_f, -np.ones(len(given)))), np.full(len(given), -INF),
           np.zeros(len(given)))
    row_of = np.full(d.shape, -1, dtype=np.int64)
    row_of[pk_p, pk_k] = np.arange(n_u)
    gave = row_of[y_b, y_k]
    has = gave >= 0
    family(np.concatenate((np.tile(np.arange(n_u), 2), row_of[y_a, y_k], gave[has])),
           np.concatenate((o_u + np.arange(n_u), o_r + pk_p, o_y + np.arange(n_y),
                           o_y + np.flatnonzero(has))),
           np.concatenate((np.ones(2 * n_u + n_y), -y_f[has])), d[pk_p, pk_k],
           np.full(n_u, INF))
    served = np.unique(pk_p)
    family(np.concatenate((np.searchsorted(served, pk_p), np.arange(len(served)))),
           np.concatenate((o_u + np.arange(n_u), o_q + served)),
           np.concatenate((np.full(n_u, 1 / k), -(1 - target[served]))),
           np.full(len(served), -INF), np.zeros(len(served)))
    at = sorted(set(x.warehouse))
    where = np.searchsorted(np.array(at, dtype=object), x.warehouse)
    family(np.tile(where, 2), np.arange(2 * n_p), np.ones(2 * n_p), np.full(len(at), -INF),
           np.array([x.capacity[w] for w in at], dtype=float))
    r = np.arange(len(e))
    family(np.tile(r, 3), np.concatenate((o_e + r, o_r + e, o_q + e)),
           np.concatenate((np.ones(len(e)), -np.ones(2 * len(e)))),
           -(x.mean_per_day[e] * x.usable_days[e]), np.full(len(e), INF))
    a = sparse.csc_array((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                         shape=(sum(map(len, row_lo)), n_cols))
    a.sum_duplicates()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_cols, a.shape[0]
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, col_lo, col_hi
    lp.offset_ = -float(over @ d.mean(axis=1))
    lp.row_lower_, lp.row_upper_ = np.concatenate(row_lo), np.concatenate(row_hi)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = a.indptr, a.indices, a.data
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for key, val in {"random_seed": 0, **st.highs_options}.items():
        h.setOptionValue(key, val)
    h.passModel(lp)
    return h


def bench_safety_stock(net, scenarios: int) -> dict[str, float]:
    """The safety-stock model, one per component (warehouse): Pyomo build + solve against
    the direct highspy build + solve of the same components; then the whole
    ``solve_safety_stock`` (with the integer levels and the exact positions)."""
    st = SafetyStockSettings(scenarios=scenarios)
    x = build_inputs(net)
    d = sample_cycle_demand(x, scenarios, 0)
    value = unit_value(x, st)
    pyomo = direct = highs = cpu_pyomo = cpu_direct = 0.0
    objective = direct_objective = 0.0
    iterations = direct_iterations = 0
    for idx in components(x, st):
        sub, sub_d = x.subset(idx), d[idx]
        (*_, sol), wall, cpu = timed(_solve_component, sub, sub_d, st, value[idx])
        pyomo, cpu_pyomo, highs, objective = (pyomo + wall, cpu_pyomo + cpu,
                                               highs + sol.seconds, objective + sol.objective)
        iterations += sol.iterations
        h, wall, cpu = timed(highspy_safety_stock_model, sub, sub_d, st, value[idx])
        _, wall_run, cpu_run = timed(h.run)
        direct, cpu_direct = direct + wall + wall_run, cpu_direct + cpu + cpu_run
        direct_objective += h.getInfo().objective_function_value
        direct_iterations += h.getInfo().simplex_iteration_count
    t0 = time.perf_counter()
    solve_safety_stock(net, st, inputs=x, demand=d)
    total = time.perf_counter() - t0
    print(f"safety stock K={scenarios}: {x.size} positions, {int((d > 0).sum())} scenario rows")
    print(f"  models: Pyomo build+solve {pyomo:.2f} s (HiGHS {highs:.2f} s, {iterations} it.), "
          f"objective {objective:,.2f}; highspy build+solve {direct:.2f} s ({direct_iterations} "
          f"it.), objective {direct_objective:,.2f}; ratio {pyomo / direct:.2f} wall, "
          f"{cpu_pyomo / cpu_direct:.2f} CPU ({cpu_pyomo:.2f} s / {cpu_direct:.2f} s)")
    print(f"  solve_safety_stock (models + integer levels + exact positions) {total:.2f} s")
    return {"pyomo": pyomo, "pyomo HiGHS": highs, "highspy": direct, "ratio": pyomo / direct,
            "pyomo CPU": cpu_pyomo, "highspy CPU": cpu_direct,
            "ratio CPU": cpu_pyomo / cpu_direct, "solve_safety_stock": total}


def medians(name: str, runs: list[dict[str, float]]) -> None:
    """Print the median of each figure over ``runs``."""
    if len(runs) > 1:
        print(f"{name}, median of {len(runs)} runs: " + ", ".join(
            f"{key} {statistics.median(r[key] for r in runs):.2f}" for key in runs[0]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--network")
    parser.add_argument("--skip-mip", action="store_true")
    parser.add_argument("--skip-transfers", action="store_true")
    parser.add_argument("--skip-safety-stock", action="store_true")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each model (medians printed at the end)")
    args = parser.parse_args()
    if args.network:
        net = load_network(args.network)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            save_network(generate_network(warehouses=20, items=2000, hospitals=100, seed=1),
                         f"{tmp}/net", tables=TABLES.keys())
            net = load_network(f"{tmp}/net")
    print(f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load {os.getloadavg()}")
    lp = [] if args.skip_transfers else [bench_transfers(net, integer=False)
                                         for _ in range(args.repeat)]
    mip = [] if args.skip_mip or args.skip_transfers else [
        bench_transfers(net, integer=True) for _ in range(args.repeat)]
    ss = {} if args.skip_safety_stock else {
        k: [bench_safety_stock(net, k) for _ in range(args.repeat)] for k in (30, 50)}
    medians("transfer LP", lp)
    medians("transfer MILP", mip)
    for k, runs in ss.items():
        medians(f"safety stock K={k}", runs)
    print(f"load at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
