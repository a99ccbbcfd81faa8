"""Roles and what each may do.

A *planner* adds plans and stress evidence and runs what-ifs (they write shared result
files); a *manager* also approves, rejects, publishes, adds users, changes roles and sets
the approval rules; a *service* (the nightly) adds,
stress-tests, gates and publishes but never approves: its plans are approved by the rules
or by a manager; a *viewer* only reads.
"""

from enum import StrEnum


class Role(StrEnum):
    """A user's role in the plan lifecycle."""

    PLANNER = "planner"
    MANAGER = "manager"
    SERVICE = "service"
    VIEWER = "viewer"


class Permission(StrEnum):
    """An act that needs a role."""

    CREATE = "create"
    STRESS_TEST = "stress-test"
    GATE = "gate"
    APPROVE = "approve"
    REJECT = "reject"
    PUBLISH = "publish"
    MANAGE_USERS = "manage users"
    SET_RULES = "set approval rules"
    RUN_WHATIF = "run what-ifs"


PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PLANNER: frozenset({Permission.CREATE, Permission.STRESS_TEST, Permission.GATE,
                             Permission.RUN_WHATIF}),
    Role.MANAGER: frozenset(Permission),
    Role.SERVICE: frozenset({Permission.CREATE, Permission.STRESS_TEST, Permission.GATE,
                             Permission.PUBLISH}),
    Role.VIEWER: frozenset(),
}


class NotPermitted(Exception):
    """The acting user may not do this (role, identity or a refused credential)."""


def require(user: str, role: Role, permission: Permission) -> None:
    """Raise :class:`NotPermitted` unless ``role`` has ``permission``."""
    if permission not in PERMISSIONS[role]:
        who = sorted(r.value for r, perms in PERMISSIONS.items() if permission in perms)
        raise NotPermitted(f"user {user!r} is a {role}; only {', '.join(who)} may {permission}")
