"""The store's gate refuses to auto-approve a plan whose pull raised a critical
data-quality alert, naming it; a manager may still approve the plan."""

from pathlib import Path

from medtwin.store import Status
from tests.medtwin.store.samples import FRACTION, NEGATIVE, add_plan, evidence, new_store
from twin.domain import Alert


def _with(alerts: list[Alert]) -> dict:
    return {**evidence(0.995, 100.0), "data_quality": [a.model_dump(mode="json")
                                                        for a in alerts]}


def test_a_critical_alert_blocks_the_gate_and_a_manager_may_approve(tmp_path: Path) -> None:
    store = new_store(f"sqlite:///{tmp_path / 's.db'}")
    add_plan(store, "tiny-1", _with([FRACTION, NEGATIVE]))
    outcomes = {o.rule: o for o in store.gate("tiny-1", "mia")}
    blocked = outcomes["block_critical_alerts"]
    assert not blocked.passed
    assert blocked.why == f"1 critical data-quality alerts: {NEGATIVE}"
    assert "INF-SET-STD lot NEG-1 at WH-HZ" in blocked.why
    assert all(o.passed for r, o in outcomes.items() if r != "block_critical_alerts")
    assert store.info("tiny-1").status == Status.STRESS_TESTED
    store.approve("tiny-1", "mia", "checked lot NEG-1 by hand")
    assert store.info("tiny-1").status == Status.APPROVED


def test_warnings_alone_do_not_block(tmp_path: Path) -> None:
    store = new_store(f"sqlite:///{tmp_path / 's.db'}")
    add_plan(store, "tiny-1", _with([FRACTION]))
    outcomes = store.gate("tiny-1", "mia")
    assert all(o.passed for o in outcomes), outcomes
    assert store.info("tiny-1").status == Status.APPROVED
