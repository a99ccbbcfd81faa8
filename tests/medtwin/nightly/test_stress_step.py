"""The nightly's stress step logs its progress: runs done of all, the ETA and the workers."""

import logging
import re
from pathlib import Path

from click.testing import CliRunner

from medtwin.cli import main
from medtwin.nightly.config import StressSettings
from medtwin.nightly.pipeline import stress_with_scenarios
from solvers.planning import make_plan
from twin.network_files import load_network

TINY = Path(__file__).resolve().parents[2] / "data" / "tiny"


def test_stress_step_logs_runs_eta_and_workers(tmp_path: Path, caplog) -> None:
    net = load_network(TINY)
    library = tmp_path / "scenarios"
    library.mkdir()
    (library / "baseline.yaml").write_text("description: as configured\n")
    settings = StressSettings(scenarios=["baseline"], library=str(library), reps=2, days=10)
    with caplog.at_level(logging.INFO, logger="scenarios.execution"):
        stress_with_scenarios(net, make_plan(net), settings, tmp_path / "out")
    assert [re.sub(r"ETA \d+:\d\d:\d\d", "ETA …", m) for m in caplog.messages] == [
        "tiny 1×1×2: 1/2 runs, ETA …, 1 worker", "tiny 1×1×2: 2/2 runs, ETA …, 1 worker"]


def test_the_nightly_command_shows_that_progress_without_v(tmp_path: Path) -> None:
    progress = logging.getLogger("scenarios.execution")
    before = progress.level
    progress.setLevel(logging.WARNING)
    config = tmp_path / "nightly.yaml"
    config.write_text("erp: x\nhorizon_days: 0\n")
    try:
        assert CliRunner().invoke(main, ["nightly", "--config", str(config)]).exit_code == 2
        assert progress.isEnabledFor(logging.INFO)
    finally:
        progress.setLevel(before)
