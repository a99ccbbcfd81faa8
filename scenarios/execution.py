"""Running an experiment serially or on Dask distributed, with the same result either way.

Work is cut into blocks (:func:`scenarios.experiment.blocks`): every policy on a few
replications of one scenario. Each run depends only on its scenario, policy and replication
seed, and :func:`~scenarios.experiment.assemble` puts blocks in place by their labels, so a
serial run and a Dask run of the same experiment write identical files.

Dask: a :class:`distributed.LocalCluster` of ``workers`` single-threaded processes by
default, or an existing scheduler (``tcp://host:8786``) whose workers have medtwin
installed. The experiment is scattered once to every worker; what the policies prepare
(:class:`twin.api.PreparedFactory`: solved levels) is prepared once for the whole cluster,
one task per distinct planning network (:func:`~scenarios.experiment.preparations`), and
each block adopts its scenario's (a worker fetches each once). An existing scheduler is checked
before anything runs: it answers and has a worker within Dask's connect timeout
(``distributed.comm.timeouts.connect``, 30 s by default), and every worker runs this
process's medtwin code (:func:`~scenarios.provenance.code_identity`); else
:class:`ClusterError`.

Progress — runs done of all, the ETA at the pace of the runs so far and the workers in
use — goes to a tqdm bar on stderr (``progress``), else to INFO log lines about every tenth
of the way (e.g. for the nightly, which runs without a terminal); never into the results.
"""

import datetime as dt
import logging
import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, as_completed
from contextlib import AbstractContextManager

import xarray as xr
from tqdm import tqdm

from scenarios.experiment import (
    Block,
    Experiment,
    assemble,
    blocks,
    preparations,
    prepare,
    prepared_for,
    run_block,
)
from scenarios.provenance import code_identity

log = logging.getLogger(__name__)


class ClusterError(Exception):
    """The scheduler is unreachable, has no worker, or a worker runs other medtwin code."""


def block_size(replications: int, workers: int) -> int:
    """Replications per block: about four blocks per worker and scenario, at most 25."""
    return max(1, min(25, math.ceil(replications / (4 * max(workers, 1)))))


def run(exp: Experiment, replications: Sequence[int], *, workers: int = 1,
        scheduler: str | None = None, progress: bool = False,
        on_progress: Callable[[int, int], None] | None = None) -> xr.Dataset:
    """Run ``replications`` of ``exp``: in this process when ``workers`` is 1 and no
    ``scheduler`` is given, else on Dask. ``progress``: a bar on stderr (else INFO log
    lines); ``on_progress(runs done, runs in all)`` after each block (e.g. for a
    dashboard)."""
    reps = list(replications)
    total = len(reps) * len(exp.scenarios) * len(exp.policies)
    label = f"{exp.network.name} {len(exp.policies)}×{len(exp.scenarios)}×{len(reps)}"
    with _Progress(label, total, progress, on_progress) as bar:
        if workers <= 1 and scheduler is None:
            bar.start(1)
            done = []
            for s, chunk in blocks(exp, reps, size=1):
                done.append(run_block(exp, s, chunk))
                bar.update(len(chunk) * len(exp.policies))
        else:
            done = _run_dask(exp, reps, workers, scheduler, bar)
    return assemble(exp, reps, done)


def run_pooled(exp: Experiment, replications: Sequence[int], pool: Executor,
               on_progress: Callable[[int, int], None] | None = None) -> xr.Dataset:
    """Run ``replications`` of ``exp`` on ``pool``, any :class:`concurrent.futures.Executor`
    (e.g. a process pool several experiments share, as the dashboard's what-ifs do), in
    blocks of one replication: the blocks and assembly of :func:`run`, so the same result;
    policies' set-ups (solved levels) are prepared first, once, and handed to the blocks.
    ``on_progress(runs done, runs in all)`` after each block; on a failed block the
    blocks not yet started are cancelled and the error is raised."""
    reps = list(replications)
    total = len(reps) * len(exp.scenarios) * len(exp.policies)
    label = f"{exp.network.name} {len(exp.policies)}×{len(exp.scenarios)}×{len(reps)}"
    done: list[Block] = []
    with _Progress(label, total, False, on_progress) as bar:
        wanted = preparations(exp)
        futures = [pool.submit(prepare, exp, s, p) for s, p in wanted.values()]
        try:
            prepared = dict(zip(wanted, [f.result() for f in futures], strict=True))
            futures = [pool.submit(run_block, exp, s, chunk, prepared_for(exp, s, prepared))
                       for s, chunk in blocks(exp, reps, 1)]
            for future in as_completed(futures):
                done.append(future.result())
                bar.update(len(exp.policies))
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    return assemble(exp, reps, done)


class _Progress:
    """Runs done of ``total``, the ETA and the workers in use: on a tqdm bar (``bar``),
    else in an INFO log line each tenth of the way; ``callback(done, total)`` after each
    block."""

    def __init__(self, label: str, total: int, bar: bool,
                 callback: Callable[[int, int], None] | None):
        self.label, self.total, self.callback = label, total, callback
        self.done = self.workers = self.tenths = 0
        self.started = time.monotonic()
        self.bar = tqdm(total=total, unit="run", disable=not bar, leave=False, desc=label)

    def __enter__(self) -> "_Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.close()

    def start(self, workers: int) -> None:
        """The runs start now on ``workers`` workers: the clock of the ETA starts."""
        self.started = time.monotonic()
        self.bar.reset(total=self.total)
        self._workers(workers)

    def update(self, runs: int, workers: int | None = None) -> None:
        """``runs`` more are done (and ``workers`` are now in use)."""
        self.done += runs
        self.bar.update(runs)
        if workers is not None:
            self._workers(workers)
        tenths = 10 * self.done // max(self.total, 1)
        if self.bar.disable and tenths > self.tenths:
            self.tenths = tenths
            log.info("%s: %d/%d runs, ETA %s, %s", self.label, self.done, self.total,
                     self.eta(), _count(self.workers))
        if self.callback is not None:
            self.callback(self.done, self.total)

    def eta(self) -> str:
        """The time left at the pace of the runs so far (H:MM:SS)."""
        left = (time.monotonic() - self.started) * (self.total - self.done) / self.done
        return str(dt.timedelta(seconds=round(left)))

    def _workers(self, workers: int) -> None:
        if workers != self.workers:
            self.workers = workers
            self.bar.set_postfix_str(_count(workers))


def _count(workers: int) -> str:
    return f"{workers} worker{'s' if workers != 1 else ''}"


LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
}
"""Dask settings of the local cluster ``--workers`` starts: no sampling profiler (every
10 ms), and the event-loop watchdog (20 ms), system monitor (0.5 s) and memory monitor
(0.1 s) woken less often. Each wake-up takes the GIL from the twin's thread; with Dask's
defaults a block ran ≈ 8 % slower on a worker than in a plain process (2026-11-30,
bench/README.md)."""


def _client(workers: int, scheduler: str | None) -> AbstractContextManager:
    import dask
    from distributed import Client, LocalCluster

    if scheduler is not None:
        return _connect(scheduler)
    if not log.isEnabledFor(logging.DEBUG):
        logging.getLogger("distributed").setLevel(logging.WARNING)
    with dask.config.set(LOCAL_CLUSTER_CONFIG):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address="127.0.0.1:0",
                               silence_logs=logging.ERROR)
    return _Owned(cluster, Client(cluster))


def _connect(address: str) -> AbstractContextManager:
    """A client of the scheduler at ``address`` once it has a worker, every worker running
    this process's medtwin code (:class:`ClusterError` otherwise)."""
    import dask
    from dask.utils import parse_timedelta
    from distributed import Client

    timeout = parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"))
    try:
        client = Client(address, timeout=timeout)
    except ValueError as exc:  # not an address, e.g. an unknown scheme
        raise ClusterError(f"scheduler {address}: {exc}") from None
    except OSError as exc:
        log.debug("cannot connect to %s", address, exc_info=exc)
        raise ClusterError(f"scheduler {address}: no answer within {timeout:g} s") from None
    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError:
        client.close()
        raise ClusterError(f"scheduler {address}: no worker within {timeout:g} s") from None
    ours = code_identity()
    other = {w: v for w, v in client.run(code_identity).items() if v != ours}
    if other:
        client.close()
        worker, theirs = min(other.items())
        raise ClusterError(f"scheduler {address}: {len(other)} worker(s) run other medtwin "
                           f"code ({worker}: {theirs}; here: {ours}); install this medtwin "
                           "on every worker")
    return client


class _Owned(AbstractContextManager):
    """A client and the local cluster it owns, closed together."""

    def __init__(self, cluster: object, client: object):
        self.cluster, self.client = cluster, client

    def __enter__(self) -> object:
        return self.client

    def __exit__(self, *exc: object) -> None:
        self.client.close()  # type: ignore[attr-defined]
        self.cluster.close()  # type: ignore[attr-defined]


def _run_dask(exp: Experiment, reps: list[int], workers: int, scheduler: str | None,
              bar: _Progress) -> list[Block]:
    from distributed import as_completed

    with _client(workers, scheduler) as client:
        n = len(client.scheduler_info().get("workers", {})) or workers
        size = block_size(len(reps), n)
        wanted = preparations(exp)
        log.info("dask: %d workers at %s, %d policy set-ups, %d blocks of ≤ %d replications",
                 n, client.scheduler.address, len(wanted),
                 math.ceil(len(reps) / size) * len(exp.scenarios), size)
        shared = client.scatter(exp, broadcast=True)
        prepared = {key: client.submit(prepare, shared, s, p, pure=False)
                    for key, (s, p) in wanted.items()}
        futures = [client.submit(run_block, shared, s, chunk, prepared_for(exp, s, prepared),
                                 pure=False)
                   for s, chunk in blocks(exp, reps, size)]
        bar.start(n)
        done = []
        for future in as_completed(futures):
            block = future.result()
            done.append(block)
            bar.update(len(block.replications) * len(exp.policies),
                       workers=len(client.nthreads()))
    return done

