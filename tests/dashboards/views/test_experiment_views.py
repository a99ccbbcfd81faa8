"""The Compare and What-if pages as objects."""

from pathlib import Path

import panel as pn
import pytest

from dashboards.data import DataStore
from dashboards.views.compare import CompareView
from dashboards.views.whatif import WhatIfView
from scenarios.results import read
from tests.dashboards.views.test_views import login
from tests.medtwin.store.samples import new_store

TINY = Path(__file__).resolve().parents[2] / "data" / "tiny"


@pytest.fixture
def data(tmp_path: Path) -> DataStore:
    new_store(f"sqlite:///{tmp_path / 's.db'}", passwords={"mia": "pw"})
    return DataStore(results_dir=str(tmp_path), store_url=f"sqlite:///{tmp_path / 's.db'}",
                     network_name=str(TINY))


def test_whatif_runs_an_edited_scenario_and_compare_picks_it_up(data: DataStore,
                                                               tmp_path: Path) -> None:
    compare = CompareView(data=data)
    assert compare.file is None and "No experiment files" in compare.table().object
    whatif = WhatIfView(data=data, login=login("pat"), on_written=compare.refresh,
                        policies=["heuristic", "fixed_ss"], scenarios=["baseline"], reps=3,
                        days=15)
    whatif.editor.value = ("description: east surge\nevents:\n  - {kind: demand_multiplier, "
                           "region: east, factor: 2, start: 0, end: 10}\n")
    whatif.edit_name = "east-surge"
    ticks: list[int] = []
    whatif.progress.param.watch(lambda e: ticks.append(e.new), "value")
    whatif._run()
    assert whatif.written.endswith("whatif-tiny-1.nc"), whatif.message
    ds = read(whatif.written)
    assert list(ds.scenario.values) == ["baseline", "east-surge"]
    assert (tmp_path / "scenarios" / "east-surge.yaml").exists()
    assert ticks[-1] == 2 * 2 * 3
    assert set(whatif.result().value.policy) == {"heuristic", "fixed_ss"}
    # the Compare page lists the new file and shows its tables and plots
    assert compare.file == whatif.written
    assert compare.baseline == "heuristic"
    table = compare.table().value
    assert {"mean", "lower", "upper"} <= set(table.columns)
    diff = compare.differences().value
    assert set(diff.policy) == {"fixed_ss"} and "significant" in diff
    assert isinstance(compare.distribution(), pn.pane.HoloViews)
    compare.scenario = "east-surge"
    assert len(compare.series().objects) == 2


def test_whatif_reports_an_invalid_edited_scenario(data: DataStore, tmp_path: Path) -> None:
    whatif = WhatIfView(data=data, login=login("pat"), scenarios=["baseline"], reps=2, days=7)
    whatif.editor.value = "events:\n  - {kind: warehouse_outage, warehouse: WH-NOPE, " \
                          "start: 0, end: 3}\n"
    whatif.edit_name = "bad"
    whatif._run()
    assert "Scenario not valid" in whatif.message and "unknown warehouse 'WH-NOPE'" \
        in whatif.message
    assert f"{tmp_path / 'scenarios' / 'bad.yaml'}: events[0]" in whatif.message
    assert not list(tmp_path.glob("whatif-*.nc"))
    assert not (tmp_path / "scenarios").exists()       # nothing written, not even for a moment
    whatif.editor.value, whatif.edit_name = "events: []\n", "../outside"
    whatif._run()
    assert "'../outside' must start with" in whatif.message
    assert not (tmp_path / "scenarios").exists() and not (tmp_path.parent / "outside.yaml").exists()


def test_a_viewer_cannot_run_a_whatif(data: DataStore, tmp_path: Path) -> None:
    whatif = WhatIfView(data=data, login=login("vic"), scenarios=["baseline"], reps=2, days=7)
    assert whatif.button.disabled and "may not run what-ifs" in whatif.__panel__()[1].object
    whatif.editor.value, whatif.edit_name = "events: []\n", "mine"
    whatif._run()                        # even if called, the store refuses
    assert whatif.message.startswith("Refused: user 'vic' is a viewer")
    assert not list(tmp_path.glob("whatif-*.nc")) and not (tmp_path / "scenarios").exists()


def test_whatif_load_copies_a_library_scenario(data: DataStore) -> None:
    whatif = WhatIfView(data=data, login=login("pat"), scenarios=["lane-closure"])
    whatif._load()
    assert "lane_closure" in whatif.editor.value and whatif.edit_name == "lane-closure-edited"
