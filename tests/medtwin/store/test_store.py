"""The plan store: lifecycle, roles, subset approval, the door, auto-approval by the
store's rules — on SQLite and on PostgreSQL."""

import json

import pytest

from erp_adapter.protocol import DocumentRef, LineResult
from medtwin.store import IllegalTransition, NotPermitted, PlanStore, Role, Status
from medtwin.store.plans import AUTO_USER, StoreConflict
from medtwin.store.roles import Permission
from medtwin.store.rules import ApprovalRules
from tests.medtwin.store.samples import evidence, plan_json, sealed, sealed_plan, tiny_net
from twin.problems import InputError


def published(key: str, outcome: str = "created") -> LineResult:
    return LineResult(key, "transfer", outcome,
                      [DocumentRef("stock.shipment.internal", 7, "waiting", "IS7", "SUB-S")])


def add(store: PlanStore, plan_id: str = "tiny-1", doc: dict | None = None,
        user: str = "pat") -> None:
    text = sealed_plan(store, plan_id, doc) if doc is not None else plan_json(plan_id)
    store.add_plan(text, user, f"{plan_id}.json", tiny_net())


def test_full_lifecycle_and_supersede(store: PlanStore) -> None:
    add(store)
    assert store.info("tiny-1").status == Status.DRAFT
    assert store.attach_evidence("tiny-1", sealed(store, "tiny-1", evidence(0.995, 100)),
                                 "pat").status == Status.STRESS_TESTED
    info = store.approve("tiny-1", "mia", "looks right", lines=["t-1"])
    assert (info.status, info.approved_lines) == (Status.APPROVED, 1)
    assert [a.key for a in store.approved_plan("tiny-1", "mia").actions] == ["t-1"]
    assert store.record_published("tiny-1", "mia", [published("t-1")], "erp").status \
        == Status.PUBLISHED
    add(store, "tiny-2", evidence(0.995, 100))
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


def test_lines_left_after_a_partial_publish_can_be_approved_and_published(
        store: PlanStore) -> None:
    add(store, doc=evidence(0.995, 100))
    store.approve("tiny-1", "mia", "transfer first", lines=["t-1"])
    sent = []
    info, _ = store.publish("tiny-1", "mia", lambda p: sent.append(p) or [
        published(a.key) for a in p.actions], "erp")
    assert info.status == Status.PUBLISHED and [a.key for a in sent[0].actions] == ["t-1"]
    info = store.approve("tiny-1", "mia", "now the reorder point")
    assert (info.status, info.approved_lines) == (Status.APPROVED, 2)
    info, _ = store.publish("tiny-1", "mia", lambda p: sent.append(p) or [
        published(a.key) for a in p.actions], "erp")
    assert [a.key for a in sent[1].actions] == ["r-1"]       # only what was not yet sent
    assert (info.status, info.published_lines) == (Status.PUBLISHED, 2)
    with pytest.raises(StoreConflict, match="already approved"):
        store.approve("tiny-1", "mia", "again")
    assert store.verify_audit().ok


def test_partial_publish_resumes_and_logs_every_document_once(store: PlanStore) -> None:
    add(store, doc=evidence(0.995, 100))
    store.approve("tiny-1", "mia", "ok")
    refused = LineResult("r-1", "reorder_point", "failed", message="no such location")
    info = store.record_published("tiny-1", "mia", [published("t-1"), refused], "erp")
    assert (info.status, info.published_lines) == (Status.APPROVED, 1)
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
    assert store.verify_audit().ok


def test_publish_results_must_match_approved_lines(store: PlanStore) -> None:
    add(store, doc=evidence(0.995, 100))
    store.approve("tiny-1", "mia", "ok", lines=["t-1"])
    with pytest.raises(StoreConflict, match="no approved line r-1"):
        store.record_published("tiny-1", "mia", [published("r-1")], "erp")
    with pytest.raises(StoreConflict, match="not a publish result"):
        store.record_published("tiny-1", "mia", [published("t-1", "would_create")], "erp")
    assert store.info("tiny-1").published_lines == 0


def test_planner_and_viewer_cannot_approve_or_publish(store: PlanStore) -> None:
    add(store, doc=evidence(0.995, 100))
    before = store.audit_rows()
    for user in ("pat", "vic"):
        with pytest.raises(NotPermitted, match="only manager may approve"):
            store.approve("tiny-1", user, "me")
        with pytest.raises(NotPermitted, match="may reject"):
            store.reject("tiny-1", user, "no")
        with pytest.raises(NotPermitted, match="may publish"):
            store.approved_plan("tiny-1", user)
    with pytest.raises(NotPermitted, match="may create"):
        add(store, "tiny-9", user="vic")
    with pytest.raises(NotPermitted, match=r"user 'vic' is a viewer; only .* may run what-ifs"):
        store.require("vic", Permission.RUN_WHATIF)
    store.require("pat", Permission.RUN_WHATIF)
    assert store.info("tiny-1").status == Status.STRESS_TESTED
    assert len(store.audit_rows()) == len(before)


def test_only_managers_manage_users_and_rules(store: PlanStore) -> None:
    for user in ("pat", "vic"):
        with pytest.raises(NotPermitted, match="may manage users"):
            store.add_user(user, "eve", Role.MANAGER)
        with pytest.raises(NotPermitted, match="may manage users"):
            store.set_role(user, user, Role.MANAGER)
        with pytest.raises(NotPermitted, match="may set approval rules"):
            store.set_rules(user, ApprovalRules(min_critical_fill_rate=0.5))
        with pytest.raises(NotPermitted, match="may manage users"):
            store.issue_token(user, "mia")
    with pytest.raises(NotPermitted, match="already has users"):
        store.bootstrap("eve", "eve")
    with pytest.raises(StoreConflict, match="last manager"):
        store.set_role("mia", "mia", Role.PLANNER)
    assert dict(store.users()) == {"mia": Role.MANAGER, "pat": Role.PLANNER,
                                   "vic": Role.VIEWER}
    assert store.verify_audit().ok


@pytest.mark.parametrize("name", ["", " ", "auto", "1abc", "a" * 65, "eve smith", "../x"])
def test_user_names_are_checked(store: PlanStore, name: str) -> None:
    with pytest.raises(InputError, match="user name"):
        store.add_user("mia", name, Role.PLANNER)


def test_tokens_and_os_accounts_identify_users(store: PlanStore) -> None:
    from medtwin.store.accounts import NotAuthenticated

    assert store.identify_token(store.tokens["pat"], "f") == "pat"
    store.issue_token("pat", "pat")                       # renewing: the old token dies
    with pytest.raises(NotAuthenticated, match="not valid"):
        store.identify_token(store.tokens["pat"], "f")
    with pytest.raises(NotAuthenticated, match="not a user of this store"):
        store.identify_os("nobody-here")


def test_illegal_transitions_name_status_and_allowed(store: PlanStore) -> None:
    add(store)
    with pytest.raises(IllegalTransition, match="is draft; it cannot become published"):
        store.approved_plan("tiny-1", "mia")
    with pytest.raises(StoreConflict, match="no stress-test evidence"):
        store.approve("tiny-1", "mia", "x")
    store.reject("tiny-1", "mia", "wrong horizon")
    with pytest.raises(IllegalTransition, match=r"allowed next: none \(final\)"):
        store.approve("tiny-1", "mia", "x", without_evidence=True)
    with pytest.raises(IllegalTransition, match="is rejected; it cannot become published"):
        store.sendable("tiny-1")
    add(store, "tiny-2", evidence(0.995, 100))
    store.approve("tiny-2", "mia", "ok", lines=["r-1"])
    assert store.sendable("tiny-2") == {"r-1"}
    with pytest.raises(IllegalTransition, match="is approved; it cannot become rejected"):
        store.reject("tiny-2", "mia", "changed my mind")
    with pytest.raises(StoreConflict, match="already in the store"):
        add(store)


def test_unknown_line_keys_are_input_errors(store: PlanStore) -> None:
    add(store, doc=evidence(0.995, 100))
    with pytest.raises(InputError, match="nope"):
        store.approve("tiny-1", "mia", "x", lines=["t-1", "nope"])
    assert store.info("tiny-1").approved_lines == 0


def test_passwords(store: PlanStore) -> None:
    assert store.authenticate("mia", "s3cret") == Role.MANAGER
    assert store.authenticate("mia", "wrong") is None
    assert store.authenticate("pat", "") is None


@pytest.mark.parametrize("tamper", ["by hand", "edited", "other plan", "other key"])
def test_evidence_not_sealed_by_medtwin_for_this_plan_is_refused(
        store: PlanStore, tamper: str) -> None:
    from medtwin.store.keyring import Keyring

    good = sealed(store, "tiny-1", evidence(0.995, 100))
    doc = {"by hand": evidence(0.999, 1),
           "edited": {**good, "scenarios": evidence(0.999, 1)["scenarios"]},
           "other plan": sealed(store, "tiny-2", evidence(0.995, 100))}.get(tamper)
    if tamper == "other key":
        from medtwin.store.seal import seal
        from twin.domain import Plan
        other = Keyring(store.keyring.source, store.keyring.head, b"k" * 32)
        doc = seal(evidence(0.995, 100), Plan.model_validate_json(plan_json()), other)
    with pytest.raises(NotPermitted, match=r"stress evidence .* is refused"):
        store.add_plan(plan_json("tiny-1", doc), "pat", "p.json", tiny_net())
    add(store)
    with pytest.raises(NotPermitted, match="is refused"):
        store.attach_evidence("tiny-1", doc, "pat")
    assert store.info("tiny-1").status == Status.DRAFT


@pytest.mark.parametrize(("fill", "cost", "approved"), [
    (0.995, 104.0, True), (0.985, 100.0, False), (0.995, 106.0, False)])
def test_gate(store: PlanStore, fill: float, cost: float, approved: bool) -> None:
    add(store, "tiny-0", evidence(0.999, 100.0))
    store.approve("tiny-0", "mia", "first")
    store.record_published("tiny-0", "mia", [published("t-1"), published("r-1")], "erp")
    add(store, "tiny-1", evidence(fill, cost))
    outcomes = store.gate("tiny-1", "pat")
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
    assert store.verify_audit().ok


def test_the_gate_applies_the_stores_rules_set_by_a_manager(store: PlanStore) -> None:
    add(store, "tiny-1", evidence(0.985, 100.0))
    assert store.rules()[0] == 0
    assert not all(o.passed for o in store.gate("tiny-1", "pat"))
    assert store.set_rules("mia", ApprovalRules(min_critical_fill_rate=0.98)) == 1
    assert all(o.passed for o in store.gate("tiny-1", "pat"))
    row = [r for r in store.audit_rows() if r.action == "status:approved"][-1]
    assert json.loads(row.payload)["rules_version"] == 1
    assert store.verify_audit().ok


def test_gate_without_evidence_waits(store: PlanStore) -> None:
    add(store)
    outcomes = store.gate("tiny-1", "pat")
    assert not any(o.passed for o in outcomes)
    assert "no stress-test evidence" in outcomes[0].why
    assert store.info("tiny-1").status == Status.DRAFT


def test_gate_refuses_a_plan_past_the_gate(store: PlanStore) -> None:
    """A plan a manager approved is not gated again (it would claim an auto-approval)."""
    add(store, "tiny-1", evidence(0.999, 100.0))
    store.approve("tiny-1", "mia", "by hand")
    with pytest.raises(IllegalTransition, match="only a draft or stress-tested plan"):
        store.gate("tiny-1", "pat")
    assert [d.user for d in store.decisions("tiny-1")] == ["mia"]


@pytest.mark.parametrize(("sql", "why"), [
    ("DELETE FROM audit WHERE seq=(SELECT max(seq) FROM audit)", "newest rows were deleted"),
    ("UPDATE audit SET actor='vic' WHERE seq=3", "was edited or forged"),
    ("UPDATE plans SET status='rejected'", "plans['tiny-1'].status"),
    ("UPDATE users SET token_sha256=NULL WHERE name='pat'", "users['pat'].token_sha256"),
    ("UPDATE plans SET evidence_json=replace(evidence_json, '0.995', '0.999')",
     "evidence_content_sha256"),
])
def test_tampering_is_caught_and_nothing_is_published(store: PlanStore, sql: str,
                                                      why: str) -> None:
    from medtwin.store.plans import AuditBroken

    add(store, doc=evidence(0.995, 100))
    store.approve("tiny-1", "mia", "ok", lines=["t-1"])
    assert store.verify_audit().ok
    with store.engine.begin() as conn:
        conn.exec_driver_sql(sql)
    found = store.verify_audit()
    assert not found.ok and why in found.problem, found.problem
    sent = []
    with pytest.raises(AuditBroken, match="nothing published"):
        store.publish("tiny-1", "mia", sent.append, "erp")
    assert sent == []


def test_an_emptied_store_is_not_bootstrapped_again(store: PlanStore) -> None:
    """Deleting every row (or swapping in an empty database) leaves the checkpoints: verify
    names the missing rows and bootstrap refuses to start over on them."""
    from medtwin.store.db import Base

    add(store)
    with store.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != "store_meta":
                conn.execute(table.delete())
    assert "were deleted" in store.verify_audit().problem
    with pytest.raises(NotPermitted, match="emptied or replaced"):
        store.bootstrap("eve", "eve")
