"""Roles and what each may do."""

from enum import StrEnum


class Role(StrEnum):
    """A user's role in the plan lifecycle."""

    PLANNER = "planner"
    MANAGER = "manager"
    VIEWER = "viewer"


class Permission(StrEnum):
    """An act on a plan that needs a role."""

    CREATE = "create"
    STRESS_TEST = "stress-test"
    APPROVE = "approve"
    REJECT = "reject"
    PUBLISH = "publish"


PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PLANNER: frozenset({Permission.CREATE, Permission.STRESS_TEST}),
    Role.MANAGER: frozenset(Permission),
    Role.VIEWER: frozenset(),
}


class NotPermitted(Exception):
    """The acting user's role does not allow the act."""


def require(user: str, role: Role, permission: Permission) -> None:
    """Raise :class:`NotPermitted` unless ``role`` has ``permission``."""
    if permission not in PERMISSIONS[role]:
        who = sorted(r.value for r, perms in PERMISSIONS.items() if permission in perms)
        raise NotPermitted(f"user {user!r} is a {role}; only {', '.join(who)} may {permission}")
