"""What every ERP connector offers: snapshot and history in, plan lines out.

An adapter maps ERP records to the domain objects of :mod:`twin.domain` (and back) and
keeps that mapping to itself. Publishing is idempotent: each ERP document carries its plan
line's ``key``, so publishing the same plan again creates nothing new and an interrupted
publish resumes where it stopped.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from twin.domain import Plan, Snapshot

Outcome = Literal[
    "created",        # the line's documents were created (and advanced) by this run
    "completed",      # documents existed from an earlier run and were advanced to their state
    "exists",         # documents already existed in their target state: nothing sent
    "updated",        # an existing setting (order point) was changed to the plan's values
    "would_create",   # dry run: documents that would be created
    "would_complete", # dry run: documents exist but would be advanced
    "would_update",   # dry run: a setting would change
    "failed",         # the ERP refused this line (the message says why)
]


@dataclass(frozen=True)
class DemandRecord:
    """One issue of stock to a hospital department, as recorded by the ERP."""

    date: dt.date
    warehouse: str
    hospital: str
    department: str
    item: str
    lot: str
    quantity: int


@dataclass(frozen=True)
class DocumentRef:
    """An ERP document that carries (or implements) a plan line."""

    model: str
    id: int | None
    state: str
    number: str | None = None
    company: str | None = None  # org id
    summary: str = ""

    def __str__(self) -> str:
        name = self.number or (f"#{self.id}" if self.id is not None else "(new)")
        text = f"{self.model} {name} [{self.state}]"
        if self.company:
            text += f" org {self.company}"
        return f"{text}: {self.summary}" if self.summary else text


@dataclass
class LineResult:
    """What publishing (or asking the status of) one plan line did or found."""

    key: str
    kind: str
    outcome: Outcome | str
    documents: list[DocumentRef] = field(default_factory=list)
    message: str = ""

    def __str__(self) -> str:
        docs = "; ".join(map(str, self.documents))
        text = f"{self.key} {self.kind}: {self.outcome}"
        if docs:
            text += f" — {docs}"
        return f"{text} ({self.message})" if self.message else text


@runtime_checkable
class ErpAdapter(Protocol):
    """A connector to one ERP (Tryton over JSON-RPC, a folder of files, …)."""

    def pull_snapshot(self, as_of: dt.date) -> Snapshot:
        """Inventory at the start of ``as_of``: lots on hand by status, in transit, open POs."""
        ...

    def pull_history(self, since: dt.date, until: dt.date) -> list[DemandRecord]:
        """Stock issued to hospital departments on ``since`` … ``until`` (inclusive)."""
        ...

    def publish(self, plan: Plan, *, dry_run: bool = False) -> list[LineResult]:
        """Create the plan's documents (idempotently); one result per plan line."""
        ...

    def status(self, plan: Plan) -> list[LineResult]:
        """Where each plan line stands in the ERP (missing, waiting, confirmed, …)."""
        ...
