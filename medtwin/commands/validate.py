"""``medtwin validate``: check a network and print its summary."""

import click

from medtwin.errors import report_input_errors
from twin.bundled import builtin_networks


@click.command(epilog="Built-in networks: " + ", ".join(builtin_networks()))
@click.argument("network")
@report_input_errors
def validate(network: str) -> None:
    """Validate NETWORK (a directory, a network.yaml or a built-in name) and summarise it.

    Exits 0 when valid, 2 with one line per problem (file, field path, what is wrong)
    otherwise.
    """
    from twin.network_files import load_network
    from twin.summary import format_summary, summarise

    net = load_network(network)
    click.echo(format_summary(summarise(net)))
