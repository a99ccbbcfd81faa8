"""Turning input errors into a clear message and exit code 2, never a traceback."""

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import click

from medtwin.exit_codes import ExitCode
from twin.problems import InputError

MAX_PROBLEMS_SHOWN = 50
P = ParamSpec("P")
R = TypeVar("R")
log = logging.getLogger("medtwin")


def report_input_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Wrap a click command: an :class:`InputError` prints its problems and exits with 2."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            problems = exc.problems
            for problem in problems[:MAX_PROBLEMS_SHOWN]:
                click.echo(f"error: {problem}", err=True)
            if len(problems) > MAX_PROBLEMS_SHOWN:
                click.echo(f"error: … and {len(problems) - MAX_PROBLEMS_SHOWN} more problems",
                           err=True)
            click.echo(f"{len(problems)} problem(s) found; nothing was written.", err=True)
            raise SystemExit(ExitCode.INPUT) from None

    return wrapper
