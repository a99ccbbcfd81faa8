"""Benchmark of the Compare page on a 1,000-replication result file
(``python bench/bench_dashboard.py [--base-reps N]``).

A real experiment of the reference network (heuristic and fixed_ss × six scenarios ×
``--base-reps`` replications × 365 days) is tiled along ``replication`` to 1,000
replications — the shape and size of a 1,000-replication file (the page's cost depends on
the shape, not the values) — and written to NetCDF. Then, cold (empty caches): open the
file, build the Compare page and render it to Bokeh models (KPI table with CIs, paired
differences, distribution plot, two daily series), as a browser session would.
Target: within 2 s. Results in ``bench/results/bench_dashboard.json``.
"""

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import panel as pn
import xarray as xr

from dashboards.data import DataStore
from dashboards.views.compare import CompareView
from scenarios.execution import run
from scenarios.experiment import Experiment
from scenarios.library import Library
from scenarios.results import write
from twin.network_files import load_network

SCENARIOS = "baseline,demand-surge,supplier-delay,lane-closure,cold-chain-failure,warehouse-outage"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-reps", type=int, default=4)
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).parent / "results" / "bench_dashboard.json")
    args = parser.parse_args()
    net = load_network("reference")
    exp = Experiment(net, ("heuristic", "fixed_ss"),
                     tuple(Library().resolve_all(SCENARIOS, net)), days=365)
    base = run(exp, range(args.base_reps), workers=2, progress=True)
    tiles = -(-args.reps // args.base_reps)
    big = xr.concat([base] * tiles, dim="replication").isel(
        replication=slice(0, args.reps))
    big = big.assign_coords(replication=np.arange(args.reps),
                            replication_seed=("replication", np.arange(args.reps)))
    with tempfile.TemporaryDirectory() as tmp:
        path = write(big, Path(tmp) / "big.nc")
        size = path.stat().st_size
        timings = []
        for _ in range(3):
            pn.state.clear_caches()
            start = time.perf_counter()
            view = CompareView(data=DataStore(results_dir=tmp, network_name="reference"))
            root = pn.panel(view).get_root()
            timings.append(time.perf_counter() - start)
            del root
    result = {"date": dt.date.today().isoformat(),
              "machine": f"{platform.machine()} {os.cpu_count()} cores, Python "
                         f"{platform.python_version()}",
              "load_average": os.getloadavg(), "replications": args.reps,
              "file_mb": round(size / 1e6, 1), "render_s": [round(t, 2) for t in timings]}
    print(json.dumps(result, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
