"""``medtwin replay``: the twin replays what the ERP recorded; a fidelity report."""

import datetime as dt
import logging
from pathlib import Path

import click

from medtwin.commands.erp import erp_option, parse_date, report_erp_errors
from twin.problems import InputError, Problem

log = logging.getLogger(__name__)
HISTORY_COLUMNS = ["date", "warehouse", "hospital", "department", "item", "lot", "quantity"]
MOVEMENT_COLUMNS = ["date", "warehouse", "item", "lot", "quantity", "kind"]


@click.command()
@erp_option()
@click.option("--since", callback=parse_date, metavar="DATE",
              help="First day replayed (the snapshot is pulled at its start).")
@click.option("--until", callback=parse_date, metavar="DATE",
              help="Last day replayed (default: the ERP's yesterday).")
@click.option("--days", type=click.IntRange(1, 3650), metavar="N",
              help="Replay the N days up to --until (instead of --since), e.g. the history "
                   "window `medtwin erp seed` printed.")
@click.option("--network", "network_name", default="reference", show_default=True,
              help="Network whose master data the ERP holds (built-in name or directory).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("out/replay"), show_default=True,
              help="Folder for replay.nc, its ledger and fidelity.csv.")
@report_erp_errors
def replay(erp: str, since: dt.date | None, until: dt.date | None, days: int | None,
           network_name: str, out: Path) -> None:
    """Replay the ERP's recorded demand from its snapshot at --since to --until in the twin
    (no decisions: receipts come from the snapshot's shipments and orders) and compare the
    simulated ending stock per warehouse × item with the ERP's stock the next morning.

    The window is --since … --until, or the --days up to --until (default: the ERP's
    yesterday). A window that starts before the ERP held any stock is replayed from an
    empty twin, with a warning.

    Columns of fidelity.csv, per warehouse × item: simulated, erp, difference, then what
    explains it, each ERP − twin over the window: issue_gap (issued to departments),
    receipt_gap (received from suppliers and warehouses: receipts timed differently,
    overdue orders the ERP never received), dispatch_gap (sent to other warehouses and
    orgs: transfers the start snapshot did not hold); twin_scrapped (expiry, QC,
    excursions), erp_adjusted (the ERP's inventory corrections and returns), and rest:
    difference = issue_gap − receipt_gap + dispatch_gap − twin_scrapped − erp_adjusted +
    rest, so rest is what no recorded flow explains. Exit 0 whatever the differences; 2
    bad input (e.g. an ERP that does not hold --network); 4 ERP failure.
    """
    import pandas as pd

    from erp_adapter.protocol import Capability, default_as_of, require
    from erp_adapter.registry import open_adapter
    from twin.atomic import atomic_path
    from twin.network_files import load_network
    from twin.replay import fidelity
    from twin.replay import replay as run_replay

    if (since is None) == (days is None):
        raise InputError([Problem("--since/--days", "", "give exactly one of --since DATE "
                                                        "and --days N")])
    net = load_network(network_name)
    with open_adapter(erp, net) as adapter:
        for need in (Capability.SNAPSHOT, Capability.HISTORY, Capability.LIVE):
            require(adapter, need, "replay ERP history")
        _, differences = (adapter.pull_master()  # type: ignore[attr-defined]
                          if Capability.MASTER_DATA in adapter.capabilities else ({}, []))
        if differences:
            raise InputError([Problem(
                "--network", "", f"the ERP does not hold network {net.name!r} "
                f"({len(differences)} differences, e.g. {'; '.join(differences[:3])}): give "
                "--network for the network whose master data the ERP holds")])
        last = until or default_as_of(adapter) - dt.timedelta(days=2)
        first = since if days is None else last - dt.timedelta(days=days - 1)
        if last < first:
            raise InputError([Problem("--until", "", f"{last} is before --since {first}")])
        start = adapter.pull_snapshot(first)
        history = adapter.pull_history(first, last)
        movements = (adapter.pull_movements(first, last)  # type: ignore[attr-defined]
                     if Capability.MOVEMENTS in adapter.capabilities else [])
        end = adapter.pull_snapshot(last + dt.timedelta(days=1))
    if not start.lots and not start.in_transit and (end.lots or end.in_transit):
        click.echo(f"warning: the ERP held no stock at the start of {first}: the twin starts "
                   "empty and every position differs — replay a window inside the ERP's "
                   "history (the one `medtwin erp seed` printed, or --days N)", err=True)
    if not history:
        click.echo(f"warning: the ERP recorded no demand from {first} to {last}", err=True)
    frame = pd.DataFrame([vars(r) for r in history], columns=HISTORY_COLUMNS)
    result = run_replay(net, start, frame, last)
    table = fidelity(result, frame, end,
                     pd.DataFrame([vars(m) for m in movements], columns=MOVEMENT_COLUMNS))
    out.mkdir(parents=True, exist_ok=True)
    nc, ledger = result.write(out / "replay.nc")
    csv = out / "fidelity.csv"
    with atomic_path(csv) as tmp:
        table.to_csv(tmp, index=False)
    differ = table[table.difference != 0]
    click.echo(f"replayed {first} … {last} ({(last - first).days + 1} days, "
               f"{len(history)} recorded issues, {int(frame.quantity.sum())} units) on "
               f"{net.name}")
    click.echo(f"{len(table)} warehouse × item positions: {len(table) - len(differ)} exact, "
               f"{int((differ.rest == 0).sum())} explained by recorded flows (issue, receipt "
               f"and dispatch gaps, the twin's scrap, the ERP's adjustments), "
               f"{int((differ.rest != 0).sum())} with an unexplained rest")
    if not differ.empty:
        click.echo(differ.to_string(index=False))
    click.echo(f"wrote {csv}, {nc} and {ledger}")
