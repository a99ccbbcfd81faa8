"""One run-settings model: its bounds hold in the model, on the command line, in the
dashboard and in the nightly config alike."""

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from dashboards.views.whatif import WhatIfView
from medtwin.cli import main
from medtwin.nightly.config import StressSettings
from scenarios.run_settings import Days, Replications, RunSettings, Seed, bounds


def test_bounds_come_from_the_types() -> None:
    assert bounds(Days) == (1, 36_500) and bounds(Replications) == (2, 100_000)
    assert bounds(Seed) == (0, None)
    with pytest.raises(ValidationError):
        RunSettings(reps=1)
    with pytest.raises(ValidationError):
        StressSettings(days=0)
    assert StressSettings().reps == 10 and RunSettings().reps == 4


@pytest.mark.parametrize(("args", "option"), [
    (["simulate", "tiny", "--days", "0"], "--days"),
    (["simulate", "tiny", "--days", "5", "--seed", "-1"], "--seed"),
    (["compare", "tiny", "--policies", "heuristic", "--reps", "1", "--out", "x.nc"], "--reps"),
    (["demo", "--days", "40000"], "--days"),
])
def test_the_cli_refuses_out_of_bounds_settings(args: list[str], option: str,
                                                tmp_path) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}'" in result.output
    assert "Traceback" not in result.output


def test_the_dashboard_uses_the_same_bounds() -> None:
    assert WhatIfView.param.reps.bounds == bounds(Replications)
    assert WhatIfView.param.days.bounds == bounds(Days)
    assert WhatIfView.param.reps.default == RunSettings().reps
