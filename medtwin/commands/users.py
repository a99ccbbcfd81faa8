"""``medtwin users``: who may do what, and how they prove who they are."""

from pathlib import Path

import click

from medtwin.commands.store_options import (
    acting_user,
    open_store,
    report_store_errors,
    store_option,
    user_option,
)
from medtwin.store import Role


def _password(stdin: bool) -> str | None:
    if not stdin:
        return None
    return click.get_text_stream("stdin").readline().rstrip("\n") or None


def _check_new_file(path: Path, option: str) -> None:
    """Refuse, before anything changes in the store, a token file that exists or could not
    be written."""
    from twin.atomic import check_outputs

    if path.exists():
        raise click.BadParameter(f"{path} exists; name a new file", param_hint=option)
    check_outputs(path)


@click.group()
def users() -> None:
    """Users of the plan store: planner (add plans, stress evidence, dashboard what-ifs),
    manager (also approve, reject, publish, manage users and rules), service (the nightly:
    add, stress, gate, publish — never approve) or viewer (only reads). At the command line
    you act as the holder of the token in $MEDTWIN_SECRETS, else as the user mapped to your
    OS account; the dashboard asks for a password. Exit codes: 2 invalid input, 6 not
    permitted, 7 conflict."""


@users.command()
@click.argument("name")
@click.option("--password-stdin", is_flag=True,
              help="Read a dashboard password from the first line of stdin.")
@store_option
@report_store_errors
def bootstrap(name: str, password_stdin: bool, store_url: str | None) -> None:
    """Make NAME the first manager of an empty store, logging in as your OS account; writes
    the store's secrets file (audit key) when there is none. Refused once the store has a
    user."""
    from medtwin.store.identity import os_account

    store = open_store(store_url)
    account = os_account()
    store.bootstrap(name, account, _password(password_stdin))
    click.echo(f"user {name} is the first manager (OS account {account}); the store's "
               f"secrets are in {store.keyring.source}")


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True,
              help="What the user may do.")
@click.option("--os-account", metavar="ACCOUNT",
              help="The OS account the user works from at the command line.")
@click.option("--token-out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also issue an API token and write it to this new file (mode 600) — for "
                   "a service such as the nightly: MEDTWIN_SECRETS=FILE.")
@click.option("--password-stdin", is_flag=True,
              help="Read a dashboard password from the first line of stdin.")
@user_option
@store_option
@report_store_errors
def add(name: str, role: str, os_account: str | None, token_out: Path | None,
        password_stdin: bool, user: str | None, store_url: str | None) -> None:
    """Add user NAME with a role. Managers only. Exit codes: 0 added, 6 not a manager, 7
    the user or OS account exists."""
    from medtwin.store.identity import write_token_file

    if token_out is not None:
        _check_new_file(token_out, "--token-out")
    store = open_store(store_url)
    actor = acting_user(store, user)
    store.add_user(actor, name, Role(role), os_account=os_account,
                   password=_password(password_stdin))
    click.echo(f"user {name} added as {role}")
    if token_out is not None:
        write_token_file(token_out, store.issue_token(actor, name))
        click.echo(f"token for {name} written to {token_out}")


@users.command()
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@user_option
@store_option
@report_store_errors
def role(name: str, role: str, user: str | None, store_url: str | None) -> None:
    """Give NAME another role. Managers only; the last manager stays one."""
    store = open_store(store_url)
    store.set_role(acting_user(store, user), name, Role(role))
    click.echo(f"user {name} is now a {role}")


@users.command()
@click.argument("name")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="New file (mode 600) for the token: MEDTWIN_SECRETS=FILE.")
@user_option
@store_option
@report_store_errors
def token(name: str, out: Path, user: str | None, store_url: str | None) -> None:
    """Issue a new API token for NAME (yourself, or anyone if you are a manager); the old
    one stops working."""
    from medtwin.store.identity import write_token_file

    _check_new_file(out, "--out")
    store = open_store(store_url)
    write_token_file(out, store.issue_token(acting_user(store, user), name))
    click.echo(f"token for {name} written to {out}")


@users.command()
@click.argument("name")
@user_option
@store_option
@report_store_errors
def password(name: str, user: str | None, store_url: str | None) -> None:
    """Set NAME's dashboard password from the first line of stdin (yourself, or anyone if
    you are a manager)."""
    value = _password(True)
    if not value:
        raise click.BadParameter("give the password on stdin", param_hint="stdin")
    store = open_store(store_url)
    store.set_password(acting_user(store, user), name, value)
    click.echo(f"password of {name} set")


@users.command("list")
@store_option
@report_store_errors
def list_users(store_url: str | None) -> None:
    """List users and roles."""
    for name, role_ in open_store(store_url).users():
        click.echo(f"{name:<24} {role_}")
