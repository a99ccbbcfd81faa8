"""``medtwin demo``: the README's main job — the nightly pipeline on the bundled reference
network against a local Tryton that the command sets up itself."""

import logging
from pathlib import Path

import click

from medtwin.commands.erp import report_erp_errors
from medtwin.commands.run_options import run_setting

log = logging.getLogger(__name__)


@click.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("out/demo"), show_default=True,
              help="Folder for the local ERP, the plan store, plans, results and reports.")
@click.option("--network", default="reference", show_default=True,
              help="Network seeded into the local ERP (built-in name or directory).")
@click.option("--reps", type=int, default=4, show_default=True, callback=run_setting,
              help="Stress-test replications per scenario.")
@click.option("--days", type=int, default=60, show_default=True, callback=run_setting,
              help="Stress-test days per run.")
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path),
              default=Path(".cache") / "tryton", show_default=True,
              help="Where the Tryton template and the seeded database are built and kept.")
@report_erp_errors
def demo(out: Path, network: str, reps: int, days: int, cache: Path) -> None:
    """Run the nightly pipeline end to end on NETWORK: start a local Tryton seeded with the
    network's snapshot on the ERP's today and the 14 days of demand history before it
    (seeded on the first run of the day and cached in --cache), pull, forecast, plan,
    stress-test across the scenario library, gate, publish when the rules approve, write
    the morning summary, stop the server; then print where the plan, the report and the
    dashboard are.

    Exit code 0 when the plan was published or waits for a manager, 11 when the run
    failed, 4 when the local ERP could not be set up.
    """
    from medtwin.demo import run_demo
    from medtwin.nightly.pipeline import stress_with_scenarios
    from medtwin.nightly.summary import Outcome
    from medtwin.store import PlanStore, Role, open_store

    report = run_demo(out.resolve(), stress_with_scenarios, network=network, reps=reps,
                      days=days, cache=cache)
    click.echo(report.markdown())
    store = f"sqlite:///{out / 'medtwin.db'}"
    click.echo("Next:")
    if "plan" in report.files:
        click.echo(f"  plan:       {report.files['plan']}")
    if "report" in report.files:
        click.echo(f"  report:     {report.files['report']}  (open in a browser)")
    manager = next((n for n, role in PlanStore(open_store(store)).users()
                    if role == Role.MANAGER), "YOU")
    click.echo(f"  dashboard:  medtwin users password {manager} --store {store} "
               "<<< 'a password'   (you are its manager, by your OS account)")
    click.echo(f"              medtwin dashboard --results {out} --store {store} "
               f"--network {network}   → http://127.0.0.1:5006")
    if report.outcome == Outcome.WAITING:
        click.echo(f"  approve:    medtwin plans approve {report.plan_id} --store {store} "
                   "--comment …")
    if report.outcome not in (Outcome.PUBLISHED, Outcome.WAITING):
        raise SystemExit(int(report.outcome))
