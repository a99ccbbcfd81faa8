"""The ``max_scrap_value`` approval rule on the disposition lines of a real plan."""

from pathlib import Path

from medtwin.store.rules import ApprovalRules, gate, load_rules
from solvers.returns import disposition_actions
from tests.medtwin.store.samples import DAY, evidence, plan_json, tiny_net
from twin.domain import Network, Plan


def _plan() -> Plan:
    """The sample plan plus the lines for 6 near-expiry troponin kits (scrapped: too
    short-dated, 6 × 1,200) and 2 recalled stents (scrapped, 2 × 6,800) back at WH-SH."""
    doc = tiny_net().model_dump(by_alias=True)
    back = {"warehouse": "WH-SH", "received": DAY.isoformat()}
    doc["snapshot"]["returns"] = [
        {**back, "item": "IVD-TROP-100", "lot": "TROP2608B", "expiry": "2026-12-10",
         "quantity": 6, "reason": "near_expiry"},
        {**back, "item": "STENT-DES-30", "lot": "SN100200", "expiry": "2028-03-31",
         "quantity": 2, "reason": "recalled"}]
    plan = Plan.model_validate_json(plan_json())
    lines = disposition_actions(Network.model_validate(doc))
    assert [(a.decision, a.quantity) for a in lines] == [("scrap", 6), ("scrap", 2)]
    return plan.model_copy(update={"actions": [*plan.actions, *lines]})


def test_scrapped_value_over_the_limit_fails_the_gate(tmp_path: Path) -> None:
    plan, proof = _plan(), evidence(0.995, 100.0)
    worth = 6 * 1200 + 2 * 6800
    (rule, *_) = gate(ApprovalRules(max_scrap_value=worth), proof, None, plan)
    assert rule.passed and rule.why == f"2 scrap lines of returned units worth {worth:,.2f} ≤ " \
                                       f"{worth:,.2f}"
    (rule, *_) = gate(ApprovalRules(max_scrap_value=worth - 1), proof, None, plan)
    assert not rule.passed and f"{worth:,.2f} >" in rule.why
    assert "max_scrap_value" not in {o.rule for o in gate(ApprovalRules(), proof, None, plan)}
    edited = plan.model_copy(update={"actions": [
        a.model_copy(update={"evidence": {}}) if a.kind == "disposition" else a
        for a in plan.actions]})
    (rule, *_) = gate(ApprovalRules(max_scrap_value=1e9), proof, None, edited)
    assert not rule.passed and "without value_scrapped" in rule.why
    rules = tmp_path / "rules.yaml"
    rules.write_text("approval:\n  max_scrap_value: 5000\n")
    assert load_rules(rules).max_scrap_value == 5000
