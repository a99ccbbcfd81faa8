"""Reorder-point lines say which substitutes their departments take and plan with their
stock pooled; lines no substitute touches are as without substitutes."""

from pathlib import Path

from solvers.planning import PlanSettings, position_substitutes, reorder_point_actions
from solvers.policies.measured import TwinCheck
from solvers.safety_stock.reasons import reorder_point_reason
from twin.domain import Substitute
from twin.network_files import load_network

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


def test_a_pooled_line_names_its_substitutes_and_the_others_plan_as_before() -> None:
    net = load_network(TINY)
    rule = Substitute(item="INF-SET-STD", substitute="STENT-DES-30", factor=2,
                      hospital="H-RJ")
    with_rule = net.model_copy(update={"substitutes": [rule]})
    assert position_substitutes(with_rule) == {("WH-SH", "INF-SET-STD"):
                                               "STENT-DES-30 (2 per unit)"}
    settings, off = PlanSettings().safety_stock, TwinCheck(replications=0)
    before = {a.key: a for a in reorder_point_actions(net, settings, twin_check=off)}
    after = {a.key: a for a in reorder_point_actions(with_rule, settings, twin_check=off)}
    assert before.keys() == after.keys()
    for key, a in after.items():
        if (a.warehouse, a.item) == ("WH-SH", "INF-SET-STD"):
            # the stent's stock covers part of the shortfall: less of the item's own
            assert a.evidence["substitutes"] == "STENT-DES-30 (2 per unit)"
            assert a.evidence["pooled"] is True
            assert a.reason.endswith(
                "; when short its departments take substitute(s) STENT-DES-30 (2 per unit): "
                "the fill rate counts the units they cover (own demand first, then what the "
                "substitute has left, in preference order, as the twin serves) and the levels "
                "were planned with the substitutes' stock pooled")
            assert a.reorder_point < before[key].reorder_point
            assert a.evidence["expected_on_hand"] < before[key].evidence["expected_on_hand"]
            assert a.evidence["fill_rate"] >= a.evidence["fill_rate_target"]
        elif a.item != "STENT-DES-30":
            assert a == before[key]


def test_a_measured_line_says_it_relies_on_its_substitutes() -> None:
    row = {"fill_basis": "twin", "fill_rate": 0.97, "fill_rate_low": 0.96,
           "fill_rate_high": 0.98, "fill_rate_target": 0.95, "priority": "routine",
           "expected_on_hand": 12.0, "expected_on_hand_low": 11.0,
           "expected_on_hand_high": 13.0, "measured": "6 replications", "not_exact": "MOQ",
           "protection_days": 9.0, "protection_demand": 30.0, "estimate_fill_rate": 0.95,
           "estimate_on_hand": 9.0, "substitutes": "Y (1 per unit)"}
    assert reorder_point_reason(row).endswith(
        "; relies on substitute(s) Y (1 per unit) when short: the twin counts the units they "
        "cover as served")
