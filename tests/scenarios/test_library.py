"""Scenario files: validation with located errors, composition, overrides."""

from pathlib import Path

import pytest

from scenarios.library import DEFAULT_LIBRARY, Library
from tests.conftest import TINY
from twin.domain import Network, Substitute
from twin.network_files import load_network
from twin.problems import InputError

SHIPPED = ["baseline", "cold-chain-failure", "defect-wave", "demand-surge", "forecast-bias",
           "lane-closure", "no-substitutes", "perfect-storm", "recall-lot", "recall-supplier",
           "supplier-delay", "supplier-outage", "warehouse-outage"]


def test_shipped_library_resolves_on_the_reference_network() -> None:
    net = load_network("reference")
    resolved = Library(DEFAULT_LIBRARY).resolve_all("all", net)
    assert [s.name for s in resolved] == SHIPPED
    by_name = {s.name: s for s in resolved}
    assert by_name["baseline"].events == ()
    assert by_name["forecast-bias"].forecast_bias == pytest.approx(-0.25)
    storm = by_name["perfect-storm"]
    assert [e.kind for e in storm.events] == ["demand_multiplier", "supplier_disruption"]
    assert storm.sources == ("demand-surge", "supplier-delay", "perfect-storm")


def test_includes_compose_events_overrides_and_bias(library_dir: Path, tiny: Network) -> None:
    storm = Library(library_dir).resolve("storm", tiny)
    assert [e.kind for e in storm.events] == ["demand_multiplier", "lane_closure"]
    assert storm.forecast_bias == pytest.approx(-0.2)
    actual = storm.true_network(tiny)
    assert [d.mean_per_day for d in actual.demand] == pytest.approx(
        [d.mean_per_day / 0.8 for d in tiny.demand])
    assert storm.planning_network(tiny) is tiny


def test_overrides_change_master_data_and_are_validated(library_dir: Path,
                                                         tiny: Network) -> None:
    supplier = tiny.suppliers[0].id
    (library_dir / "flaky.yaml").write_text(
        f"overrides:\n  suppliers:\n    {supplier}: {{lateness: {{probability: 0.5, delay: "
        f"{{mean: 9, spread: 9}}}}}}\n")
    flaky = Library(library_dir).resolve("flaky", tiny)
    assert flaky.true_network(tiny).supplier_by_id[supplier].lateness.probability == 0.5
    assert tiny.supplier_by_id[supplier].lateness.probability != 0.5
    (library_dir / "bad.yaml").write_text(
        f"overrides:\n  suppliers:\n    {supplier}: {{lateness: {{probability: 7}}}}\n"
        "    SUP-NOPE: {defect_rate: 0.5}\n  regions: {east: {name: x}}\n")
    with pytest.raises(InputError) as err:
        Library(library_dir).resolve("bad", tiny)
    text = str(err.value)
    assert "bad.yaml: overrides.regions (line 5): cannot override 'regions'" in text
    assert "bad.yaml: overrides.suppliers.SUP-NOPE (line 4): no supplier 'SUP-NOPE'" in text


def test_bad_scenario_files_name_file_and_field(library_dir: Path, tiny: Network) -> None:
    (library_dir / "typo.yaml").write_text(
        "events:\n  - {kind: demand_multiplier, region: mars, factor: 2, start: 0, end: 3}\n"
        "  - {kind: lane_closure, lane: 'WH-SH>WH-GZ:road', start: 9, end: 3}\n"
        "  - {kind: volcano, start: 0}\nforecast_bias: -1.5\n")
    with pytest.raises(InputError) as err:
        Library(library_dir).resolve("typo", tiny)
    messages = [str(p) for p in err.value.problems]
    assert any("typo.yaml: events[1].lane_closure (line 3): end 3 is before start 9" in m
               for m in messages), messages
    assert any("typo.yaml: events[2]" in m and "volcano" in m for m in messages), messages
    assert any("typo.yaml: forecast_bias (line 5)" in m for m in messages), messages


def test_unknown_reference_in_an_event_is_located(library_dir: Path, tiny: Network) -> None:
    (library_dir / "mars.yaml").write_text(
        "events:\n  - {kind: demand_multiplier, region: mars, factor: 2, start: 0, end: 3}\n")
    with pytest.raises(InputError,
                       match=r"mars.yaml: events\[0\].region \(line 2\): unknown region"):
        Library(library_dir).resolve("mars", tiny)


def test_circular_and_unknown_includes(library_dir: Path, tiny: Network) -> None:
    (library_dir / "a.yaml").write_text("include: [b]\n")
    (library_dir / "b.yaml").write_text("include: [a]\n")
    (library_dir / "c.yaml").write_text("include: [nowhere]\n")
    with pytest.raises(InputError, match=r"b.yaml: include\[0\]: circular include: a → b → a"):
        Library(library_dir).resolve("a", tiny)
    with pytest.raises(InputError, match=r"c.yaml: include\[0\]: unknown scenario 'nowhere'"):
        Library(library_dir).resolve("c", tiny)


def test_selection(library_dir: Path, tiny: Network, tmp_path: Path) -> None:
    lib = Library(library_dir)
    assert lib.select("all") == ["baseline", "closure", "storm", "surge"]
    own = tmp_path / "mine.yaml"
    own.write_text("description: mine\n")
    assert [s.name for s in lib.resolve_all(f"surge, {own}", tiny)] == ["surge", "mine"]
    with pytest.raises(InputError, match="unknown scenario 'nope'"):
        lib.select("surge,nope")
    with pytest.raises(InputError, match="scenario library folder not found"):
        Library(tmp_path / "missing")


def test_scenarios_whose_events_miss_the_run_are_idle() -> None:
    net = load_network("reference")
    start = net.snapshot.as_of
    outage = Library().resolve("warehouse-outage", net)  # days 30–50
    assert outage.events_within(start, 30) == 0 and outage.idle_within(start, 30)
    assert outage.events_within(start, 31) == 1 and not outage.idle_within(start, 31)
    recall = Library().resolve("recall-supplier", net)  # day 45
    assert recall.idle_within(start, 45) and not recall.idle_within(start, 46)
    bias = Library().resolve("forecast-bias", net)
    assert not bias.idle_within(start, 1)


def test_applicable_names_the_scenarios_a_network_can_run_and_why_not_the_others() -> None:
    library = Library()
    found, skipped = library.applicable(load_network("reference"))
    assert found == library.names() and skipped == {}
    found, skipped = library.applicable(load_network(TINY))
    assert "baseline" in found and "warehouse-outage" in skipped
    assert "unknown warehouse 'WH-PEK'" in skipped["warehouse-outage"]
    assert sorted(found + list(skipped)) == library.names()


def test_a_scenario_can_turn_substitutes_off_and_says_so(library_dir: Path,
                                                         tiny: Network) -> None:
    rule = Substitute(item="INF-SET-STD", substitute="STENT-DES-30", hospital="H-RJ")
    net = tiny.model_copy(update={"substitutes": [rule]})
    (library_dir / "nosub.yaml").write_text("substitutes: false\n")
    (library_dir / "nosub-storm.yaml").write_text("include: [nosub, storm]\n")
    lib = Library(library_dir)
    for name in ("nosub", "nosub-storm"):
        off = lib.resolve(name, net)
        assert not off.substitutes and off.to_dict()["substitutes"] is False
        assert off.planning_network(net).substitutes == []
        assert off.true_network(net).substitutes == []
    on = lib.resolve("storm", net)
    assert on.substitutes and "substitutes" not in on.to_dict()
    assert on.true_network(net).substitutes == [rule]
    with pytest.raises(InputError) as err:
        lib.resolve("nosub", tiny)
    assert "nosub.yaml: substitutes (line 1): network tiny has no substitute rules" in \
        str(err.value)
