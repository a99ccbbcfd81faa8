"""Golden small models for each constraint family of the safety-stock SAA."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from solvers.highs_bridge import Infeasible
from solvers.safety_stock import (
    SafetyStockInputs,
    SafetyStockSettings,
    build_inputs,
    expected_on_hand,
    sample_cycle_demand,
    solve_safety_stock,
)
from solvers.safety_stock.model import cycle_quantity, newsvendor_costs, shortage_weight
from twin.domain import Distribution
from twin.network_files import load_network

TINY = Path(__file__).resolve().parents[2] / "data" / "tiny"
NO_TARGETS = {"critical": 0.0, "high": 0.0, "routine": 0.0}


def one_position(n: int = 1, **over: object) -> SafetyStockInputs:
    base = dict(
        warehouse=np.array(["W"] * n, dtype=object), item=np.array([f"I{i}" for i in range(n)],
                                                               dtype=object),
        org=np.array(["O"] * n, dtype=object), mean_per_day=np.full(n, 4.0),
        var_per_day=np.full(n, 8.0), lead_time=[Distribution(family="gamma", mean=10, spread=3)]
        * n, source=np.array(["S"] * n, dtype=object),
        priority=np.array(["high"] * n, dtype=object), unit_cost=np.full(n, 100.0),
        holding_rate=np.full(n, 0.25), moq=np.full(n, 1.0), order_cost=np.full(n, 50.0),
        usable_days=np.full(n, 365.0), review_days=7, capacity={"W": 10**9})
    base.update(over)
    return SafetyStockInputs(**base)  # type: ignore[arg-type]


def unconstrained(**over: object) -> SafetyStockSettings:
    return SafetyStockSettings(fill_rate_target=NO_TARGETS, respect_capacity=False,
                               count_expiry=False, scenarios=400, **over)


def test_unconstrained_saa_is_the_newsvendor_critical_fractile() -> None:
    x, st = one_position(), unconstrained()
    d = sample_cycle_demand(x, st.scenarios, seed=7)
    result = solve_safety_stock(None, st, inputs=x, demand=d)  # type: ignore[arg-type]
    over, under = newsvendor_costs(x, cycle_quantity(x), st)
    fractile = under[0] / (under[0] + over[0])
    r = result.reorder_point[0]
    sample = np.sort(d[0])
    # R is a sample point whose empirical CDF brackets the fractile: F(R−) ≤ f ≤ F(R)
    assert np.isclose(sample, r).any()
    assert np.mean(sample < r - 1e-9) <= fractile <= np.mean(sample <= r + 1e-9)
    assert r == pytest.approx(np.quantile(sample, fractile, method="inverted_cdf"))


def test_fill_rate_target_binds_when_shortage_is_cheap() -> None:
    x = one_position()
    st = SafetyStockSettings(shortage_penalty={"critical": 0, "high": 1e-6, "routine": 0},
                             fill_rate_target={"critical": .99, "high": .98, "routine": .9},
                             scenarios=300)
    result = solve_safety_stock(None, st, inputs=x)  # type: ignore[arg-type]
    assert result.fill_rate[0] == pytest.approx(0.98, abs=1e-6)
    looser = solve_safety_stock(None, st.model_copy(update={"fill_rate_target": {  # type: ignore[arg-type]
        "critical": .99, "high": .9, "routine": .9}}), inputs=x)
    assert looser.reorder_point[0] < result.reorder_point[0]


def test_capacity_caps_order_up_to_levels() -> None:
    x = one_position(2)
    st = SafetyStockSettings(fill_rate_target=NO_TARGETS, scenarios=200)
    free = solve_safety_stock(None, st, inputs=x)  # type: ignore[arg-type]
    cap = int(free.reorder_point.sum() + free.cycle_quantity.sum()) - 20
    tight = solve_safety_stock(None, st, inputs=replace(x, capacity={"W": cap}))  # type: ignore[arg-type]
    assert tight.reorder_point.sum() + tight.cycle_quantity.sum() <= cap + 1e-6


def test_budget_caps_expected_on_hand_value() -> None:
    x = one_position(2)
    st = SafetyStockSettings(fill_rate_target=NO_TARGETS, scenarios=200)
    d = sample_cycle_demand(x, st.scenarios, st.seed)
    free = solve_safety_stock(None, st, inputs=x, demand=d)  # type: ignore[arg-type]

    def on_hand(result) -> float:  # c·(E[(R − D)⁺] + Q/2), with the LP's continuous R, Q
        return float((x.unit_cost * expected_on_hand(d, result.reorder_point,
                                                     result.reorder_point
                                                     + result.cycle_quantity)).sum())

    value = on_hand(free)
    capped = solve_safety_stock(None, st.model_copy(update={"org_budget": {"O": value - 500}}),  # type: ignore[arg-type]
                                inputs=x, demand=d)
    assert on_hand(capped) == pytest.approx(value - 500, abs=1e-3)
    # the integer levels give back what rounding up took beyond the budget
    rounded = x.unit_cost * expected_on_hand(d, capped.level_s.astype(float),
                                             capped.level_big_s.astype(float))
    assert rounded.sum() <= value - 500 + 1e-6
    assert np.all(capped.level_s <= np.ceil(capped.reorder_point))


def test_units_basis_protects_cheap_items_within_a_budget() -> None:
    # two positions alike but for their unit cost; counting every unit short alike, the
    # budget buys the cheap item a higher service than the dear one
    x = one_position(2, unit_cost=np.array([10.0, 1000.0]))
    base = SafetyStockSettings(fill_rate_target=NO_TARGETS, scenarios=300,
                               respect_capacity=False, count_expiry=False)
    d = sample_cycle_demand(x, base.scenarios, base.seed)
    free = solve_safety_stock(None, base, inputs=x, demand=d)  # type: ignore[arg-type]
    budget = 0.9 * float((x.unit_cost * expected_on_hand(d, free.reorder_point,
                                                         free.reorder_point
                                                         + free.cycle_quantity)).sum())
    by_cost, by_units = (solve_safety_stock(None, base.model_copy(update={  # type: ignore[arg-type]
        "org_budget": {"O": budget}, "shortage_basis": basis}), inputs=x, demand=d)
        for basis in ("unit_cost", "units"))
    assert by_units.cycle_service[0] > by_units.cycle_service[1]
    assert by_units.cycle_service[0] >= by_cost.cycle_service[0]


def test_shortage_weight_follows_the_classes_served() -> None:
    x = replace(one_position(), class_share=np.array([[0.25, 0.5, 0.25]]))
    st = SafetyStockSettings()  # critical 10, high 4, routine 1
    assert shortage_weight(x, st)[0] == pytest.approx(0.25 * 10 + 0.5 * 4 + 0.25 * 1)
    assert shortage_weight(one_position(), st)[0] == 4  # no shares: the most urgent class


def test_stock_beyond_shelf_life_is_charged_as_expiry() -> None:
    x = one_position(usable_days=np.array([20.0]),  # 4/day × 20 days = 80 units usable
                     priority=np.array(["routine"], dtype=object))  # shortage costs 1× c
    st = SafetyStockSettings(fill_rate_target=NO_TARGETS, scenarios=200)
    lean = solve_safety_stock(None, st, inputs=x)  # type: ignore[arg-type]
    assert lean.reorder_point[0] + lean.cycle_quantity[0] <= 80 + 1e-6
    assert lean.expiring[0] == pytest.approx(0, abs=1e-6)
    strict = st.model_copy(update={"fill_rate_target": {"critical": 1, "high": .999,
                                                        "routine": 1}})
    costly = solve_safety_stock(None, strict, inputs=x)  # type: ignore[arg-type]
    assert costly.expiring[0] == pytest.approx(
        costly.reorder_point[0] + costly.cycle_quantity[0] - 80, abs=1e-6)
    assert costly.expiring[0] > 0 and costly.fill_rate[0] >= 0.999 - 1e-9


def test_fill_rate_against_capacity_names_both() -> None:
    x = one_position(capacity={"W": 60})
    st = SafetyStockSettings(fill_rate_target={"critical": 1, "high": .999, "routine": 1},
                             scenarios=200)
    with pytest.raises(Infeasible) as info:
        solve_safety_stock(None, st, inputs=x)  # type: ignore[arg-type]
    fails = {v.family: v for v in info.value.violations}
    assert "fill_rate[W/I0]" in str(info.value)
    assert "capacity" in fails or "capacity" in fails["fill_rate"].against


def test_capacity_below_cycle_stock_names_capacity() -> None:
    x = one_position(capacity={"W": 10})
    with pytest.raises(Infeasible, match="capacity"):
        solve_safety_stock(None, SafetyStockSettings(scenarios=50), inputs=x)  # type: ignore[arg-type]


def test_tiny_network_priorities_and_targets() -> None:
    net = load_network(TINY)
    x = build_inputs(net)
    pos = {(w, i): p for p, (w, i) in enumerate(zip(x.warehouse, x.item, strict=True))}
    assert x.priority[pos[("WH-SH", "IVD-TROP-100")]] == "critical"   # ICU at Ruijin
    assert x.priority[pos[("WH-GZ", "IVD-TROP-100")]] == "high"       # the lab at Zhongshan
    # WH-SH replenishes WH-GZ stents: it carries Zhongshan's ER demand too
    assert x.mean_per_day[pos[("WH-SH", "STENT-DES-30")]] == pytest.approx(1.5 + 0.3)
    result = solve_safety_stock(net, SafetyStockSettings(scenarios=200))
    ok = result.cycle_quantity > 0
    assert np.all(result.fill_rate[ok] >= result.fill_rate_target[ok] - 1e-6)


def test_same_seed_same_answer() -> None:
    net = load_network(TINY)
    a = solve_safety_stock(net, SafetyStockSettings(scenarios=100, seed=3))
    b = solve_safety_stock(net, SafetyStockSettings(scenarios=100, seed=3))
    assert np.array_equal(a.reorder_point, b.reorder_point)
