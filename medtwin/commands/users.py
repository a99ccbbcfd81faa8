"""``medtwin users``: who may do what with plans."""

import click

from medtwin.commands.store_options import open_store, report_store_errors, store_option
from medtwin.store import Role


@click.group()
def users() -> None:
    """Users of the plan store and their roles: planner (create, stress-test), manager
    (approve, reject, publish) or viewer."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True,
              help="What the user may do.")
@click.option("--password-stdin", is_flag=True,
              help="Read a password (for the dashboard login) from the first line of stdin.")
@store_option
@report_store_errors
def add(name: str, role: str, password_stdin: bool, store_url: str | None) -> None:
    """Add user NAME with a role. Exit codes: 0 added, 7 the user exists."""
    password = None
    if password_stdin:
        password = click.get_text_stream("stdin").readline().rstrip("\n") or None
    open_store(store_url).add_user(name, Role(role), password)
    click.echo(f"user {name} added as {role}")


@users.command("list")
@store_option
@report_store_errors
def list_users(store_url: str | None) -> None:
    """List users and roles."""
    for name, role in open_store(store_url).users():
        click.echo(f"{name:<24} {role}")
