"""``medtwin publish``: check a plan file against the ERP (``--dry-run``). A plan reaches
the ERP only through the plan store (``medtwin plans publish``: approved lines); the
sending itself, :func:`send_plan`, is shared with that command."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click

from medtwin.commands.erp import (
    erp_option,
    load_plan,
    network_option,
    report_erp_errors,
    resolve_network,
    results_json,
)
from medtwin.exit_codes import ExitCode

if TYPE_CHECKING:
    from erp_adapter.protocol import LineResult
    from erp_adapter.registry import ErpRegistry
    from twin.domain import Plan


@click.command()
@click.argument("plan_file", metavar="PLAN.json", type=click.Path(dir_okay=False,
                                                                  path_type=Path))
@erp_option()
@click.option("--dry-run", is_flag=True,
              help="Print the documents that would be created and those that already exist; "
                   "write nothing (required: plans are sent from the plan store).")
@network_option("Network the plan is for (default: the plan's, if built in).")
@click.option("--purchases", "purchase_mode", type=click.Choice(["order", "requisition"]),
              default="order", show_default=True,
              help="Publish purchase lines as purchase orders or as purchase requisitions.")
@click.option("--batch", type=click.IntRange(1, 1000), default=50, show_default=True,
              help="Documents created or advanced per ERP call.")
@click.option("--json", "as_json", is_flag=True, help="Print the line results as JSON.")
@report_erp_errors
def publish(plan_file: Path, erp: str, dry_run: bool, network_name: str | None,
            purchase_mode: str, batch: int, as_json: bool) -> None:
    """Check PLAN.json against the ERP with --dry-run: the documents its transfers,
    purchases and reorder points would create and those that already exist.

    A plan file is never sent from here: a plan reaches the ERP only through the plan
    store once a manager (or the store's approval rules) approved it — `medtwin plans
    add`, then `medtwin plans publish`. Without --dry-run this command refuses and sends
    nothing. Exit codes: 0 dry run done, 2 invalid plan or a code the ERP lacks, 4 the ERP
    is unreachable or refused the login, 6 not a dry run.
    """
    if not dry_run:
        click.echo("error: not permitted: a plan file is not published directly — only the "
                   "approved lines of a stored plan are: `medtwin plans add PLAN.json`, a "
                   "manager's approval (or the gate), then `medtwin plans publish PLAN_ID`; "
                   "--dry-run checks the file against the ERP; nothing sent", err=True)
        raise SystemExit(ExitCode.NOT_PERMITTED)
    plan = load_plan(plan_file)
    send_plan(plan, erp, network_name, dry_run=True, purchase_mode=purchase_mode,
              batch=batch, file=str(plan_file), as_json=as_json)


def send_plan(plan: Plan, erp: str, network_name: str | None, *, dry_run: bool,
              purchase_mode: str = "order", batch: int = 50, file: str = "",
              as_json: bool = False, registry: ErpRegistry | None = None
              ) -> list[LineResult]:
    """Publish ``plan`` through the adapter ``registry`` (default: the built-in one) opens
    for ``erp`` and print one line per result (or JSON) and a summary; refused lines are
    reported on stderr."""
    from erp_adapter.protocol import Capability, require
    from erp_adapter.registry import open_adapter

    net = resolve_network(network_name, plan)
    with open_adapter(erp, net, purchase_mode=purchase_mode, batch=batch,
                      registry=registry) as adapter:
        results = require(adapter, Capability.PUBLISH).publish(plan, dry_run=dry_run,
                                                               file=file)
    if as_json:
        click.echo(results_json(results))
    else:
        for r in results:
            click.echo(f"{r.key} {r.kind}: {r.outcome}" + (f" ({r.message})" if r.message else ""))
            for d in r.documents:
                click.echo(f"    {d}")
    counts = Counter(r.outcome for r in results)
    verb = "dry run" if dry_run else "published"
    click.echo(f"{verb} {plan.id} to {adapter.url}: "
               + ", ".join(f"{n} {o}" for o, n in sorted(counts.items())), err=as_json)
    if counts.get("failed"):
        click.echo(f"error: {counts['failed']} line(s) refused by the ERP (see above); fix and "
                   "publish again — the other lines are kept", err=True)
    return results
