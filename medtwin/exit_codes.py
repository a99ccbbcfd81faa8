"""The process exit codes of every ``medtwin`` command, in one place.

The shell owns them: ``twin``, ``solvers``, ``scenarios`` and ``erp_adapter`` raise typed
exceptions (``InputError``, ``Infeasible``, ``ErpError``, ``PublishInterrupted``…) and the
commands turn those into these codes, so no package below the shell needs them.
"""

from enum import IntEnum


class ExitCode(IntEnum):
    """How a command ended (the value is the process exit status)."""

    OK = 0
    """Done (for ``medtwin nightly``: published, or already published tonight)."""
    INPUT = 2
    """Invalid input: a file, a config, an unknown plan or user; nothing was written."""
    INFEASIBLE = 3
    """A planning model is infeasible (the message names the constraint families)."""
    ERP_UNREACHABLE = 4
    """The ERP is unreachable or refused the login; nothing was written."""
    INCOMPLETE = 5
    """A publish stopped part-way; run it again to resume."""
    NOT_PERMITTED = 6
    """Not permitted: not authenticated, another identity claimed, the role does not allow
    it, evidence not sealed by medtwin, a plan file sent without the store."""
    LIFECYCLE = 7
    """Refused by the plan lifecycle (illegal status change, conflicting request, another
    act on the plan in progress)."""
    AUDIT_BROKEN = 8
    """The audit trail is broken (a row edited, forged or deleted, or a table changed
    without it)."""
    CLUSTER = 9
    """The Dask scheduler is unreachable or has no worker, or a worker runs other medtwin
    code; nothing was written."""
    WAITING = 10
    """The nightly's plan waits for a manager's approval."""
    FAILED = 11
    """The nightly failed; nothing is recorded as published."""
    LOCKED = 12
    """Another nightly run holds the lock."""
