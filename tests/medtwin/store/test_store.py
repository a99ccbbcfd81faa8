"""The plan store: lifecycle, roles, subset approval, auto-approval and the audit chain."""

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from erp_adapter.protocol import DocumentRef, LineResult
from medtwin.store import IllegalTransition, NotPermitted, PlanStore, Role, Status, open_store
from medtwin.store.plans import AUTO_USER, StoreConflict
from medtwin.store.rules import ApprovalRules
from tests.medtwin.store.samples import evidence, plan_json


class Clock:
    def __init__(self) -> None:
        self.t = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        self.t += dt.timedelta(seconds=1)
        return self.t


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


@pytest.fixture
def store(db: Path) -> PlanStore:
    s = PlanStore(open_store(f"sqlite:///{db}"), clock=Clock())
    s.add_user("pat", Role.PLANNER)
    s.add_user("mia", Role.MANAGER, password="s3cret")
    s.add_user("vic", Role.VIEWER)
    return s


def published(key: str, outcome: str = "created") -> LineResult:
    return LineResult(key, "transfer", outcome,
                      [DocumentRef("stock.shipment.internal", 7, "waiting", "IS7", "SUB-S")])


def test_full_lifecycle_and_supersede(store: PlanStore) -> None:
    assert store.add_plan(plan_json(), "pat").status == Status.DRAFT
    assert store.attach_evidence("tiny-1", evidence(0.995, 100), "pat").status \
        == Status.STRESS_TESTED
    info = store.approve("tiny-1", "mia", "looks right", lines=["t-1"])
    assert (info.status, info.approved_lines) == (Status.APPROVED, 1)
    assert [a.key for a in store.approved_plan("tiny-1", "mia").actions] == ["t-1"]
    assert store.record_published("tiny-1", "mia", [published("t-1")], "erp").status \
        == Status.PUBLISHED
    store.add_plan(plan_json("tiny-2", evidence(0.995, 100)), "pat")
    store.approve("tiny-2", "mia", "ok")
    store.record_published("tiny-2", "mia", [published("t-1"), published("r-1")], "erp")
    assert store.info("tiny-1").status == Status.SUPERSEDED
    assert store.last_published("tiny") == "tiny-2"
    actions = [r.action for r in store.audit_rows()]
    assert actions.count("erp_document") == 3
    assert "status:superseded" in actions
    decision = store.decisions("tiny-1")[0]
    assert (decision.user, decision.lines, decision.comment) == \
        ("mia", ("t-1",), "looks right")
    assert decision.evidence_sha256 == store.info("tiny-1").evidence_sha256
    assert store.verify_audit().ok


def test_partial_publish_resumes_and_logs_every_document_once(store: PlanStore) -> None:
    store.add_plan(plan_json(evidence=evidence(0.995, 100)), "pat")
    store.approve("tiny-1", "mia", "ok")
    refused = LineResult("r-1", "reorder_point", "failed", message="no such location")
    info = store.record_published("tiny-1", "mia", [published("t-1"), refused], "erp")
    assert (info.status, info.published_lines) == (Status.APPROVED, 1)
    # the rerun finds t-1 already in the ERP: not logged again; r-1 goes through now
    info = store.record_published("tiny-1", "mia", [published("t-1", "exists"),
                                                    published("r-1")], "erp")
    assert (info.status, info.published_lines) == (Status.PUBLISHED, 2)
    docs = [json.loads(r.payload)["line"] for r in store.audit_rows("tiny-1")
            if r.action == "erp_document"]
    assert docs == ["t-1", "r-1"]
    n = len(store.audit_rows())
    store.record_published("tiny-1", "mia", [published("t-1", "exists"),
                                             published("r-1", "exists")], "erp")
    assert len(store.audit_rows()) == n          # publishing again records nothing new


def test_documents_of_an_interrupted_publish_are_logged_on_resume(store: PlanStore) -> None:
    """A publish that died before the store heard of it: the rerun sees ``exists``."""
    store.add_plan(plan_json(evidence=evidence(0.995, 100)), "pat")
    store.approve("tiny-1", "mia", "ok", lines=["t-1"])
    store.record_published("tiny-1", "mia", [published("t-1", "exists")], "erp")
    rows = [r for r in store.audit_rows("tiny-1") if r.action == "erp_document"]
    assert [json.loads(r.payload)["outcome"] for r in rows] == ["exists"]


def test_publish_results_must_match_approved_lines(store: PlanStore) -> None:
    store.add_plan(plan_json(evidence=evidence(0.995, 100)), "pat")
    store.approve("tiny-1", "mia", "ok", lines=["t-1"])
    with pytest.raises(StoreConflict, match="no approved line r-1"):
        store.record_published("tiny-1", "mia", [published("r-1")], "erp")
    with pytest.raises(StoreConflict, match="not a publish result"):
        store.record_published("tiny-1", "mia", [published("t-1", "would_create")], "erp")
    assert store.info("tiny-1").published_lines == 0


def test_planner_and_viewer_cannot_approve_or_publish(store: PlanStore) -> None:
    store.add_plan(plan_json(evidence=evidence(0.995, 100)), "pat")
    before = store.audit_rows()
    for user in ("pat", "vic"):
        with pytest.raises(NotPermitted, match="only manager may approve"):
            store.approve("tiny-1", user, "me")
        with pytest.raises(NotPermitted, match="may reject"):
            store.reject("tiny-1", user, "no")
        with pytest.raises(NotPermitted, match="may publish"):
            store.approved_plan("tiny-1", user)
    with pytest.raises(NotPermitted, match="may create"):
        store.add_plan(plan_json("tiny-9"), "vic")
    assert store.info("tiny-1").status == Status.STRESS_TESTED
    assert len(store.audit_rows()) == len(before)


def test_illegal_transitions_name_status_and_allowed(store: PlanStore) -> None:
    store.add_plan(plan_json(), "pat")
    with pytest.raises(IllegalTransition, match="is draft; it cannot become published"):
        store.approved_plan("tiny-1", "mia")
    with pytest.raises(StoreConflict, match="no stress-test evidence"):
        store.approve("tiny-1", "mia", "x")
    store.reject("tiny-1", "mia", "wrong horizon")
    with pytest.raises(IllegalTransition, match=r"allowed next: none \(final\)"):
        store.approve("tiny-1", "mia", "x", without_evidence=True)
    with pytest.raises(StoreConflict, match="already in the store"):
        store.add_plan(plan_json(), "pat")


def test_unknown_line_keys_are_refused(store: PlanStore) -> None:
    store.add_plan(plan_json(evidence=evidence(0.995, 100)), "pat")
    with pytest.raises(StoreConflict, match="no line"):
        store.approve("tiny-1", "mia", "x", lines=["nope"])
    assert store.info("tiny-1").approved_lines == 0


def test_passwords(store: PlanStore) -> None:
    assert store.authenticate("mia", "s3cret") == Role.MANAGER
    assert store.authenticate("mia", "wrong") is None
    assert store.authenticate("pat", "") is None


@pytest.mark.parametrize(("fill", "cost", "approved"), [
    (0.995, 104.0, True), (0.985, 100.0, False), (0.995, 106.0, False)])
def test_gate(store: PlanStore, fill: float, cost: float, approved: bool) -> None:
    store.add_plan(plan_json("tiny-0", evidence(0.999, 100.0)), "pat")
    store.approve("tiny-0", "mia", "first")
    store.record_published("tiny-0", "mia", [], "erp")
    store.add_plan(plan_json("tiny-1", evidence(fill, cost)), "pat")
    outcomes = store.gate("tiny-1", ApprovalRules())
    assert all(o.passed for o in outcomes) == approved
    status = store.info("tiny-1").status
    assert status == (Status.APPROVED if approved else Status.STRESS_TESTED)
    if approved:
        assert store.decisions("tiny-1")[0].user == AUTO_USER
    else:
        failed = [o.why for o in outcomes if not o.passed]
        assert failed == (["worst scenario 'demand-surge': critical fill lower bound 0.9850 "
                           "< 0.9900"] if fill < 0.99 else
                          ["total cost 106 > 105 (last published 100 + 5%)"])


def test_gate_without_evidence_waits(store: PlanStore) -> None:
    store.add_plan(plan_json(), "pat")
    outcomes = store.gate("tiny-1", ApprovalRules())
    assert not any(o.passed for o in outcomes)
    assert "no stress-test evidence" in outcomes[0].why
    assert store.info("tiny-1").status == Status.DRAFT


def test_gate_refuses_a_plan_past_the_gate(store: PlanStore) -> None:
    """A plan a manager approved is not gated again (it would claim an auto-approval)."""
    store.add_plan(plan_json("tiny-1", evidence(0.999, 100.0)), "pat")
    store.approve("tiny-1", "mia", "by hand")
    with pytest.raises(IllegalTransition, match="only a draft or stress-tested plan"):
        store.gate("tiny-1", ApprovalRules())
    assert [d.user for d in store.decisions("tiny-1")] == ["mia"]


def _tamper(db: Path, sql: str) -> None:
    con = sqlite3.connect(db)
    con.execute(sql)
    con.commit()
    con.close()


def test_audit_detects_edit_and_delete(store: PlanStore, db: Path) -> None:
    store.add_plan(plan_json(evidence=evidence(0.995, 100)), "pat")
    store.approve("tiny-1", "mia", "ok")
    n = len(store.audit_rows())
    assert store.verify_audit().ok and store.verify_audit().rows == n
    _tamper(db, "UPDATE audit SET actor='pat' WHERE action='status:approved'")
    result = store.verify_audit()
    assert not result.ok and "was edited" in result.problem
    assert f"row {n} " in result.problem


def test_audit_detects_deleted_row(store: PlanStore, db: Path) -> None:
    store.add_plan(plan_json(evidence=evidence(0.995, 100)), "pat")
    store.approve("tiny-1", "mia", "ok")
    _tamper(db, "DELETE FROM audit WHERE seq=2")
    result = store.verify_audit()
    assert not result.ok and "row 2 is missing" in result.problem
