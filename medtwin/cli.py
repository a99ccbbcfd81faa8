"""The ``medtwin`` command line."""

import logging

import click

from medtwin import __version__
from medtwin.commands.audit import audit
from medtwin.commands.calibrate import calibrate
from medtwin.commands.compare import compare
from medtwin.commands.dashboard import dashboard
from medtwin.commands.demo import demo
from medtwin.commands.erp import erp
from medtwin.commands.forecast import forecast
from medtwin.commands.generate import generate
from medtwin.commands.nightly import nightly, schedule
from medtwin.commands.plan import plan
from medtwin.commands.plans import plans
from medtwin.commands.publish import publish
from medtwin.commands.replay import replay
from medtwin.commands.report import report
from medtwin.commands.schema import schema
from medtwin.commands.simulate import simulate
from medtwin.commands.stress import stress
from medtwin.commands.trace import trace
from medtwin.commands.users import users
from medtwin.commands.validate import validate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="medtwin")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
def main(verbose: int) -> None:
    """medtwin — digital twin and planning for medical-device inventory.

    Replays a multi-org network of warehouses and hospitals in a SimPy model,
    computes safety stock, transfer and purchase plans, stress-tests them and
    publishes approved plans to the ERP.
    """
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


main.add_command(validate)
main.add_command(generate)
main.add_command(schema)
main.add_command(calibrate)
main.add_command(forecast)
main.add_command(plan)
main.add_command(simulate)
main.add_command(compare)
main.add_command(stress)
main.add_command(report)
main.add_command(erp)
main.add_command(publish)
main.add_command(trace)
main.add_command(replay)
main.add_command(plans)
main.add_command(users)
main.add_command(audit)
main.add_command(nightly)
main.add_command(schedule)
main.add_command(dashboard)
main.add_command(demo)
