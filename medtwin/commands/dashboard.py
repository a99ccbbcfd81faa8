"""``medtwin dashboard``: the Panel app for planners and managers.

The shell and the dashboards import each other at module level nowhere: this command
imports the app inside its function, when it is about to serve it; the dashboards reach
the application only through :mod:`medtwin.services`.
"""

import logging
from pathlib import Path

import click

from medtwin.commands.store_options import store_option
from medtwin.errors import report_input_errors

log = logging.getLogger(__name__)


@click.command()
@click.option("--port", type=click.IntRange(1, 65535), default=5006, show_default=True,
              help="Port on 127.0.0.1.")
@click.option("--results", "results_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("out"), show_default=True,
              help="Folder of result files (experiments, simulated runs); what-if runs are "
                   "written here.")
@click.option("--network", "network_name", default="reference", show_default=True,
              help="Network shown (built-in name, directory or network.yaml).")
@store_option
@report_input_errors
def dashboard(port: int, results_dir: Path, network_name: str, store_url: str | None) -> None:
    """Serve the dashboards (network, compare policies, what-if, plan review and approval,
    recall, inventory) on http://127.0.0.1:PORT behind a login against the plan store's
    users' passwords (`medtwin users password NAME`); every approval or rejection acts as
    the signed-in user, whose role is checked again when it acts. Ctrl-C stops it."""
    from dashboards.app import serve
    from dashboards.data import DataStore
    from twin import collector
    from twin.network_files import load_network

    load_network(network_name)  # a bad network fails here, with exit 2
    collector.serving()
    results_dir.mkdir(parents=True, exist_ok=True)
    data = DataStore(results_dir=str(results_dir), store_url=store_url,
                     network_name=network_name)
    if not data.plans().users():
        click.echo("warning: the plan store has no users yet — the first manager comes from "
                   "`medtwin users bootstrap NAME --password-stdin`", err=True)
    click.echo(f"medtwin dashboard on http://127.0.0.1:{port}  (Ctrl-C to stop)")
    serve(data, port)
