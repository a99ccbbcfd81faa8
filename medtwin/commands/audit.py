"""``medtwin audit``: the hash-chained log of status changes and ERP documents."""

import click

from medtwin.commands.store_options import (
    open_store,
    report_store_errors,
    store_option,
)
from medtwin.exit_codes import ExitCode


@click.group()
def audit() -> None:
    """The append-only audit log of the plan store."""


@audit.command()
@store_option
@report_store_errors
def verify(store_url: str | None) -> None:
    """Recompute the keyed hash chain, hold its head against the checkpoint file, and
    rebuild the tables (users, rules, plans, lines, decisions) from the log to compare
    with what they hold. Exit codes: 0 intact, 8 a row was edited, forged or deleted, or a
    table changed without the log (the message names the first bad row)."""
    result = open_store(store_url).verify_audit()
    if not result.ok:
        click.echo(f"error: audit log broken: {result.problem}", err=True)
        raise SystemExit(ExitCode.AUDIT_BROKEN)
    late = (f"; the newest {result.unconfirmed} not yet checkpointed (a writer stopped "
            "between commit and checkpoint)" if result.unconfirmed else "")
    click.echo(f"audit log intact: {result.rows} rows, the tables equal their replay{late}")


@audit.command()
@click.option("--plan", "plan_id", help="Only the rows of this plan.")
@store_option
@report_store_errors
def show(plan_id: str | None, store_url: str | None) -> None:
    """List audit rows: sequence, time, actor, action, plan and payload."""
    for r in open_store(store_url).audit_rows(plan_id):
        click.echo(f"{r.seq:>6} {r.time} {r.actor:<12} {r.action:<22} {r.plan_id or '-'} "
                   f"{r.payload}")
