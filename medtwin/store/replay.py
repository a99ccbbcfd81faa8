"""The store's tables rebuilt from its audit log, and compared with what they hold.

Every change to users, rules, plans, lines and decisions is audited with enough to
redo it (:mod:`medtwin.store.accounts`, :mod:`medtwin.store.plans`); a row changed in a
table without its audit row — a draft marked approved by SQL, a password hash swapped — no
longer equals the replay, and :func:`state_problem` names the first difference.
"""

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from medtwin.store.db import AuditRow, DecisionRow, LineRow, PlanRow, RulesRow, UserRow
from twin.domain import Plan


def _sha(text: str | None) -> str | None:
    return hashlib.sha256(text.encode()).hexdigest() if text is not None else None


def replayed(session: Session) -> dict[str, dict[Any, Any]]:
    """The tables as the audit log says they are: ``{table: {key: row}}``."""
    users: dict[str, dict[str, Any]] = {}
    rules: dict[int, dict[str, Any]] = {}
    plans: dict[str, dict[str, Any]] = {}
    approved: dict[str, set[str]] = {}
    published: dict[str, set[str]] = {}
    decisions: dict[str, list[dict[str, Any]]] = {}
    for row in session.scalars(select(AuditRow).order_by(AuditRow.seq)):
        p = json.loads(row.payload)
        if row.action == "user_set":
            created = users.get(p["user"], {}).get("created", row.time)
            users[p["user"]] = {**p, "created": created}
        elif row.action == "rules_set":
            rules[p["version"]] = {"rules_json": json.dumps(p["rules"], sort_keys=True),
                                   "set_by": row.actor, "time": row.time}
        elif row.action == "plan_added":
            plans[row.plan_id] = {"network": p["network"], "as_of": p["as_of"],
                                  "status": "draft", "created_by": row.actor,
                                  "added": row.time, "plan_sha256": p["sha256"],
                                  "evidence_sha256": None}
        elif row.action == "lines_published":
            published.setdefault(row.plan_id, set()).update(p["lines"])
        elif row.action.startswith("status:"):
            plan = plans.setdefault(row.plan_id, {})
            plan["status"] = p["to"]
            if p["to"] == "stress_tested":
                plan["evidence_sha256"] = p["evidence_sha256"]
            if p["to"] in ("approved", "rejected") and "decided_by" in p:
                keys = p.get("lines", []) if p["to"] == "approved" else []
                approved.setdefault(row.plan_id, set()).update(keys)
                decisions.setdefault(row.plan_id, []).append({
                    "user": p["decided_by"], "time": row.time,
                    "decision": "approve" if p["to"] == "approved" else "reject",
                    "lines": sorted(keys), "comment": p["comment"],
                    "evidence_sha256": p["evidence_sha256"]})
    return {"users": users, "rules": rules, "plans": plans,
            "approved": approved, "published": published, "decisions": decisions}


def _first_difference(table: str, found: dict[Any, dict[str, Any]],
                      expected: dict[Any, dict[str, Any]]) -> str | None:
    for key in sorted(set(found) | set(expected), key=str):
        if key not in expected:
            return f"{table}[{key!r}] is in the table but the audit log never made it"
        if key not in found:
            return f"{table}[{key!r}] is in the audit log but missing from the table"
        for column, want in expected[key].items():
            if found[key].get(column) != want:
                return (f"{table}[{key!r}].{column} is {found[key].get(column)!r} in the "
                        f"table but {want!r} by the audit log")
    return None


def state_problem(session: Session) -> str | None:
    """The first difference between the tables and the replay of the audit log, or
    ``None`` when they agree."""
    want = replayed(session)
    users = {u.name: {"user": u.name, "role": u.role, "os_account": u.os_account,
                      "token_sha256": u.token_sha256, "password_hash": u.password_hash,
                      "created": u.created} for u in session.scalars(select(UserRow))}
    rules = {r.version: {"rules_json": json.dumps(json.loads(r.rules_json), sort_keys=True),
                         "set_by": r.set_by, "time": r.time}
             for r in session.scalars(select(RulesRow))}
    plan_rows = list(session.scalars(select(PlanRow)))
    plans = {p.id: {"network": p.network, "as_of": p.as_of, "status": p.status,
                    "created_by": p.created_by, "added": p.added,
                    "plan_sha256": p.plan_sha256, "content_sha256": _sha(p.plan_json),
                    "evidence_sha256": p.evidence_sha256,
                    "evidence_content_sha256": _sha(p.evidence_json)} for p in plan_rows}
    for plan in want["plans"].values():
        plan["content_sha256"] = plan.get("plan_sha256")
        plan["evidence_content_sha256"] = plan.get("evidence_sha256")
    for table, found, expected in (("users", users, want["users"]),
                                   ("approval_rules", rules, want["rules"]),
                                   ("plans", plans, want["plans"])):
        problem = _first_difference(table, found, expected)
        if problem is not None:
            return problem
    for p in plan_rows:
        actions = {a.key: a for a in Plan.model_validate_json(p.plan_json).actions}
        lines = {r.key: {"kind": r.kind, "reason": r.reason, "approved": bool(r.approved),
                         "published": bool(r.published)}
                 for r in session.scalars(select(LineRow).where(LineRow.plan_id == p.id))}
        expected = {k: {"kind": a.kind, "reason": a.reason,
                        "approved": k in want["approved"].get(p.id, set()),
                        "published": k in want["published"].get(p.id, set())}
                    for k, a in actions.items()}
        problem = _first_difference(f"plan_lines[{p.id}]", lines, expected)
        if problem is not None:
            return problem
        found_decisions = [{"user": d.user, "time": d.time, "decision": d.decision,
                            "lines": json.loads(d.lines), "comment": d.comment,
                            "evidence_sha256": d.evidence_sha256}
                           for d in session.scalars(select(DecisionRow).where(
                               DecisionRow.plan_id == p.id).order_by(DecisionRow.id))]
        problem = _first_difference(f"decisions[{p.id}]", dict(enumerate(found_decisions)),
                                    dict(enumerate(want["decisions"].get(p.id, []))))
        if problem is not None:
            return problem
    return None
