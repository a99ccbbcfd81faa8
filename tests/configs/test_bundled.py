"""The bundled configs (package data of ``configs``): present, valid, and the defaults the
CLI falls back on wherever it is run from."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from configs import CONFIG_DIR, bundled
from medtwin.cli import main
from medtwin.nightly.config import load_config
from medtwin.store.rules import ApprovalRules, load_rules
from scenarios.library import DEFAULT_LIBRARY, Library
from twin.network_files import NETWORKS_DIR, builtin_networks, load_network

LIBRARY = ["baseline", "cold-chain-failure", "defect-wave", "demand-surge", "forecast-bias",
           "lane-closure", "no-substitutes", "perfect-storm", "recall-lot", "recall-supplier",
           "supplier-delay", "supplier-outage", "warehouse-outage"]


def test_every_lookup_points_into_the_package() -> None:
    assert CONFIG_DIR.is_dir() and (CONFIG_DIR / "__init__.py").is_file()
    assert bundled("networks") == NETWORKS_DIR and bundled("scenarios") == DEFAULT_LIBRARY
    assert bundled("schema", "network.schema.json").is_file()


def test_the_reference_network_and_the_scenario_library_are_bundled() -> None:
    assert "reference" in builtin_networks()
    assert Library().names() == LIBRARY
    assert Library().resolve_all("all", load_network("reference"))


def test_bundled_settings_are_valid_and_the_approval_file_holds_the_defaults() -> None:
    assert load_config(bundled("nightly.yaml")).network == "reference"
    assert load_rules(bundled("approval.yaml")) == ApprovalRules()


def test_nightly_defaults_to_the_bundled_settings(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no configs/ here
    result = CliRunner().invoke(main, ["schedule", "--next", "1"])
    assert result.exit_code == 0, result.output
    help_text = CliRunner().invoke(main, ["nightly", "--help"]).output
    assert "bundled configs/nightly.yaml" in help_text
