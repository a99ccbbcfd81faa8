"""What-if scenarios: an edited one is saved only when it and every chosen one are valid."""

from pathlib import Path

import pytest

from medtwin.services.whatif import resolve_scenarios
from scenarios.library import Library
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
