"""The dashboard pages as objects: what they show and what their buttons do."""

from pathlib import Path

import holoviews as hv
import panel as pn
import pytest

from dashboards.data import DataStore
from dashboards.views.inventory import InventoryView
from dashboards.views.network import NetworkView
from dashboards.views.plans import PlanReview
from dashboards.views.recall import RecallView
from medtwin.store import Status
from tests.medtwin.store.samples import add_plan, evidence, new_store
from twin.network_files import load_network
from twin.sim import simulate

TINY = Path(__file__).resolve().parents[2] / "data" / "tiny"


@pytest.fixture
def data(tmp_path: Path) -> DataStore:
    new_store(f"sqlite:///{tmp_path / 's.db'}", passwords={"mia": "pw", "pat": "pw"})
    return DataStore(results_dir=str(tmp_path), store_url=f"sqlite:///{tmp_path / 's.db'}",
                     network_name=str(TINY))


def _stored_plan(data: DataStore) -> str:
    add_plan(data.plans().store, "tiny-1", evidence(0.995, 100.0))
    return "tiny-1"


def test_network_view(data: DataStore) -> None:
    view = NetworkView(data=data)
    assert isinstance(view.map(), hv.Overlay)
    assert len(view.health().value) == len(data.network().warehouses)
    assert isinstance(view.__panel__(), pn.Column)


def test_planner_sees_no_approve_button(data: DataStore) -> None:
    _stored_plan(data)
    view = PlanReview(data=data, user="pat")
    actions = view.actions()
    assert isinstance(actions, pn.pane.Markdown) and "only managers" in actions.object
    view._decide(True)                  # even if called, the store refuses
    assert "refused" in view.message
    assert data.plans().info("tiny-1").status == Status.STRESS_TESTED


def test_manager_approves_selected_lines(data: DataStore) -> None:
    _stored_plan(data)
    view = PlanReview(data=data, user="mia")
    assert list(view.lines.value.key) == ["t-1", "r-1"]
    view.lines.selection = [1]
    view.comment.value = "reorder point only"
    view._decide(True)
    info = data.plans().info("tiny-1")
    assert (info.status, info.approved_lines) == (Status.APPROVED, 1)
    table = view.to_publish()[1].value
    assert list(table.key) == ["r-1"]
    assert data.plans().decisions("tiny-1")[0].lines == ("r-1",)


def test_recall_impact_run(data: DataStore) -> None:
    view = RecallView(data=data, days=20)
    view._run()
    impact = view.impact.set_index("kpi")
    assert set(impact.columns) == {"without recall", "with recall", "difference"}
    assert impact.loc["fill_rate", "with recall"] <= impact.loc["fill_rate", "without recall"]


def test_inventory_view_reads_a_simulated_run(data: DataStore, tmp_path: Path) -> None:
    simulate(load_network(TINY), days=15, seed=1, policy="fixed_ss").write(tmp_path / "r.nc")
    view = InventoryView(data=data)
    assert view.run == str(tmp_path / "r.nc")
    pane = view.stock()
    assert isinstance(pane, pn.pane.HoloViews)
    assert len(view.lots().value) >= 1
