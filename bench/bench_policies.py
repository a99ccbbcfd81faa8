"""Heuristic vs optimised policies in the twin, with common random numbers.

Runs every policy on the same seeds (replication r of each policy sees the same demand and
disruptions) and reports, per KPI, the mean of each and the paired difference (policy −
heuristic) with its 95 % confidence interval (t distribution), plus the wall time per
replication. The evaluation seeds start at ``--first-seed`` (default 1): disjoint from the
seed of the safety-stock scenarios (0) that the optimised levels are fitted on.

Usage: python bench/bench_policies.py [--network reference] [--reps 30] [--days 365]
       [--first-seed 1] [--policies heuristic,optimised,optimised_rolling] [--json OUT]
"""

import argparse
import json
import time

import numpy as np
from scipy import stats
from tqdm import tqdm

from solvers.registry import shipped_policies
from twin.network_files import load_network
from twin.sim import simulate

KPIS = ("fill_rate_critical", "fill_rate_high", "fill_rate_routine", "fill_rate",
        "scrapped_units_expired", "scrapped_value_expired", "inventory_value_mean",
        "emergency_units", "lost_units", "transport_cost", "purchase_cost")


def paired(base: np.ndarray, other: np.ndarray) -> tuple[float, float, float]:
    """Mean of other − base and its 95 % t-interval."""
    d = other - base
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    return float(d.mean()), float(d.mean() - half), float(d.mean() + half)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--network", default="reference")
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--policies", default="heuristic,optimised,optimised_rolling")
    parser.add_argument("--json", help="also write the per-replication values here")
    args = parser.parse_args()
    net = load_network(args.network)
    policies = args.policies.split(",")
    values = {p: {k: [] for k in KPIS} for p in policies}
    seconds = {p: [] for p in policies}
    seeds = range(args.first_seed, args.first_seed + args.reps)
    for rep in tqdm(seeds, desc="replications"):
        for policy in policies:
            t0 = time.perf_counter()
            summary = simulate(net, days=args.days, seed=rep, policy=policy,
                               policies=shipped_policies()).summary()
            seconds[policy].append(time.perf_counter() - t0)
            for k in KPIS:
                values[policy][k].append(float(summary[k]))
    print(f"{args.network}: {args.reps} replications × {args.days} days, seeds "
          f"{seeds.start}–{seeds.stop - 1}")
    for p in policies:  # the first replication includes solving the policy's levels
        print(f"  {p}: {np.median(seconds[p]):.1f} s per replication (median), first "
              f"{seconds[p][0]:.1f} s")
    base = policies[0]
    head = "".join(f"{p:>18}" for p in policies)
    diffs = "".join(f"{p + ' − ' + base:>40}" for p in policies[1:])
    print(f"{'KPI':<24}{head}{diffs}")
    for k in KPIS:
        line = f"{k:<24}" + "".join(f"{np.mean(values[p][k]):>18.4f}" for p in policies)
        for p in policies[1:]:
            mean, lo, hi = paired(np.array(values[base][k]), np.array(values[p][k]))
            line += f"{mean:>14.4f} [{lo:>10.4f}, {hi:>10.4f}]"
        print(line)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"network": args.network, "days": args.days, "seeds": list(seeds),
                       "seconds": seconds, "values": values}, f, indent=1)


if __name__ == "__main__":
    main()
