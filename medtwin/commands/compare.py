"""``medtwin compare``: policies × scenarios × replications with common random numbers."""

import getpass
import logging
import time
from pathlib import Path

import click

from medtwin.commands.experiment_options import (
    execute,
    experiment_options,
    parse_target,
    scenarios_of,
    summary_text,
)
from medtwin.commands.policies import POLICY_NAMES, load_policies
from medtwin.errors import report_input_errors
from twin.problems import InputError, Problem

log = logging.getLogger(__name__)


def _policies(text: str) -> tuple[str, ...]:
    policies = load_policies()
    names = tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))
    unknown = [p for p in names if p not in policies]
    if unknown or not names:
        raise InputError([Problem("--policies", "", f"unknown policy {', '.join(unknown)!r}; "
                                  f"one of: {', '.join(sorted(policies))}" if unknown
                                  else "no policy named")])
    return names


@click.command(help=f"""Run POLICIES on NETWORK across scenarios and replications and write
one result file (NetCDF).

In replication r every policy and scenario sees the same demand and disruptions (common
random numbers), so paired differences against the baseline policy are tight. Prints each
KPI's mean with its 95 % confidence interval and the paired differences (* = significant).

Policies: {', '.join(POLICY_NAMES)}.""")
@click.argument("network")
@click.option("--policies", "policy_list", required=True, metavar="A,B",
              help=f"Comma-separated policy names: {', '.join(POLICY_NAMES)}.")
@click.option("--baseline", help="Policy the others are compared with (default: the first).")
@experiment_options(default_reps=30, default_days=365)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Result file (.nc).")
@report_input_errors
def compare(network: str, policy_list: str, baseline: str | None, scenario_spec: str,
            library: Path, reps: int, days: int, seed: int, workers: int,
            scheduler: str | None, target: str | None, max_reps: int, progress: bool,
            out: Path) -> None:
    """See the help text above."""
    from scenarios.experiment import Experiment
    from scenarios.results import write
    from twin.network_files import load_network

    if out.suffix != ".nc":
        raise InputError([Problem("--out", "", "the result file must end in .nc")])
    policies = _policies(policy_list)
    if baseline is not None and baseline not in policies:
        raise InputError([Problem("--baseline", "", f"{baseline!r} is not among --policies")])
    net = load_network(network)
    scenarios = scenarios_of(scenario_spec, library, net)
    goal = parse_target(target, net)
    exp = Experiment(net, policies, tuple(scenarios), days=days, seed=seed,
                     baseline=baseline or policies[0], author=getpass.getuser())
    start = time.perf_counter()
    ds = execute(exp, reps, workers, scheduler, goal, max_reps, progress)
    log.info("%d runs in %.1f s", ds.sizes["replication"] * len(scenarios) * len(policies),
             time.perf_counter() - start)
    path = write(ds, out)
    click.echo(f"{net.name}: {len(policies)} policies × {len(scenarios)} scenarios × "
               f"{ds.sizes['replication']} replications × {days} days, seed {seed}")
    click.echo(summary_text(ds, exp.baseline))
    click.echo(f"wrote {path}")
