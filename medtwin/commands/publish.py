"""``medtwin publish``: send an approved plan to the ERP, idempotently."""

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
                   "write nothing.")
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
    """Publish PLAN.json to the ERP: transfers, purchases and reorder points.

    Every document carries its plan line's key, so publishing again creates nothing new
    and a publish that was interrupted resumes without duplicates. The plan is checked
    against its network and the ERP's stock first; a plan with any problem is rejected
    before anything is sent. Exit codes: 0 published (or dry run), 2 invalid plan or a
    code the ERP lacks, 4 the ERP failed before anything was written, 5 the publish
    stopped part-way or some lines were refused (run it again to resume).
    """
    plan = load_plan(plan_file)
    results = send_plan(plan, erp, network_name, dry_run=dry_run, purchase_mode=purchase_mode,
                        batch=batch, file=str(plan_file), as_json=as_json)
    if any(r.outcome == "failed" for r in results):
        raise SystemExit(ExitCode.INCOMPLETE)


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
