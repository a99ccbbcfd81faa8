"""The front door: --help everywhere, --version, validate's summary and exit codes; a
command is a batch run for the garbage collector."""

import gc
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from medtwin import __version__
from medtwin.cli import main
from twin.schema import network_json_schema_text

REPO = Path(__file__).resolve().parents[2]


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.output


@pytest.mark.parametrize("command", [[], *[[name] for name in
                                            main.list_commands(click.Context(main))]])
def test_help_on_every_command(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_validate_prints_summary(tiny_dir: Path) -> None:
    result = run("validate", str(tiny_dir))
    assert result.exit_code == 0, result.output
    assert "network 'tiny' is valid" in result.output
    assert "SUB-S" in result.output and "quarantine" in result.output


def test_a_command_freezes_the_network_it_loads_and_hands_it_back(tiny_dir: Path,
                                                                   monkeypatch) -> None:
    from twin import collector

    frozen = []
    loaded = collector.loaded
    monkeypatch.setattr(collector, "loaded",
                        lambda: (loaded(), frozen.append(gc.get_freeze_count())))
    assert run("validate", str(tiny_dir)).exit_code == 0
    assert len(frozen) == 1 and frozen[0] > 0
    assert gc.get_freeze_count() == 0


def test_validate_invalid_exits_2_naming_file_and_field(edited_tiny) -> None:
    net = edited_tiny(lambda d: d["warehouses"][0].update(org="NOPE"))
    result = run("validate", str(net))
    assert result.exit_code == 2
    assert "network.yaml: warehouses[0].org (line 21): unknown org 'NOPE'" in result.output
    assert "nothing was written" in result.output


def test_real_process_exit_code_and_no_traceback(tmp_path: Path) -> None:
    garbage = tmp_path / "network.yaml"
    garbage.write_text(":\n  - [\n")
    proc = subprocess.run([sys.executable, "-m", "medtwin", "validate", str(garbage)],
                          capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert str(garbage) in proc.stderr and "not valid YAML" in proc.stderr


def test_missing_network_exits_2(tmp_path: Path) -> None:
    result = run("validate", str(tmp_path / "absent.yaml"))
    assert result.exit_code == 2
    assert "absent.yaml: file not found" in result.output


def test_bundled_schema_is_current() -> None:
    bundled = (REPO / "configs" / "schema" / "network.schema.json").read_text()
    assert bundled == network_json_schema_text(), "run: medtwin schema --out " \
                                                  "configs/schema/network.schema.json"


def test_schema_accepts_table_files_and_carries_units() -> None:
    result = run("schema")
    assert result.exit_code == 0
    assert '"x-unit": "days"' in result.output
    assert "csv|parquet" in result.output
