"""What-if runs: an experiment like ``medtwin compare``, written into a results folder, and
the scenarios it runs — an edited one checked before anything is written."""

import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from scenarios.execution import run
from scenarios.experiment import Experiment
from scenarios.library import Library
from scenarios.results import write
from scenarios.spec import ResolvedScenario
from twin.atomic import write_atomic
from twin.domain import Network
from twin.problems import InputError, Problem

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
