"""``medtwin stress``: run a plan across the scenario library and attach the evidence."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import click

from medtwin.commands.erp import load_plan
from medtwin.commands.experiment_options import (
    execute,
    experiment_options,
    parse_target,
    scenarios_of,
    summary_text,
)
from medtwin.commands.policies import POLICY_NAMES
from medtwin.commands.store_options import store_option
from medtwin.errors import report_input_errors
from twin.problems import InputError, Problem

if TYPE_CHECKING:
    from twin.domain import Plan

log = logging.getLogger(__name__)


@click.command()
@click.argument("plan_file", metavar="PLAN.json", type=click.Path(dir_okay=False,
                                                                  path_type=Path))
@click.option("--network", help="Network the plan is for (default: the plan's own, built in).")
@click.option("--snapshot", type=click.Path(dir_okay=False, path_type=Path),
              help="The snapshot the plan was made from, when not the network's own (as "
                   "`medtwin plan --snapshot`, e.g. pulled from the ERP). The data-quality "
                   "alerts of its pull (alerts.yaml beside it) go into the evidence.")
@click.option("--against", type=click.Choice(POLICY_NAMES),
              help="Also run this policy and record paired differences plan − policy.")
@experiment_options(default_reps=10, default_days=90)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for <plan id>.stress.nc and <plan id>.stressed.json.")
@store_option
@report_input_errors
def stress(plan_file: Path, network: str | None, snapshot: Path | None, against: str | None,
           scenario_spec: str, library: Path, reps: int, days: int, seed: int, workers: int,
           scheduler: str | None, target: str | None, max_reps: int, progress: bool,
           out: Path, store_url: str | None) -> None:
    """Stress-test PLAN.json (from `medtwin plan`) across scenarios.

    The plan runs in the twin (its transfers and purchases on their dates, then its
    reorder points) in every scenario with common random numbers. Writes the experiment
    (NetCDF) and the plan with its evidence under `stress_test` (KPIs with 95 % CIs per
    scenario, the worst scenario and why), bound to the plan's content and sealed with the
    plan store's key (--store) — the file `medtwin plans add` or `medtwin plans
    attach-evidence` takes.
    """
    import xarray as xr

    from erp_adapter.plan_check import check_plan
    from scenarios.experiment import Experiment
    from scenarios.stress import StressRun, stress_plan
    from twin.atomic import check_outputs, write_atomic
    from twin.network_files import load_network

    _refuse_stressed(plan_file)
    plan = load_plan(plan_file)
    check_outputs(out / f"{plan.id}.stressed.json")
    net = load_network(network or plan.network)
    alerts = None
    if snapshot is not None:
        from erp_adapter.flatfile import ALERTS_FILE, read_alerts
        from twin.network_files import load_snapshot

        net = load_snapshot(snapshot, net)
        if (snapshot.parent / ALERTS_FILE).exists():
            alerts = read_alerts(snapshot.parent)
    if plan.as_of != net.snapshot.as_of:
        hint = "" if snapshot is not None else (
            " (a plan made with `medtwin plan --snapshot SNAP.yaml` needs the same "
            "--snapshot here)")
        raise InputError([Problem(str(plan_file), "as_of", f"the plan starts {plan.as_of}, "
                                  f"the snapshot is of {net.snapshot.as_of}{hint}")])
    problems = check_plan(plan, net, file=str(plan_file), stock=False)
    if problems:  # a line naming an unknown item, warehouse, lane or supplier
        raise InputError(problems)
    settings = StressRun(scenarios_of(scenario_spec, library, net), reps=reps, days=days,
                         seed=seed, workers=workers, against=against)
    goal = parse_target(target, net)
    ran: dict[str, xr.Dataset] = {}

    def run(exp: Experiment) -> xr.Dataset:
        ran["ds"] = execute(exp, reps, workers, scheduler, goal, max_reps, progress)
        return ran["ds"]
    try:
        found = stress_plan(net, plan, settings, out, execute=run)
    except ValueError as exc:
        raise InputError([Problem(str(plan_file), "", str(exc))]) from None
    doc = json.loads(plan.model_dump_json(by_alias=True))
    if alerts is not None:
        found = found.model_copy(update={"data_quality": alerts})
    doc["stress_test"] = _sealed(found.to_doc(), plan, store_url)
    stressed = out / f"{plan.id}.stressed.json"
    write_atomic(stressed, json.dumps(doc, indent=2))
    click.echo(summary_text(ran["ds"], against))
    click.echo(f"worst scenario: {found.worst.scenario} — {found.worst.why}")
    if alerts is not None:
        critical = sum(a.severity == "critical" for a in alerts)
        click.echo(f"{len(alerts)} data-quality alerts of the pull recorded with the evidence "
                   f"({critical} critical: they block auto-approval)")
    click.echo(f"wrote {found.results_file} and {stressed}")


def _sealed(evidence: dict, plan: Plan, store_url: str | None) -> dict:
    """The evidence sealed with the plan store's key (what `medtwin plans add` checks);
    unsealed, with a warning, when the store has no secrets yet."""
    from medtwin.store.keyring import load_keyring
    from medtwin.store.seal import seal

    try:
        keyring = load_keyring(store_url)
    except InputError as exc:
        log.warning("the evidence is not sealed (%s): the plan store will refuse it", exc)
        return evidence
    return seal(evidence, plan, keyring)


def _refuse_stressed(path: Path) -> None:
    """A plan file that already carries evidence is refused (stress the original)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return  # load_plan reports it
    if isinstance(doc, dict) and "stress_test" in doc:
        raise InputError([Problem(str(path), "stress_test", "this plan already carries stress "
                              "evidence; stress the plan file from `medtwin plan`")])
