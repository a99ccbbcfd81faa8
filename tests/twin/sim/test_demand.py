"""Demand sampling: family moments, seasonality, trace replay, common random numbers."""

import datetime as dt

import numpy as np
import pytest
from sim_builders import AS_OF, department, hospital, item, lot, network, trace, warehouse

from twin.problems import InputError
from twin.sim import simulate
from twin.sim.demand import ModelDemand, load_trace
from twin.sim.index import NetworkIndex
from twin.sim.randomness import Streams

DAYS = 3000


def _net(models: list[dict]):
    return network(warehouses=[warehouse("A")], items=[item("X")],
                   hospitals=[hospital("H", ["A"], [department(f"D{k}")
                                                    for k in range(len(models))])],
                   demand=[{"hospital": "H", "department": f"D{k}", "item": "X", **m}
                           for k, m in enumerate(models)],
                   lots=[lot("A", "X", "L", 900, 10)])


def _draws(models: list[dict]) -> np.ndarray:
    index = NetworkIndex(_net(models))
    source = ModelDemand(index, Streams.from_seed(3).demand)
    ones = np.ones(len(index.regions))
    return np.array([source.sample(d, AS_OF + dt.timedelta(days=d), ones)
                     for d in range(DAYS)])


def test_families_have_the_documented_mean_and_variance():
    draws = _draws([{"family": "poisson", "mean_per_day": 3.0},
                    {"family": "negbin", "mean_per_day": 3.0, "dispersion": 4.0},
                    {"family": "intermittent", "mean_per_day": 0.5, "dispersion": 5.0}])
    mean, var = draws.mean(axis=0), draws.var(axis=0)
    assert np.all(np.abs(mean - [3.0, 3.0, 0.5]) < 4 * np.sqrt(var / DAYS))
    assert var[0] == pytest.approx(3.0, rel=0.1)
    assert var[1] == pytest.approx(12.0, rel=0.15)  # dispersion × mean
    occurs = (draws[:, 2] > 0).mean()
    assert occurs == pytest.approx(1 / 5, rel=0.15)
    assert draws[:, 2][draws[:, 2] > 0].mean() == pytest.approx(0.5 * 5, rel=0.1)


def test_weekly_and_annual_seasonality_shape_the_mean():
    weekly = [1.4, 1.4, 1.4, 1.4, 1.4, 0.0, 0.0]
    draws = _draws([{"mean_per_day": 5.0, "weekly": weekly},
                    {"mean_per_day": 5.0, "annual_amplitude": 0.5, "annual_peak_day": 30}])
    dow = np.array([(AS_OF + dt.timedelta(days=d)).weekday() for d in range(DAYS)])
    assert draws[dow >= 5, 0].sum() == 0
    assert draws[dow < 5, 0].mean() == pytest.approx(7.0, rel=0.05)
    doy = np.array([(AS_OF + dt.timedelta(days=d)).timetuple().tm_yday for d in range(DAYS)])
    peak, trough = draws[np.abs(doy - 30) < 15, 1], draws[np.abs(doy - 212) < 15, 1]
    assert peak.mean() == pytest.approx(7.5, rel=0.08)
    assert trough.mean() == pytest.approx(2.5, rel=0.12)


def test_trace_is_replayed_exactly_and_validated(tmp_path):
    net = _net([{"mean_per_day": 50.0}])
    demand = trace([(0, "H", "D0", "X", 2), (3, "H", "D0", "X", 5)])
    daily = simulate(net, days=5, seed=0, demand=demand).to_dataset()["demand_units"]
    assert daily.sum(("priority", "org")).values.tolist() == [2, 0, 0, 5, 0]
    path = tmp_path / "trace.csv"
    demand.assign(department=["D0", "NOPE"]).to_csv(path, index=False)
    with pytest.raises(InputError) as err:
        load_trace(path, net)
    assert f"{path}: [1].department (row 3)" in str(err.value)


def test_two_policies_on_one_seed_see_the_same_demand():
    net = _net([{"family": "negbin", "mean_per_day": 2.0, "dispersion": 2.0},
                {"family": "intermittent", "mean_per_day": 0.4, "dispersion": 3.0}])
    a = simulate(net, days=60, seed=9, policy="none").to_dataset()
    b = simulate(net, days=60, seed=9, policy="fixed_ss").to_dataset()
    c = simulate(net, days=60, seed=10, policy="none").to_dataset()
    assert (a["demand_units"] == b["demand_units"]).all()
    assert not (a["demand_units"] == c["demand_units"]).all()
