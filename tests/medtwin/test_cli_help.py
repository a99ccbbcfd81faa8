"""``--help`` stays light: every command's help comes without importing the heavy libraries.

Each help runs in a fresh ``python -X importtime -m medtwin … --help`` so the import log
shows everything the real entry point imported. How long it takes is measured in
``bench/bench_cli_help.py``, not here.
"""

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from medtwin.cli import COMMANDS, main
from medtwin.commands.policies import POLICY_NAMES, load_policies
from medtwin.lazy_group import LazyGroup

REPO = Path(__file__).resolve().parents[2]
HEAVY = {"pyomo", "highspy", "holoviews", "bokeh", "panel", "dask", "distributed", "xarray",
         "scipy", "sqlalchemy", "pandas", "pyarrow", "netCDF4", "trytond", "proteus", "simpy"}


def command_paths(group: click.Group, ctx: click.Context,
                  path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The group itself and every command and sub-command under it."""
    yield path
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            sub = click.Context(command, parent=ctx, info_name=name)
            yield from command_paths(command, sub, (*path, name))
        else:
            yield (*path, name)


PATHS = list(command_paths(main, click.Context(main, info_name="medtwin")))


def imported_modules(importtime_log: str) -> set[str]:
    """Top-level packages named in a ``-X importtime`` log."""
    return {line.rpartition("|")[2].strip().split(".")[0]
            for line in importtime_log.splitlines()
            if line.startswith("import time:") and "imported package" not in line}


def test_every_command_is_walked() -> None:
    assert {p[0] for p in PATHS if p} == set(COMMANDS)
    assert ("erp", "serve") in PATHS and ("plans", "approve") in PATHS
    assert len(PATHS) > len(COMMANDS)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "medtwin")
def test_help_imports_no_heavy_library(path: tuple[str, ...]) -> None:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "medtwin", *path,
                           "--help"], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith("Usage: ")
    modules = imported_modules(proc.stderr)
    assert "click" in modules  # the log was read
    assert not modules & HEAVY, f"--help imported {sorted(modules & HEAVY)}"


def test_command_table_names_each_command_by_its_name() -> None:
    ctx = click.Context(main, info_name="medtwin")
    for name in COMMANDS:
        command = main.get_command(ctx, name)
        assert isinstance(command, click.Command) and command.name == name


def test_lazy_group_lists_without_importing_and_rejects_a_non_command() -> None:
    group = LazyGroup("g", lazy_commands={"later": "medtwin.cli:COMMANDS"})
    ctx = click.Context(group, info_name="g")
    assert group.list_commands(ctx) == ["later"]
    assert group.get_command(ctx, "absent") is None
    with pytest.raises(TypeError, match=r"medtwin\.cli:COMMANDS .* not a click command"):
        group.get_command(ctx, "later")


def test_policy_names_are_the_registered_policies() -> None:
    assert list(POLICY_NAMES) == sorted(load_policies())
