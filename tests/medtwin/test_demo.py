"""``medtwin demo`` end to end on the tiny network: a local Tryton seeded on its own today,
the nightly pipeline against it, and a second run the same day that keeps ERP and store."""

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from medtwin.cli import main
from tests.conftest import TINY

pytestmark = [pytest.mark.date_sensitive, pytest.mark.slow]

CACHE = Path(__file__).resolve().parents[2] / ".cache" / "tryton"
HISTORY = 14


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
