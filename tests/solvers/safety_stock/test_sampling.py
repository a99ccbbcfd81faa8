"""Scenarios of the safety-stock SAA: replenishment delays and a warehouse's children."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from solvers.safety_stock import (
    Replenishment,
    SafetyStockInputs,
    Upstream,
    build_inputs,
    sample_cycle_demand,
    sample_delays,
)
from twin.domain import Distribution
from twin.network_files import load_network

TINY = Path(__file__).resolve().parents[2] / "data" / "tiny"
K = 40_000


def inputs(n: int = 1, lead: Distribution | None = None, **extras: np.ndarray
           ) -> SafetyStockInputs:
    zeros = np.zeros(n)
    rp = dict(late_probability=zeros, late_delay=np.full(n, None, dtype=object),
              hold_probability=zeros,
              hold_days=zeros, loss_probability=zeros, parent=np.full(n, -1),
              own_mean_per_day=np.full(n, 4.0), own_var_per_day=np.full(n, 4.0)) | extras
    return SafetyStockInputs(
        warehouse=np.array(["W"] * n, dtype=object), item=np.array(["I"] * n, dtype=object),
        org=np.array(["O"] * n, dtype=object), mean_per_day=np.full(n, 4.0),
        var_per_day=np.full(n, 4.0),
        lead_time=[lead or Distribution(family="fixed", mean=10)] * n,
        source=np.array(["S"] * n, dtype=object), priority=np.array(["high"] * n, dtype=object),
        unit_cost=np.full(n, 10.0), holding_rate=np.full(n, 0.2), moq=np.ones(n),
        order_cost=np.full(n, 50.0), usable_days=np.full(n, 365.0), review_days=7,
        capacity={"W": 10**9}, replenishment=Replenishment(**rp))


def delays(x: SafetyStockInputs, short: float = 0.0) -> np.ndarray:
    return sample_delays(x, np.random.default_rng(1), K, np.full(x.size, short))[0]


def test_fixed_lead_time_is_whole_days() -> None:
    x = inputs(lead=Distribution(family="fixed", mean=9.6))
    assert set(delays(x).tolist()) == {10}


def test_qc_hold_adds_its_days() -> None:
    x = inputs(hold_probability=np.ones(1), hold_days=np.array([3.0]))
    assert set(delays(x).tolist()) == {13}


def test_lateness_adds_its_whole_day_delay() -> None:
    # late with probability 0.2 by an exponential of mean 5 days, rounded: +1 day on average
    delay = np.empty(1, dtype=object)
    delay[0] = Distribution(family="gamma", mean=5.0, spread=5.0)
    x = inputs(late_probability=np.array([0.2]), late_delay=delay)
    d = delays(x)
    assert d.mean() == pytest.approx(11.0, abs=0.05)
    assert np.mean(d > 10) == pytest.approx(0.2 * np.exp(-0.5 / 5), abs=0.01)


def test_lost_deliveries_and_upstream_shortages_wait_for_later_reviews() -> None:
    # a lost delivery is noticed at arrival and reordered at the next review: +⌈10/7⌉·7 = 14
    lost = delays(inputs(loss_probability=np.array([0.1])))
    assert set(np.unique(lost)) <= {10, 24, 38, 52, 66, 80}
    assert lost.mean() == pytest.approx(10 + 14 * 0.1 / 0.9, abs=0.1)
    # an order the source cannot fill is asked again at the next review: +7 each time
    short = delays(inputs(), short=0.25)
    assert short.mean() == pytest.approx(10 + 7 * 0.25 / 0.75, abs=0.05)


def test_own_demand_covers_review_plus_delay_minus_one_day() -> None:
    x = inputs()
    d = sample_cycle_demand(x, K, seed=3)
    assert d[0].mean() == pytest.approx(4.0 * (7 + 10 - 1), rel=0.01)
    assert d[0].var() == pytest.approx(4.0 * 16, rel=0.05)


def test_a_warehouse_sees_its_childrens_orders_in_lumps() -> None:
    # position 0 replenishes position 1 (4/day, orders 50 at a time); the hub's next
    # delivery comes 10 days after the next review: its children's orders at ⌈17/7⌉ = 3
    # reviews count, 84 units of the child's demand on average, in multiples of 50
    x = inputs(2, parent=np.array([-1, 0]), own_mean_per_day=np.array([0.0, 4.0]),
               own_var_per_day=np.array([0.0, 4.0]))
    x = replace(x, mean_per_day=np.array([4.0, 4.0]))
    d = sample_cycle_demand(x, K, seed=5, upstream=Upstream(np.zeros(2), np.array([0, 50])))
    assert set(np.unique(d[0] % 50)) == {0.0}
    assert d[0].mean() == pytest.approx(4.0 * 21, rel=0.02)


def test_tiny_network_replenishment_as_the_twin_runs_it() -> None:
    x = build_inputs(load_network(TINY))
    at = {(w, i): p for p, (w, i) in enumerate(zip(x.warehouse, x.item, strict=True))}
    rp = x.replenishment
    gz, sh = at[("WH-GZ", "STENT-DES-30")], at[("WH-SH", "STENT-DES-30")]
    assert x.lead_time[gz].mean == 3  # the cheapest lane (road), not the fastest (air)
    assert rp.parent[gz] == sh and rp.parent[sh] == -1
    assert rp.late_probability[sh] == pytest.approx(0.1)  # SUP-MED's lateness
    assert rp.loss_probability[sh] == pytest.approx(0.02)  # its defect rate
    assert rp.own_mean_per_day[sh] == pytest.approx(1.5)   # the ER at Zhongshan goes to GZ
    assert x.mean_per_day[sh] == pytest.approx(1.5 + 0.3)
    trop = at[("WH-GZ", "IVD-TROP-100")]
    assert rp.hold_days[trop] == 3 and rp.hold_probability[trop] == 1
    np.testing.assert_allclose(x.class_share.sum(axis=1), 1.0)
    assert x.class_share[sh].tolist() == pytest.approx([0.3 / 1.8, 1.5 / 1.8, 0.0])
