"""The plans service: typed decisions and evidence; the acting user checked when acting."""

from pathlib import Path

import pytest

from medtwin.services.plans import REFUSED, Permission, PlanService
from medtwin.store import Role, Status
from tests.medtwin.store.samples import add_plan, evidence, new_store


@pytest.fixture
def service(tmp_path: Path) -> PlanService:
    url = f"sqlite:///{tmp_path / 's.db'}"
    store = new_store(url, passwords={"mia": "pw"})
    add_plan(store, "tiny-1", evidence(0.995, 100.0))
    add_plan(store, "tiny-2")
    return PlanService(url)


def test_list_show_and_typed_evidence(service: PlanService) -> None:
    assert {p.id for p in service.list()} == {"tiny-1", "tiny-2"}
    assert [p.id for p in service.list(Status.STRESS_TESTED)] == ["tiny-1"]
    found = service.evidence("tiny-1")
    assert found.problem is None and found.evidence is not None
    assert [r.scenario for r in found.rows] == ["baseline", "demand-surge"]
    assert found.rows[1].critical_fill_lower == pytest.approx(0.995)
    assert service.evidence("tiny-2").problem == "the plan has no stress-test evidence"


def test_approve_returns_typed_decisions(service: PlanService) -> None:
    info = service.approve("tiny-1", "mia", "reorder point only", ["r-1"])
    assert (info.status, info.approved_lines) == (Status.APPROVED, 1)
    (decision,) = service.decisions("tiny-1")
    assert (decision.user, decision.decision, decision.lines) == ("mia", "approve", ("r-1",))
    assert service.sendable("tiny-1") == service.approved_keys("tiny-1") == {"r-1"}


def test_a_reviewer_opens_on_a_plan_awaiting_a_decision(service: PlanService) -> None:
    service.reject("tiny-2", "mia", "wrong horizon")
    assert service.opening() == "tiny-1"
    service.approve("tiny-1", "mia", "ok")
    assert service.opening() == "tiny-1"     # none waits: the newest (then by id)
    with pytest.raises(REFUSED, match="is rejected; it cannot become published"):
        service.sendable("tiny-2")


def test_the_role_is_checked_when_acting(service: PlanService, tmp_path: Path) -> None:
    assert service.may("mia", Permission.APPROVE) and not service.may("pat", Permission.APPROVE)
    assert service.may("pat", Permission.RUN_WHATIF) and not service.may("vic",
                                                                          Permission.RUN_WHATIF)
    assert not service.may("nobody", Permission.APPROVE)
    with pytest.raises(REFUSED):
        service.reject("tiny-1", "pat", "no")
    # the page was drawn for a manager, who is then replaced by a viewer of the same name
    store = service.store
    with store._tx() as s:  # a role change between drawing the page and acting
        from medtwin.store.db import UserRow
        s.get(UserRow, "mia").role = str(Role.VIEWER)
    with pytest.raises(REFUSED):
        service.approve("tiny-1", "mia", "ok")
    assert service.info("tiny-1").status == Status.STRESS_TESTED
