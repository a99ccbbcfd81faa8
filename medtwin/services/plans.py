"""Plans in the store as the CLI and the dashboards see them: list, show, approve, reject.

Every act names the acting user; the store checks that user's role in the same
transaction as the act (a page drawn for a manager who has since lost the role is still
refused). Refusals are the exceptions in :data:`REFUSED`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from medtwin.store import IllegalTransition, NotPermitted, PlanStore, Role, Status, open_store
from medtwin.store.lifecycle import AWAITING_DECISION
from medtwin.store.plans import Decision, PlanBusy, PlanInfo, StoreConflict, UnknownUser
from medtwin.store.roles import Permission
from medtwin.store.rules import ScenarioEvidence, evidence_summary
from scenarios.evidence import StressEvidence
from twin.domain import Alert, Plan
from twin.domain.alerts import ordered
from twin.problems import InputError

REFUSED = (NotPermitted, IllegalTransition, StoreConflict, UnknownUser, PlanBusy, InputError)
"""What an approve or reject may be refused with (each says why)."""

__all__ = ["REFUSED", "Decision", "NotPermitted", "Permission", "PlanInfo", "PlanService",
           "Role", "ScenarioEvidence", "Status"]


@dataclass(frozen=True)
class EvidenceView:
    """A plan's stress evidence for review: the per-scenario figures the gate judges, or
    why there are none."""

    evidence: StressEvidence | None
    rows: list[ScenarioEvidence]
    problem: str | None


class PlanService:
    """Plan operations on the store at ``store_url`` (default: ``MEDTWIN_STORE`` or the
    local file), or on an open ``store``."""

    def __init__(self, store_url: str | None = None, store: PlanStore | None = None):
        self._url = store_url
        if store is not None:
            self.__dict__["store"] = store

    @cached_property
    def store(self) -> PlanStore:
        """The plan store, opened on first use."""
        return PlanStore(open_store(self._url))

    # -- users ------------------------------------------------------------------------
    def users(self) -> list[tuple[str, Role]]:
        return self.store.users()

    def authenticate(self, name: str, password: str) -> Role | None:
        """The user's role when the password is theirs, else None."""
        return self.store.authenticate(name, password)

    def role_of(self, user: str) -> Role:
        return self.store.role_of(user)

    def may(self, user: str, permission: Permission) -> bool:
        """Whether ``user``'s role has ``permission`` now (for showing buttons; the act
        itself is checked again)."""
        try:
            self.store.require(user, permission)
        except (NotPermitted, UnknownUser):
            return False
        return True

    def require(self, user: str, permission: Permission) -> None:
        """Refuse (:class:`NotPermitted`, :class:`UnknownUser`) unless ``user``'s role has
        ``permission`` now — for acts outside the store, such as a what-if run."""
        self.store.require(user, permission)

    # -- reading ----------------------------------------------------------------------
    def list(self, status: Status | None = None) -> list[PlanInfo]:
        """Every plan (or those with ``status``), newest snapshot first."""
        return self.store.plans(status)

    def info(self, plan_id: str) -> PlanInfo:
        return self.store.info(plan_id)

    def plan(self, plan_id: str) -> Plan:
        return self.store.plan(plan_id)

    def decisions(self, plan_id: str) -> list[Decision]:
        return self.store.decisions(plan_id)

    def evidence(self, plan_id: str) -> EvidenceView:
        """The plan's stress evidence and its per-scenario figures (or why there are
        none)."""
        doc = self.store.evidence(plan_id)
        try:
            rows = evidence_summary(doc)
        except ValueError as exc:
            return EvidenceView(None, [], str(exc))
        return EvidenceView(StressEvidence.parse(doc), rows, None)  # type: ignore[arg-type]

    def alerts(self, plan_id: str) -> list[Alert] | None:
        """The data-quality alerts recorded with the plan's evidence, critical first (None:
        no check recorded — a plan made outside the nightly, or no evidence)."""
        doc = self.store.evidence(plan_id)
        if not doc:
            return None
        try:
            found = StressEvidence.parse(doc).data_quality
        except ValueError:
            return None
        return None if found is None else ordered(found)

    def opening(self) -> str | None:
        """The plan a reviewer starts on: the newest awaiting a decision (draft or
        stress-tested), else the newest plan; None in an empty store."""
        plans = self.list()
        waiting = [p for p in plans if p.status in AWAITING_DECISION]
        first = (waiting or plans)[:1]
        return first[0].id if first else None

    def approved_keys(self, plan_id: str) -> set[str]:
        """Keys of the plan's approved lines."""
        return self.store.approved_keys(plan_id)

    def sendable(self, plan_id: str) -> set[str]:
        """Keys of the lines a publish would send now (:class:`IllegalTransition` when the
        plan cannot be published, e.g. rejected)."""
        return self.store.sendable(plan_id)

    # -- acting -----------------------------------------------------------------------
    def approve(self, plan_id: str, user: str, comment: str,
                lines: Sequence[str] | None = None, without_evidence: bool = False
                ) -> PlanInfo:
        """Approve every line, or ``lines``, as ``user`` (a manager, checked now)."""
        return self.store.approve(plan_id, user, comment, lines, without_evidence)

    def reject(self, plan_id: str, user: str, comment: str) -> PlanInfo:
        """Reject the plan as ``user`` (a manager, checked now)."""
        return self.store.reject(plan_id, user, comment)
