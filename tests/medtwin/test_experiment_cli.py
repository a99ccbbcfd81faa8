"""``medtwin compare``, ``medtwin stress`` and ``medtwin report`` end to end on tiny."""

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from medtwin.cli import main
from scenarios.results import read
from twin.sim import run_kpi

SCENARIOS = {
    "baseline": "description: as configured\n",
    "surge": "events:\n  - {kind: demand_multiplier, region: south, factor: 1.5, start: 2, "
             "end: 9}\n",
}


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "lib"
    folder.mkdir()
    for name, text in SCENARIOS.items():
        (folder / f"{name}.yaml").write_text(text)
    return folder


def _invoke(*args: str) -> object:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_compare_writes_results_and_prints_intervals(tiny_dir: Path, library: Path,
                                                     tmp_path: Path) -> None:
    out = tmp_path / "cmp.nc"
    result = _invoke("compare", tiny_dir, "--policies", "heuristic,fixed_ss", "--scenarios",
                     "all", "--library", library, "--reps", 3, "--days", 20, "--out", out,
                     "--no-progress")
    assert result.exit_code == 0, result.output
    assert "paired differences against heuristic" in result.output
    assert "fill_rate_critical" in result.output
    ds = read(out)
    assert list(ds.policy.values) == ["heuristic", "fixed_ss"]
    assert list(ds.scenario.values) == ["baseline", "surge"]
    by_scenario = result.output.split("paired differences against scenario baseline")[1]
    lost = (ds.run_lost_units.sel(scenario="surge", policy="fixed_ss")
            - ds.run_lost_units.sel(scenario="baseline", policy="fixed_ss")).mean()
    block = by_scenario.split("surge / fixed_ss")[1]
    assert "lost_units" in block and run_kpi("run_lost_units").format(float(lost)) in block
    report = tmp_path / "report.html"
    result = _invoke("report", out, "--out", report)
    assert result.exit_code == 0, result.output
    text = report.read_text()
    assert text.startswith("<!DOCTYPE html>") and "Bokeh" in text
    assert "Paired differences: policy − heuristic" in text and "surge" in text


def test_compare_adaptive_stops_at_the_target(tiny_dir: Path, library: Path,
                                              tmp_path: Path) -> None:
    out = tmp_path / "adaptive.nc"
    result = _invoke("compare", tiny_dir, "--policies", "heuristic", "--scenarios", "baseline",
                     "--library", library, "--reps", 4, "--days", 15, "--target",
                     "fill_rate=0.02", "--max-reps", 40, "--out", out, "--no-progress")
    assert result.exit_code == 0, result.output
    ds = read(out)
    assert ds.attrs["adaptive_half_width"] <= 0.02 or ds.sizes["replication"] == 40
    assert ds.sizes["replication"] % 4 == 0


def test_compare_help_lists_the_policies() -> None:
    result = _invoke("compare", "--help")
    for name in ("heuristic", "fixed_ss", "optimised", "optimised_rolling"):
        assert name in result.output


@pytest.mark.parametrize(("extra", "message"), [
    (["--policies", "magic"], "--policies: unknown policy 'magic'"),
    (["--policies", "heuristic", "--target", "nope=1"], "--target: unknown KPI 'run_nope'"),
    (["--policies", "heuristic", "--target", "fill_rate=-1"], "positive half-width"),
    (["--policies", "heuristic", "--baseline", "fixed_ss"], "--baseline: 'fixed_ss' is not"),
    (["--policies", "heuristic", "--scenarios", "volcano"], "unknown scenario 'volcano'"),
])
def test_compare_bad_input_exits_2_and_writes_nothing(tiny_dir: Path, library: Path,
                                                      tmp_path: Path, extra: list[str],
                                                      message: str) -> None:
    out = tmp_path / "x.nc"
    result = _invoke("compare", tiny_dir, "--library", library, "--reps", 2, "--days", 5,
                     "--out", out, *extra)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_bad_scenario_file_names_file_and_field(tiny_dir: Path, library: Path,
                                                tmp_path: Path) -> None:
    (library / "broken.yaml").write_text("events:\n  - {kind: lane_closure, start: 1, end: 2}\n")
    result = _invoke("compare", tiny_dir, "--policies", "heuristic", "--library", library,
                     "--scenarios", "broken", "--reps", 2, "--days", 5, "--out",
                     tmp_path / "x.nc")
    assert result.exit_code == 2
    assert (f"{library / 'broken.yaml'}: events[0].lane_closure (line 2): give either 'lane' "
            "or both") in result.output


def test_stress_attaches_evidence_the_store_accepts(tiny_dir: Path, library: Path,
                                                    tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    assert _invoke("plan", tiny_dir, "--out", plan).exit_code == 0
    out = tmp_path / "stress"
    store = f"sqlite:///{tmp_path / 'store.db'}"
    assert _invoke("users", "bootstrap", "ann", "--store", store).exit_code == 0
    result = _invoke("stress", plan, "--network", tiny_dir, "--library", library,
                     "--reps", 3, "--days", 20, "--against", "heuristic", "--out", out,
                     "--no-progress", "--store", store)
    assert result.exit_code == 0, result.output
    plan_id = json.loads(plan.read_text())["id"]
    stressed = json.loads((out / f"{plan_id}.stressed.json").read_text())
    evidence = stressed["stress_test"]
    assert [s["scenario"] for s in evidence["scenarios"]] == ["baseline", "surge"]
    assert evidence["worst"]["scenario"] in ("baseline", "surge")
    assert read(out / f"{plan_id}.stress.nc").attrs["plan_id"] == plan_id
    added = _invoke("plans", "add", out / f"{plan_id}.stressed.json", "--store", store,
                    "--network", tiny_dir, "--user", "ann")
    assert added.exit_code == 0, added.output
    shown = _invoke("plans", "show", plan_id, "--store", store)
    assert "stress_tested" in shown.output
    again = _invoke("stress", out / f"{plan_id}.stressed.json", "--network", tiny_dir,
                    "--out", out)
    assert again.exit_code == 2 and "already carries stress evidence" in again.output


def test_stress_of_a_plan_from_another_snapshot_takes_that_snapshot(
        tiny_dir: Path, library: Path, tmp_path: Path) -> None:
    """A plan made with `medtwin plan --snapshot` (e.g. pulled from the ERP) is stressed
    from the same snapshot; without it the dates disagree and the message says what to do."""
    from erp_adapter.flatfile import write_folder
    from twin.network_files import load_network

    moved = load_network(tiny_dir).rebased(dt.date(2027, 3, 1)).snapshot
    snap = write_folder(tmp_path / "erp", moved) / "snapshot.yaml"
    plan = tmp_path / "plan.json"
    made = _invoke("plan", tiny_dir, "--snapshot", snap, "--out", plan)
    assert made.exit_code == 0, made.output
    args = ("stress", plan, "--network", tiny_dir, "--library", library, "--scenarios",
            "baseline", "--reps", 2, "--days", 7, "--no-progress")
    refused = _invoke(*args, "--out", tmp_path / "a")
    assert refused.exit_code == 2
    assert "the plan starts 2027-03-01, the snapshot is of 2026-11-23 (a plan made with " \
           "`medtwin plan --snapshot SNAP.yaml` needs the same --snapshot here)" in refused.output
    result = _invoke(*args, "--snapshot", snap, "--out", tmp_path / "b")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "b" / "tiny-2027-03-01.stressed.json").exists()


def test_compare_warns_when_a_scenario_misses_the_run(tiny_dir: Path, library: Path,
                                                      tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["compare", str(tiny_dir), "--policies", "heuristic",
                                       "--library", str(library), "--reps", "2", "--days",
                                       "2", "--out", str(tmp_path / "x.nc"), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "warning: no event of surge falls within the 2 simulated days" in result.output


def test_compare_shows_the_recall_response_of_a_recall_scenario(tiny_dir: Path,
                                                                 tmp_path: Path) -> None:
    from scenarios.experiment import replication_seed
    from solvers.registry import shipped_policies
    from twin.network_files import load_network
    from twin.sim import RECALL_KPIS, Recall, recall_summary, simulate

    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "baseline.yaml").write_text("description: as configured\n")
    (folder / "recall.yaml").write_text(
        "events:\n  - {kind: recall, item: IVD-TROP-100, lots: [TROP2610A], day: 3}\n")
    out = tmp_path / "cmp.nc"
    result = _invoke("compare", tiny_dir, "--policies", "heuristic,fixed_ss", "--scenarios",
                     "all", "--library", folder, "--reps", 2, "--days", 10, "--seed", 5,
                     "--out", out, "--no-progress")
    assert result.exit_code == 0, result.output
    for name in RECALL_KPIS:
        # means per scenario (2), differences to the baseline policy per scenario (2) and
        # the recall scenario's differences to the baseline scenario per policy (2)
        assert result.output.count(name) == 2 + 2 + 2, name
    ds = read(out)
    assert ds["run_recall_recovered_1d"].sel(scenario="baseline").isnull().all()
    run = simulate(load_network(tiny_dir), days=10, seed=replication_seed(5, 1),
                   policy="heuristic", policies=shipped_policies(),
                   events=[Recall(item="IVD-TROP-100", lots=["TROP2610A"], day=3)])
    expected = recall_summary(run.recalls, 10)
    assert expected["recall_units_to_recover"] >= 48
    got = ds.sel(scenario="recall", policy="heuristic", replication=1)
    assert {k: float(got[f"run_{k}"]) for k in RECALL_KPIS} == pytest.approx(
        expected, nan_ok=True)


def test_compare_shows_the_returns_kpis_when_units_came_back(edited_tiny, library: Path,
                                                            tmp_path: Path) -> None:
    def rates(doc: dict) -> None:
        doc["demand"][2]["returns"] = [
            {"reason": "unused", "rate": 0.1, "delay_days": {"family": "fixed", "mean": 2}}]
    out = tmp_path / "cmp.nc"
    result = _invoke("compare", edited_tiny(rates), "--policies", "fixed_ss", "--scenarios",
                     "baseline", "--library", library, "--reps", 2, "--days", 20, "--out", out,
                     "--no-progress")
    assert result.exit_code == 0, result.output
    ds = read(out)
    returned = float(ds.run_returned_units.mean())
    assert returned > 0
    line = next(x for x in result.output.splitlines() if "returned_units" in x)
    assert run_kpi("run_returned_units").format(returned) in line
    assert "repair_cost" in result.output and "in_repair_units_end" in result.output
