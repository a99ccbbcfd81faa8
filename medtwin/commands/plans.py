"""``medtwin plans``: the plan lifecycle — add, stress evidence, approve, reject, gate, publish.

draft → stress_tested → approved | rejected → published → superseded. Planners add plans
and attach stress evidence; managers approve (all lines or a subset), reject and publish.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import click

from medtwin.commands.erp import (
    erp_option,
    network_option,
    report_erp_errors,
    resolve_network,
)
from medtwin.commands.publish import send_plan
from medtwin.commands.store_options import (
    acting_user,
    open_store,
    report_store_errors,
    store_option,
    user_option,
)
from medtwin.exit_codes import ExitCode
from medtwin.store import Status
from twin.problems import InputError, Problem

if TYPE_CHECKING:
    from erp_adapter.protocol import LineResult
    from twin.domain import Network, Plan

P = ParamSpec("P")
R = TypeVar("R")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError([Problem(str(path), "", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(str(path), "", f"cannot read: {exc}")]) from None


@click.group()
def plans() -> None:
    """Plans in the store and their lifecycle (exit codes: 2 invalid input, 6 not permitted
    — not authenticated, or not for your role —, 7 refused by the lifecycle or another act
    on the plan in progress)."""


def _network_for(text: str, network_name: str | None, snapshot: Path | None, source: str
                 ) -> Network:
    """The network a plan file is checked against: --network, else the plan's own when
    built in; with the stock of --snapshot when given."""
    from medtwin.store.admission import parse_document
    from twin.domain import Plan
    from twin.network_files import load_snapshot

    doc = parse_document(text, source)
    named = doc.get("network")
    net = resolve_network(network_name, Plan.model_construct(network=named)
                          if isinstance(named, str) else None)
    return load_snapshot(snapshot, net) if snapshot is not None else net


def snapshot_option(func: Callable[P, R]) -> Callable[P, R]:
    return click.option("--snapshot", type=click.Path(dir_okay=False, path_type=Path),
                        help="The snapshot the plan was made from, when not the network's "
                             "own (e.g. pulled from the ERP): its stock is what the plan's "
                             "transfers are checked against.")(func)


@plans.command()
@click.argument("plan_file", metavar="PLAN.json", type=click.Path(dir_okay=False,
                                                                  path_type=Path))
@network_option("Network the plan is checked against (default: the plan's, if built in).")
@snapshot_option
@user_option
@store_option
@report_store_errors
def add(plan_file: Path, network_name: str | None, snapshot: Path | None, user: str | None,
        store_url: str | None) -> None:
    """Store PLAN.json as a draft — stress-tested if it carries medtwin's sealed stress
    evidence (as written by `medtwin stress`). The plan is checked at the door against
    its network and the stock it starts from (items, lanes, cold chain, registration,
    availability, duplicate line keys or JSON members): every problem is named, exit 2.
    Planners, managers and the nightly's service user."""
    store = open_store(store_url)
    who = acting_user(store, user)
    text = _read(plan_file)
    info = store.add_plan(text, who, str(plan_file),
                          _network_for(text, network_name, snapshot, str(plan_file)))
    click.echo(f"plan {info.id} stored: {info.status}, {info.lines} lines")


@plans.command("attach-evidence")
@click.argument("plan_id")
@click.argument("evidence_file", metavar="STRESSED_PLAN.json",
                type=click.Path(dir_okay=False, path_type=Path))
@user_option
@store_option
@report_store_errors
def attach_evidence(plan_id: str, evidence_file: Path, user: str | None,
                    store_url: str | None) -> None:
    """Attach the stress evidence of STRESSED_PLAN.json (written by `medtwin stress`, sealed
    with this store's key and bound to the plan's content) to PLAN_ID: the plan becomes
    stress-tested. Evidence written or edited by hand is refused (exit 6)."""
    from medtwin.store.admission import evidence_of, parse_document

    source = str(evidence_file)
    doc = parse_document(_read(evidence_file), source)
    evidence = evidence_of(doc, source)
    if evidence is None:
        raise InputError([Problem(source, "stress_test", "no stress evidence in this file")])
    if doc.get("id") not in (None, plan_id):
        raise InputError([Problem(source, "id",
                                  f"evidence is for plan {doc['id']!r}, not {plan_id!r}")])
    store = open_store(store_url)
    info = store.attach_evidence(plan_id, evidence, acting_user(store, user), source)
    click.echo(f"plan {info.id}: {info.status} (evidence {info.evidence_sha256[:12]})")


@plans.command("list")
@click.option("--status", type=click.Choice([s.value for s in Status]),
              help="Only plans with this status.")
@click.option("--ids", "ids_only", is_flag=True,
              help="Print only the plan ids, one a line (for scripts: "
                   "PLAN=$(medtwin plans list --status draft --ids)).")
@store_option
@report_store_errors
def list_plans(status: str | None, ids_only: bool, store_url: str | None) -> None:
    """List plans, latest snapshot first: id, network, snapshot date, status, lines
    approved/published."""
    from medtwin.services.plans import PlanService

    for p in PlanService(store=open_store(store_url)).list(Status(status) if status else None):
        if ids_only:
            click.echo(p.id)
            continue
        click.echo(f"{p.id:<36} {p.network:<16} {p.as_of} {p.status:<14} "
                   f"{p.lines:>5} lines, {p.approved_lines} approved, "
                   f"{p.published_lines} published")


@plans.command()
@click.argument("plan_id")
@store_option
@report_store_errors
def show(plan_id: str, store_url: str | None) -> None:
    """A plan's status, decisions and audit trail."""
    from medtwin.services.plans import PlanService

    store = open_store(store_url)
    service = PlanService(store=store)
    p = service.info(plan_id)
    click.echo(f"plan {p.id} ({p.network}, as of {p.as_of}): {p.status}; {p.lines} lines, "
               f"{p.approved_lines} approved, {p.published_lines} published; added by "
               f"{p.created_by} at {p.added}; evidence {p.evidence_sha256 or 'none'}")
    for d in service.decisions(plan_id):
        click.echo(f"  {d.time} {d.user}: {d.decision} {len(d.lines)} lines — {d.comment}")
    for r in store.audit_rows(plan_id):
        click.echo(f"  audit {r.seq}: {r.time} {r.actor} {r.action}")


@plans.command()
@click.argument("plan_id")
@click.option("--lines", help="Comma-separated line keys to approve (default: every line).")
@click.option("--comment", required=True, help="Why (kept with the approval).")
@click.option("--without-evidence", is_flag=True,
              help="Approve a plan that has not been stress-tested.")
@user_option
@store_option
@report_store_errors
def approve(plan_id: str, lines: str | None, comment: str, without_evidence: bool,
            user: str | None, store_url: str | None) -> None:
    """Approve PLAN_ID (every line not yet approved, or --lines — also lines left after a
    partial publish), recording who, when, the comment and the digest of the evidence
    seen. Managers only."""
    from medtwin.services.plans import PlanService

    keys = [k.strip() for k in lines.split(",") if k.strip()] if lines else None
    store = open_store(store_url)
    p = PlanService(store=store).approve(plan_id, acting_user(store, user), comment, keys,
                                         without_evidence)
    click.echo(f"plan {p.id}: approved {p.approved_lines} of {p.lines} lines")


@plans.command()
@click.argument("plan_id")
@click.option("--comment", required=True, help="Why (kept with the rejection).")
@user_option
@store_option
@report_store_errors
def reject(plan_id: str, comment: str, user: str | None, store_url: str | None) -> None:
    """Reject PLAN_ID. Managers only."""
    from medtwin.services.plans import PlanService

    store = open_store(store_url)
    PlanService(store=store).reject(plan_id, acting_user(store, user), comment)
    click.echo(f"plan {plan_id}: rejected")


@plans.command()
@click.argument("plan_id")
@user_option
@store_option
@report_store_errors
def gate(plan_id: str, user: str | None, store_url: str | None) -> None:
    """Apply the store's approval rules (`medtwin rules show`) to PLAN_ID: approve it as
    `auto` when every rule passes on its sealed stress evidence, else leave it waiting for
    a manager and say why. Planners, managers and the nightly's service user."""
    store = open_store(store_url)
    outcomes = store.gate(plan_id, acting_user(store, user))
    for o in outcomes:
        click.echo(f"  {'pass' if o.passed else 'FAIL'} {o.rule}: {o.why}")
    status = store.info(plan_id).status
    click.echo(f"plan {plan_id}: " + ("auto-approved" if status == Status.APPROVED
                                      else "waits for a manager"))


@plans.command()
@click.argument("plan_id")
@erp_option()
@network_option("Network the plan is for (default: the plan's, if built in).")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; change nothing.")
@click.option("--purchases", "purchase_mode", type=click.Choice(["order", "requisition"]),
              default="order", show_default=True, help="Purchase lines as orders or "
                                                       "requisitions.")
@click.option("--batch", type=click.IntRange(1, 1000), default=50, show_default=True,
              help="Documents created or advanced per ERP call.")
@click.option("--json", "as_json", is_flag=True, help="Print the line results as JSON.")
@user_option
@store_option
@report_store_errors
@report_erp_errors
def publish(plan_id: str, erp: str, network_name: str | None, dry_run: bool,
            purchase_mode: str, batch: int, as_json: bool, user: str | None,
            store_url: str | None) -> None:
    """Publish the approved lines of PLAN_ID not yet published to the ERP — the only way a
    plan reaches it — and record every document created in the audit log; the network's
    previous published plan becomes superseded. Managers and the nightly's service user.
    Idempotent: publishing again creates nothing new. When some lines are refused, the
    lines done are recorded and the plan stays approved — publish again to resume. Exit
    codes as `medtwin publish` (4 ERP failed, 5 stopped part-way — run again) plus 6 and
    7."""
    store = open_store(store_url)
    who = acting_user(store, user)

    def send(subset: Plan) -> list[LineResult]:
        return send_plan(subset, erp, network_name, dry_run=dry_run,
                         purchase_mode=purchase_mode, batch=batch, file=f"store:{plan_id}",
                         as_json=as_json)
    if dry_run:
        results = send(store.approved_plan(plan_id, who))
    else:
        info, results = store.publish(plan_id, who, send, erp)
        click.echo(f"plan {plan_id}: {info.status} ({info.published_lines} of "
                   f"{info.approved_lines} approved lines published)", err=as_json)
    if any(r.outcome == "failed" for r in results):
        raise SystemExit(ExitCode.INCOMPLETE)
