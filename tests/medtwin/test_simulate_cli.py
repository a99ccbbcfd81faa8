"""``medtwin simulate``: summary table, files, and exit code 2 on bad input."""

import xarray as xr
from click.testing import CliRunner

from medtwin.commands.simulate import simulate


def test_simulate_prints_a_summary_and_writes_the_files(tmp_path, tiny_dir):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("- {kind: demand_multiplier, region: east, factor: 2, start: 0, end: 5}\n")
    out = tmp_path / "res" / "run.nc"
    result = CliRunner().invoke(simulate, [str(tiny_dir), "--days", "20", "--seed", "3",
                                           "--policy", "fixed_ss", "--scenario", str(scenario),
                                           "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "fill_rate" in result.output and "1 event(s)" in result.output
    assert out.exists() and (tmp_path / "res" / "run.ledger.parquet").exists()


def test_bad_scenario_exits_2_naming_file_and_field(tmp_path, tiny_dir):
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("- {kind: warehouse_outage, warehouse: WH-XX, start: 0, end: 1}\n")
    result = CliRunner().invoke(simulate, [str(tiny_dir), "--days", "5", "--scenario",
                                           str(scenario), "--out", str(tmp_path / "o.nc")])
    assert result.exit_code == 2
    assert f"{scenario}: events[0].warehouse (line 1): unknown warehouse 'WH-XX'" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o.nc").exists()


def test_unknown_policy_is_a_usage_error(tmp_path, tiny_dir):
    result = CliRunner().invoke(simulate, [str(tiny_dir), "--days", "5", "--policy", "magic",
                                           "--out", str(tmp_path / "o.nc")])
    assert result.exit_code == 2
    assert "fixed_ss" in result.output


def test_demand_trace_is_replayed_and_a_bad_one_exits_2(tmp_path, tiny_dir):
    trace = tmp_path / "trace.csv"
    trace.write_text("date,hospital,department,item,quantity\n"
                     "2026-11-23,H-RJ,WARD,INF-SET-STD,7\n")
    out = tmp_path / "t.nc"
    result = CliRunner().invoke(simulate, [str(tiny_dir), "--days", "3", "--demand-trace",
                                           str(trace), "--out", str(out)])
    assert result.exit_code == 0, result.output
    trace.write_text("date,hospital,department,item,quantity\n2026-11-23,H-XX,WARD,X,1\n")
    result = CliRunner().invoke(simulate, [str(tiny_dir), "--days", "3", "--demand-trace",
                                           str(trace), "--out", str(tmp_path / "u.nc")])
    assert result.exit_code == 2
    assert f"{trace}: [0].hospital (row 2): unknown hospital" in result.output


def _demand(path) -> float:
    with xr.open_dataset(path) as ds:
        assert ds.attrs["policy"] == "fixed_ss"
        return float(ds["demand_units"].sum())


def test_a_library_scenario_by_name_runs_with_its_forecast_bias(tmp_path, tiny_dir):
    runs = {}
    for name in (None, "forecast-bias"):
        out = tmp_path / f"{name}.nc"
        args = [str(tiny_dir), "--days", "20", "--seed", "3", "--policy", "fixed_ss",
                "--out", str(out)] + (["--scenario", name] if name else [])
        result = CliRunner().invoke(simulate, args)
        assert result.exit_code == 0, result.output
        runs[name] = _demand(out)
    # forecast -25 %: the twin draws demand with means / 0.75
    assert runs["forecast-bias"] > 1.15 * runs[None]


def test_an_unknown_scenario_name_exits_2_listing_the_library(tmp_path, tiny_dir):
    result = CliRunner().invoke(simulate, [str(tiny_dir), "--days", "5", "--scenario",
                                           "no-such", "--out", str(tmp_path / "o.nc")])
    assert result.exit_code == 2
    assert "--scenario: no file 'no-such' and no such scenario" in result.output
    assert "demand-surge" in result.output
    assert not (tmp_path / "o.nc").exists()
