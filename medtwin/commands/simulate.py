"""``medtwin simulate``: replay a network day by day under a policy and write the KPIs."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from medtwin.commands.policies import POLICY_NAMES, load_policies
from medtwin.commands.run_options import run_setting
from medtwin.errors import report_input_errors

if TYPE_CHECKING:
    from twin.api import PolicyFactory, PolicyRegistry
    from twin.domain import Network
    from twin.sim import Event

log = logging.getLogger(__name__)
PROGRESS_STOCK_POINT_DAYS = 2_000_000
"""Show a progress bar by default when days × stock points reaches this."""


@click.command()
@click.argument("network")
@click.option("--days", type=int, required=True, callback=run_setting,
              help="Number of days to simulate from the snapshot date.")
@click.option("--seed", type=int, default=0, show_default=True, callback=run_setting,
              help="Replication seed (same seed → same demand and disruptions).")
@click.option("--policy", type=click.Choice(POLICY_NAMES), default="fixed_ss",
              show_default=True, help="Replenishment policy.")
@click.option("--scenario", metavar="NAME|FILE",
              help="A scenario of the bundled library (e.g. demand-surge; applied with its "
                   "includes, overrides and forecast bias) or a YAML list of events (recall, "
                   "warehouse_outage, lane_closure, supplier_disruption, demand_multiplier, "
                   "excursion_multiplier).")
@click.option("--demand-trace", type=click.Path(dir_okay=False, path_type=Path),
              help="Recorded demand (CSV/Parquet: date, hospital, department, item, quantity) "
                   "replayed instead of the demand models.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="NetCDF file to write; the ledger goes beside it as .ledger.parquet.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar on stderr (default: on for long runs).")
@report_input_errors
def simulate(network: str, days: int, seed: int, policy: str, scenario: str | None,
             demand_trace: Path | None, out: Path, progress: bool | None) -> None:
    """Simulate NETWORK (a directory, a network.yaml or a built-in name) for DAYS days.

    Prints a KPI summary and writes an xarray Dataset (one variable per KPI, per-item stock
    balance) to OUT and the lot-level ledger to OUT's stem + .ledger.parquet.
    """
    from twin.atomic import check_outputs
    from twin.network_files import load_network
    from twin.sim import ledger_path, load_trace, summary_table
    from twin.sim import simulate as run_simulation

    check_outputs(out, ledger_path(out))
    policies = load_policies(policy)
    net = load_network(network)
    chosen: str | PolicyFactory = policy
    events: Sequence[Event] = []
    if scenario is not None:
        net, chosen, events = _apply_scenario(scenario, net, policy, days, policies)
    trace = load_trace(demand_trace, net) if demand_trace is not None else None
    if progress is None:
        progress = days * len(net.warehouses) * len(net.items) >= PROGRESS_STOCK_POINT_DAYS
    start = time.perf_counter()
    result = run_simulation(net, days=days, seed=seed, policy=chosen, events=events,
                            demand=trace, progress=progress, policies=policies)
    log.info("simulated %d days in %.2f s", days, time.perf_counter() - start)
    nc, ledger = result.write(out)
    click.echo(f"{net.name}: {days} days from {net.snapshot.as_of}, policy {policy}, "
               f"seed {seed}, {len(events)} event(s)")
    click.echo(summary_table(result.summary()))
    click.echo(f"wrote {nc} and {ledger}")


def _apply_scenario(spec: str, net: Network, policy: str, days: int,
                    policies: PolicyRegistry
                    ) -> tuple[Network, str | PolicyFactory, Sequence[Event]]:
    """``--scenario``: a scenario file (includes, events, overrides, forecast bias; or a
    bare list of events) or a name of the bundled library, resolved by the library and run
    as ``medtwin compare`` runs it (the twin on the scenario's true network, the policy
    planning on its forecast)."""
    from scenarios.library import Library
    from twin.api import NetworkIndex, Policy
    from twin.problems import InputError, Problem

    library = Library()
    if Path(spec).is_file():
        if Path(spec).suffix not in (".yaml", ".yml"):
            raise InputError([Problem(spec, "", "a scenario file must end in .yaml or .yml")])
    elif spec not in library.names():
        raise InputError([Problem("--scenario", "", f"no file {spec!r} and no such scenario "
                                  f"in the library {library.folder}: "
                                  f"{', '.join(library.names())}")])
    resolved = library.resolve(spec, net)
    if resolved.idle_within(net.snapshot.as_of, days):
        click.echo(f"warning: no event of {spec} falls within the {days} simulated days; "
                   "it repeats the baseline (use more --days)", err=True)
    true, planning = resolved.true_network(net), resolved.planning_network(net)
    if planning is true:
        return true, policy, resolved.events

    def planned(index: NetworkIndex) -> Policy:
        del index  # same ids and order as the planning network's index
        return policies.make(policy, NetworkIndex(planning))
    planned.__name__ = policy
    return true, planned, resolved.events
