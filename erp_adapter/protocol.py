"""What every ERP connector offers: snapshot and history in, plan lines out.

An adapter maps ERP records to the domain objects of :mod:`twin.domain` (and back) and
keeps that mapping to itself. Publishing is idempotent: each ERP document carries its plan
line's ``key``, so publishing the same plan again creates nothing new and an interrupted
publish resumes where it stopped.
"""

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from twin.domain import Alert, Plan, Snapshot
from twin.problems import InputError, Problem

if TYPE_CHECKING:
    from twin.lot_trace import LotTrace

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
class ReturnRecord:
    """Units a hospital department sent back to a warehouse, as recorded by the ERP
    (``date``: their arrival; ``reason``: :data:`twin.domain.returns.ReturnReason`;
    ``issued``: the day of the issue they came from, when the ERP links them to it)."""

    date: dt.date
    warehouse: str
    hospital: str
    department: str
    item: str
    lot: str
    quantity: int
    reason: str
    issued: dt.date | None = None


@dataclass(frozen=True)
class StockMovement:
    """A done move of stock into or out of a warehouse that is not demand, as recorded by
    the ERP: ``receipt`` (from a supplier, another warehouse or transit), ``dispatch`` (to
    another warehouse, transit or a sister org), ``adjustment`` (from or to the ERP's
    lost-and-found: inventory corrections, write-offs) or ``return`` (from a department,
    counted when QC restocks the units).
    ``quantity`` in units, positive into ``warehouse``, negative out of it."""

    date: dt.date
    warehouse: str
    item: str
    lot: str
    quantity: int
    kind: str


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


class Capability(enum.Enum):
    """What an adapter can do beyond the calls every adapter answers. Callers check an
    adapter's ``capabilities`` (or call :func:`require`), never its class."""

    SNAPSHOT = "pull a stock snapshot"
    HISTORY = "pull demand history"
    PUBLISH = "publish plan lines"
    STATUS = "report the status of published plan lines"
    LIVE = "answer at any date, not only at one fixed snapshot"
    MASTER_DATA = "pull master data (orgs, warehouses, items) and compare it with the network"
    TRACE = "trace a lot through its stock moves"
    MOVEMENTS = "pull stock movements other than demand (receipts, dispatches, adjustments)"
    RETURNS = "pull customer returns with their reasons"

    def __str__(self) -> str:
        return self.value


class MissingCapability(InputError):
    """The adapter chosen by ``--erp`` cannot do what was asked (exit code 2)."""

    def __init__(self, adapter: "ErpAdapter", capability: Capability, what: str = ""):
        self.adapter_name = adapter.name
        self.capability = capability
        can = ", ".join(c.name for c in Capability if c in adapter.capabilities) or "nothing"
        lacks = f"{capability.name} ({capability.value})" if what else capability.name
        super().__init__([Problem("--erp", "", f"the {adapter.name} adapter at {adapter.url} "
                                               f"cannot {what or capability.value}: it lacks "
                                               f"{lacks}; it can: {can}")])


@runtime_checkable
class ErpAdapter(Protocol):
    """A connector to one ERP (Tryton over JSON-RPC, a folder of files, …).

    Opened by :func:`erp_adapter.registry.open_adapter` from an ``--erp`` URL or folder;
    used as a context manager (``__enter__`` connects, ``__exit__`` disconnects). What an
    adapter can do beyond these calls is declared in ``capabilities``; the optional calls
    are in :class:`MasterDataSource` and :class:`LotTracer`.
    """

    name: str
    """Short name of the kind of ERP (``tryton``, ``folder``, …), used in messages."""
    capabilities: frozenset[Capability]
    warnings: list[str]
    """What pulls skipped or found odd (grows as the adapter is used)."""
    alerts: list[Alert]
    """Data-quality alerts the snapshot pulls found (:mod:`twin.domain.alerts`), each with
    what the pull did about it (grows as the adapter is used)."""

    @property
    def url(self) -> str:
        """Where the ERP is (a URL without credentials, or a folder)."""
        ...

    def __enter__(self) -> Any: ...

    def __exit__(self, *exc: object) -> None: ...

    def today(self) -> dt.date:
        """The ERP's current day: the snapshot as of ``today() + 1`` holds all of today's
        moves. For a fixed snapshot (a folder), the day before its snapshot date."""
        ...

    def pull_snapshot(self, as_of: dt.date) -> Snapshot:
        """Inventory at the start of ``as_of``: lots on hand by status, in transit, open POs."""
        ...

    def pull_history(self, since: dt.date, until: dt.date) -> list[DemandRecord]:
        """Stock issued to hospital departments on ``since`` … ``until`` (inclusive)."""
        ...

    def publish(self, plan: Plan, *, dry_run: bool = False, file: str = "plan"
                ) -> list[LineResult]:
        """Create the plan's documents (idempotently: a line whose key the ERP already holds
        creates nothing); one result per plan line. ``dry_run`` writes nothing. ``file``
        names the plan in problems. Invalid plans raise :class:`InputError` before anything
        is sent."""
        ...

    def status(self, plan: Plan, file: str = "plan") -> list[LineResult]:
        """Where each plan line stands in the ERP (missing, waiting, confirmed, …)."""
        ...


@runtime_checkable
class MasterDataSource(Protocol):
    """An adapter with :attr:`Capability.MASTER_DATA`."""

    def pull_master(self) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
        """The ERP's master data as tables (``orgs``, ``warehouses``, ``items``, …) and how
        it differs from the network."""
        ...


@runtime_checkable
class ReturnsSource(Protocol):
    """An adapter with :attr:`Capability.RETURNS`."""

    def pull_returns(self, since: dt.date, until: dt.date) -> list[ReturnRecord]:
        """Units hospital departments returned on ``since`` … ``until`` (inclusive)."""
        ...


@runtime_checkable
class LotTracer(Protocol):
    """An adapter with :attr:`Capability.TRACE`."""

    def trace_lot(self, lot: str, item: str | None = None) -> "LotTrace":
        """Every move of lot number ``lot`` (of ``item`` when given), oldest first."""
        ...


def require(adapter: ErpAdapter, capability: Capability, what: str = "") -> Any:
    """``adapter`` itself if it declares ``capability``; else :class:`MissingCapability`
    naming the adapter and what it cannot do (``what``, e.g. "trace a lot")."""
    if capability not in adapter.capabilities:
        raise MissingCapability(adapter, capability, what)
    return adapter


def default_as_of(adapter: ErpAdapter) -> dt.date:
    """The snapshot date to pull by default: the start of the ERP's tomorrow (after today's
    moves); for a folder, its own snapshot date."""
    return adapter.today() + dt.timedelta(days=1)
