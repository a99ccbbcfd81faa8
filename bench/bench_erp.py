"""Benchmark of the Tryton adapter (``python bench/bench_erp.py [--history-days N] [--out F]``).

Against a real ``trytond`` on SQLite (127.0.0.1), with the reference network seeded into it
(seeding is cached in ``.cache/tryton``, keyed by the Tryton versions, the network files and
the seeder's source):

1. **pull** — log in, read the code mapping, pull the snapshot as of the network's date
   (checked equal to the network's own), the demand history and the master data; what
   ``medtwin erp pull`` does. Target: within 60 s.
2. **publish** 1,000 plan lines — transfers inside one org (internal shipments), transfers
   between orgs (sale + purchase pairs), purchase orders and reorder points (order
   points), checked against the network and the ERP's stock first. Target: within 60 s.
   Then the same plan again (everything exists: nothing created) and a dry run.
3. **publish the reference network's own plan** (``make_plan``: 417 reorder points, 230
   transfers, 22 purchases) into a fresh copy.

Results are printed and written as JSON (default ``bench/results/bench_erp.json``).
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
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from erp_adapter.credentials import Credentials
from erp_adapter.plan_check import check_plan
from erp_adapter.tryton import seed as seed_module
from erp_adapter.tryton.adapter import TrytonAdapter
from erp_adapter.tryton.client import TrytonClient
from erp_adapter.tryton.seed import seed_network
from erp_adapter.tryton.server import (
    TrytonServer,
    copy_database,
    ensure_template,
    template_fingerprint,
)
from twin.domain import Network, Plan, PurchaseAction, ReorderPointAction, TransferAction
from twin.domain.plan import action_key
from twin.network_files import NETWORKS_DIR, load_network

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".cache" / "tryton"
LINES = {"transfer inside an org": 350, "transfer between orgs": 150, "purchase": 100,
         "reorder_point": 400}
PER_LANE_AND_DAY = 4  # the reference plan carries ~5.5 transfer lines per lane and date


def seeded_reference(net: Network, history_days: int) -> tuple[Path, str, float | None]:
    """The reference network seeded into a copy of the template (built once, cached)."""
    template, password = ensure_template(CACHE)
    digest = hashlib.sha256()
    for f in sorted((NETWORKS_DIR / "reference").iterdir()):
        digest.update(f.read_bytes())
    digest.update(Path(seed_module.__file__).read_bytes())
    db = CACHE / template_fingerprint() / f"reference-{history_days}d-{digest.hexdigest()[:12]}"
    if (db / "medtwin.sqlite").exists():
        return db / "medtwin.sqlite", password, None
    work = Path(tempfile.mkdtemp(prefix="seed-", dir=CACHE))
    server = TrytonServer.from_template(template, work)
    with server, TrytonClient(server.url, Credentials("admin", password)) as client:
        report = seed_network(client, net, history_days=history_days)
    print(f"  {report}")
    copy_database(server.db_file, work / "seeded.sqlite")
    db.mkdir(parents=True, exist_ok=True)
    os.replace(work / "seeded.sqlite", db / "medtwin.sqlite")
    return db / "medtwin.sqlite", password, report.seconds


def bench_plan(net: Network) -> Plan:
    """1,000 valid lines on the reference network, shaped like the plans ``make_plan`` makes
    (weekly ship and order dates, several items per lane and date): one-unit transfers from
    the available lots at each lane's source, orders of each supplier offer's MOQ, and
    (s, S) per stock policy."""
    as_of = net.snapshot.as_of
    dates = [as_of + dt.timedelta(days=7 * w) for w in range(4)]
    want = dict(LINES)
    actions: list = []
    lots = defaultdict(list)
    for lp in net.snapshot.lots:
        if lp.status == "available" and lp.quantity >= 2:
            lots[lp.warehouse].append(lp)
    taken: Counter = Counter()
    whs, items = net.warehouse_by_id, net.item_by_code
    lanes = sorted(net.lanes, key=lambda ln: ln.id)
    for kind, across in (("transfer inside an org", False), ("transfer between orgs", True)):
        pool = [ln for ln in lanes if net.crosses_orgs(ln) == across]
        for rnd in range(50):
            for day in dates:
                for lane in pool:
                    picked = 0
                    for lp in lots[lane.source][rnd * 7:]:
                        item = items[lp.item]
                        if want[kind] == 0 or picked == PER_LANE_AND_DAY:
                            break
                        if (item.cold_chain and not (lane.cold_chain
                                                     and whs[lane.target].cold_chain)) \
                                or whs[lane.target].region not in item.registered_regions \
                                or taken[(lp.warehouse, lp.item, lp.lot)] >= lp.quantity:
                            continue
                        taken[(lp.warehouse, lp.item, lp.lot)] += 1
                        picked += 1
                        actions.append(TransferAction(
                            key=action_key("transfer", lane.id, lp.item, lp.lot, day, rnd),
                            reason="bench", **{"from": lane.source, "to": lane.target},
                            mode=lane.mode, item=lp.item, lot=lp.lot, quantity=1,
                            ship_date=day))
                        want[kind] -= 1
    offers = [(s, o, w) for s in net.suppliers for w in s.delivers_to for o in s.supplies
              if not (items[o.item].cold_chain and not whs[w].cold_chain)]
    for n in range(want["purchase"]):
        s, o, w = offers[n % len(offers)]
        day = dates[(n // len(offers)) % len(dates)]
        actions.append(PurchaseAction(key=action_key("purchase", s.id, o.item, w, day),
                                      reason="bench", supplier=s.id, item=o.item, warehouse=w,
                                      quantity=o.moq, order_date=day))
    for p in net.stock_policies[:want["reorder_point"]]:
        actions.append(ReorderPointAction(
            key=action_key("reorder_point", p.warehouse, p.item), reason="bench",
            warehouse=p.warehouse, item=p.item, reorder_point=p.reorder_point + 1,
            order_up_to=p.order_up_to + 1))
    plan = Plan(id="bench-1000", network=net.name, as_of=as_of, horizon_days=28,
                created=dt.datetime.combine(as_of, dt.time(), dt.UTC), actions=actions)
    assert len(actions) == sum(LINES.values()), len(actions)
    problems = check_plan(plan, net)
    assert not problems, problems[:5]
    return plan


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history-days", type=int, default=7)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "bench_erp.json")
    args = parser.parse_args()
    net = load_network("reference")
    print(f"seeding the reference network ({args.history_days} days of history; cached)")
    db_file, password, seed_seconds = seeded_reference(net, args.history_days)
    creds = Credentials("admin", password)
    as_of = net.snapshot.as_of
    out: dict = {"machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                             "python": platform.python_version()},
                 "load_average": list(os.getloadavg()), "when": dt.datetime.now().isoformat(),
                 "seed_seconds": seed_seconds, "history_days": args.history_days}
    with tempfile.TemporaryDirectory() as tmp:
        server = TrytonServer.from_template(db_file, Path(tmp))
        with server:
            def pull():
                with TrytonAdapter(server.url, net, creds) as adapter:
                    snap = adapter.pull_snapshot(as_of)
                    hist = adapter.pull_history(as_of - dt.timedelta(days=90),
                                                as_of - dt.timedelta(days=1))
                    master, _ = adapter.pull_master()
                    return snap, hist, master, adapter.client.calls
            (snap, hist, master, calls), pull_s = timed(pull)
            exact = (sorted(lp.model_dump_json() for lp in snap.lots)
                     == sorted(lp.model_dump_json() for lp in net.snapshot.lots)
                     and snap.in_transit == net.snapshot.in_transit
                     and snap.purchase_orders == net.snapshot.purchase_orders)
            out["pull"] = {"seconds": pull_s, "rpc_calls": calls, "lot_positions": len(snap.lots),
                           "in_transit": len(snap.in_transit),
                           "purchase_orders": len(snap.purchase_orders),
                           "demand_records": len(hist), "items": len(master["items"]),
                           "snapshot_equals_network": exact}
            print(f"pull: {pull_s:.1f} s, {calls} calls, {len(snap.lots)} lot positions, "
                  f"{len(hist)} demand records, snapshot equals the network's: {exact}")
            plan = bench_plan(net)
            kinds = Counter(a.kind for a in plan.actions)
            for label, dry in (("publish", False), ("publish again", False), ("dry run", True)):
                def run(dry=dry):
                    with TrytonAdapter(server.url, net, creds) as adapter:
                        return adapter.publish(plan, dry_run=dry), adapter.client.calls
                (results, calls), seconds = timed(run)
                outcomes = Counter(r.outcome for r in results)
                out[label] = {"seconds": seconds, "lines": len(plan.actions), "rpc_calls": calls,
                              "outcomes": dict(outcomes), "kinds": dict(kinds)}
                print(f"{label}: {len(plan.actions)} lines in {seconds:.1f} s "
                      f"({calls} calls): {dict(outcomes)}")
        # the reference network's own plan (make_plan: reorder points, transfers, purchases)
        from solvers.planning import make_plan
        real, plan_s = timed(lambda: make_plan(net))
        server = TrytonServer.from_template(db_file, Path(tmp) / "real")
        with server:
            def run_real():
                with TrytonAdapter(server.url, net, creds) as adapter:
                    return adapter.publish(real), adapter.client.calls
            (results, calls), seconds = timed(run_real)
        outcomes = Counter(r.outcome for r in results)
        out["publish make_plan(reference)"] = {
            "seconds": seconds, "lines": len(real.actions), "rpc_calls": calls,
            "plan_seconds": plan_s, "outcomes": dict(outcomes),
            "kinds": dict(Counter(a.kind for a in real.actions))}
        print(f"publish make_plan(reference): {len(real.actions)} lines in {seconds:.1f} s "
              f"({calls} calls): {dict(outcomes)}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2))
    print(f"→ {args.out}")


if __name__ == "__main__":
    main()
