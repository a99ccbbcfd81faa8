"""``medtwin erp``: pull a snapshot and history from the ERP, seed a demo database, serve one.

Credentials come from ``MEDTWIN_ERP_USER`` / ``MEDTWIN_ERP_PASSWORD`` or a YAML secrets
file named by ``MEDTWIN_ERP_SECRETS``; never from the URL, a config or the command line.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import click

from medtwin.errors import report_input_errors
from medtwin.exit_codes import ExitCode
from twin.bundled import builtin_networks
from twin.problems import InputError, Problem

if TYPE_CHECKING:
    from twin.domain import Network, Plan

P = ParamSpec("P")
R = TypeVar("R")
log = logging.getLogger(__name__)


def report_erp_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Wrap a click command: ERP errors print one clear line and exit 4 (5 when a publish
    stopped part-way); invalid input exits 2 (``report_input_errors``)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from erp_adapter.errors import ErpError, PublishInterrupted

        try:
            return func(*args, **kwargs)
        except PublishInterrupted as exc:
            click.echo(f"error: {exc}", err=True)
            raise SystemExit(ExitCode.INCOMPLETE) from None
        except ErpError as exc:
            click.echo(f"error: {exc}", err=True)
            click.echo("nothing was written.", err=True)
            raise SystemExit(ExitCode.ERP_UNREACHABLE) from None

    return report_input_errors(wrapper)


def _checked_erp(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--erp`` refused at parse time (exit 2, nothing contacted) when it cannot be a URL."""
    from erp_adapter.registry import url_problem

    problem = url_problem(value) if value is not None else None
    if problem is not None:
        raise click.BadParameter(problem, ctx, param)
    return value


def erp_option(required: bool = True) -> Callable[[Callable[P, R]], Callable[P, R]]:
    return click.option("--erp", required=required, metavar="URL|DIR", callback=_checked_erp,
                        help="Tryton at http://HOST:PORT/DATABASE (no password in it), or an "
                             "exchange folder of CSV/Parquet files.")


def network_option(help_text: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    return click.option("--network", "network_name", metavar="NETWORK", help=help_text)


def resolve_network(name: str | None, plan: Plan | None = None) -> Network:
    """``--network`` if given, else the plan's network when it is a built-in one."""
    from twin.network_files import load_network

    if name is None and plan is not None and plan.network in builtin_networks():
        name = plan.network
    if name is None:
        what = f"the plan's network {plan.network!r} is not built in; " if plan else ""
        raise InputError([Problem("--network", "", f"{what}give --network NETWORK (a "
                                                   "directory, network.yaml or built-in name)")])
    return load_network(name)


def load_plan(path: Path) -> Plan:
    """A plan JSON file, validated; problems located by file and field."""
    from pydantic import ValidationError

    from twin.domain import Plan
    from twin.yaml_input import located

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError([Problem(str(path), "", "file not found")]) from None
    except OSError as exc:
        raise InputError([Problem(str(path), "", f"cannot read: {exc}")]) from None
    try:
        return Plan.model_validate_json(text)
    except ValidationError as exc:
        raise InputError([located(str(path), tuple(e["loc"]),
                                  str(e["msg"]).removeprefix("Value error, "))
                          for e in exc.errors()]) from None


def parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@click.group()
def erp() -> None:
    """Pull snapshots and history from the ERP, seed or serve a Tryton database."""


@erp.command()
@erp_option()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Exchange folder to write (snapshot, history, master data).")
@network_option("Network whose org tree, lanes and ids the ERP records are mapped onto.")
@click.option("--as-of", callback=parse_date, help="Snapshot date (start of day). Default: "
                                                   "the ERP's today + 1 (after today's moves).")
@click.option("--since", callback=parse_date,
              help="First day of demand history. Default: 90 days before --as-of.")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv",
              show_default=True, help="Table format of the folder.")
@report_erp_errors
def pull(erp: str, out: Path, network_name: str | None, as_of: dt.date | None,
         since: dt.date | None, fmt: str) -> None:
    """Pull the snapshot, demand history, returns and master data into an exchange folder.

    Return rates per department, item and reason (returned / issued units, and the days
    from issue to return) are fitted to the pulled history and written to
    OUT/return_rates.csv (the demand models' ``returns``).

    Data-quality alerts (negative or fractional stock, expired lots marked available,
    items without a supplier, stock in unregistered regions, duplicate lots or serials,
    unit mismatches) are printed with what the pull did about each, and written to
    OUT/alerts.yaml. The folder loads with `medtwin plan NETWORK --snapshot
    OUT/snapshot.yaml`. Exit codes:
    0 written, 2 invalid input, 4 the ERP failed (unreachable, refused the login, …).
    """
    from erp_adapter.flatfile import write_folder
    from erp_adapter.protocol import Capability, default_as_of
    from erp_adapter.registry import open_adapter
    from solvers.calibration.returns import fit_return_rates
    from twin.domain.alerts import critical, ordered
    from twin.network_files import load_snapshot

    net = resolve_network(network_name)
    started = time.monotonic()
    with open_adapter(erp, net) as adapter:
        as_of = as_of or default_as_of(adapter)
        snapshot = adapter.pull_snapshot(as_of)
        start = since or as_of - dt.timedelta(days=90)
        history = adapter.pull_history(start, as_of - dt.timedelta(days=1))
        returns = (adapter.pull_returns(start, as_of - dt.timedelta(days=1))  # type: ignore[attr-defined]
                   if Capability.RETURNS in adapter.capabilities else [])
        master, differences = (adapter.pull_master()  # type: ignore[attr-defined]
                               if Capability.MASTER_DATA in adapter.capabilities else ({}, []))
        notes = [*adapter.warnings, *differences]
        alerts = ordered(adapter.alerts)
    # the pulled snapshot must load against the network like any other snapshot file
    fit = fit_return_rates(history, returns, as_of - dt.timedelta(days=1))
    rates = [{"hospital": f.key[0], "department": f.key[1], "item": f.key[2],
              "reason": f.rate.reason, "rate": f.rate.rate,
              "delay_family": f.rate.delay_days.family, "delay_mean": f.rate.delay_days.mean,
              "delay_spread": f.rate.delay_days.spread, "returned": f.returned,
              "exposed": round(f.exposed, 2)} for f in fit.rates]
    tables = {**master, "return_rates": rates} if rates else master
    write_folder(out, snapshot, history, tables, notes, fmt, alerts, returns)
    load_snapshot(out / "snapshot.yaml", net)
    click.echo(f"pulled {len(snapshot.lots)} lot positions, {len(snapshot.in_transit)} in "
               f"transit, {len(snapshot.purchase_orders)} open purchase orders as of {as_of}; "
               f"{len(history)} demand records since {start} → {out} "
               f"({time.monotonic() - started:.1f} s)")
    if rates:
        click.echo(f"{sum(r.quantity for r in returns)} units returned since {start} "
                   f"({fit.unmatched} of issues before it); return rates of "
                   f"{len(fit.by_model())} demand models → {out / f'return_rates.{fmt}'}")
    for note in notes[:20]:
        click.echo(f"  note: {note}")
    if len(notes) > 20:
        click.echo(f"  … {len(notes) - 20} more notes in {out / 'pull_notes.txt'}")
    if alerts:
        click.echo(f"{len(alerts)} data-quality alerts ({len(critical(alerts))} critical: they "
                   f"block auto-approval) → {out / 'alerts.yaml'}")
    for alert in alerts:
        click.echo(f"  {alert}")


@erp.command()
@click.argument("network")
@erp_option()
@click.option("--history-days", type=click.IntRange(0, 730), default=28, show_default=True,
              help="Days of demand before the snapshot to record as customer shipments.")
@click.option("--as-of", callback=parse_date, metavar="DATE",
              help="Snapshot date to seed (the history ends the day before). Default: the "
                   "ERP's today; the network's snapshot moves to that date as a whole (lot "
                   "ages, transit and order timing kept).")
@click.option("--seed", "rng_seed", type=int, default=0, show_default=True,
              help="Random seed of the sampled history.")
@report_erp_errors
def seed(network: str, erp: str, history_days: int, as_of: dt.date | None,
         rng_seed: int) -> None:
    """Seed an empty Tryton database with NETWORK and its opening snapshot (demo, tests).

    The snapshot is seeded on the ERP's today (or --as-of) and the --history-days of demand
    before it, so the ERP's records end yesterday whatever date the network file was
    written on; the command prints the snapshot date and the history window (the window
    `medtwin replay` can replay). Companies carry the org ids as party codes, warehouses
    the warehouse ids as location codes, products the item codes: the codes the pull and
    publish map by. Exit codes: 0 seeded, 2 invalid input, 4 the ERP failed (or already
    holds a network).
    """
    from erp_adapter.tryton.dev import seed_url
    from twin.network_files import load_network

    net = load_network(network)
    url, report, as_of = seed_url(erp, None, net, history_days=history_days,
                                  seed=rng_seed, as_of=as_of)
    click.echo(f"{net.name} → {url}: {report}")
    replay = f"medtwin replay --erp {erp} --network {network}"
    click.echo(_window(as_of, history_days, replay))


def _window(as_of: dt.date, history_days: int, replay: str = "medtwin replay") -> str:
    """The snapshot date and the seeded history window, and how to replay it."""
    if not history_days:
        return f"snapshot as of {as_of}; no demand history"
    first, last = as_of - dt.timedelta(days=history_days), as_of - dt.timedelta(days=1)
    return (f"snapshot as of {as_of}; demand history {first} … {last} ({history_days} "
            f"days) — replay it with `{replay} --since {first} --until {last}`")


@erp.command()
@click.argument("plan_file", metavar="PLAN.json", type=click.Path(dir_okay=False,
                                                                  path_type=Path))
@erp_option()
@network_option("Network the plan is for (default: the plan's, if built in).")
@report_erp_errors
def status(plan_file: Path, erp: str, network_name: str | None) -> None:
    """Where each line of a published plan stands in the ERP.

    Per line, from the whole state of its documents: missing, created (not yet
    confirmed), confirmed (its processing in the ERP's grace period), processed (with its
    shipments, moves or purchase requests), stuck (confirmed without them: publish again)
    or stopped (cancelled or rejected in the ERP); reorder points published, differs or
    missing."""
    from erp_adapter.protocol import Capability, require
    from erp_adapter.registry import open_adapter

    plan = load_plan(plan_file)
    net = resolve_network(network_name, plan)
    with open_adapter(erp, net) as adapter:
        results = require(adapter, Capability.STATUS).status(plan, file=str(plan_file))
    for r in results:
        click.echo(str(r))
    counts = Counter(r.outcome for r in results)
    click.echo("status: " + ", ".join(f"{n} {o}" for o, n in sorted(counts.items())))


@erp.command()
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="Where the database, config and logs live.")
@click.option("--database", default="medtwin", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path),
              default=Path(".cache") / "tryton", show_default=True,
              help="Where the template database is built once and kept.")
@network_option("Seed this network into the new database first: its snapshot on the ERP's "
                "today and --history-days of demand before it (seconds; cached for the "
                "day in --cache).")
@click.option("--history-days", type=click.IntRange(0, 366), default=0, show_default=True,
              help="Days of demand history to seed before the snapshot (with --network).")
@report_erp_errors
def serve(directory: Path, database: str, port: int, cache: Path, network_name: str | None,
          history_days: int) -> None:
    """Run a local Tryton on SQLite (127.0.0.1) for the demo, until Ctrl-C.

    The first run builds the template database (about a minute, then cached) and writes an
    admin login to DIR/secrets.yaml (mode 600): `export MEDTWIN_ERP_SECRETS=DIR/secrets.yaml`.
    With --network the new database holds that network (as `medtwin erp seed` would write
    it, much faster); an existing database in DIR is served as it is. Exit codes: 0 stopped
    (Ctrl-C or SIGTERM), 2 invalid input, 4 the Tryton server died or did not start.
    """
    import yaml

    from erp_adapter.credentials import ENV_SECRETS
    from erp_adapter.tryton.seeded import ensure_seeded
    from erp_adapter.tryton.server import TrytonServer, copy_database, ensure_template

    directory.mkdir(parents=True, exist_ok=True)
    template, password = ensure_template(cache)
    server = TrytonServer(directory=directory, database=database, port=port)
    if server.db_file.exists():
        if network_name:
            log.warning("%s exists: serving it as it is (not seeding %s again)",
                        server.db_file, network_name)
    elif network_name:
        seeded = ensure_seeded(cache, resolve_network(network_name), history_days)
        copy_database(seeded.db_file, server.db_file)
        window = _window(seeded.network.snapshot.as_of, history_days)
        click.echo(f"seeded {network_name}: {window}")
    else:
        copy_database(template, server.db_file)
    secrets_file = directory / "secrets.yaml"
    if not secrets_file.exists():
        secrets_file.touch(mode=0o600)
        secrets_file.write_text(yaml.safe_dump({"user": "admin", "password": password}),
                                encoding="utf-8")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop trytond on SIGTERM too
    with server:
        click.echo(f"Tryton serving {server.url}  (export {ENV_SECRETS}={secrets_file})")
        try:
            while server.process is not None and server.process.poll() is None:
                time.sleep(1)
        except KeyboardInterrupt:
            return
        code = server.process.returncode if server.process else None
        click.echo(f"error: the Tryton server stopped by itself (exit code {code}); see "
                   f"{directory / 'trytond.log'}", err=True)
        raise SystemExit(ExitCode.ERP_UNREACHABLE)


def results_json(results: list) -> str:
    """Line results as JSON (for --json output)."""
    return json.dumps([{"key": r.key, "kind": r.kind, "outcome": r.outcome,
                        "message": r.message,
                        "documents": [vars(d) for d in r.documents]} for r in results],
                      indent=2)
