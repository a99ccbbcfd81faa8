"""Plan statuses and the one table of allowed transitions.

draft → stress_tested → approved | rejected; approved → published → superseded. A draft
may be approved or rejected directly only by a manager who accepts it without stress
evidence (the CLI asks for ``--without-evidence``); a stress-tested plan may be re-tested.
A decision stands: an approved plan is not rejected afterwards, and a rejected one is final.
More lines of an approved or (partly) published plan may be approved later: it becomes
approved again until those are published too.
"""

from enum import StrEnum


class Status(StrEnum):
    """Where a plan stands."""

    DRAFT = "draft"
    STRESS_TESTED = "stress_tested"
    APPROVED = "approved"
    REJECTED = "rejected"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.STRESS_TESTED, Status.APPROVED, Status.REJECTED}),
    Status.STRESS_TESTED: frozenset({Status.STRESS_TESTED, Status.APPROVED, Status.REJECTED}),
    Status.APPROVED: frozenset({Status.APPROVED, Status.PUBLISHED}),
    Status.REJECTED: frozenset(),
    Status.PUBLISHED: frozenset({Status.APPROVED, Status.PUBLISHED, Status.SUPERSEDED}),
    Status.SUPERSEDED: frozenset(),
}

AWAITING_DECISION = frozenset({Status.DRAFT, Status.STRESS_TESTED})
"""Statuses of a plan no manager (nor the gate) has decided on yet."""


class IllegalTransition(Exception):
    """A status change the lifecycle does not allow."""


def check_transition(plan_id: str, current: Status, new: Status) -> None:
    """Raise :class:`IllegalTransition` unless ``current → new`` is allowed."""
    allowed = TRANSITIONS[current]
    if new not in allowed:
        nexts = ", ".join(sorted(allowed)) or "none (final)"
        raise IllegalTransition(f"plan {plan_id} is {current}; it cannot become {new} "
                                f"(allowed next: {nexts})")
