"""Scenario files — one format, read by the scenario library: events validated by pydantic
and checked against the network, a bare list of events as a scenario of only those."""

import pytest

from scenarios.library import Library
from twin.network_files import load_network
from twin.problems import InputError
from twin.sim import LaneClosure, Recall, WarehouseOutage

EVENTS = """
  - {kind: warehouse_outage, warehouse: WH-HZ, start: 2, end: 2026-12-01}
  - {kind: lane_closure, from: WH-SH, to: WH-GZ, start: 0, end: 3}
  - {kind: recall, item: IVD-TROP-100, lots: [TROP2610A], day: 4}
"""


@pytest.mark.parametrize("text", [f"events:{EVENTS}", EVENTS])
def test_loads_a_scenario_or_a_bare_list_of_events(tmp_path, tiny_dir, text):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    outage, closure, recall = Library().resolve(str(path), load_network(tiny_dir)).events
    assert isinstance(outage, WarehouseOutage) and str(outage.end) == "2026-12-01"
    assert isinstance(closure, LaneClosure) and closure.mode is None
    assert isinstance(recall, Recall) and recall.lots == ["TROP2610A"]


@pytest.mark.parametrize(("text", "where", "message"), [
    ("- {kind: warehouse_outage, warehouse: WH-SH, start: 3}", "events[0].warehouse_outage.end",
     "Field required"),
    ("- {kind: demand_multiplier, factor: -1, start: 0, end: 1}",
     "events[0].demand_multiplier.factor", "greater than or equal to 0"),
    ("- {kind: warehouse_outage, warehouse: NOWHERE, start: 0, end: 1}",
     "events[0].warehouse", "unknown warehouse 'NOWHERE'"),
    ("- {kind: lane_closure, from: WH-HZ, to: WH-SH, start: 0, end: 1}", "events[0].from",
     "no lane"),
    ("events: {kind: recall}", "events", "list"),
    ("- {kind: meteor, start: 0, end: 1}", "events[0]",
     "does not match any of the expected tags"),
])
def test_bad_scenarios_name_the_file_and_the_field(tmp_path, tiny_dir, text, where, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        Library().resolve(str(path), load_network(tiny_dir))
    assert f"{path}: {where}" in str(err.value)
    assert message in str(err.value)
