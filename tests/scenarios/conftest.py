"""Scenario fixtures: the tiny network and a small scenario library written for it; the
twin's hand-built network helpers (``sim_builders``) are importable here."""

import sys
from pathlib import Path

import pytest

from twin.domain import Network
from twin.network_files import load_network

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "twin" / "sim"))
TINY_SCENARIOS = {
    "baseline": "description: as configured\n",
    "surge": "description: south +50 %\nevents:\n"
             "  - {kind: demand_multiplier, region: south, factor: 1.5, start: 5, end: 20}\n",
    "closure": "events:\n  - {kind: lane_closure, lane: 'WH-SH>WH-GZ:road', start: 3, end: 12}\n",
    "storm": "include: [surge, closure]\nforecast_bias: -0.2\n",
}


@pytest.fixture(scope="session")
def tiny() -> Network:
    return load_network(TINY)


@pytest.fixture
def library_dir(tmp_path: Path) -> Path:
    """A scenario folder for the tiny network."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for name, text in TINY_SCENARIOS.items():
        (folder / f"{name}.yaml").write_text(text)
    return folder
