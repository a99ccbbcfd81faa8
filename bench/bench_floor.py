"""What the demand draws alone cost (``python bench/bench_floor.py [--repeat N]``): the floor
under issue 16's targets for one replication (part 1) and for experiments (part 3).

Every demand series draws its day's units from its model each day: 1,686 series on the
reference network, 31,126 on the generated 20 × 2,000 × 100 one. This times exactly those
draws — :meth:`twin.sim.demand.ModelDemand.sample` for 365 days, the twin's own code on its
own stream — beside the raw SimPy loop of 1M timeouts and a whole twin-year (heuristic
policy on the reference network, ``fixed_ss_emergency`` on the generated one), all in this
process, and sets them against the targets:

- part 1: a replication of the generated network ≤ 1.5 × the raw loop;
- part 3: 1,000 × 6 × 2 twin-years of the reference network in 10 minutes on 2 workers,
  i.e. ≤ 0.1 s of one core per twin-year.

Results are printed and written as JSON (default ``bench/results/bench_floor.json``).
"""

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_simulate import raw_simpy

from solvers.registry import shipped_policies
from twin.domain import Network
from twin.network_files import load_network
from twin.sim import simulate
from twin.sim.demand import ModelDemand
from twin.sim.index import NetworkIndex
from twin.sim.randomness import Streams
from twin.synthetic import generate_network

DAYS = 365
TARGET_RATIO, TARGET_RUN_S = 1.5, 600 * 2 / 12_000


def cpu_min(fn: Callable[[], object], repeat: int) -> float:
    """Least CPU seconds of ``repeat`` calls of ``fn``."""
    out = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        out.append(time.process_time() - start)
    return min(out)


def draws(net: Network) -> Callable[[], None]:
    """365 days of the twin's demand draws of ``net`` (seed 1, no multipliers)."""
    index = NetworkIndex(net)
    factor = np.ones(len(index.regions))
    start = net.snapshot.as_of

    def run() -> None:
        demand = ModelDemand(index, Streams.from_seed(1).demand)
        for day in range(DAYS):
            demand.sample(day, start + dt.timedelta(days=day), factor)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions (min kept)")
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).parent / "results" / "bench_floor.json")
    args = parser.parse_args()
    ref = load_network("reference")
    big = generate_network(warehouses=20, items=2000, hospitals=100, seed=1)
    raw = cpu_min(raw_simpy, args.repeat)
    ref_draws, big_draws = cpu_min(draws(ref), args.repeat), cpu_min(draws(big), args.repeat)
    ref_run = cpu_min(lambda: simulate(ref, days=DAYS, seed=1, policy="heuristic",
                                       policies=shipped_policies()), args.repeat)
    big_run = cpu_min(lambda: simulate(big, days=DAYS, seed=1, policy="fixed_ss_emergency"),
                      max(1, args.repeat // 2))
    report = {
        "date": dt.date.today().isoformat(),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                    "python": sys.version.split()[0], "numpy": np.__version__},
        "load_average": os.getloadavg(),
        "cpu_seconds": {"raw_simpy_1M": raw, "reference_draws_365d": ref_draws,
                        "reference_twin_year": ref_run, "generated_draws_365d": big_draws,
                        "generated_twin_year": big_run},
        "part1_budget_s": TARGET_RATIO * raw,
        "part1_draws_share_of_budget": big_draws / (TARGET_RATIO * raw),
        "part3_budget_s": TARGET_RUN_S,
        "part3_draws_share_of_budget": ref_draws / TARGET_RUN_S,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"raw SimPy, 1M timeouts                 {raw:6.3f} s CPU")
    print(f"generated network: draws {big_draws:.3f} s, twin-year {big_run:.3f} s; part 1 "
          f"budget {TARGET_RATIO * raw:.3f} s, of which the draws take "
          f"{report['part1_draws_share_of_budget']:.0%}")
    print(f"reference network: draws {ref_draws:.3f} s, twin-year {ref_run:.3f} s; part 3 "
          f"budget {TARGET_RUN_S:.3f} s a twin-year, of which the draws take "
          f"{report['part3_draws_share_of_budget']:.0%}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
