"""The ``medtwin`` command line."""

import logging

import click

from medtwin.lazy_group import LazyGroup
from twin import collector

COMMANDS = {
    "validate": "medtwin.commands.validate:validate",
    "generate": "medtwin.commands.generate:generate",
    "schema": "medtwin.commands.schema:schema",
    "calibrate": "medtwin.commands.calibrate:calibrate",
    "forecast": "medtwin.commands.forecast:forecast",
    "plan": "medtwin.commands.plan:plan",
    "simulate": "medtwin.commands.simulate:simulate",
    "compare": "medtwin.commands.compare:compare",
    "stress": "medtwin.commands.stress:stress",
    "report": "medtwin.commands.report:report",
    "erp": "medtwin.commands.erp:erp",
    "publish": "medtwin.commands.publish:publish",
    "trace": "medtwin.commands.trace:trace",
    "replay": "medtwin.commands.replay:replay",
    "plans": "medtwin.commands.plans:plans",
    "users": "medtwin.commands.users:users",
    "audit": "medtwin.commands.audit:audit",
    "rules": "medtwin.commands.rules:rules",
    "nightly": "medtwin.commands.nightly:nightly",
    "schedule": "medtwin.commands.nightly:schedule",
    "dashboard": "medtwin.commands.dashboard:dashboard",
    "demo": "medtwin.commands.demo:demo",
}
"""Command name → ``module:attribute``; a command's module is imported only when needed."""


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``, as ``click.version_option`` but reading the version only when asked."""
    if not value or ctx.resilient_parsing:
        return
    from medtwin import __version__

    click.echo(f"medtwin, version {__version__}", color=ctx.color)
    ctx.exit()


@click.group(cls=LazyGroup, lazy_commands=COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True,
              callback=_show_version, help="Show the version and exit.")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.pass_context
def main(ctx: click.Context, verbose: int) -> None:
    """medtwin — digital twin and planning for medical-device inventory.

    Replays a multi-org network of warehouses and hospitals in a SimPy model,
    computes safety stock, transfer and purchase plans, stress-tests them and
    publishes approved plans to the ERP.
    """
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx.with_resource(collector.batch())
