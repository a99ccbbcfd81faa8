"""The ``max_scrap_value`` approval rule on the disposition lines of a real plan."""

from pathlib import Path

from medtwin.store.rules import ApprovalRules, gate, load_rules
from tests.medtwin.store.samples import add_plan, evidence, new_store, returns_plan


def test_scrapped_value_over_the_limit_fails_the_gate(tmp_path: Path) -> None:
    plan, proof = returns_plan(), evidence(0.995, 100.0)
    assert [(a.decision, a.quantity) for a in plan.actions if a.kind == "disposition"] == [
        ("scrap", 6), ("scrap", 2)]
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


def test_the_stores_gate_judges_the_stored_plans_lines(tmp_path: Path) -> None:
    store = new_store(f"sqlite:///{tmp_path / 's.db'}")
    add_plan(store, "tiny-1", evidence(0.995, 100.0))
    store.set_rules("mia", ApprovalRules(max_scrap_value=0.0))
    verdict = {o.rule: o for o in store.gate("tiny-1", "mia")}["max_scrap_value"]
    assert verdict.passed and verdict.why == "0 scrap lines of returned units worth 0.00 ≤ 0.00"
