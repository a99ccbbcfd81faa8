"""``medtwin nightly`` (one run of the pipeline) and ``medtwin schedule`` (runs on a cron)."""

import datetime as dt
import importlib
import json
import logging
from pathlib import Path

import click

from configs import bundled
from medtwin.commands.store_options import report_store_errors
from twin.problems import InputError, Problem

log = logging.getLogger(__name__)
config_option = click.option(
    "--config", "config", type=click.Path(dir_okay=False, path_type=Path),
    default=bundled("nightly.yaml"), show_default="bundled configs/nightly.yaml",
    help="Nightly settings (YAML). Relative paths, given here or inside the file, are taken "
         "from the working directory.")


def _run_once(config: Path) -> int:
    from medtwin.nightly.config import load_config
    from medtwin.nightly.pipeline import Nightly, stress_with_scenarios
    from medtwin.store.db import refused_writes

    # the stress step's progress (runs done, ETA, workers) goes to the log it may be the
    # only output of (cron, systemd), even without -v
    progress = logging.getLogger("scenarios.execution")
    progress.setLevel(min(progress.getEffectiveLevel(), logging.INFO))
    cfg = load_config(config)
    with refused_writes():
        report = Nightly(cfg, stress_with_scenarios).run()
    click.echo(report.markdown())
    log.info("nightly %s", json.dumps({"outcome": report.outcome.name, "plan": report.plan_id,
                                       "as_of": report.as_of, "status": report.status}))
    return int(report.outcome)


@click.command()
@config_option
@report_store_errors
def nightly(config: Path) -> None:
    """Run the nightly pipeline once: pull snapshot and history → forecast → plan →
    stress-test → gate → publish → morning summary.

    It acts as the store user of the token in $MEDTWIN_SECRETS (a `service` user), else
    of its OS account, and gates with the store's approval rules.

    Exit codes: 0 published (or already published tonight), 10 the plan waits for a
    manager's approval, 11 failed (ERP unreachable, model infeasible, lines refused —
    nothing is recorded as published), 12 another run holds the lock, 2 invalid config,
    6 not authenticated or not permitted.
    """
    raise SystemExit(_run_once(config))


@click.command()
@config_option
@click.option("--cron", default="30 2 * * *", show_default=True,
              help="Cron expression (minute hour day month weekday), local time.")
@click.option("--next", "show_next", type=click.IntRange(1, 100),
              help="Only print the next N run times and exit.")
@report_store_errors
def schedule(config: Path, cron: str, show_next: int | None) -> None:
    """Run the nightly pipeline on a cron schedule (APScheduler) until stopped.

    Equivalent crontab line: `30 2 * * * cd /srv/medtwin && .venv/bin/medtwin nightly
    --config configs/nightly.yaml`; a systemd timer is shown in the README.
    """
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    from medtwin.nightly.config import load_config

    cfg = load_config(config)  # fail now, not at 02:30
    try:
        trigger = CronTrigger.from_crontab(cron)
    except ValueError as exc:
        raise InputError([Problem("--cron", "", f"not a cron expression: {exc}")]) from None
    if show_next:
        now = dt.datetime.now(dt.UTC).astimezone()
        previous = None
        for _ in range(show_next):
            fire = trigger.get_next_fire_time(previous, now)
            if fire is None:
                break
            click.echo(fire.isoformat())
            previous, now = fire, fire + dt.timedelta(seconds=1)
        return
    importlib.import_module("medtwin.nightly.pipeline")  # a broken install fails now, not at 02:30
    from medtwin.commands.store_options import acting_user, open_store

    who = acting_user(open_store(cfg.store), None)  # so does a run that could not act

    scheduler = BlockingScheduler()
    scheduler.add_job(_run_once, trigger, args=[config], id="nightly", max_instances=1,
                      coalesce=True, misfire_grace_time=3600)
    click.echo(f"medtwin nightly scheduled '{cron}' with {config}, acting as {who}; Ctrl-C to "
               "stop")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)
