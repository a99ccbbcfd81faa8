"""The dashboard pages as objects: what they show and what their buttons do."""

import json
from pathlib import Path

import panel as pn
import pytest

from dashboards.auth import Login, Sessions
from dashboards.data import DataStore
from dashboards.views.inventory import InventoryView
from dashboards.views.network import NetworkView
from dashboards.views.plans import PlanReview
from dashboards.views.recall import RecallView
from medtwin.store import Status
from solvers.expiry import ExpiryAlerts
from tests.medtwin.store.samples import add_plan, evidence, new_store, plan_json, tiny_net
from twin.network_files import load_network
from twin.sim import simulate

TINY = Path(__file__).resolve().parents[2] / "data" / "tiny"


@pytest.fixture
def data(tmp_path: Path) -> DataStore:
    new_store(f"sqlite:///{tmp_path / 's.db'}", passwords={"mia": "pw", "pat": "pw"})
    return DataStore(results_dir=str(tmp_path), store_url=f"sqlite:///{tmp_path / 's.db'}",
                     network_name=str(TINY))


def login(user: str) -> Login:
    """A signed-in page of ``user``."""
    sessions = Sessions()
    return Login(sessions, sessions.open(user), user)


def _stored_plan(data: DataStore) -> str:
    add_plan(data.plans().store, "tiny-1", evidence(0.995, 100.0))
    return "tiny-1"


def test_network_view(data: DataStore) -> None:
    _stored_plan(data)
    view = NetworkView(data=data)
    assert view.flows == "plan tiny-1"                 # flows of the stored plan
    legend = {item.label.value for item in view.map().legend[0].items}
    assert {"hospital", "warehouse, cold chain", "road lane, cold chain",
            "transfers (plan)"} <= legend
    assert view.flow_table().units.tolist() == [5.0]
    assert len(view.health().object.data) == len(data.network().warehouses) + 1   # and total
    view.flows = "no flows"
    assert "transfers (plan)" not in {item.label.value for item in view.map().legend[0].items}
    assert isinstance(view.__panel__(), pn.Column)


def test_planner_sees_no_approve_button(data: DataStore) -> None:
    _stored_plan(data)
    view = PlanReview(data=data, login=login("pat"))
    actions = view.actions()
    assert isinstance(actions, pn.pane.Markdown) and "only managers" in actions.object
    view._approve()                     # none ticked: asks to confirm all
    view._act("approved", "approve", view.pending)   # confirmed: still, the store refuses
    assert "Refused: user 'pat' is a planner" in view.message
    view._act("rejected", "reject")
    assert view.refused and "Refused: user 'pat' is a planner" in view.message
    assert data.plans().info("tiny-1").status == Status.STRESS_TESTED


def test_manager_approves_selected_lines(data: DataStore) -> None:
    _stored_plan(data)
    view = PlanReview(data=data, login=login("mia"))
    assert list(view.lines.value.key) == ["t-1", "r-1"]
    view.lines.selection = [1]
    view.comment.value = "reorder point only"
    view._approve()
    assert view.pending is None and view.message == "1 line (1 reorder point) approved by mia"
    assert "tiny-1 (approved)" in view.param.plan_id.names
    assert list(view.lines.value.approved) == [False, True]
    info = data.plans().info("tiny-1")
    assert (info.status, info.approved_lines) == (Status.APPROVED, 1)
    table = view.to_publish()[1].value
    assert list(table.key) == ["r-1"]
    assert data.plans().decisions("tiny-1")[0].lines == ("r-1",)


def test_approve_all_waits_for_a_confirmation_naming_the_counts(data: DataStore) -> None:
    _stored_plan(data)
    view = PlanReview(data=data, login=login("mia"))
    view._approve()
    assert view.pending == ["t-1", "r-1"]
    alert = view.confirmation()[0].object
    assert alert == "Approve all 2 lines (1 reorder point, 1 transfer) of plan tiny-1?"
    assert data.plans().info("tiny-1").approved_lines == 0    # nothing until confirmed
    cancel = view.confirmation()[1][1]
    cancel.clicks += 1
    assert view.pending is None and data.plans().info("tiny-1").approved_lines == 0
    view._approve()
    view.confirmation()[1][0].clicks += 1
    assert data.plans().info("tiny-1").approved_lines == 2 and view.pending is None


def test_refusals_are_the_stores_and_a_rejected_plan_publishes_nothing(
        data: DataStore) -> None:
    _stored_plan(data)
    add_plan(data.plans().store, "tiny-0", evidence(0.995, 100.0))
    data.plans().reject("tiny-0", "mia", "wrong horizon")
    view = PlanReview(data=data, login=login("mia"))
    assert view.plan_id == "tiny-1"              # opens on the plan awaiting a decision
    view.lines.selection = [0]
    view._approve()
    view._act("rejected", "reject")
    assert view.refused and view.message == ("Refused: plan tiny-1 is approved; it cannot "
                                             "become rejected (allowed next: approved, "
                                             "published)")
    view.plan_id = "tiny-0"
    view._approve()
    view._act("approved", "approve", view.pending)
    assert "Refused: plan tiny-0 is rejected; it cannot become approved" in view.message
    none = view.to_publish()
    assert "Nothing will be published" in none.object and "is rejected" in none.object


def test_a_page_of_a_logged_out_session_changes_nothing(data: DataStore) -> None:
    _stored_plan(data)
    page = login("mia")
    view = PlanReview(data=data, login=page)
    page.sessions.close(page.sid)
    view.lines.selection = [0]
    view._approve()
    assert view.refused and "mia has logged out" in view.message
    assert data.plans().info("tiny-1").approved_lines == 0


def test_recall_impact_run(data: DataStore) -> None:
    view = RecallView(data=data, days=20, replications=3)
    assert view.picker.options == view.lots and view.lot == view.lots[0]
    view._run()
    assert view.impact.replications == 3 and len(view.impact.reach) == 3
    shown = view.result()
    assert "3 replications, seeds 0–2" in shown[0].object
    assert "back within 1 day" in shown[0].object
    response = shown[2].value.set_index("KPI")
    assert response.loc["recalled units recovered within 1 day", "mean"].endswith("%")
    assert response.loc["days to locate every recalled unit", "95% CI"].startswith("[")
    table = shown[3].value.set_index("KPI")
    assert list(table.columns) == ["without recall", "with recall", "difference", "95% CI",
                                   "significant"]
    assert table.loc["fill rate of the recalled item", "95% CI"].startswith("[")
    assert "e+" not in table.to_string()


def test_inventory_view_reads_a_simulated_run(data: DataStore, tmp_path: Path) -> None:
    simulate(load_network(TINY), days=15, seed=1, policy="fixed_ss").write(tmp_path / "r.nc")
    view = InventoryView(data=data)
    assert view.run == str(tmp_path / "r.nc")
    pane = view.stock()
    assert isinstance(pane, pn.pane.Bokeh)
    labels = [item.label.value for item in pane.object.legend[0].items]
    assert labels[0] == "on hand" and labels[1].startswith("reorder point s = ")
    assert labels[2].startswith("order-up-to S = ")
    assert len(view.lots().value) >= 1
    view.warehouse, view.item = "WH-HZ", "IVD-TROP-100"
    empty = view.stock()
    assert isinstance(empty, pn.pane.Alert) and "has no cold chain" in empty.object


def test_plan_page_lists_the_plans_expiry_alerts(data: DataStore) -> None:
    net = tiny_net()
    doc = json.loads(plan_json("tiny-x"))
    alerts = ExpiryAlerts(net).alerts()
    doc["expiry_alerts"] = [json.loads(a.model_dump_json(by_alias=True)) for a in alerts]
    data.plans().store.add_plan(json.dumps(doc), "pat", "tiny-x.json", net)
    view = PlanReview(data=data, login=login("mia"))
    view.plan_id = "tiny-x"
    table = view.expiry()[1].value
    assert table["lot"].tolist() == [a.lot for a in alerts] and len(alerts) >= 1
    assert table["value at risk"].tolist() == [a.value_at_risk for a in alerts]
