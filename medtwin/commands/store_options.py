"""Options and error handling shared by the plan-store commands (plans, users, audit).

Exit codes: 2 invalid input (unknown plan or user, bad file), 6 not permitted for the
acting user's role, 7 refused by the lifecycle (illegal status change, conflicting
request), 8 the audit chain is broken.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import click

from medtwin.errors import report_input_errors
from medtwin.exit_codes import ExitCode
from medtwin.store import DEFAULT_URL, ENV_STORE, IllegalTransition, NotPermitted
from twin.problems import InputError, Problem

if TYPE_CHECKING:
    from medtwin.store import PlanStore

ENV_USER = "MEDTWIN_USER"
P = ParamSpec("P")
R = TypeVar("R")


def store_option(func: Callable[P, R]) -> Callable[P, R]:
    return click.option("--store", "store_url", metavar="URL",
                        help=f"Plan store: SQLAlchemy URL (sqlite:///FILE, postgresql://…); "
                             f"default ${ENV_STORE} or {DEFAULT_URL}.")(func)


def user_option(func: Callable[P, R]) -> Callable[P, R]:
    return click.option("--user", "user", metavar="NAME",
                        help=f"Acting user (default ${ENV_USER}).")(func)


def open_store(url: str | None) -> PlanStore:
    """The plan store at ``url`` (or the default)."""
    from medtwin.store import PlanStore
    from medtwin.store import open_store as _open

    return PlanStore(_open(url))


def acting_user(user: str | None) -> str:
    """``--user`` or ``$MEDTWIN_USER``; an input error when neither is set."""
    name = user or os.environ.get(ENV_USER)
    if not name:
        raise InputError([Problem("--user", "", f"say who is acting: --user NAME or "
                                                f"${ENV_USER}")])
    return name


def report_store_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Wrap a click command: store refusals print one clear line and exit 2, 6 or 7."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from medtwin.store.db import refused_writes
        from medtwin.store.plans import StoreConflict, UnknownPlan, UnknownUser

        try:
            with refused_writes():
                return func(*args, **kwargs)
        except (UnknownPlan, UnknownUser) as exc:
            raise InputError([Problem("<store>", "", str(exc).strip("'\""))]) from None
        except NotPermitted as exc:
            click.echo(f"error: not permitted: {exc}; nothing changed", err=True)
            raise SystemExit(ExitCode.NOT_PERMITTED) from None
        except (IllegalTransition, StoreConflict) as exc:
            click.echo(f"error: {exc}; nothing changed", err=True)
            raise SystemExit(ExitCode.LIFECYCLE) from None

    return report_input_errors(wrapper)
