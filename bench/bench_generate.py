"""Time generate → save → load of a large synthetic network (20 warehouses × 2000 items ×
100 hospitals, seed 1) and print seconds per step and the row counts.

Run from the repository root: ``python bench/bench_generate.py``.
"""

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from twin.network_files import TABLES, load_network, save_network
from twin.synthetic import generate_network

SIZE = {"warehouses": 20, "items": 2000, "hospitals": 100, "seed": 1}


def main() -> None:
    """Run the three steps once and report."""
    times: dict[str, float] = {}
    start = time.perf_counter()
    net = generate_network(**SIZE)
    times["generate"] = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        save_network(net, Path(tmp) / "net", tables=TABLES.keys())
        times["save"] = time.perf_counter() - start
        size_mb = sum(f.stat().st_size for f in (Path(tmp) / "net").iterdir()) / 1e6
        start = time.perf_counter()
        loaded = load_network(Path(tmp) / "net")
        times["load (incl. validation)"] = time.perf_counter() - start
    assert loaded.model_dump() == net.model_dump()
    print("generate_network(" + ", ".join(f"{k}={v}" for k, v in SIZE.items()) + ")")
    for step, seconds in times.items():
        print(f"  {step:<24} {seconds:6.2f} s")
    print(f"  {'total':<24} {sum(times.values()):6.2f} s")
    snap = net.snapshot
    rows = {"orgs": len(net.orgs), "warehouses": len(net.warehouses), "items": len(net.items),
            "suppliers": len(net.suppliers),
            "supply offers": sum(len(s.supplies) for s in net.suppliers),
            "hospitals": len(net.hospitals),
            "departments": sum(len(h.departments) for h in net.hospitals),
            "lanes": len(net.lanes), "demand models": len(net.demand),
            "stock policies": len(net.stock_policies), "lot rows": len(snap.lots),
            "in transit": len(snap.in_transit), "purchase orders": len(snap.purchase_orders)}
    print("rows:")
    for name, n in rows.items():
        print(f"  {name:<24} {n:>8}")
    print(f"  {'files on disk (MB)':<24} {size_mb:8.1f}")


if __name__ == "__main__":
    main()
