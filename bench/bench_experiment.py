"""Benchmark of Monte Carlo experiments (``python bench/bench_experiment.py [--reps N]``).

The reference network, policies heuristic and fixed_ss, six scenarios (baseline,
demand-surge, supplier-delay, lane-closure, cold-chain-failure, warehouse-outage), 365 days:

1. serial (in process) and on a Dask LocalCluster of 2 single-threaded workers (cluster
   start included), same replications: the speed-up, and a check that both files are
   bit-identical. Target: ≥ 1.85×.
2. the time for 1,000 replications × 6 scenarios × 2 policies, extrapolated from the
   measured Dask throughput (runs/s). Target: within 10 minutes.

Results are printed and written as JSON (default ``bench/results/bench_experiment.json``).
"""

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scenarios.execution import run
from scenarios.experiment import Experiment
from scenarios.library import Library
from scenarios.results import write
from twin.network_files import load_network

SCENARIOS = "baseline,demand-surge,supplier-delay,lane-closure,cold-chain-failure,warehouse-outage"
POLICIES = ("heuristic", "fixed_ss")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=8)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).parent / "results" / "bench_experiment.json")
    args = parser.parse_args()
    net = load_network("reference")
    exp = Experiment(net, POLICIES, tuple(Library().resolve_all(SCENARIOS, net)),
                     days=args.days, seed=0)
    runs = args.reps * 6 * len(POLICIES)
    times, digests = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, workers in (("serial", 1), ("dask", args.workers)):
            start = time.perf_counter()
            ds = run(exp, range(args.reps), workers=workers, progress=True)
            times[label] = time.perf_counter() - start
            path = write(ds, Path(tmp) / f"{label}.nc")
            digests[label] = hashlib.sha256(path.read_bytes()).hexdigest()
            print(f"{label}: {runs} runs in {times[label]:.1f} s "
                  f"({runs / times[label]:.2f} runs/s)")
    speedup = times["serial"] / times["dask"]
    full_runs = 1000 * 6 * len(POLICIES)
    full_minutes = full_runs / (runs / times["dask"]) / 60
    result = {
        "date": dt.date.today().isoformat(),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}",
        "load_average": os.getloadavg(), "replications": args.reps, "days": args.days,
        "runs": runs, "workers": args.workers, "serial_s": round(times["serial"], 2),
        "dask_s": round(times["dask"], 2), "speedup": round(speedup, 2),
        "identical_files": digests["serial"] == digests["dask"],
        "serial_s_per_run": round(times["serial"] / runs, 3),
        "extrapolated_1000_reps_minutes": round(full_minutes, 1),
    }
    print(json.dumps(result, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
