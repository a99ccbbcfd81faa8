"""Benchmark of the SimPy twin (``python bench/bench_simulate.py [--repeat N] [--out FILE]``).

1. A raw SimPy loop of one million timeouts, timed in the same process: the yardstick.
2. One 365-day replication of the generated 20-warehouse × 2,000-item × 100-hospital network
   with every phenomenon on (stochastic demand and lead times, FEFO with shelf-life rules,
   QC holds and defects, expiry, transfers with cold-chain excursions, inter-org prices,
   emergency shipments, and scenario events: recall, warehouse outage, lane closure,
   supplier outage and delay, regional demand surge, excursion surge).
   Reported: seconds, stock-point-days per second, and the ratio to the raw SimPy loop
   (the least of the repetitions; the first, which also builds the network's index —
   later ones share it, as an experiment's replications do — is reported too).
3. SupplyNetPy (import name ``SupplyNetPy``) and the twin on the same small networks: one
   infinite supplier, K distributors (K = 10 and 200) with (s, S), a fixed lead time and
   daily demand; stock-point-days per second for both.

Results are printed and written as JSON (default ``bench/results/bench_simulate.json``).
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import simpy

from twin.domain import Network
from twin.sim import (
    DemandMultiplier,
    ExcursionMultiplier,
    LaneClosure,
    Recall,
    SupplierDisruption,
    WarehouseOutage,
    simulate,
)
from twin.synthetic import generate_network

DAYS = 365
SMALL_KS, SMALL_S, SMALL_BIG_S, SMALL_LEAD = (10, 200), 100, 300, 5


def timed(fn: Callable[[], object], repeat: int, cpu: list[float] | None = None
          ) -> list[float]:
    """Wall-clock seconds of ``repeat`` calls of ``fn`` (CPU seconds appended to ``cpu``)."""
    out = []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        out.append(time.perf_counter() - start)
        if cpu is not None:
            cpu.append(time.process_time() - start_cpu)
    return out


def raw_simpy(n: int = 1_000_000) -> None:
    """One process yielding ``n`` timeouts."""
    env = simpy.Environment()

    def proc(env: simpy.Environment):
        for _ in range(n):
            yield env.timeout(1)

    env.process(proc(env))
    env.run()


def all_phenomena(net: Network) -> list:
    """Scenario events touching every kind of disruption, on fixed entities."""
    cold = next(i.code for i in net.items if i.cold_chain)
    return [
        Recall(item=cold, day=100),
        WarehouseOutage(warehouse=net.warehouses[1].id, start=60, end=66),
        LaneClosure(lane=net.lanes[0].id, start=30, end=40),
        SupplierDisruption(supplier=net.suppliers[0].id, start=90, end=95, outage=True),
        SupplierDisruption(supplier=net.suppliers[1].id, start=120, end=180,
                           lead_time_factor=1.5),
        DemandMultiplier(region=net.hospitals[0].region, start=200, end=230, factor=1.3),
        ExcursionMultiplier(start=150, end=160, factor=3.0),
    ]


def supplynetpy_run(k: int, days: int, seed: int) -> None:
    """SupplyNetPy: an infinite supplier feeding ``k`` (s, S) distributors with daily demand."""
    import SupplyNetPy.Components as scm

    rng = random.Random(seed)
    nodes = [{"ID": "S1", "name": "S1", "node_type": "infinite_supplier"}]
    links, demands = [], []
    for j in range(k):
        nodes.append({"ID": f"D{j}", "name": f"D{j}", "node_type": "distributor",
                      "capacity": 2 * SMALL_BIG_S, "initial_level": SMALL_BIG_S,
                      "inventory_holding_cost": 0.2, "replenishment_policy": scm.SSReplenishment,
                      "policy_param": {"s": SMALL_S, "S": SMALL_BIG_S},
                      "product_buy_price": 100, "product_sell_price": 105})
        links.append({"ID": f"L{j}", "source": "S1", "sink": f"D{j}", "cost": 5,
                      "lead_time": lambda: SMALL_LEAD})
        demands.append({"ID": f"d{j}", "name": f"d{j}", "order_arrival_model": lambda: 1,
                        "order_quantity_model": lambda: rng.randint(5, 15),
                        "demand_node": f"D{j}"})
    scm.global_logger.disable_logging()
    net = scm.create_sc_net(nodes=nodes, links=links, demands=demands)
    scm.simulate_sc_net(net, sim_time=days, logging=False)


def small_network(k: int) -> Network:
    """The twin's version of :func:`supplynetpy_run`'s network (one item, k warehouses)."""
    big = generate_network(warehouses=2, items=5, hospitals=1, seed=0)
    item = big.items[0].model_copy(update={"unmet_demand": "lost", "qc_hold_days": 0})
    whs = [big.warehouses[0].model_copy(update={"id": f"D{j}", "org": big.orgs[0].id})
           for j in range(k)]
    return Network.model_validate({
        "name": "small", "regions": big.regions, "orgs": big.orgs[:1], "warehouses": whs,
        "items": [item],
        "suppliers": [{"id": "S1", "name": "S1", "delivers_to": [w.id for w in whs],
                       "supplies": [{"item": item.code, "lead_time": {
                           "family": "fixed", "mean": SMALL_LEAD}}]}],
        "hospitals": [{"id": f"H{j}", "name": f"H{j}", "region": w.region, "city": w.city,
                       "latitude": w.latitude, "longitude": w.longitude, "served_by": [w.id],
                       "departments": [{"id": "WARD", "kind": "ward", "priority": "routine"}]}
                      for j, w in enumerate(whs)],
        "demand": [{"hospital": f"H{j}", "department": "WARD", "item": item.code,
                    "mean_per_day": 10.0} for j in range(k)],
        "stock_policies": [{"warehouse": w.id, "item": item.code, "reorder_point": SMALL_S,
                            "order_up_to": SMALL_BIG_S, "source": "S1"} for w in whs],
        "settings": {"review_period_days": 1},
        "snapshot": {"as_of": big.snapshot.as_of, "lots": [
            {"warehouse": w.id, "item": item.code, "lot": "L0",
             "expiry": big.snapshot.as_of.replace(year=big.snapshot.as_of.year + 5),
             "quantity": SMALL_BIG_S} for w in whs]},
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions (min is kept)")
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).parent / "results" / "bench_simulate.json")
    args = parser.parse_args()

    raw_cpu: list[float] = []
    big_cpu: list[float] = []
    raw = timed(raw_simpy, args.repeat, raw_cpu)
    net = generate_network(warehouses=20, items=2000, hospitals=100, seed=1)
    events = all_phenomena(net)
    points = len(net.warehouses) * len(net.items)
    big = timed(lambda: simulate(net, days=DAYS, seed=1, policy="fixed_ss_emergency",
                                 events=events), args.repeat, big_cpu)
    result = simulate(net, days=DAYS, seed=1, policy="fixed_ss_emergency", events=events)
    small = {}
    for k in SMALL_KS:
        net_k = small_network(k)
        twin_k = min(timed(lambda n=net_k: simulate(n, days=DAYS, seed=1, policy="fixed_ss"),
                           args.repeat))
        snp_k = min(timed(lambda k=k: supplynetpy_run(k, DAYS, 1), args.repeat))
        small[f"{k}_stock_points"] = {
            "days": DAYS, "twin_seconds": twin_k,
            "twin_stock_point_days_per_s": k * DAYS / twin_k,
            "supplynetpy_seconds": snp_k,
            "supplynetpy_stock_point_days_per_s": k * DAYS / snp_k}

    report = {
        "machine": {"platform": platform.platform(), "processor": platform.processor(),
                    "cpus": os.cpu_count(), "python": sys.version.split()[0],
                    "numpy": np.__version__, "simpy": simpy.__version__},
        "load_average": os.getloadavg(),
        "raw_simpy_1M_timeouts_s": {"min": min(raw), "median": statistics.median(raw),
                                    "cpu_min": min(raw_cpu)},
        "twin_365d_20w_2000i_100h": {
            "network": net.name, "stock_points": points, "series": len(net.demand),
            "lot_rows": len(net.snapshot.lots), "events": len(events),
            "seconds_min": min(big), "seconds_median": statistics.median(big),
            # the first builds the network's index; later ones share it, as replications do
            "seconds_first": big[0],
            "stock_point_days_per_s": points * DAYS / min(big),
            "ratio_to_raw_simpy": min(big) / min(raw),
            "cpu_seconds_min": min(big_cpu),
            "cpu_ratio_to_raw_simpy": min(big_cpu) / min(raw_cpu),
            "ledger_rows": len(result.ledger_book.columns()["day"]),
            "fill_rate": result.summary()["fill_rate"],
        },
        "small_networks": small,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    b = report["twin_365d_20w_2000i_100h"]
    print(f"raw SimPy, 1M timeouts      {min(raw):8.2f} s")
    print(f"twin, 365 d, {points:,} stock points, {len(events)} events: {b['seconds_min']:.2f} s"
          f" = {b['stock_point_days_per_s'] / 1e6:.2f} M stock-point-days/s, "
          f"ratio to raw SimPy {b['ratio_to_raw_simpy']:.2f} (CPU time: "
          f"{b['cpu_seconds_min']:.2f} s, ratio {b['cpu_ratio_to_raw_simpy']:.2f})")
    for k in SMALL_KS:
        s = small[f"{k}_stock_points"]
        print(f"small network ({k} stock points, {DAYS} d): twin "
              f"{s['twin_stock_point_days_per_s']:,.0f} vs SupplyNetPy "
              f"{s['supplynetpy_stock_point_days_per_s']:,.0f} stock-point-days/s")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
