"""What a plan must pass to enter the store: a JSON document without duplicate members,
a valid plan, and every check against its network and the stock it starts from (items,
lanes, cold chain, registration, availability, duplicate line keys). All problems are
reported at once, naming the file and the field."""

import json
from typing import Any

from pydantic import ValidationError

from erp_adapter.plan_check import check_plan
from scenarios.evidence import StressEvidence
from twin.domain import Network, Plan
from twin.problems import InputError, Problem, format_path


class _DuplicateMember(ValueError):
    pass


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateMember(key)
        seen[key] = value
    return seen


def parse_document(text: str, source: str) -> dict[str, Any]:
    """The JSON object in ``text``; a member given twice is an error (not "the last
    wins")."""
    try:
        doc = json.loads(text, object_pairs_hook=_unique_members)
    except _DuplicateMember as exc:
        raise InputError([Problem(source, str(exc), "member given twice in one JSON object; "
                                  "say it once")]) from None
    except json.JSONDecodeError as exc:
        raise InputError([Problem(source, "", f"not JSON: {exc}")]) from None
    if not isinstance(doc, dict):
        raise InputError([Problem(source, "", "a plan is a JSON object")])
    return doc


def evidence_of(doc: dict[str, Any], source: str) -> dict[str, Any] | None:
    """The stress evidence a plan document carries (``stress_test``), checked against
    :class:`StressEvidence`, as written (so that its digest is the file's)."""
    value = doc.get("stress_test")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InputError([Problem(source, "stress_test", "must be an object")])
    try:
        StressEvidence.parse(value)
    except ValidationError as exc:
        raise InputError([Problem(source, format_path(("stress_test", *e["loc"])), e["msg"])
                          for e in exc.errors()]) from None
    return value


def admit(text: str, source: str, net: Network) -> tuple[Plan, dict[str, Any] | None]:
    """The plan in ``text`` and its evidence, when the plan may enter the store for
    ``net`` (whose snapshot is the stock the plan starts from); else an
    :class:`InputError` naming every problem."""
    doc = parse_document(text, source)
    evidence = evidence_of(doc, source)
    doc.pop("stress_test", None)
    try:
        plan = Plan.model_validate(doc)
    except ValidationError as exc:
        raise InputError([Problem(source, format_path(tuple(e["loc"])), e["msg"])
                          for e in exc.errors()]) from None
    same_day = plan.as_of == net.snapshot.as_of
    problems = check_plan(plan, net, file=source, stock=same_day)
    if not same_day:
        problems.append(Problem(source, "as_of", f"the plan starts {plan.as_of}, the "
                                f"snapshot it is checked against is of {net.snapshot.as_of} "
                                "(give the snapshot the plan was made from: --snapshot)"))
    if problems:
        raise InputError(problems)
    return plan, evidence
