"""The contract every ``medtwin`` run keeps, checked in-process (click's ``CliRunner``).

A run ends with a documented exit code (:class:`~medtwin.exit_codes.ExitCode`), never
with a traceback, and a run that fails leaves the watched folders as they were: no file
created, changed or removed.
"""

import traceback
from collections.abc import Iterable, Sequence
from pathlib import Path

from click.testing import CliRunner, Result

from medtwin.cli import main
from medtwin.exit_codes import ExitCode

DOCUMENTED = frozenset(int(c) for c in ExitCode)


def tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every path below ``folder`` with its size and modification time (folders: -1)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        stat = path.lstat()
        out[str(path.relative_to(folder))] = (-1 if path.is_dir() else stat.st_size,
                                              stat.st_mtime_ns)
    return out


def run(args: Sequence[object], watch: Iterable[Path] = (), input: str | None = None
        ) -> Result:
    """Run ``medtwin ARGS`` and check the contract; the result for further checks."""
    folders = list(watch)
    before = [tree(f) for f in folders]
    result = CliRunner().invoke(main, [str(a) for a in args], input=input,
                                catch_exceptions=True)
    shown = " ".join(map(str, args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        trace = "".join(traceback.format_exception(*result.exc_info))  # type: ignore[misc]
        raise AssertionError(f"medtwin {shown} raised:\n{trace}\n{result.output}")
    assert "Traceback" not in result.output, result.output
    assert result.exit_code in DOCUMENTED, (
        f"medtwin {shown}: exit {result.exit_code} is not documented\n{result.output}")
    if result.exit_code != 0:
        for folder, old in zip(folders, before, strict=True):
            new = tree(folder)
            assert new == old, (f"medtwin {shown} failed (exit {result.exit_code}) but "
                                f"changed {folder}: {sorted(set(new) ^ set(old))}\n"
                                f"{result.output}")
    return result


def refused(args: Sequence[object], *fragments: str, watch: Iterable[Path] = (),
            code: ExitCode = ExitCode.INPUT, input: str | None = None) -> str:
    """Run ``medtwin ARGS``, expect exit ``code`` and an error line holding every fragment
    (the file, the field path, the line…); that line."""
    result = run(args, watch, input)
    assert result.exit_code == code, f"exit {result.exit_code}, not {code}:\n{result.output}"
    lines = [ln for ln in result.output.splitlines()
             if ln.startswith(("error:", "Error:")) and all(f in ln for f in fragments)]
    assert lines, f"no error line mentions {fragments}:\n{result.output}"
    return lines[0]
