"""What-if scenarios (an edited one is saved only when it and every chosen one are valid)
and runs on the worker pool (their file names, progress and outcome)."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import xarray as xr

from medtwin.services.whatif import WhatIfRunner, reserve_name, resolve_scenarios
from scenarios.execution import run
from scenarios.experiment import Experiment
from scenarios.library import Library
from scenarios.results import read
from tests.medtwin.store.samples import tiny_net
from twin.problems import InputError

SURGE = "events:\n  - {kind: demand_multiplier, region: east, factor: 2, start: 0, end: 10}\n"


def test_a_valid_edited_scenario_is_saved_for_repeating_the_run(tmp_path: Path) -> None:
    found = resolve_scenarios(Library(), ["baseline"], tiny_net(), ("surge", SURGE), tmp_path)
    assert [s.name for s in found] == ["baseline", "surge"]
    assert (tmp_path / "scenarios" / "surge.yaml").read_text() == SURGE


@pytest.mark.parametrize(("name", "text", "problem"), [
    ("bad", "events:\n  - {kind: warehouse_outage, warehouse: WH-NOPE, start: 0, end: 3}\n",
     r"scenarios/bad\.yaml: events\[0\]\.warehouse \(line 2\): unknown warehouse 'WH-NOPE'"),
    ("../outside", SURGE, "'../outside' must start with a letter or digit"),
    ("fine", "events: [\n", "cannot read YAML")])
def test_an_invalid_edited_scenario_writes_nothing(tmp_path: Path, name: str, text: str,
                                                   problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        resolve_scenarios(Library(), ["baseline"], tiny_net(), (name, text), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_names_reserved_at_once_are_distinct(tmp_path: Path) -> None:
    (tmp_path / "whatif-net-3.nc").write_text("")
    with ThreadPoolExecutor(8) as pool:
        names = list(pool.map(lambda _: reserve_name(tmp_path, "net"), range(16)))
    assert sorted(int(p.stem.split("-")[-1]) for p in names) == list(range(4, 20))


def test_two_runs_started_at_once_run_on_the_pool_into_two_files(tmp_path: Path) -> None:
    """Submitting returns at once; each run has its own progress; the files equal a serial
    run of the same experiment (the same blocks and assembly as ``medtwin compare``)."""
    net = tiny_net()
    scenarios = Library().resolve_all(["baseline", "demand-surge"], net)
    runner = WhatIfRunner(workers=2)
    try:
        jobs = [runner.submit(net, ["heuristic", "fixed_ss"], scenarios, 2, 10, seed, tmp_path,
                              author="pat") for seed in (0, 1)]
        assert [j.path.name for j in jobs] == ["whatif-tiny-1.nc", "whatif-tiny-2.nc"]
        assert all(j.wait(180) for j in jobs), [j.state for j in jobs]
    finally:
        runner.close()
    assert [(j.state, j.done, j.total) for j in jobs] == [("done", 8, 8)] * 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["whatif-tiny-1.nc",
                                                          "whatif-tiny-2.nc"]
    ds = read(jobs[1].path)
    assert (ds.attrs["run_kind"], ds.attrs["author"]) == ("what-if", "pat")
    serial = run(Experiment(net, ("heuristic", "fixed_ss"), tuple(scenarios), days=10, seed=1),
                 range(2))
    xr.testing.assert_equal(ds[["run_fill_rate", "run_total_cost"]],
                            serial[["run_fill_rate", "run_total_cost"]])


def test_a_failed_run_says_why_and_frees_its_name(tmp_path: Path) -> None:
    net = tiny_net()
    runner = WhatIfRunner(workers=1)
    try:
        job = runner.submit(net, ["heuristic"], Library().resolve_all(["baseline"], net), 2,
                            5, 0, tmp_path, author="pat")
        job.path.mkdir()                        # a folder where the file is to be written
        assert job.wait(180)
    finally:
        runner.close()
    assert job.state == "failed" and job.error
    assert not Path(f"{job.path}.reserved").exists()
