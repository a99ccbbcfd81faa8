"""Running an experiment serially or on Dask distributed, with the same result either way.

Work is cut into blocks (:func:`scenarios.experiment.blocks`): every policy on a few
replications of one scenario. Each run depends only on its scenario, policy and replication
seed, and :func:`~scenarios.experiment.assemble` puts blocks in place by their labels, so a
serial run and a Dask run of the same experiment write identical files.

Dask: a :class:`distributed.LocalCluster` of ``workers`` single-threaded processes by
default, or an existing scheduler (``tcp://host:8786``) whose workers have medtwin
installed. The experiment is scattered once to every worker so that policy levels solved
for a network are reused across the blocks a worker runs.
"""

import logging
import math
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager

import xarray as xr
from tqdm import tqdm

from scenarios.experiment import Block, Experiment, assemble, blocks, run_block

log = logging.getLogger(__name__)


def block_size(replications: int, workers: int) -> int:
    """Replications per block: about four blocks per worker and scenario, at most 25."""
    return max(1, min(25, math.ceil(replications / (4 * max(workers, 1)))))


def run(exp: Experiment, replications: Sequence[int], *, workers: int = 1,
        scheduler: str | None = None, progress: bool = False,
        on_progress: Callable[[int, int], None] | None = None) -> xr.Dataset:
    """Run ``replications`` of ``exp``: in this process when ``workers`` is 1 and no
    ``scheduler`` is given, else on Dask. ``progress``: a bar on stderr counting runs;
    ``on_progress(runs done, runs in all)`` after each block (e.g. for a dashboard)."""
    reps = list(replications)
    total = len(reps) * len(exp.scenarios) * len(exp.policies)
    with tqdm(total=total, unit="run", disable=not progress, leave=False,
              desc=f"{exp.network.name} {len(exp.policies)}×{len(exp.scenarios)}×{len(reps)}"
              ) as tqdm_bar:
        bar = _Counter(tqdm_bar, total, on_progress)
        if workers <= 1 and scheduler is None:
            done = []
            for s, chunk in blocks(exp, reps, size=1):
                done.append(run_block(exp, s, chunk))
                bar.update(len(chunk) * len(exp.policies))
        else:
            done = _run_dask(exp, reps, workers, scheduler, bar)
    return assemble(exp, reps, done)


class _Counter:
    """Counts finished runs into the progress bar and the callback."""

    def __init__(self, bar: tqdm, total: int,
                 callback: Callable[[int, int], None] | None):
        self.bar, self.total, self.callback, self.done = bar, total, callback, 0

    def update(self, runs: int) -> None:
        self.done += runs
        self.bar.update(runs)
        if self.callback is not None:
            self.callback(self.done, self.total)


def _client(workers: int, scheduler: str | None) -> AbstractContextManager:
    from distributed import Client, LocalCluster

    if scheduler is not None:
        return Client(scheduler)
    if not log.isEnabledFor(logging.DEBUG):
        logging.getLogger("distributed").setLevel(logging.WARNING)
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address="127.0.0.1:0",
                           silence_logs=logging.ERROR)
    return _Owned(cluster, Client(cluster))


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
              bar: _Counter) -> list[Block]:
    from distributed import as_completed

    with _client(workers, scheduler) as client:
        n = len(client.scheduler_info().get("workers", {})) or workers
        size = block_size(len(reps), n)
        log.info("dask: %d workers at %s, %d blocks of ≤ %d replications", n,
                 client.scheduler.address, math.ceil(len(reps) / size) * len(exp.scenarios),
                 size)
        shared = client.scatter(exp, broadcast=True)
        futures = [client.submit(run_block, shared, s, chunk, pure=False)
                   for s, chunk in blocks(exp, reps, size)]
        done = []
        for future in as_completed(futures):
            block = future.result()
            done.append(block)
            bar.update(len(block.replications) * len(exp.policies))
    return done

