from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from medtwin.cli import main
from solvers.forecast.history import read_history
from twin.problems import InputError

HEADER = "date,hospital,department,item,quantity\n"


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "history.csv"
    path.write_text(HEADER + body)
    return path


def test_dense_array_with_zero_days(tmp_path: Path) -> None:
    hist = read_history(write(tmp_path, "2026-01-01,H1,ICU,A,3\n2026-01-04,H1,ICU,A,2\n"
                                        "2026-01-04,H1,ICU,A,1\n2026-01-02,H2,ER,B,5\n"))
    assert hist.units.shape == (2, 4)
    assert hist.units[0].tolist() == [3, 0, 0, 3]
    assert list(hist.keys.itertuples(index=False, name=None)) == [("H1", "ICU", "A"),
                                                                 ("H2", "ER", "B")]


@pytest.mark.parametrize(("body", "fragment"), [
    ("2026-13-01,H1,ICU,A,3\n", "date (row 2): not a date"),
    ("2026-01-01,H1,ICU,A,-1\n", "quantity (row 2): must be a whole number"),
    ("2026-01-01,H1,ICU,A,1.5\n", "quantity (row 2)"),
])
def test_bad_rows_are_named(tmp_path: Path, body: str, fragment: str) -> None:
    with pytest.raises(InputError, match=r"history\.csv") as info:
        read_history(write(tmp_path, body))
    assert fragment in str(info.value)


def test_cli_writes_netcdf_and_reports_mase(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    rows = "".join(f"2026-{1 + d // 28:02d}-{1 + d % 28:02d},H1,ICU,A,{q}\n"
                   for d, q in enumerate(rng.poisson(4, 280)))
    out = tmp_path / "fc.nc"
    result = CliRunner().invoke(main, ["forecast", str(write(tmp_path, rows)), "--out", str(out),
                                       "--horizon", "14"])
    assert result.exit_code == 0, result.output
    assert "MASE mean" in result.output and out.exists()


def test_cli_missing_columns_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "h.csv"
    bad.write_text("day,qty\n1,2\n")
    result = CliRunner().invoke(main, ["forecast", str(bad)])
    assert result.exit_code == 2 and "missing column" in result.output


def test_cli_too_short_a_history_exits_2_without_a_traceback(tmp_path: Path) -> None:
    rows = "".join(f"2026-01-{1 + d:02d},H1,ICU,A,3\n" for d in range(10))
    result = CliRunner().invoke(main, ["forecast", str(write(tmp_path, rows)),
                                       "--holdout", "7"])
    assert result.exit_code == 2, result.output
    assert "history.csv: need at least two weeks of history before a hold-out of 7 days, " \
           "got 10 days" in result.output
    assert "Traceback" not in result.output


def test_a_simulated_ledger_gives_its_issues_as_history(tmp_path: Path) -> None:
    ledger = pd.DataFrame({
        "day": [0, 0, 1, 2], "date": pd.to_datetime(["2026-01-01"] * 2 + ["2026-01-02",
                                                                          "2026-01-03"]),
        "kind": ["opening", "issue", "issue", "issue"], "warehouse": ["W"] * 4,
        "item": ["A", "A", "A", "B"], "lot": ["L1"] * 4, "quantity": [50, 3, 2, 4],
        "counterpart": ["", "H1/ICU", "H1/ICU", "H2/ER"], "reason": ["available", "", "", ""]})
    path = tmp_path / "run.ledger.parquet"
    ledger.to_parquet(path)
    hist = read_history(path)
    assert list(hist.keys.itertuples(index=False, name=None)) == [("H1", "ICU", "A"),
                                                                 ("H2", "ER", "B")]
    assert hist.units.tolist() == [[3, 2, 0], [0, 0, 4]]
