"""A scenario's return-rate factors: what the twin draws with, what plans keep, composition,
located errors, and the effect in the twin (common random numbers)."""

from pathlib import Path

import pytest
from sim_builders import department, hospital, item, lot, network, trace, warehouse

from scenarios.library import Library
from twin.domain import Network
from twin.problems import InputError
from twin.sim import simulate


def _rated() -> Network:
    delay = {"family": "fixed", "mean": 1}
    return network(warehouses=[warehouse("A")], items=[item("X")],
                   hospitals=[hospital("H", ["A"], [department("WARD")])],
                   demand=[{"hospital": "H", "department": "WARD", "item": "X",
                            "mean_per_day": 0.0, "returns": [
                                {"reason": "unused", "rate": 0.1, "delay_days": delay},
                                {"reason": "defective", "rate": 0.05, "delay_days": delay}]}],
                   lots=[lot("A", "X", "L1", 500, 100_000)])


def test_factors_scale_the_twin_s_rates_and_compose(tmp_path: Path) -> None:
    (tmp_path / "wave.yaml").write_text("returns: {defective: 4.0}\n")
    (tmp_path / "wave2.yaml").write_text("include: [wave]\nreturns: {defective: 2.0, unused: 0}\n")
    net = _rated()
    lib = Library(tmp_path)
    wave, wave2 = lib.resolve("wave", net), lib.resolve("wave2", net)
    assert wave.returns == {"defective": 4.0} and wave2.returns == {"defective": 8.0,
                                                                    "unused": 0.0}
    assert wave.to_dict()["returns"] == {"defective": 4.0}
    assert wave.planning_network(net) is net
    rates = {r.reason: r.rate for r in wave.true_network(net).demand[0].returns}
    assert rates == pytest.approx({"unused": 0.1, "defective": 0.2})
    assert not wave.idle_within(net.snapshot.as_of, 1)
    demand = trace([(d, "H", "WARD", "X", 1000) for d in range(10)])
    base = simulate(net, days=12, seed=2, demand=demand).summary()
    more = simulate(wave.true_network(net), days=12, seed=2, demand=demand).summary()
    none = simulate(wave2.true_network(net), days=12, seed=2, demand=demand).summary()
    assert more["returned_units_defective"] > 3 * base["returned_units_defective"] > 0
    assert none["returned_units_unused"] == 0 < base["returned_units_unused"]


def test_bad_factors_are_located(tmp_path: Path, tiny: Network) -> None:
    (tmp_path / "huge.yaml").write_text("returns: {defective: 20.0}\n")
    (tmp_path / "odd.yaml").write_text("returns: {recalled: 2.0}\n")
    (tmp_path / "wave.yaml").write_text("returns: {defective: 2.0}\n")
    lib = Library(tmp_path)
    with pytest.raises(InputError) as info:
        lib.resolve("huge", _rated())
    assert "huge.yaml: returns" in str(info.value) and "add up to 1.1 > 1" in str(info.value)
    with pytest.raises(InputError) as info:
        lib.resolve("odd", _rated())
    assert "odd.yaml: returns.recalled" in str(info.value)
    with pytest.raises(InputError) as info:
        lib.resolve("wave", tiny)
    assert "has no return rates for defective to scale" in str(info.value)
