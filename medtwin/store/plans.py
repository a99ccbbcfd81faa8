"""The plan store's operations: users, plans through their lifecycle, decisions, publication.

Each operation checks the acting user's role, checks the status transition against
:data:`medtwin.store.lifecycle.TRANSITIONS`, changes the rows and appends the audit entry
in one transaction — all or nothing.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from medtwin.store import audit
from medtwin.store.db import AuditRow, DecisionRow, LineRow, PlanRow, UserRow
from medtwin.store.lifecycle import IllegalTransition, Status, check_transition
from medtwin.store.roles import Permission, Role, require
from medtwin.store.rules import ApprovalRules, RuleOutcome, gate
from medtwin.store.users import check_password, hash_password
from scenarios.evidence import StressEvidence, evidence_doc
from twin.domain import Plan
from twin.problems import InputError, Problem, format_path

AUTO_USER = "auto"
"""The user that auto-approval rules act as (a manager created on first use)."""
DONE_OUTCOMES = frozenset({"created", "completed", "updated", "exists"})
"""Publish outcomes that mean the ERP holds the line's documents (``exists``: made by an
earlier, interrupted run of the same publish)."""


class UnknownPlan(LookupError):
    """No plan with that id in the store."""


class UnknownUser(LookupError):
    """No user with that name in the store."""


class StoreConflict(ValueError):
    """The request contradicts what the store holds (duplicate id, unknown line keys…)."""


def sha256_text(text: str) -> str:
    """Hex sha256 of ``text`` (UTF-8)."""
    return hashlib.sha256(text.encode()).hexdigest()


def stress_evidence(plan_doc: dict[str, Any], source: str = "<plan>"
                    ) -> dict[str, Any] | None:
    """The stress-test evidence a plan file carries (its ``stress_test`` member), if any:
    its JSON document as written (so that its digest is the file's), checked against
    :class:`scenarios.evidence.StressEvidence` (:class:`InputError` naming ``source``)."""
    value = plan_doc.get("stress_test")
    if not isinstance(value, dict):
        return None
    try:
        StressEvidence.parse(value)
    except ValidationError as exc:
        raise InputError([Problem(source, format_path(("stress_test", *e["loc"])), e["msg"])
                          for e in exc.errors()]) from None
    return value


@dataclass(frozen=True)
class PlanInfo:
    """A plan as listed: id, network, status, line counts and the evidence digest."""

    id: str
    network: str
    as_of: str
    status: Status
    created_by: str
    added: str
    lines: int
    approved_lines: int
    published_lines: int
    evidence_sha256: str | None


@dataclass(frozen=True)
class Decision:
    """An approval or rejection: who, when, which line keys, the comment and the digest of
    the evidence seen."""

    time: str
    user: str
    decision: str
    lines: tuple[str, ...]
    comment: str
    evidence_sha256: str | None

    @classmethod
    def of(cls, row: DecisionRow) -> "Decision":
        return cls(row.time, row.user, row.decision, tuple(json.loads(row.lines)),
                   row.comment, row.evidence_sha256)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class PlanStore:
    """Operations on a store opened with :func:`medtwin.store.open_store`.

    ``clock`` gives the current time (UTC); tests inject a fixed one.
    """

    def __init__(self, sessions: sessionmaker, clock: Callable[[], dt.datetime] = _utc_now):
        self._sessions, self._clock = sessions, clock

    # -- plumbing ---------------------------------------------------------------------
    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    def _now(self) -> str:
        return self._clock().astimezone(dt.UTC).isoformat(timespec="seconds")

    def _log(self, s: Session, actor: str, action: str, plan_id: str | None,
             payload: dict[str, Any]) -> None:
        audit.append(s, time=self._now(), actor=actor, action=action, plan_id=plan_id,
                     payload=payload)

    @staticmethod
    def _role(s: Session, user: str) -> Role:
        row = s.get(UserRow, user)
        if row is None:
            raise UnknownUser(f"unknown user {user!r}; add one with `medtwin users add`")
        return Role(row.role)

    @staticmethod
    def _plan(s: Session, plan_id: str) -> PlanRow:
        row = s.get(PlanRow, plan_id)
        if row is None:
            raise UnknownPlan(f"no plan {plan_id!r} in the store")
        return row

    def _move(self, s: Session, row: PlanRow, new: Status, actor: str,
              payload: dict[str, Any]) -> None:
        check_transition(row.id, Status(row.status), new)
        self._log(s, actor, f"status:{new}", row.id,
                  {"from": row.status, "to": str(new), **payload})
        row.status = str(new)

    # -- users ------------------------------------------------------------------------
    def add_user(self, name: str, role: Role, password: str | None = None,
                 actor: str = "admin") -> None:
        """Create user ``name`` with ``role`` (and a password for the dashboard login)."""
        with self._tx() as s:
            if s.get(UserRow, name) is not None:
                raise StoreConflict(f"user {name!r} already exists")
            s.add(UserRow(name=name, role=str(role), created=self._now(),
                          password_hash=hash_password(password) if password else None))
            self._log(s, actor, "user_added", None, {"user": name, "role": str(role)})

    def users(self) -> list[tuple[str, Role]]:
        """(name, role) of every user, by name."""
        with self._sessions() as s:
            return [(u.name, Role(u.role)) for u in s.scalars(select(UserRow)
                                                               .order_by(UserRow.name))]

    def authenticate(self, name: str, password: str) -> Role | None:
        """The user's role when ``password`` is theirs, else None."""
        with self._sessions() as s:
            row = s.get(UserRow, name)
            return Role(row.role) if row and check_password(password, row.password_hash) \
                else None

    def role_of(self, name: str) -> Role:
        """The role of user ``name`` (:class:`UnknownUser` if none)."""
        with self._sessions() as s:
            return self._role(s, name)

    # -- plans ------------------------------------------------------------------------
    def add_plan(self, plan_text: str, user: str, source: str = "<plan>") -> PlanInfo:
        """Store a plan file's JSON as a draft (stress-tested when it carries evidence in
        ``stress_test``). Invalid JSON or plan → :class:`InputError` naming ``source``."""
        try:
            doc = json.loads(plan_text)
        except json.JSONDecodeError as exc:
            raise InputError([Problem(source, "", f"not JSON: {exc}")]) from None
        evidence = stress_evidence(doc, source) if isinstance(doc, dict) else None
        if isinstance(doc, dict):
            doc.pop("stress_test", None)
        try:
            plan = Plan.model_validate(doc)
        except ValidationError as exc:
            raise InputError([Problem(source, format_path(tuple(e["loc"])), e["msg"])
                              for e in exc.errors()]) from None
        plan_json = plan.model_dump_json(by_alias=True)
        with self._tx() as s:
            require(user, self._role(s, user), Permission.CREATE)
            if s.get(PlanRow, plan.id) is not None:
                raise StoreConflict(f"plan {plan.id!r} is already in the store")
            row = PlanRow(id=plan.id, network=plan.network, as_of=plan.as_of.isoformat(),
                          status=str(Status.DRAFT), created_by=user, added=self._now(),
                          plan_json=plan_json, plan_sha256=sha256_text(plan_text))
            s.add(row)
            s.flush()
            s.add_all(LineRow(plan_id=plan.id, key=a.key, kind=a.kind, reason=a.reason)
                      for a in plan.actions)
            self._log(s, user, "plan_added", plan.id,
                      {"sha256": row.plan_sha256, "lines": len(plan.actions)})
            if evidence is not None:
                self._attach(s, row, evidence, user)
        return self.info(plan.id)

    def _attach(self, s: Session, row: PlanRow, evidence: StressEvidence | dict[str, Any],
                user: str) -> None:
        text = audit.canonical(evidence_doc(evidence))
        row.evidence_json, row.evidence_sha256 = text, sha256_text(text)
        self._move(s, row, Status.STRESS_TESTED, user, {"evidence_sha256": row.evidence_sha256})

    def attach_evidence(self, plan_id: str, evidence: StressEvidence | dict[str, Any],
                        user: str) -> PlanInfo:
        """Record stress-test evidence: the plan becomes stress-tested."""
        with self._tx() as s:
            require(user, self._role(s, user), Permission.STRESS_TEST)
            self._attach(s, self._plan(s, plan_id), evidence, user)
        return self.info(plan_id)

    def approve(self, plan_id: str, user: str, comment: str,
                lines: Sequence[str] | None = None, without_evidence: bool = False) -> PlanInfo:
        """Approve all lines, or the given line keys, recording the evidence seen."""
        with self._tx() as s:
            require(user, self._role(s, user), Permission.APPROVE)
            row = self._plan(s, plan_id)
            if row.evidence_sha256 is None and not without_evidence:
                raise StoreConflict(f"plan {plan_id} has no stress-test evidence; stress-test "
                                    "it first or approve it explicitly without evidence")
            rows = {r.key: r for r in s.scalars(select(LineRow).where(
                LineRow.plan_id == plan_id))}
            keys = list(rows) if lines is None else list(dict.fromkeys(lines))
            unknown = [k for k in keys if k not in rows]
            if unknown:
                raise StoreConflict(f"plan {plan_id} has no line(s) {', '.join(unknown[:5])}")
            if not keys:
                raise StoreConflict(f"plan {plan_id}: no lines to approve")
            self._move(s, row, Status.APPROVED, user,
                       {"lines": len(keys), "of": len(rows), "comment": comment,
                        "evidence_sha256": row.evidence_sha256})
            for k in keys:
                rows[k].approved = True
            s.add(DecisionRow(plan_id=plan_id, user=user, time=self._now(), decision="approve",
                              lines=json.dumps(sorted(keys)), comment=comment,
                              evidence_sha256=row.evidence_sha256))
        return self.info(plan_id)

    def reject(self, plan_id: str, user: str, comment: str) -> PlanInfo:
        """Reject the plan (final)."""
        with self._tx() as s:
            require(user, self._role(s, user), Permission.REJECT)
            row = self._plan(s, plan_id)
            self._move(s, row, Status.REJECTED, user, {"comment": comment})
            s.add(DecisionRow(plan_id=plan_id, user=user, time=self._now(), decision="reject",
                              lines="[]", comment=comment, evidence_sha256=row.evidence_sha256))
        return self.info(plan_id)

    def approved_plan(self, plan_id: str, user: str) -> Plan:
        """The plan with only its approved lines — what may be published."""
        with self._sessions() as s:
            require(user, self._role(s, user), Permission.PUBLISH)
            row = self._plan(s, plan_id)
            check_transition(plan_id, Status(row.status), Status.PUBLISHED)
            keys = set(s.scalars(select(LineRow.key).where(LineRow.plan_id == plan_id,
                                                           LineRow.approved)))
        plan = Plan.model_validate_json(row.plan_json)
        return plan.model_copy(update={"actions": [a for a in plan.actions if a.key in keys]})

    def record_published(self, plan_id: str, user: str, results: Sequence[Any],
                         erp: str) -> PlanInfo:
        """Record what a publish did (``results``: the adapter's line results).

        Each line the ERP now holds and the store had not yet recorded is marked published
        and gets one audit row per ERP document — also when an earlier, interrupted run
        created it (outcome ``exists``), so every document is logged exactly once. When no
        line failed, the plan becomes published and the network's previously published
        plan superseded; otherwise it stays approved for the next publish to resume."""
        with self._tx() as s:
            require(user, self._role(s, user), Permission.PUBLISH)
            row = self._plan(s, plan_id)
            check_transition(plan_id, Status(row.status), Status.PUBLISHED)
            lines = {r.key: r for r in s.scalars(select(LineRow).where(
                LineRow.plan_id == plan_id, LineRow.approved))}
            for r in results:
                if r.key not in lines:
                    raise StoreConflict(f"plan {plan_id} has no approved line {r.key}")
                if r.outcome != "failed" and r.outcome not in DONE_OUTCOMES:
                    raise StoreConflict(f"line {r.key}: outcome {r.outcome!r} is not a "
                                        "publish result (dry run?)")
            failed = [r.key for r in results if r.outcome == "failed"]
            for r in results:
                if r.outcome == "failed" or lines[r.key].published:
                    continue
                lines[r.key].published = True
                for d in r.documents:
                    self._log(s, user, "erp_document", plan_id, {
                        "erp": erp, "line": r.key, "outcome": r.outcome, "model": d.model,
                        "id": d.id, "number": d.number, "state": d.state,
                        "company": d.company})
            if not failed and row.status != Status.PUBLISHED:
                for old in s.scalars(select(PlanRow).where(
                        PlanRow.network == row.network, PlanRow.id != plan_id,
                        PlanRow.status == str(Status.PUBLISHED))):
                    self._move(s, old, Status.SUPERSEDED, user, {"by": plan_id})
                self._move(s, row, Status.PUBLISHED, user, {"erp": erp, "lines": len(results)})
        return self.info(plan_id)

    def gate(self, plan_id: str, rules: ApprovalRules) -> list[RuleOutcome]:
        """Apply the auto-approval ``rules``: when all pass, approve every line as
        :data:`AUTO_USER` (the comment lists the verdicts); otherwise leave the plan
        waiting. Returns each rule's verdict. Only a draft or stress-tested plan goes
        through the gate (:class:`IllegalTransition` otherwise)."""
        info = self.info(plan_id)
        if info.status not in (Status.DRAFT, Status.STRESS_TESTED):
            raise IllegalTransition(f"plan {plan_id} is {info.status}; only a draft or "
                                    "stress-tested plan goes through the gate")
        last = self.last_published(info.network)
        outcomes = gate(rules, self.evidence(plan_id),
                        self.evidence(last) if last is not None else None)
        if outcomes and all(o.passed for o in outcomes):
            self.ensure_auto_user()
            self.approve(plan_id, AUTO_USER, "auto-approved: " + "; ".join(
                f"{o.rule}: {o.why}" for o in outcomes))
        return outcomes

    # -- reading ----------------------------------------------------------------------
    def info(self, plan_id: str) -> PlanInfo:
        """Status and counts of one plan."""
        with self._sessions() as s:
            return self._info(s, self._plan(s, plan_id))

    @staticmethod
    def _info(s: Session, row: PlanRow) -> PlanInfo:
        lines = list(s.scalars(select(LineRow).where(LineRow.plan_id == row.id)))
        return PlanInfo(row.id, row.network, row.as_of, Status(row.status), row.created_by,
                        row.added, len(lines), sum(x.approved for x in lines),
                        sum(x.published for x in lines), row.evidence_sha256)

    def plans(self, status: Status | None = None) -> list[PlanInfo]:
        """Every plan (or those with ``status``), newest snapshot first."""
        with self._sessions() as s:
            q = select(PlanRow).order_by(PlanRow.as_of.desc(), PlanRow.id)
            if status is not None:
                q = q.where(PlanRow.status == str(status))
            return [self._info(s, r) for r in s.scalars(q)]

    def plan(self, plan_id: str) -> Plan:
        """The stored plan (all lines)."""
        with self._sessions() as s:
            return Plan.model_validate_json(self._plan(s, plan_id).plan_json)

    def evidence(self, plan_id: str) -> dict[str, Any] | None:
        """The stress-test evidence of a plan as stored (its JSON document), if any."""
        with self._sessions() as s:
            text = self._plan(s, plan_id).evidence_json
        return json.loads(text) if text else None

    def stress_evidence(self, plan_id: str) -> StressEvidence | None:
        """The stress-test evidence of a plan, typed, if any."""
        doc = self.evidence(plan_id)
        return StressEvidence.parse(doc) if doc else None

    def last_published(self, network: str) -> str | None:
        """Id of the plan currently published for ``network``."""
        with self._sessions() as s:
            return s.scalars(select(PlanRow.id).where(
                PlanRow.network == network, PlanRow.status == str(Status.PUBLISHED))).first()

    def decisions(self, plan_id: str) -> list[Decision]:
        """Approvals and rejections of a plan, oldest first."""
        with self._sessions() as s:
            return [Decision.of(r) for r in s.scalars(
                select(DecisionRow).where(DecisionRow.plan_id == plan_id)
                .order_by(DecisionRow.id))]

    def audit_rows(self, plan_id: str | None = None) -> list[AuditRow]:
        """Audit rows (of one plan), in order."""
        with self._sessions() as s:
            q = select(AuditRow).order_by(AuditRow.seq)
            if plan_id is not None:
                q = q.where(AuditRow.plan_id == plan_id)
            return list(s.scalars(q))

    def verify_audit(self) -> audit.Verification:
        """Recompute the audit chain."""
        with self._sessions() as s:
            return audit.verify(s)

    def ensure_auto_user(self) -> None:
        """Create the ``auto`` manager used by auto-approval, if missing."""
        with self._sessions() as s:
            if s.get(UserRow, AUTO_USER) is not None:
                return
        self.add_user(AUTO_USER, Role.MANAGER, actor="system")
