"""What-if runs: an experiment like ``medtwin compare``, run on a pool of worker processes
off the dashboard server's event loop and written into a results folder under a name no
other run takes, and the scenarios it runs — an edited one checked before anything is
written."""

import logging
import multiprocessing
import os
import re
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from scenarios.execution import run_pooled
from scenarios.experiment import Experiment
from scenarios.library import Library
from scenarios.results import write
from scenarios.spec import ResolvedScenario
from twin.atomic import write_atomic
from twin.domain import Network
from twin.problems import InputError, Problem

log = logging.getLogger(__name__)
SCENARIO_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def resolve_scenarios(library: Library, names: Sequence[str], net: Network,
                      edited: tuple[str, str] | None, folder: str | Path
                      ) -> list[ResolvedScenario]:
    """Library scenarios ``names`` and an ``edited`` one (name, YAML text), resolved
    against ``net``. Only when all are valid is the edited one saved as
    ``folder/scenarios/<name>.yaml`` (so that the run can be repeated); otherwise
    :class:`InputError` names every problem and nothing is written."""
    if edited is None:
        return library.resolve_all(names, net)
    name, text = edited
    target = Path(folder) / "scenarios" / f"{name}.yaml"
    if not SCENARIO_NAME.fullmatch(name):
        raise InputError([Problem("scenario name", "", f"{name!r} must start with a letter "
                                  "or digit and hold only letters, digits, '.', '_' or '-' "
                                  "(at most 64)")])
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir) / target.name
        scratch.write_text(text, encoding="utf-8")
        try:
            resolved = library.resolve_all([*names, str(scratch)], net)
        except InputError as exc:
            raise InputError([replace(p, file=str(target)) if p.file == str(scratch) else p
                              for p in exc.problems]) from None
    write_atomic(target, text)
    return resolved


def reserve_name(folder: str | Path, network: str) -> Path:
    """A result file name ``whatif-<network>-<n>.nc`` in ``folder`` that no other run —
    of this process or another — has taken: ``n`` is one above any existing file or
    reservation, and is claimed by creating ``<name>.reserved`` exclusively (removed once
    the file is written or the run failed)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pattern = re.compile(rf"whatif-{re.escape(network)}-(\d+)\.nc(\.reserved)?")
    taken = [int(m.group(1)) for p in folder.iterdir() if (m := pattern.fullmatch(p.name))]
    n = max(taken, default=0) + 1
    while True:
        path = folder / f"whatif-{network}-{n}.nc"
        try:
            os.close(os.open(f"{path}.reserved", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            n += 1
            continue
        if not path.exists():
            return path
        Path(f"{path}.reserved").unlink()
        n += 1


@dataclass
class WhatIfJob:
    """One what-if run: its result file (named when submitted), runs done of ``total``
    (one run = one policy on one replication of one scenario) and how it ended."""

    path: Path
    total: int
    done: int = 0
    error: str | None = None
    ended: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def state(self) -> str:
        """``starting`` (no run done yet), ``running``, ``done`` or ``failed``."""
        if self.ended.is_set():
            return "failed" if self.error else "done"
        return "running" if self.done else "starting"

    def progress(self, done: int, total: int) -> None:
        """Runs done so far (the execution back end's progress callback)."""
        self.done, self.total = done, total

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run ended (at most ``timeout`` s); whether it has."""
        return self.ended.wait(timeout)


def _background_priority() -> None:
    """Worker processes yield the CPU to the server process (its sessions stay quick)."""
    os.nice(10)


class WhatIfRunner:
    """Runs what-ifs of every session of a dashboard server on one pool of ``workers``
    worker processes (default: one per core but one, at least one), off the server's
    event loop: :meth:`submit` returns at once; each run's progress is on its
    :class:`WhatIfJob`. Runs execute as :func:`scenarios.execution.run_pooled` blocks, the
    same blocks and assembly as ``medtwin compare``; several runs share the pool, their
    blocks queued in the order submitted."""

    def __init__(self, workers: int | None = None):
        self.workers = workers or max(1, (os.cpu_count() or 2) - 1)
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def pool(self) -> ProcessPoolExecutor:
        """The worker pool, started on first use (spawned processes: no fork of a
        threaded server)."""
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    self.workers, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_background_priority)
            return self._pool

    def submit(self, net: Network, policies: Sequence[str],
               scenarios: Sequence[ResolvedScenario], reps: int, days: int, seed: int,
               folder: str | Path, author: str) -> WhatIfJob:
        """Start ``policies`` × ``scenarios`` × ``reps`` replications of ``days`` days (the
        first policy is the baseline); the result goes to a fresh
        ``whatif-<network>-<n>.nc`` in ``folder``, its attributes naming ``author`` and
        the run kind ``what-if``."""
        exp = Experiment(net, tuple(policies), tuple(scenarios), days=days, seed=seed,
                         baseline=policies[0], run_kind="what-if", author=author)
        job = WhatIfJob(reserve_name(folder, net.name),
                        reps * len(exp.scenarios) * len(exp.policies))
        threading.Thread(target=self._run, args=(job, exp, reps), daemon=True,
                         name=f"what-if {job.path.name}").start()
        return job

    def _run(self, job: WhatIfJob, exp: Experiment, reps: int) -> None:
        try:
            write(run_pooled(exp, range(reps), self.pool(), on_progress=job.progress),
                  job.path)
        except Exception as exc:  # shown on the job; the server keeps serving
            log.exception("what-if %s failed", job.path.name)
            job.error = f"{type(exc).__name__}: {exc}"
        finally:
            Path(f"{job.path}.reserved").unlink(missing_ok=True)
            job.ended.set()

    def close(self) -> None:
        """Stop the worker processes (runs in progress are cancelled)."""
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None
