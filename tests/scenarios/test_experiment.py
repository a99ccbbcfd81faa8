"""Experiments: common random numbers, serial = Dask, the dataset contract, policy set-ups
prepared once."""

import hashlib
import json
import logging
import re
from pathlib import Path

import numpy as np
import pytest

from scenarios.execution import run
from scenarios.experiment import (
    Experiment,
    preparations,
    prepare,
    replication_seed,
    run_block,
    run_kpi_names,
)
from scenarios.library import Library
from scenarios.results import read, write
from solvers.policies import levels
from twin.domain import Network
from twin.problems import InputError

DAYS = 30


def _experiment(tiny: Network, library_dir: Path, names: str = "baseline,storm",
                policies: tuple[str, ...] = ("heuristic", "fixed_ss")) -> Experiment:
    scenarios = tuple(Library(library_dir).resolve_all(names, tiny))
    return Experiment(tiny, policies, scenarios, days=DAYS, seed=11, baseline="heuristic")


def test_every_policy_sees_the_same_demand(tiny: Network, library_dir: Path) -> None:
    ds = run(_experiment(tiny, library_dir), range(4))
    demand = ds["demand_units"]
    assert demand.sum() > 0
    assert (demand.sel(policy="heuristic") == demand.sel(policy="fixed_ss")).all()
    # ... while what the policies did differs
    assert not np.array_equal(ds["inventory_value"].sel(policy="heuristic"),
                              ds["inventory_value"].sel(policy="fixed_ss"))
    # and replications differ from each other
    assert not (demand.isel(replication=0) == demand.isel(replication=1)).all()


def test_dataset_contract(tiny: Network, library_dir: Path) -> None:
    exp = _experiment(tiny, library_dir)
    ds = run(exp, range(3))
    assert dict(ds.sizes) == {"policy": 2, "scenario": 2, "replication": 3, "time": DAYS,
                              "priority": 3}
    assert set(run_kpi_names(tiny)) <= set(ds.data_vars)
    for name in ("run_fill_rate_critical", "run_holding_cost", "run_demand_units"):
        assert ds[name].dims == ("policy", "scenario", "replication")
        assert ds[name].attrs["units"]
    assert ds["fill_rate"].dims == ("policy", "scenario", "replication", "time")
    assert ds["demand_units"].dims == ("policy", "scenario", "replication", "time", "priority")
    assert list(ds["replication_seed"].values) == [replication_seed(11, r) for r in range(3)]
    attrs = ds.attrs
    assert attrs["network"] == tiny.name and len(attrs["network_sha256"]) == 64
    assert json.loads(attrs["policies"]) == ["heuristic", "fixed_ss"]
    assert attrs["baseline_policy"] == "heuristic"
    assert attrs["code_version"].startswith("medtwin")
    storm = json.loads(attrs["scenarios"])[1]
    assert storm["name"] == "storm" and storm["forecast_bias"] == pytest.approx(-0.2)
    assert [e["kind"] for e in storm["events"]] == ["demand_multiplier", "lane_closure"]
    assert ds["run_demand_units"].values == pytest.approx(
        ds["demand_units"].sum(("time", "priority")).values)


def test_serial_and_dask_write_identical_files(tiny: Network, library_dir: Path,
                                               tmp_path: Path, caplog) -> None:
    exp = _experiment(tiny, library_dir)
    serial = write(run(exp, range(6)), tmp_path / "serial.nc")
    with caplog.at_level(logging.INFO, logger="scenarios.execution"):
        dask = write(run(exp, range(6), workers=2), tmp_path / "dask.nc")
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (serial, dask)]
    assert digest[0] == digest[1]
    assert read(dask).identical(read(serial))
    assert "tiny 2×2×6: 24/24 runs, ETA 0:00:00, 2 workers" in caplog.messages


def test_policy_set_ups_are_prepared_once_per_planning_network(tiny: Network,
                                                              library_dir: Path) -> None:
    (library_dir / "dearer.yaml").write_text(
        "overrides: {suppliers: {SUP-MED: {order_cost: 900}}}\n")
    exp = _experiment(tiny, library_dir, "baseline,surge,storm,dearer",
                      ("fixed_ss", "heuristic", "optimised", "optimised_rolling"))
    # events and a forecast bias leave the planning network as it is, overrides change it;
    # optimised and optimised_rolling plan with the same levels; fixed_ss prepares nothing
    assert {key[1]: None for key in preparations(exp)} == {"heuristic levels": None,
                                                          "optimised levels": None}
    assert sorted((exp.scenarios[s].name, p) for s, p in preparations(exp).values()) == [
        ("baseline", "heuristic"), ("baseline", "optimised"),
        ("dearer", "heuristic"), ("dearer", "optimised")]


def test_a_block_adopts_levels_prepared_elsewhere(tiny: Network, library_dir: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    exp = _experiment(tiny, library_dir, "surge", ("heuristic",))
    monkeypatch.setattr(levels, "_CACHE", {})
    own = run_block(exp, 0, [0, 1]).values["inventory_value"]    # solved in this process
    [(s, p)] = preparations(exp).values()
    solved = prepare(exp, s, p)
    halved = {k: (lo // 2, hi // 2) for k, (lo, hi) in solved.items()}  # type: ignore[union-attr]

    def solve_again(*args: object) -> None:
        raise AssertionError("levels solved again in the block")

    monkeypatch.setattr(levels, "heuristic_levels", solve_again)

    def run_with(adopted: object) -> np.ndarray:
        monkeypatch.setattr(levels, "_CACHE", {})   # as in a fresh process: nothing solved
        return run_block(exp, 0, [0, 1], {"heuristic levels": adopted}).values[
            "inventory_value"]

    assert np.array_equal(run_with(solved), own)
    assert run_with(halved).sum() < 0.9 * own.sum()    # what is adopted is what runs


def test_dask_prepares_each_set_up_once_for_the_cluster(tiny: Network, library_dir: Path
                                                       ) -> None:
    from distributed import Client, LocalCluster, get_task_stream

    exp = _experiment(tiny, library_dir, "baseline,surge,storm")
    with (LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                       dashboard_address=None) as cluster, Client(cluster) as client,
          get_task_stream(client) as tasks):
        ds = run(exp, range(4), scheduler=cluster.scheduler_address)
    ran = [t["key"].split("-")[0] for t in tasks.data]
    assert ran.count("prepare") == 1            # heuristic levels of the one planning network
    assert ran.count("run_block") == 3 * 4      # 3 scenarios, blocks of 1 replication
    assert ds.identical(run(exp, range(4)))


def test_progress_names_runs_eta_and_workers(tiny: Network, library_dir: Path, caplog,
                                             capsys) -> None:
    """Without a bar, a log line each tenth of the way; with one, the bar says it."""
    exp = _experiment(tiny, library_dir, "baseline", ("heuristic",))
    seen: list[tuple[int, int]] = []
    with caplog.at_level(logging.INFO, logger="scenarios.execution"):
        run(exp, range(4), on_progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    lines = caplog.messages
    assert [line.split(",")[0] for line in lines] == [f"tiny 1×1×4: {n}/4 runs"
                                                      for n in range(1, 5)]
    assert all(re.search(r", ETA \d+:\d\d:\d\d, 1 worker$", line) for line in lines)
    caplog.clear()
    run(exp, range(2), progress=True)
    assert "1 worker" in capsys.readouterr().err and not caplog.records


def test_same_seed_same_file_and_replications_are_prefix_stable(
        tiny: Network, library_dir: Path, tmp_path: Path) -> None:
    exp = _experiment(tiny, library_dir, "surge", ("heuristic",))
    a = write(run(exp, range(4)), tmp_path / "a.nc").read_bytes()
    b = write(run(exp, range(4)), tmp_path / "b.nc").read_bytes()
    assert a == b
    more = run(exp, range(6))
    assert more.isel(replication=slice(0, 4)).drop_attrs().identical(
        read(tmp_path / "a.nc").drop_attrs())


def test_forecast_bias_changes_demand_not_the_plans(tiny: Network,
                                                    library_dir: Path) -> None:
    """Bias −0.5: the forecast is half the actual demand, so demand doubles while the
    policies keep planning with the network's means, and service drops."""
    (library_dir / "low.yaml").write_text("forecast_bias: -0.5\n")
    ds = run(_experiment(tiny, library_dir, "baseline,low", ("heuristic", "fixed_ss")),
             range(4))
    demand = ds["run_demand_units"]
    ratio = float(demand.sel(scenario="low").sum() / demand.sel(scenario="baseline").sum())
    assert ratio == pytest.approx(2.0, rel=0.1)
    fill = ds["run_fill_rate"].sel(policy="fixed_ss")
    assert float(fill.sel(scenario="low").mean()) < float(fill.sel(scenario="baseline").mean())
    daily = ds["demand_units"].sel(scenario="low")
    assert (daily.sel(policy="heuristic") == daily.sel(policy="fixed_ss")).all()


def test_result_file_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read(tmp_path / "missing.nc")
    (tmp_path / "junk.nc").write_text("not netcdf")
    with pytest.raises(InputError, match=r"junk\.nc: not a NetCDF file"):
        read(tmp_path / "junk.nc")


def test_experiment_refuses_unknown_policies(tiny: Network, library_dir: Path) -> None:
    scenarios = tuple(Library(library_dir).resolve_all("baseline", tiny))
    with pytest.raises(ValueError, match="unknown policies"):
        Experiment(tiny, ("nope",), scenarios, days=5)
    with pytest.raises(ValueError, match="needs a plan"):
        Experiment(tiny, ("plan",), scenarios, days=5)
