"""Shared fixtures: paths to the bundled test networks, a copy-and-edit helper and a
throw-away PostgreSQL server."""

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.postgres import ENV_REQUIRED, LocalPostgres, local_postgres, pg_bin

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny"


@pytest.fixture
def tiny_dir() -> Path:
    """The tiny two-org test network (read-only)."""
    return TINY


@pytest.fixture
def edited_tiny(tmp_path: Path) -> Callable[..., Path]:
    """Copy the tiny network into ``tmp_path`` and apply edits to its YAML and CSV files.

    ``edited_tiny(yaml_edit=fn, lots=fn)``: ``yaml_edit`` mutates the parsed YAML dict;
    ``lots`` maps the list of CSV lines of lots.csv to new lines.
    """

    def make(yaml_edit: Callable[[dict[str, Any]], None] | None = None,
             lots: Callable[[list[str]], list[str]] | None = None) -> Path:
        target = tmp_path / "net"
        shutil.copytree(TINY, target)
        if yaml_edit is not None:
            doc = yaml.safe_load((target / "network.yaml").read_text())
            yaml_edit(doc)
            (target / "network.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
        if lots is not None:
            lines = (target / "lots.csv").read_text().splitlines()
            (target / "lots.csv").write_text("\n".join(lots(lines)) + "\n")
        return target

    return make


@pytest.fixture(scope="session")
def postgres() -> Iterator[LocalPostgres]:
    """A PostgreSQL server on 127.0.0.1 for the whole session (skipped on a machine
    without PostgreSQL unless ``MEDTWIN_POSTGRES=required``, as ``make test`` sets)."""
    if pg_bin() is None:
        if os.environ.get(ENV_REQUIRED) == "required":
            pytest.fail("PostgreSQL is required (MEDTWIN_POSTGRES=required) but initdb "
                        "was not found: apt-get install postgresql")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    with local_postgres() as server:
        yield server
