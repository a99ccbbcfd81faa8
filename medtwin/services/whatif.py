"""What-if runs: an experiment like ``medtwin compare``, written into a results folder."""

from collections.abc import Callable, Sequence
from pathlib import Path

from scenarios.execution import run
from scenarios.experiment import Experiment
from scenarios.results import write
from twin.domain import Network


def run_whatif(net: Network, policies: Sequence[str], scenarios: Sequence, reps: int,
               days: int, seed: int, folder: str | Path,
               on_progress: Callable[[int, int], None] | None = None) -> Path:
    """Run ``policies`` × ``scenarios`` (resolved) × ``reps`` replications (the first
    policy is the baseline) and write ``whatif-<network>-<n>.nc`` into ``folder``."""
    exp = Experiment(net, tuple(policies), tuple(scenarios), days=days, seed=seed,
                     baseline=policies[0])
    ds = run(exp, range(reps), on_progress=on_progress)
    folder = Path(folder)
    n = len(list(folder.glob(f"whatif-{net.name}-*.nc"))) + 1
    return write(ds, folder / f"whatif-{net.name}-{n}.nc")
