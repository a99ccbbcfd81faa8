"""The Compare and What-if pages as objects."""

from collections.abc import Iterator
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
def data(tmp_path: Path) -> Iterator[DataStore]:
    new_store(f"sqlite:///{tmp_path / 's.db'}", passwords={"mia": "pw"})
    store = DataStore(results_dir=str(tmp_path), store_url=f"sqlite:///{tmp_path / 's.db'}",
                      network_name=str(TINY))
    yield store
    store.runner().close()


def test_whatif_runs_an_edited_scenario_off_the_loop_and_compare_shows_it(
        data: DataStore, tmp_path: Path) -> None:
    compare = CompareView(data=data)
    assert compare.file is None and "No experiment files" in compare.verdict().object
    opened: list[str] = []
    whatif = WhatIfView(data=data, login=login("pat"), on_written=lambda _: compare.refresh(),
                        on_open=opened.append, policies=["heuristic", "fixed_ss"],
                        scenarios=["baseline"], reps=3, days=15)
    whatif.editor.value = ("description: east surge\nevents:\n  - {kind: demand_multiplier, "
                           "region: east, factor: 2, start: 0, end: 10}\n")
    whatif.edit_name = "east-surge"
    job = whatif._run()
    assert job is not None and job.path.name == "whatif-tiny-1.nc"
    assert "Started `whatif-tiny-1.nc`" in whatif.message      # back at once, not linkified
    row = whatif.queue.objects[0]
    assert "whatif-tiny-1.nc" in row[1].object and row[0].active
    assert job.wait(180), job.state
    whatif._poll()
    assert whatif.written == str(job.path) and "Wrote `whatif-tiny-1.nc`" in whatif.message
    assert "**written**" in row[1].object and row[0].value == job.total == 2 * 2 * 3
    ds = read(whatif.written)
    assert list(ds.scenario.values) == ["baseline", "east-surge"]
    assert ds.attrs["author"] == "pat" and ds.attrs["run_kind"] == "what-if"
    assert (tmp_path / "scenarios" / "east-surge.yaml").exists()
    result = whatif.result()
    assert "class='tiles'" in result[3].object and len(result) == 6   # tiles and two charts
    result[1].clicks += 1                                 # "Open on the Compare page"
    assert opened == [whatif.written]
    # the Compare page lists the new file (the only experiment) and shows its verdict
    assert compare.file == whatif.written
    assert (compare.baseline, compare.candidate) == ("heuristic", "fixed_ss")
    assert "data-kpi='run_fill_rate_critical'" in compare.verdict()[1].object
    table = compare.table().value
    assert {"mean", "95 % CI"} <= set(table.columns)
    assert table["mean"].str.endswith((" %", " units", " CNY")).all()
    assert isinstance(compare.differences(), pn.pane.HoloViews)
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


def test_compare_offers_the_recall_response_when_a_scenario_recalls(
        data: DataStore, tmp_path: Path) -> None:
    from scenarios.execution import run
    from scenarios.experiment import Experiment
    from scenarios.library import Library
    from scenarios.results import write
    from twin.network_files import load_network

    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "baseline.yaml").write_text("description: as configured\n")
    (lib / "recall.yaml").write_text(
        "events:\n  - {kind: recall, item: IVD-TROP-100, lots: [TROP2610A], day: 2}\n")
    net = load_network(TINY)
    scenarios = tuple(Library(lib).resolve_all(["baseline", "recall"], net))
    write(run(Experiment(net, ("heuristic", "fixed_ss"), scenarios, days=8), range(2)),
          tmp_path / "recall.nc")
    compare = CompareView(data=data)
    assert compare.param.kpi.objects["recalled units recovered within 1 day"] \
        == "run_recall_recovered_1d"
    table = compare.table().value
    shown = table[table["KPI"] == "days to locate every recalled unit"].set_index("scenario")
    assert (shown.loc["baseline", "mean"] == "n/a").all()     # undefined without a recall
    assert shown.loc["recall", "mean"].str.endswith(" days").all()
    compare.kpi = "run_recall_recovered_1d"
    assert isinstance(compare.differences(), pn.pane.HoloViews)
