"""``medtwin rules``: the auto-approval rules the store's gate applies."""

from pathlib import Path

import click

from medtwin.commands.store_options import (
    acting_user,
    open_store,
    report_store_errors,
    store_option,
    user_option,
)


@click.group()
def rules() -> None:
    """The auto-approval rules, kept in the plan store: what `medtwin plans gate` and the
    nightly apply. Only managers change them; every change is audited."""


@rules.command()
@store_option
@report_store_errors
def show(store_url: str | None) -> None:
    """Print the rules in force and their version (0: the bundled defaults)."""
    version, found = open_store(store_url).rules()
    click.echo(f"version {version}")
    for name, value in found.model_dump().items():
        click.echo(f"  {name}: {value}")


@rules.command("set")
@click.argument("rules_file", metavar="RULES.yaml",
                type=click.Path(dir_okay=False, path_type=Path))
@user_option
@store_option
@report_store_errors
def set_rules(rules_file: Path, user: str | None, store_url: str | None) -> None:
    """Put the rules of RULES.yaml in force (as configs/approval.yaml). Managers only."""
    from medtwin.store.rules import load_rules

    found = load_rules(rules_file)
    store = open_store(store_url)
    version = store.set_rules(acting_user(store, user), found)
    click.echo(f"approval rules version {version} in force")
