"""Benchmark of seeding a Tryton database (``python bench/bench_seed.py [--history-days N]
[--network NAME] [--out F]``).

Seeds the network (default: the bundled ``reference``, 14 days of demand history) into a
fresh copy of the cached template database (``.cache/tryton`` at the repository root, or
``--cache``) through a real ``trytond`` on SQLite, as ``medtwin demo`` does on its first
run of a day (snapshot rebased on the ERP's today), and prints the seconds of each step
of :func:`erp_adapter.tryton.seed.seed_network`, the RPC calls and the CPU seconds the
``trytond`` process spent (the machine is shared: wall time moves with the load, the
server's CPU time much less). Nothing is cached: every run seeds afresh.

Results are printed and written as JSON (default ``bench/results/bench_seed.json``).
"""

import argparse
import datetime as dt
import json
import logging
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from erp_adapter.credentials import Credentials
from erp_adapter.tryton.client import TrytonClient
from erp_adapter.tryton.rows import SqliteRows
from erp_adapter.tryton.seed import seed_network
from erp_adapter.tryton.server import TrytonServer, ensure_template
from twin.network_files import load_network

REPO = Path(__file__).resolve().parents[1]


class StepTimes(logging.Handler):
    """Collects the seeder's ``seed: <step> in <s> s`` log lines, and the CPU seconds the
    server process ``pid`` spent since the previous one."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.steps: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.pid: int | None = None
        self.last = 0.0

    def start(self, pid: int) -> None:
        self.pid, self.last = pid, cpu_seconds(pid)

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == "seed: %s in %.1f s" and record.args:
            name, seconds = record.args  # type: ignore[misc]
            self.steps[str(name)] = float(seconds)
            if self.pid is not None:
                now = cpu_seconds(self.pid)
                self.cpu[str(name)] = round(now - self.last, 1)
                self.last = now


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", default="reference")
    parser.add_argument("--history-days", type=int, default=14)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=REPO / ".cache" / "tryton")
    parser.add_argument("--api", action="store_true",
                        help="everything through the RPC API (no rows copied into SQLite)")
    parser.add_argument("--no-optimize", action="store_true",
                        help="run trytond without PYTHONOPTIMIZE (if the code knows it)")
    parser.add_argument("--out", type=Path,
                        default=REPO / "bench" / "results" / "bench_seed.json")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    times = StepTimes()
    seed_log = logging.getLogger("erp_adapter.tryton.seed")
    seed_log.setLevel(logging.INFO)
    seed_log.addHandler(times)

    net = load_network(args.network)
    template, password = ensure_template(args.cache)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-seed-") as tmp:
        server = TrytonServer.from_template(template, Path(tmp))
        optimize = getattr(server, "optimize", False) and not args.no_optimize
        if hasattr(server, "optimize"):
            server.optimize = optimize
        with server, TrytonClient(server.url, Credentials("admin", password)) as client:
            assert server.process is not None
            pid = server.process.pid
            seeded = net.rebased(client.today())
            cpu0, calls0 = cpu_seconds(pid), client.calls
            times.start(pid)
            started = time.perf_counter()
            rows = None if args.api else SqliteRows(server.db_file)
            report = seed_network(client, seeded, history_days=args.history_days,
                                  seed=args.seed, rows=rows)
            wall = time.perf_counter() - started
            cpu, calls = cpu_seconds(pid) - cpu0, client.calls - calls0
            size = server.db_file.stat().st_size
    out = {"machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                       "python": platform.python_version()},
           "when": dt.datetime.now().isoformat(timespec="seconds"),
           "load_average": {"before": list(load_before), "after": list(os.getloadavg())},
           "network": args.network, "history_days": args.history_days, "seed": args.seed,
           "optimize": optimize or bool(os.environ.get("PYTHONOPTIMIZE")),
           "rows_copied": not args.api,
           "seconds": round(wall, 1), "server_cpu_seconds": round(cpu, 1), "rpc_calls": calls,
           "steps": times.steps, "server_cpu_steps": times.cpu, "counts": report.counts,
           "sqlite_bytes": size}
    print(f"{args.network}, {args.history_days} days of history, "
          f"{'all through the API' if args.api else 'bulk rows copied'}, trytond "
          f"{'with' if out['optimize'] else 'without'} -O: {report}")
    width = max(map(len, times.steps), default=0)
    for name, seconds in times.steps.items():
        print(f"  {name:<{width}}  {seconds:7.1f} s  (trytond CPU "
              f"{times.cpu.get(name, float('nan')):.1f} s)")
    print(f"  {'total':<{width}}  {wall:7.1f} s  (trytond CPU {cpu:.1f} s, {calls} RPC calls, "
          f"load {load_before[0]:.1f} → {os.getloadavg()[0]:.1f})")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    print(f"→ {args.out}")


if __name__ == "__main__":
    main()
