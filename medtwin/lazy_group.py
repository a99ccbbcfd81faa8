"""A click group that imports a command's module only when the command is needed.

``medtwin --help`` and ``medtwin COMMAND --help`` must answer in well under a second, so the
CLI names its commands in a table (name → ``"module:attribute"``) instead of importing them
all up front. Listing the commands costs nothing; the group's help imports every command
module for the one-line summaries, which is why command modules import their heavy
dependencies (pandas, xarray, Pyomo, SQLAlchemy, …) inside the command functions.
"""

import importlib
from collections.abc import Mapping
from typing import Any

import click


class LazyGroup(click.Group):
    """A :class:`click.Group` whose commands are given as ``{name: "module:attribute"}``."""

    def __init__(self, *args: Any, lazy_commands: Mapping[str, str] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            self.add_command(self._load(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def _load(self, cmd_name: str) -> click.Command:
        module_name, _, attribute = self.lazy_commands[cmd_name].partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.lazy_commands[cmd_name]} (command {cmd_name!r}) is not a "
                            f"click command")
        return command
