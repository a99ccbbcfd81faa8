"""Turning input errors into a clear message and exit code 2, never a traceback.

An :class:`InputError` lists its problems (file, field path, line); an :class:`OSError`
that reaches a command (a file it could not open, a folder it could not create) is one
problem naming the path. Both exit with :attr:`ExitCode.INPUT`.
"""

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import click

from medtwin.exit_codes import ExitCode
from twin.problems import InputError, Problem

MAX_PROBLEMS_SHOWN = 50
P = ParamSpec("P")
R = TypeVar("R")
log = logging.getLogger("medtwin")


def os_problem(exc: OSError) -> Problem:
    """The problem an operating-system error stands for, naming its file when it has one."""
    log.debug("file-system error", exc_info=exc)
    where = str(exc.filename) if exc.filename is not None else "<file system>"
    why = exc.strerror or str(exc)
    if isinstance(exc, FileExistsError | NotADirectoryError) and Path(where).is_file():
        why = "is a file where a folder is needed"
    if exc.filename2 is not None:
        why += f" (with {exc.filename2})"
    return Problem(where, "", why)


def report_input_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Wrap a click command: an :class:`InputError` (or an :class:`OSError`) prints its
    problems and exits with 2."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except (InputError, OSError) as exc:
            problems = exc.problems if isinstance(exc, InputError) else [os_problem(exc)]
            for problem in problems[:MAX_PROBLEMS_SHOWN]:
                click.echo(f"error: {problem}", err=True)
            if len(problems) > MAX_PROBLEMS_SHOWN:
                click.echo(f"error: … and {len(problems) - MAX_PROBLEMS_SHOWN} more problems",
                           err=True)
            click.echo(f"{len(problems)} problem(s) found; nothing was written.", err=True)
            raise SystemExit(ExitCode.INPUT) from None

    return wrapper
