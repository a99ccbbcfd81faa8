"""``medtwin schema``: export the JSON Schema of network config files."""

from pathlib import Path

import click

from medtwin.errors import report_input_errors


@click.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the schema to this file instead of standard output.")
@report_input_errors
def schema(out: Path | None) -> None:
    """Print the JSON Schema of network.yaml (for editor autocompletion).

    The bundled copy lives in configs/schema/network.schema.json; YAML files point at
    it with a `# yaml-language-server: $schema=…` first line.
    """
    from twin.atomic import write_atomic
    from twin.schema import network_json_schema_text

    text = network_json_schema_text()
    if out is None:
        click.echo(text, nl=False)
    else:
        write_atomic(out, text)
