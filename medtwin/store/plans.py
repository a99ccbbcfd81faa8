"""The plan store's operations on plans: admission, evidence, decisions, the gate and
publication.

Each act checks the acting user's role, the plan's status transition
(:data:`medtwin.store.lifecycle.TRANSITIONS`), changes the rows and appends the audit row
in one serialised transaction — all or nothing. Approve, reject, gate and publish also
hold the plan's lock (:mod:`medtwin.store.locks`): of concurrent acts on one plan one
goes on, the others are refused at once.
"""

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from medtwin.store import audit
from medtwin.store.accounts import AUTO_USER, Accounts
from medtwin.store.admission import admit
from medtwin.store.base import StoreConflict, UnknownPlan, UnknownUser
from medtwin.store.db import AuditRow, DecisionRow, LineRow, PlanRow
from medtwin.store.lifecycle import IllegalTransition, Status, check_transition
from medtwin.store.locks import PlanBusy, plan_lock
from medtwin.store.roles import NotPermitted, Permission, require
from medtwin.store.rules import RuleOutcome, gate
from medtwin.store.seal import seal_problem
from scenarios.evidence import StressEvidence, evidence_doc
from twin.domain import Network, Plan
from twin.problems import InputError, Problem

__all__ = ["AUTO_USER", "DONE_OUTCOMES", "AuditBroken", "Decision", "PlanBusy", "PlanInfo",
           "PlanStore", "StoreConflict", "UnknownPlan", "UnknownUser"]

class AuditBroken(RuntimeError):
    """The audit trail does not vouch for the store's state: nothing is gated or sent."""


DONE_OUTCOMES = frozenset({"created", "completed", "updated", "exists"})
"""Publish outcomes that mean the ERP holds the line's documents (``exists``: made by an
earlier, interrupted run of the same publish)."""


def sha256_text(text: str) -> str:
    """Hex sha256 of ``text`` (UTF-8)."""
    return hashlib.sha256(text.encode()).hexdigest()


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


class PlanStore(Accounts):
    """Plans through their lifecycle (users and rules: :class:`Accounts`)."""

    def _move(self, s: Session, row: PlanRow, new: Status, actor: str,
              payload: dict[str, Any]) -> None:
        check_transition(row.id, Status(row.status), new)
        self._log(s, actor, f"status:{new}", row.id,
                  {"from": row.status, "to": str(new), **payload})
        row.status = str(new)

    # -- admission and evidence -------------------------------------------------------
    def add_plan(self, plan_text: str, user: str, source: str, net: Network) -> PlanInfo:
        """Store a plan file's JSON as a draft — stress-tested when it carries medtwin's
        sealed evidence for it. The plan is checked against ``net`` (and the stock of its
        snapshot) first: :class:`InputError` naming every problem."""
        plan, evidence = admit(plan_text, source, net)
        plan_json = plan.model_dump_json(by_alias=True)
        with self._tx() as s:
            require(user, self._role(s, user), Permission.CREATE)
            if s.get(PlanRow, plan.id) is not None:
                raise StoreConflict(f"plan {plan.id!r} is already in the store")
            row = PlanRow(id=plan.id, network=plan.network, as_of=plan.as_of.isoformat(),
                          status=str(Status.DRAFT), created_by=user, added=self._now(s),
                          plan_json=plan_json, plan_sha256=sha256_text(plan_json))
            s.add(row)
            s.flush()
            s.add_all(LineRow(plan_id=plan.id, key=a.key, kind=a.kind, reason=a.reason)
                      for a in plan.actions)
            self._log(s, user, "plan_added", plan.id,
                      {"network": plan.network, "as_of": row.as_of,
                       "sha256": row.plan_sha256, "file_sha256": sha256_text(plan_text),
                       "lines": len(plan.actions)})
            if evidence is not None:
                self._attach(s, row, evidence, user, source)
        return self.info(plan.id)

    def _attach(self, s: Session, row: PlanRow, evidence: StressEvidence | dict[str, Any],
                user: str, source: str) -> None:
        doc = evidence_doc(evidence)
        why = seal_problem(doc, row.plan_sha256, self.keyring)
        if why is not None:
            raise NotPermitted(f"the stress evidence in {source} is refused: {why}")
        text = audit.canonical(doc)
        row.evidence_json, row.evidence_sha256 = text, sha256_text(text)
        self._move(s, row, Status.STRESS_TESTED, user, {"evidence_sha256": row.evidence_sha256})

    def attach_evidence(self, plan_id: str, evidence: StressEvidence | dict[str, Any],
                        user: str, source: str = "<evidence>") -> PlanInfo:
        """Record medtwin's sealed stress evidence: the plan becomes stress-tested."""
        with self._tx() as s:
            require(user, self._role(s, user), Permission.STRESS_TEST)
            self._attach(s, self._plan(s, plan_id), evidence, user, source)
        return self.info(plan_id)

    # -- decisions --------------------------------------------------------------------
    def approve(self, plan_id: str, user: str, comment: str,
                lines: Sequence[str] | None = None, without_evidence: bool = False) -> PlanInfo:
        """Approve every line not yet approved, or the given line keys (also lines left
        after a partial publish), recording the evidence seen."""
        with plan_lock(self.engine, plan_id, "approved"), self._tx() as s:
            require(user, self._role(s, user), Permission.APPROVE)
            self._approve(s, self._plan(s, plan_id), user, user, comment, lines,
                          without_evidence)
        return self.info(plan_id)

    def _approve(self, s: Session, row: PlanRow, actor: str, decided_by: str, comment: str,
                 lines: Sequence[str] | None, without_evidence: bool,
                 extra: dict[str, Any] | None = None) -> None:
        if row.evidence_sha256 is None and not without_evidence:
            raise StoreConflict(f"plan {row.id} has no stress-test evidence; stress-test "
                                "it first or approve it explicitly without evidence")
        rows = {r.key: r for r in s.scalars(select(LineRow).where(LineRow.plan_id == row.id))}
        if lines is not None:
            unknown = [k for k in dict.fromkeys(lines) if k not in rows]
            if unknown:
                raise InputError([Problem("--lines", k, f"plan {row.id} has no such line")
                                  for k in unknown])
        wanted = list(rows) if lines is None else list(dict.fromkeys(lines))
        keys = sorted(k for k in wanted if not rows[k].approved)
        if not keys:
            raise StoreConflict(f"plan {row.id}: every line asked for is already approved"
                                if wanted else f"plan {row.id}: no lines to approve")
        self._move(s, row, Status.APPROVED, actor,
                   {"decided_by": decided_by, "lines": keys, "comment": comment,
                    "evidence_sha256": row.evidence_sha256, **(extra or {})})
        for k in keys:
            rows[k].approved = True
        s.add(DecisionRow(plan_id=row.id, user=decided_by, time=self._now(s),
                          decision="approve", lines=json.dumps(keys), comment=comment,
                          evidence_sha256=row.evidence_sha256))

    def reject(self, plan_id: str, user: str, comment: str) -> PlanInfo:
        """Reject the plan (final)."""
        with plan_lock(self.engine, plan_id, "rejected"), self._tx() as s:
            require(user, self._role(s, user), Permission.REJECT)
            row = self._plan(s, plan_id)
            self._move(s, row, Status.REJECTED, user,
                       {"decided_by": user, "comment": comment,
                        "evidence_sha256": row.evidence_sha256})
            s.add(DecisionRow(plan_id=plan_id, user=user, time=self._now(s), decision="reject",
                              lines="[]", comment=comment, evidence_sha256=row.evidence_sha256))
        return self.info(plan_id)

    def gate(self, plan_id: str, user: str) -> list[RuleOutcome]:
        """Apply the store's approval rules: when all pass, approve every line as
        :data:`AUTO_USER` (the comment lists the verdicts); otherwise leave the plan
        waiting. Returns each rule's verdict. Only a draft or stress-tested plan goes
        through the gate (:class:`IllegalTransition` otherwise)."""
        self._require_intact("gated")
        with plan_lock(self.engine, plan_id, "gated"), self._tx() as s:
            require(user, self._role(s, user), Permission.GATE)
            row = self._plan(s, plan_id)
            if row.status not in (Status.DRAFT, Status.STRESS_TESTED):
                raise IllegalTransition(f"plan {plan_id} is {row.status}; only a draft or "
                                        "stress-tested plan goes through the gate")
            version, rules = self._rules(s)
            last = s.scalars(select(PlanRow).where(
                PlanRow.network == row.network, PlanRow.status == str(Status.PUBLISHED))
            ).first()
            outcomes = gate(rules, _loads(row.evidence_json),
                            _loads(last.evidence_json) if last is not None else None,
                            Plan.model_validate_json(row.plan_json))
            if outcomes and all(o.passed for o in outcomes):
                self._approve(s, row, user, AUTO_USER, "auto-approved: " + "; ".join(
                    f"{o.rule}: {o.why}" for o in outcomes), None, False,
                    {"rules_version": version})
        return outcomes

    # -- publication ------------------------------------------------------------------
    def publish(self, plan_id: str, user: str, send: Callable[[Plan], Sequence[Any]],
                erp: str) -> tuple[PlanInfo, list[Any]]:
        """The one door to the ERP: under the plan's lock, ``send`` the approved lines not
        yet published (``send(subset)`` returns the adapter's line results) and record
        what the ERP now holds. The user's role is checked before sending and again when
        recording."""
        with plan_lock(self.engine, plan_id, "published"):
            self._require_intact("published")
            subset = self.approved_plan(plan_id, user)
            results = list(send(subset))
            return self.record_published(plan_id, user, results, erp), results

    def approved_plan(self, plan_id: str, user: str) -> Plan:
        """The plan with only its approved lines not yet published — what may be sent."""
        with self._sessions() as s:
            require(user, self._role(s, user), Permission.PUBLISH)
            row = self._plan(s, plan_id)
            keys = self._sendable(s, row)
        plan = Plan.model_validate_json(row.plan_json)
        return plan.model_copy(update={"actions": [a for a in plan.actions if a.key in keys]})

    def approved_keys(self, plan_id: str) -> set[str]:
        """Keys of the plan's approved lines (published or not)."""
        with self._sessions() as s:
            self._plan(s, plan_id)
            return set(s.scalars(select(LineRow.key).where(LineRow.plan_id == plan_id,
                                                           LineRow.approved)))

    def sendable(self, plan_id: str) -> set[str]:
        """Keys of the lines a publish would send now: approved, not yet published
        (:class:`IllegalTransition` when the plan cannot be published, e.g. rejected)."""
        with self._sessions() as s:
            return self._sendable(s, self._plan(s, plan_id))

    @staticmethod
    def _sendable(s: Session, row: PlanRow) -> set[str]:
        check_transition(row.id, Status(row.status), Status.PUBLISHED)
        return set(s.scalars(select(LineRow.key).where(
            LineRow.plan_id == row.id, LineRow.approved, LineRow.published.is_(False))))

    def record_published(self, plan_id: str, user: str, results: Sequence[Any],
                         erp: str) -> PlanInfo:
        """Record what a publish did (``results``: the adapter's line results).

        Each line the ERP now holds and the store had not yet recorded is marked published
        (one audit row lists them) and gets one audit row per ERP document — also when an
        earlier, interrupted run created it (outcome ``exists``), so every document is
        logged exactly once. When every approved line is published, the plan becomes
        published and the network's previously published plan superseded; otherwise it
        stays approved for the next publish to resume."""
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
            done = sorted({r.key for r in results
                           if r.outcome != "failed" and not lines[r.key].published})
            if done:
                self._log(s, user, "lines_published", plan_id, {"erp": erp, "lines": done})
            for r in results:
                if r.key not in done:
                    continue
                lines[r.key].published = True
                for d in r.documents:
                    self._log(s, user, "erp_document", plan_id, {
                        "erp": erp, "line": r.key, "outcome": r.outcome, "model": d.model,
                        "id": d.id, "number": d.number, "state": d.state,
                        "company": d.company})
            if all(x.published for x in lines.values()) and row.status != Status.PUBLISHED:
                for old in s.scalars(select(PlanRow).where(
                        PlanRow.network == row.network, PlanRow.id != plan_id,
                        PlanRow.status == str(Status.PUBLISHED))):
                    self._move(s, old, Status.SUPERSEDED, user, {"by": plan_id})
                self._move(s, row, Status.PUBLISHED, user, {"erp": erp})
        return self.info(plan_id)

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
            return _loads(self._plan(s, plan_id).evidence_json)

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

    def _require_intact(self, act: str) -> None:
        """Refuse to gate or publish from a state the audit trail does not vouch for."""
        found = self.verify_audit()
        if not found.ok:
            raise AuditBroken(f"the audit trail is broken ({found.problem}): nothing {act}; "
                              "`medtwin audit verify` names the first bad row")

    def verify_audit(self) -> audit.Verification:
        """Check the keyed chain, its checkpoints, and the tables against a replay of the
        log (:mod:`medtwin.store.replay`)."""
        from medtwin.store.replay import state_problem

        with self._sessions() as s:
            found = audit.verify(s, self.keyring)
            if not found.ok:
                return found
            problem = state_problem(s)
        return found if problem is None else audit.Verification(found.rows, problem,
                                                                found.unconfirmed)


def _loads(text: str | None) -> dict[str, Any] | None:
    return json.loads(text) if text else None
