"""``medtwin trace``: where a lot went, from the ERP's stock moves or a simulated ledger."""

import datetime as dt
import time
from pathlib import Path

import click

from medtwin.commands.erp import erp_option, report_erp_errors
from twin.problems import InputError, Problem


@click.command()
@click.argument("lot")
@erp_option(required=False)
@click.option("--ledger", type=click.Path(dir_okay=False, path_type=Path),
              help="A lot ledger (X.ledger.parquet from `medtwin simulate --out X.nc`) "
                   "instead of the ERP.")
@click.option("--item", help="Item code, when several items use the same lot number.")
@click.option("--recall-date", type=click.DateTime(["%Y-%m-%d"]), metavar="DATE",
              help="Date of a recall notice for the lot: also report the recall response "
                   "(units located and recovered after it, returned by departments).")
@report_erp_errors
def trace(lot: str, erp: str | None, ledger: Path | None, item: str | None,
          recall_date: dt.datetime | None) -> None:
    """Every location and department LOT went through, with quantities and dates — from
    the ERP's stock moves (--erp) or from a simulated run's lot ledger (--ledger).

    Then where the units are now (warehouse zones, in transit, departments), the moves
    planned for the lot (published transfers and orders not yet done, with their state)
    and how long it took to locate everything. With --recall-date, the recall response as
    the moves show it: units not under control at the notice, days until those in transit
    arrived (located), units moved into quarantine, scrapped or sent back within 1, 3 and 7
    days, units returned by departments and units still out. Exit codes: 0 found,
    2 unknown lot or item (or not exactly one of --erp / --ledger), 4 the ERP failed.
    """
    started = time.monotonic()
    if (erp is None) == (ledger is None):
        raise InputError([Problem("--erp/--ledger", "", "give exactly one of --erp URL and "
                                                        "--ledger FILE")])
    if ledger is not None:
        from twin.lot_trace import trace_ledger

        result = trace_ledger(ledger, lot, item)
    else:
        from erp_adapter.protocol import Capability, require
        from erp_adapter.registry import open_adapter

        adapter = open_adapter(erp, None)
        tracer = require(adapter, Capability.TRACE, "trace a lot")
        with adapter:
            result = tracer.trace_lot(lot, item)
    for line in result.lines():
        click.echo(line)
    if recall_date is not None:
        from twin.sim import RECOVERY_WINDOWS

        for line in result.recall_response(recall_date.date()).lines(RECOVERY_WINDOWS):
            click.echo(line)
    click.echo(f"located in {time.monotonic() - started:.2f} s")
