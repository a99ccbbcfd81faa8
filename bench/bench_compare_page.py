"""Render time of the Compare page after login, in Chromium
(``python bench/bench_compare_page.py RESULT.nc [--times N]``).

RESULT.nc: an experiment of the reference network, e.g.
``medtwin compare reference --policies heuristic,fixed_ss
--scenarios baseline,demand-surge,supplier-delay --reps 5 --days 180 --out RESULT.nc``.
The dashboard serves a folder holding only that file; a manager logs in, then ``--times``
times a fresh page opens the Compare tab: the time from the click until the verdict tiles
show (the first is cold: the file is read and its statistics computed). Goal: ≤ 1 s.
Results in ``bench/results/bench_compare_page.json``.
"""

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright

from dashboards.app import serve
from dashboards.data import DataStore
from erp_adapter.tryton.server import free_port
from medtwin.store import PlanStore, open_store
from medtwin.store.identity import os_account

CHROMIUM = "/usr/bin/chromium"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("result", type=Path)
    parser.add_argument("--times", type=int, default=5)
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).parent / "results" / "bench_compare_page.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "results"
        folder.mkdir()
        shutil.copy(args.result, folder / args.result.name)
        url = f"sqlite:///{tmp}/store.db"
        PlanStore(open_store(url)).bootstrap("mia", os_account(), password="bench-secret")
        data = DataStore(results_dir=str(folder), store_url=url, network_name="reference")
        port = free_port()
        server = serve(data, port, threaded=True)
        base = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                            args=["--no-sandbox", "--disable-gpu"])
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                page = context.new_page()
                page.set_default_timeout(120_000)
                page.goto(base)
                page.fill("input[name=username]", "mia")
                page.fill("input[name=password]", "bench-secret")
                page.click("form.login-form button")
                page.wait_for_selector("text=signed in as mia")
                times = []
                for _ in range(args.times):
                    page.goto(base)
                    page.wait_for_selector("text=Inventory health")
                    start = time.perf_counter()
                    page.locator(".bk-tab").filter(has_text="Compare").first.click()
                    page.wait_for_selector(".verdict .tile")
                    times.append(time.perf_counter() - start)
                browser.close()
        finally:
            server.stop()
    result = {"date": dt.date.today().isoformat(), "machine": platform.platform(),
              "cpus": os.cpu_count(), "load_average": os.getloadavg(),
              "file": args.result.name, "compare_after_login_s": times,
              "cold_s": times[0], "warm_median_s": statistics.median(times[1:] or times)}
    args.out.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
