"""Heuristic vs optimised policy in the twin, with common random numbers.

Runs both policies on the same seeds (replication r of each policy sees the same demand
and disruptions) and reports, per KPI, the mean of each and the paired difference
(optimised − heuristic) with its 95 % confidence interval (t distribution).

Usage: python bench/bench_policies.py [--network reference] [--reps 30] [--days 365]
"""

import argparse
import time

import numpy as np
from scipy import stats

import solvers.policies  # noqa: F401  (registers the policies)
from twin.network_files import load_network
from twin.sim import simulate

KPIS = ("fill_rate_critical", "fill_rate_high", "fill_rate_routine", "fill_rate",
        "scrapped_units_expired", "scrapped_value_expired", "inventory_value_mean",
        "emergency_units")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--network", default="reference")
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    net = load_network(args.network)
    values: dict[str, dict[str, list[float]]] = {p: {k: [] for k in KPIS}
                                                 for p in ("heuristic", "optimised")}
    start = time.perf_counter()
    for rep in range(args.reps):
        for policy in values:
            summary = simulate(net, days=args.days, seed=rep, policy=policy).summary()
            for k in KPIS:
                values[policy][k].append(float(summary[k]))
    print(f"{args.network}: {args.reps} replications × {args.days} days, "
          f"{time.perf_counter() - start:.0f} s")
    print(f"{'KPI':<24}{'heuristic':>14}{'optimised':>14}{'diff':>14}{'95% CI':>28}")
    for k in KPIS:
        h, o = np.array(values["heuristic"][k]), np.array(values["optimised"][k])
        d = o - h
        half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
        print(f"{k:<24}{h.mean():>14.4f}{o.mean():>14.4f}{d.mean():>14.4f}"
              f"   [{d.mean() - half:>11.4f}, {d.mean() + half:>11.4f}]")


if __name__ == "__main__":
    main()
