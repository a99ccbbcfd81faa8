"""Options and error handling shared by the plan-store commands (plans, users, rules,
audit).

Exit codes: 2 invalid input (unknown plan or user, bad file), 6 not permitted (not
authenticated, another identity claimed, the role does not allow it, evidence not sealed
by medtwin), 7 refused by the lifecycle (illegal status change, conflicting request,
another act on the plan in progress), 8 the audit chain is broken.
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
                        help=f"Who you expect to act as (default ${ENV_USER}): checked "
                             "against who you are — the token in $MEDTWIN_SECRETS, else "
                             "your OS account — never used in its place.")(func)


def open_store(url: str | None) -> PlanStore:
    """The plan store at ``url`` (or the default)."""
    from medtwin.store import PlanStore
    from medtwin.store import open_store as _open

    return PlanStore(_open(url))


def acting_user(store: PlanStore, user: str | None) -> str:
    """Who is acting, authenticated now (:func:`medtwin.store.identity.acting_user`);
    ``--user`` / ``$MEDTWIN_USER``, when given, must name that user."""
    from medtwin.store.identity import acting_user as identify

    return identify(store, user or os.environ.get(ENV_USER))


def report_store_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Wrap a click command: store refusals print one clear line and exit 2, 6 or 7."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from medtwin.store.db import refused_writes
        from medtwin.store.plans import (
            AuditBroken,
            PlanBusy,
            StoreConflict,
            UnknownPlan,
            UnknownUser,
        )

        try:
            with refused_writes():
                return func(*args, **kwargs)
        except (UnknownPlan, UnknownUser) as exc:
            raise InputError([Problem("<store>", "", str(exc.args[0]))]) from None
        except NotPermitted as exc:
            click.echo(f"error: not permitted: {exc}; nothing changed", err=True)
            raise SystemExit(ExitCode.NOT_PERMITTED) from None
        except AuditBroken as exc:
            click.echo(f"error: {exc}", err=True)
            raise SystemExit(ExitCode.AUDIT_BROKEN) from None
        except (IllegalTransition, StoreConflict, PlanBusy) as exc:
            click.echo(f"error: {exc}; nothing changed", err=True)
            raise SystemExit(ExitCode.LIFECYCLE) from None

    return report_input_errors(wrapper)
