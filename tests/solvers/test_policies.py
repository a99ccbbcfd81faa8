"""The heuristic and optimised policies run in the twin under the policy protocol."""

from pathlib import Path

import pytest

from solvers.policies import heuristic_levels, investment, optimised_levels
from solvers.policies.levels import BUDGET_SHARE
from solvers.registry import shipped_policies
from twin.network_files import load_network
from twin.sim import simulate

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


def test_registered_and_runnable() -> None:
    names = ("heuristic", "optimised", "optimised_rolling")
    policies = shipped_policies()
    assert set(names) <= set(policies)
    net = load_network(TINY)
    runs = {p: simulate(net, days=60, seed=4, policy=p, policies=policies) for p in names}
    demand = [r.to_dataset()["demand_units"].values for r in runs.values()]
    assert all((d == demand[0]).all() for d in demand)  # common random numbers
    assert all(0 <= r.summary()["fill_rate_critical"] <= 1 for r in runs.values())


def test_heuristic_levels_follow_the_z_formula() -> None:
    net = load_network(TINY)
    s, big_s = heuristic_levels(net)[("WH-SH", "INF-SET-STD")]
    # 40/day Poisson, lead time 10 ± 3 days, review 7: μ(L+R) = 680, sd = √(17·40 + 40²·9)
    assert s == pytest.approx(680 + 1.645 * (17 * 40 + 1600 * 9) ** 0.5, abs=1)
    assert big_s - s == 500  # max(μR = 280, MOQ 500)


def test_optimised_stays_within_the_heuristic_budget() -> None:
    net = load_network("reference")
    spent, allowed = investment(net, optimised_levels(net)), investment(net,
                                                                         heuristic_levels(net))
    # the budget is BUDGET_SHARE of the heuristic's in the last pass's scenarios; in the
    # default ones the optimised levels still hold less than the heuristic's
    assert sum(spent.values()) <= sum(allowed.values()) * (BUDGET_SHARE + 0.01)


def test_rolling_is_deterministic() -> None:
    net = load_network(TINY)
    a, b = (simulate(net, days=40, seed=9, policy="optimised_rolling",
                     policies=shipped_policies()).to_dataset() for _ in range(2))
    assert a.equals(b)
