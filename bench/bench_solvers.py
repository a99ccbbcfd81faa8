"""Benchmark the planning models on the generated 20 × 2,000 × 100 network.

1. Transfer routing: the Pyomo model (build + compile + solve, the production path) against
   the same model written directly with highspy (numpy/scipy rows + one passModel) in this
   file, LP relaxation and MILP; the objectives must agree.
2. Safety stock: build + solve time of the SAA at K scenarios (one model per warehouse).

Usage: python bench/bench_solvers.py [--network DIR] [--skip-mip] [--skip-safety-stock]
[--repeat N]
(without --network the network is generated with seed 1 into a temporary directory).
"""

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections import defaultdict

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
from solvers.transfers import TransferSettings, build_transfer_inputs
from solvers.transfers.inputs import TransferInputs
from solvers.transfers.model import build_model, consumption_index, solved_as_milp
from twin.domain.parties import PRIORITIES
from twin.network_files import TABLES, load_network, save_network
from twin.synthetic import generate_network

INF = highspy.kHighsInf


def highspy_transfer_model(x: TransferInputs) -> tuple[highspy.Highs, int]:
    """The transfer model of solvers/transfers/model.py, built straight into HiGHS."""
    st = x.settings
    consume = consumption_index(x)
    cons = sorted(consume)
    needs = sorted(x.needs)
    lbs = sorted({(a.lane, a.bucket) for a in x.arcs})
    exp = [k for k, s in enumerate(x.supplies) if s.lost_if_unused(st.horizon_days)]
    n_x, n_z, n_y, n_s, n_e = len(x.arcs), len(lbs), len(cons), len(needs), len(exp)
    ox, oz, oy, os_, oe = 0, n_x, n_x + n_z, n_x + n_z + n_y, n_x + n_z + n_y + n_s
    n_cols = oe + n_e
    y_of = {key: oy + i for i, key in enumerate(cons)}
    z_of = {lb: oz + i for i, lb in enumerate(lbs)}
    cost = np.zeros(n_cols)
    lower = np.zeros(n_cols)
    upper = np.full(n_cols, INF)
    fixed = {a.lane: a.shipment_cost for a in x.arcs}
    for j, a in enumerate(x.arcs):
        cost[ox + j] = a.unit_cost
        upper[ox + j] = x.supplies[a.supply].quantity
    for i, (lane, _b) in enumerate(lbs):
        cost[oz + i], upper[oz + i] = fixed[lane], 1.0
    for i, key in enumerate(cons):
        s = x.supplies[key[0]]
        cost[oy + i] = st.fefo_tiebreak * s.expiry_day * x.unit_cost[s.item]
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
        k, w, c, b = key
        s = x.supplies[k]
        by_need[(w, s.item, c, b)].append(y_of[key])
        used_k[k].append(y_of[key])
        if w == s.warehouse:
            home[k].append(y_of[key])
        else:
            uses[(k, w)].append(key)
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
        row([(col, 1.0) for col in home[k]] + [(ox + j, 1.0) for j in ships[k]], -INF,
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
                row([(col, 1.0) for col in used] + [(ox + j, -1.0) for j in came], -INF, 0.0)
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
        row([(oe + i, 1.0)] + [(col, 1.0) for col in used_k[k]], x.supplies[k].quantity, INF)
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
    settings = TransferSettings(integer_units=integer)
    t0 = time.perf_counter()
    x = build_transfer_inputs(net, settings)
    t_inputs = time.perf_counter() - t0
    t0 = time.perf_counter()
    m, _ = build_model(x)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    sol = solve(m, options=dict(settings.highs_options))
    t_pyomo_solve = time.perf_counter() - t0  # compile + HiGHS + values back
    t0 = time.perf_counter()
    h, n_cols = highspy_transfer_model(x)
    t_direct_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    h.run()
    t_direct_solve = time.perf_counter() - t0
    direct_obj = h.getInfo().objective_function_value
    pyomo = t_build + t_pyomo_solve
    direct = t_direct_build + t_direct_solve
    kind = "MILP" if integer else "LP"
    print(f"transfer {kind}: {len(x.arcs)} arcs, {n_cols} columns; inputs {t_inputs:.2f} s")
    print(f"  Pyomo   build {t_build:6.2f} s + compile&solve {t_pyomo_solve:6.2f} s "
          f"(HiGHS {sol.seconds:.2f} s, {sol.iterations} it.) = {pyomo:6.2f} s, "
          f"objective {sol.objective:,.2f}")
    print(f"  highspy build {t_direct_build:6.2f} s + solve {t_direct_solve:6.2f} s "
          f"(HiGHS {h.getRunTime():.2f} s, {h.getInfo().simplex_iteration_count} it.) "
          f"= {direct:6.2f} s, objective {direct_obj:,.2f}")
    print(f"  ratio (Pyomo / highspy) = {pyomo / direct:.2f}, objectives differ by "
          f"{abs(sol.objective - direct_obj) / max(abs(direct_obj), 1):.1e} (relative)")
    return {"pyomo build": t_build, "pyomo compile+solve": t_pyomo_solve,
            "pyomo HiGHS": sol.seconds, "pyomo": pyomo, "highspy build": t_direct_build,
            "highspy solve": t_direct_solve, "highspy": direct, "ratio": pyomo / direct}


def bench_safety_stock(net, scenarios: int) -> dict[str, float]:
    x = build_inputs(net)
    d = sample_cycle_demand(x, scenarios, 0)
    t0 = time.perf_counter()
    result = solve_safety_stock(net, SafetyStockSettings(scenarios=scenarios), inputs=x,
                                demand=d)
    total = time.perf_counter() - t0
    print(f"safety stock K={scenarios}: {x.size} positions, {int((d > 0).sum())} scenario "
          f"rows; build+solve {total:.2f} s (HiGHS {result.solution.seconds:.2f} s)")
    return {"total": total, "HiGHS": result.solution.seconds}


def medians(name: str, runs: list[dict[str, float]]) -> None:
    """Print the median of each figure over ``runs``."""
    if len(runs) > 1:
        print(f"{name}, median of {len(runs)} runs: " + ", ".join(
            f"{key} {statistics.median(r[key] for r in runs):.2f}" for key in runs[0]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--network")
    parser.add_argument("--skip-mip", action="store_true")
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
    lp = [bench_transfers(net, integer=False) for _ in range(args.repeat)]
    mip = [] if args.skip_mip else [bench_transfers(net, integer=True)
                                    for _ in range(args.repeat)]
    ss = {} if args.skip_safety_stock else {
        k: [bench_safety_stock(net, k) for _ in range(args.repeat)] for k in (30, 50)}
    medians("transfer LP", lp)
    medians("transfer MILP", mip)
    for k, runs in ss.items():
        medians(f"safety stock K={k}", runs)
    print(f"load at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
