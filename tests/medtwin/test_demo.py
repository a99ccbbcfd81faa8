"""``medtwin demo`` end to end on the tiny network: a local Tryton seeded on its own today,
the nightly pipeline against it, and a second run the same day that keeps ERP and store;
the stress step's scenarios chosen on the network the nightly hands it."""

import datetime as dt
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from medtwin.cli import main
from medtwin.demo import applicable_only
from medtwin.nightly.config import StressSettings
from scenarios.library import Library
from tests.conftest import TINY
from twin.domain.returns import ReturnRate
from twin.network_files import load_network

CACHE = Path(__file__).resolve().parents[2] / ".cache" / "tryton"
HISTORY = 14


@pytest.mark.date_sensitive
@pytest.mark.slow
def test_demo_runs_the_nightly_on_history_that_ends_the_day_before_the_erps_today(
        tmp_path: Path) -> None:
    out = tmp_path / "demo"
    args = ["demo", "--network", str(TINY), "--out", str(out), "--cache", str(CACHE),
            "--reps", "2", "--days", "14"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    seeded_from = (out / "erp" / "seeded-from").read_text()
    erp_today = dt.date.fromisoformat(seeded_from.split("-tiny-")[1][:10])
    # the nightly pulls up to the end of the ERP's today, which holds no demand yet: every
    # seeded day is found, none is missing inside the window
    assert f"{HISTORY - 1} of {HISTORY} days of history found " \
           f"({erp_today - dt.timedelta(days=HISTORY - 1)} … " \
           f"{erp_today - dt.timedelta(days=1)})" in first.output
    assert "warning" not in first.output.lower()
    assert f"tiny-{erp_today + dt.timedelta(days=1)}" in first.output  # the plan's id
    assert "Next:" in first.output and "medtwin dashboard" in first.output

    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    assert (out / "erp" / "seeded-from").read_text() == seeded_from


def test_the_demo_stresses_the_scenarios_that_apply_to_the_calibrated_network(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Calibrated from a short history, a model's defective rate can be high enough that
    defect-wave's factor 4 takes its rates above 1 (2026-12-01's demo): that scenario is
    left out, with a warning naming why, and the others are stressed."""
    bundled = load_network("reference")
    first = next(k for k, d in enumerate(bundled.demand) if d.returns)
    model = bundled.demand[first]
    rates = [*model.returns, ReturnRate(reason="defective", rate=0.3,
                                        delay_days=model.returns[0].delay_days)]
    calibrated = bundled.model_copy(update={"demand": [
        *bundled.demand[:first], model.model_copy(update={"returns": rates}),
        *bundled.demand[first + 1:]]})
    seen: list[list[str]] = []

    def stress(net, plan, settings, out):  # type: ignore[no-untyped-def]
        seen.append(settings.scenarios)

    with caplog.at_level(logging.WARNING, logger="medtwin.demo"):
        for net in (bundled, calibrated):
            applicable_only(stress)(net, None, StressSettings(reps=2, days=5), tmp_path)
    everything = Library().applicable(bundled)[0]
    assert "defect-wave" in everything
    assert seen == [everything, [s for s in everything if s != "defect-wave"]]
    assert "scenario defect-wave does not apply to reference, left out: the factors make " \
           f"the return rates of demand[{first}]" in caplog.text
