"""Render time of the Network, Recall and Inventory pages after login, on the reference
network, in Debian's Chromium (``python bench/bench_pages.py [--repeats N]``).

A 60-day simulated run of the reference network (heuristic, seed 1) is the results folder;
the dashboard serves it on 127.0.0.1. After login, each page's tab is clicked and timed
until its content is drawn (Network: the map's canvas and the health table's rows; Recall:
the lot's whereabouts; Inventory: the stock chart and the lots table). Before the browser,
each page is built and turned into Bokeh models in the process (``server build``: the
server's share, the first of them cold). Network is the page a login lands on, so it is
timed from the login button to its content (the login page embeds the app in place; the
server builds the Network page with the session's header and tabs; every other page is
built when its tab is first opened) and, as its own render time, from the app's header to its
content (``Network after the header``). The login page idles until what it loads ahead
for the app (scripts, stylesheets) is loaded and run, as while a user types. Each repeat
opens a new browser context (empty cache, new session), and at its end logs out and in
again in that context (``Network, returning browser``: scripts cached). Also timed: Run
recall impact (a simulation, not a render: 5 replications × 2 runs × 60 days). Target:
each page within 1 s. The selectors exist before issue 17's changes too: copied into an
older tree's ``bench/``, the script times that tree.
Results in ``bench/results/bench_pages.json``.
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

import panel as pn
from playwright.sync_api import sync_playwright

from dashboards.app import serve
from dashboards.data import DataStore
from dashboards.views.inventory import InventoryView
from dashboards.views.network import NetworkView
from dashboards.views.recall import RecallView
from erp_adapter.tryton.server import free_port
from solvers.registry import shipped_policies
from tests.medtwin.store.samples import new_store
from twin.network_files import load_network
from twin.sim import simulate

DRAWN = {"Network": (".health tbody tr", "canvas"),
         "Recall": (".lot-where .tabulator-row",),
         "Inventory": (".lots .tabulator-row", "canvas")}
"""What shows that a page is drawn (every selector visible)."""


def _drawn(page: object, name: str) -> None:
    for selector in DRAWN[name]:
        page.locator(selector).first.wait_for(state="visible")  # type: ignore[attr-defined]


def _login(page: object, base: str) -> tuple[float, float]:
    """Sign ``page`` in as mia: seconds from the login button to the app's header and to
    the Network page drawn. The login page is left to idle first (what it loads ahead for
    the app loaded and run), as it would while a user types."""
    page.goto(base)  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    page.fill("input[name=username]", "mia")  # type: ignore[attr-defined]
    page.fill("input[name=password]", "mia-secret")  # type: ignore[attr-defined]
    start = time.perf_counter()
    page.click("form.login-form button")  # type: ignore[attr-defined]
    page.wait_for_selector("text=signed in as mia")  # type: ignore[attr-defined]
    header = time.perf_counter() - start
    _drawn(page, "Network")
    return header, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).parent / "results" / "bench_pages.json")
    args = parser.parse_args()
    timings: dict[str, list[float]] = {name: [] for name in (
        *(f"{page} server build" for page in DRAWN), "login to header", *DRAWN,
        "Network after the header", "Network, returning browser", "recall run")}
    with tempfile.TemporaryDirectory() as tmp:
        simulate(load_network("reference"), days=60, seed=1, policy="heuristic",
                 policies=shipped_policies()).write(Path(tmp) / "run.nc")
        url = f"sqlite:///{Path(tmp) / 'store.db'}"
        new_store(url, passwords={"mia": "mia-secret"})
        data = DataStore(results_dir=tmp, store_url=url, network_name="reference")
        for name, view in (("Network", NetworkView), ("Recall", RecallView),
                           ("Inventory", InventoryView)):
            for _ in range(args.repeats):
                start = time.perf_counter()
                pn.panel(view(data=data)).get_root()
                timings[f"{name} server build"].append(time.perf_counter() - start)
        port = free_port()
        server = serve(data, port, threaded=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            base = f"http://127.0.0.1:{port}"
            for _ in range(args.repeats):
                page = browser.new_page()  # a new context: empty cache, no cookies
                page.set_viewport_size({"width": 1400, "height": 1000})
                page.set_default_timeout(120_000)
                header, network = _login(page, base)
                timings["login to header"].append(header)
                timings["Network"].append(network)
                timings["Network after the header"].append(network - header)
                for name in ("Recall", "Inventory"):
                    start = time.perf_counter()
                    page.locator(".bk-tab").filter(has_text=name).first.click()
                    _drawn(page, name)
                    timings[name].append(time.perf_counter() - start)
                page.locator(".bk-tab").filter(has_text="Recall").first.click()
                start = time.perf_counter()
                page.click("button:has-text('Run recall impact')")
                page.wait_for_selector(".recall-impact", timeout=600_000)
                timings["recall run"].append(time.perf_counter() - start)
                page.goto(f"{base}/logout")
                timings["Network, returning browser"].append(_login(page, base)[1])
                page.close()
            browser.close()
        server.stop()
    result = {"date": dt.date.today().isoformat(),
              "machine": f"{platform.machine()} {os.cpu_count()} cores, Python "
                         f"{platform.python_version()}",
              "load_average": os.getloadavg(),
              "seconds": {k: [round(t, 2) for t in v] for k, v in timings.items()}}
    print(json.dumps(result, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
