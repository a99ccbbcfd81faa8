"""``medtwin compare --scheduler`` on a real Dask cluster: a ``dask scheduler`` and ``dask
worker`` processes on 127.0.0.1, started as a user would start them (the venv's ``dask``,
``PYTHONPATH`` set so that workers import this checkout's medtwin).

The same file as a serial run, bit for bit; exit 9 with one line naming the scheduler when
it does not answer, has no worker, or a worker runs other medtwin code.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DASK = Path(sys.executable).with_name("dask")
SCENARIOS = {
    "baseline": "description: as configured\n",
    "surge": "events:\n  - {kind: demand_multiplier, region: south, factor: 1.5, start: 2, "
             "end: 9}\n",
}
QUICK = {"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "3s"}
"""Dask's connect timeout for the runs that must fail (30 s by default)."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A scheduler and its workers, each a process (and session) of its own."""

    def __init__(self, folder: Path):
        self.folder, self.procs = folder, []
        self.address = f"tcp://127.0.0.1:{_free_port()}"
        self._start("scheduler", "--host", "127.0.0.1", "--port",
                    self.address.rsplit(":", 1)[1], "--no-dashboard")

    def _start(self, *args: str, pythonpath: str = str(REPO)) -> None:
        log = (self.folder / f"{args[0]}-{len(self.procs)}.log").open("w")
        self.procs.append(subprocess.Popen(
            [str(DASK), *args], cwd=self.folder, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": pythonpath}, start_new_session=True))

    def add_worker(self, pythonpath: str = str(REPO)) -> None:
        self._start("worker", self.address, "--nworkers", "1", "--nthreads", "1", "--host",
                    "127.0.0.1", "--no-dashboard", "--local-directory", str(self.folder),
                    pythonpath=pythonpath)

    def wait_for_workers(self, n: int, timeout: float = 90) -> None:
        from distributed import Client

        try:
            with Client(self.address, timeout=timeout) as client:
                client.wait_for_workers(n, timeout=timeout)
        except (OSError, TimeoutError):
            logs = "\n".join(f"--- {p.name}\n{p.read_text()[-2000:]}"
                             for p in sorted(self.folder.glob("*.log")))
            pytest.fail(f"{n} Dask worker(s) did not connect to {self.address} within "
                        f"{timeout:g} s\n{logs}")

    def stop(self) -> None:
        """SIGTERM to each process group (a worker's nanny and its worker), then SIGKILL."""
        for proc in reversed(self.procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    """A scheduler without workers (``add_worker`` adds them); always stopped."""
    folder = tmp_path / "dask"
    folder.mkdir()
    running = Cluster(folder)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "lib"
    folder.mkdir()
    for name, text in SCENARIOS.items():
        (folder / f"{name}.yaml").write_text(text)
    return folder


def _compare(tiny_dir: Path, library: Path, out: Path, *how: str,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    args = ["compare", tiny_dir, "--policies", "heuristic,fixed_ss", "--library", library,
            "--reps", 4, "--days", 20, "--seed", 3, "--out", out, *how]
    return subprocess.run([sys.executable, "-m", "medtwin", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})})


@pytest.mark.slow
def test_cluster_run_is_bit_identical_to_serial(cluster: Cluster, tiny_dir: Path,
                                                library: Path, tmp_path: Path) -> None:
    cluster.add_worker()
    cluster.add_worker()
    cluster.wait_for_workers(2)
    on_cluster = _compare(tiny_dir, library, tmp_path / "cluster.nc", "--scheduler",
                          cluster.address)
    assert on_cluster.returncode == 0, on_cluster.stderr
    # the bar: runs done/total [elapsed<ETA, pace, workers in use]
    assert re.search(r"\d+/16 \[\d\d:\d\d<\d\d:\d\d, .*, 2 workers\]", on_cluster.stderr)
    serial = _compare(tiny_dir, library, tmp_path / "serial.nc", "--workers", "1")
    assert serial.returncode == 0, serial.stderr
    assert (tmp_path / "cluster.nc").read_bytes() == (tmp_path / "serial.nc").read_bytes()


@pytest.mark.slow
def test_a_cluster_without_workers_or_with_other_medtwin_is_refused(
        cluster: Cluster, tiny_dir: Path, library: Path, tmp_path: Path) -> None:
    """No worker within the timeout, then a worker whose installed medtwin differs (its
    metadata says 9.9): exit 9, one line naming the scheduler, nothing written."""
    out = tmp_path / "refused.nc"
    alone = _compare(tiny_dir, library, out, "--scheduler", cluster.address, env=QUICK)
    assert (alone.returncode, alone.stderr.splitlines()[-1:]) == (
        9, [f"error: scheduler {cluster.address}: no worker within 3 s"]), alone.stderr
    other = tmp_path / "other"
    (other / "medtwin-9.9.dist-info").mkdir(parents=True)
    (other / "medtwin-9.9.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: medtwin\nVersion: 9.9\n")
    cluster.add_worker(pythonpath=f"{other}{os.pathsep}{REPO}")
    cluster.wait_for_workers(1)
    mismatch = _compare(tiny_dir, library, out, "--scheduler", cluster.address, env=QUICK)
    assert mismatch.returncode == 9, mismatch.stderr
    line, = [x for x in mismatch.stderr.splitlines() if x.startswith("error:")]
    assert line.startswith(f"error: scheduler {cluster.address}: 1 worker(s) run other "
                           "medtwin code (tcp://127.0.0.1:")
    assert "medtwin 9.9 (code " in line and "install this medtwin on every worker" in line
    assert "Traceback" not in mismatch.stderr and not out.exists()


def test_an_unreachable_scheduler_is_refused(tiny_dir: Path, library: Path,
                                             tmp_path: Path) -> None:
    address = f"tcp://127.0.0.1:{_free_port()}"
    out = tmp_path / "refused.nc"
    result = _compare(tiny_dir, library, out, "--scheduler", address, env=QUICK)
    assert result.returncode == 9
    assert result.stderr.splitlines()[-1] == f"error: scheduler {address}: no answer within 3 s"
    assert "Traceback" not in result.stderr and not out.exists()
