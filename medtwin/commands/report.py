"""``medtwin report``: a static HTML report of an experiment result file."""

from pathlib import Path

import click

from medtwin.errors import report_input_errors


@click.command()
@click.argument("results", metavar="RESULTS.nc",
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="HTML file to write (self-contained, opens without a server).")
@click.option("--title", help="Report title (default: from the result file).")
@report_input_errors
def report(results: Path, out: Path, title: str | None) -> None:
    """Write a static HTML report of RESULTS.nc (from `medtwin compare` or `medtwin
    stress`): KPI means with 95 % CIs, paired differences, distributions, time series."""
    from scenarios.report import write
    from scenarios.results import read

    path = write(read(results), out, title)
    click.echo(f"wrote {path}")
