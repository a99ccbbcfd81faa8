"""The Tryton adapter: :class:`~erp_adapter.protocol.ErpAdapter` over JSON-RPC."""

import datetime as dt
import logging
from typing import Any

from erp_adapter.credentials import Credentials, load_credentials
from erp_adapter.errors import ErpError, PublishInterrupted
from erp_adapter.plan_check import check_plan
from erp_adapter.protocol import (
    Capability,
    DemandRecord,
    LineResult,
    ReturnRecord,
    StockMovement,
)
from erp_adapter.tryton.client import TrytonClient
from erp_adapter.tryton.mapping import Sites, load_sites
from erp_adapter.tryton.publish import (
    DONE,
    Hook,
    Publisher,
    PurchaseMode,
    SpecBuilder,
    Specs,
    find_lots,
)
from erp_adapter.tryton.pull import Puller
from twin.domain import Alert, Network, Plan, Snapshot
from twin.lot_trace import LotTrace
from twin.problems import InputError, Problem

log = logging.getLogger(__name__)


class TrytonAdapter:
    """One network's connection to one Tryton database.

    The network supplies what Tryton does not hold (the org tree, lanes, hospitals); the
    ERP records are matched to it by code (see :mod:`erp_adapter.tryton.mapping`). Without
    a network only :meth:`today` and :meth:`trace_lot` work.
    """

    name = "tryton"
    capabilities = frozenset(Capability)

    def __init__(self, url: str, network: Network | None,
                 credentials: Credentials | None = None, *,
                 purchase_mode: PurchaseMode = "order", batch: int = 50,
                 hook: Hook | None = None):
        self._net = network
        self.client = TrytonClient(url, credentials or load_credentials())
        self.purchase_mode: PurchaseMode = purchase_mode
        self.batch = batch
        self.hook = hook
        self._sites: Sites | None = None
        self.warnings: list[str] = []
        self.alerts: list[Alert] = []

    @property
    def url(self) -> str:
        return self.client.url

    @property
    def net(self) -> Network:
        if self._net is None:
            raise InputError([Problem("--network", "", f"pulling from or publishing to "
                                                       f"{self.url} needs a network")])
        return self._net

    def today(self) -> dt.date:
        """The ERP's today (its server date)."""
        return self.client.today()

    def trace_lot(self, lot: str, item: str | None = None) -> LotTrace:
        """Every move of lot number ``lot`` (see :mod:`erp_adapter.trace`)."""
        from erp_adapter.trace import trace_lot

        return trace_lot(self.client, self.sites, lot, item)

    def connect(self) -> "TrytonAdapter":
        """Log in (once) and read the code mapping."""
        if self._sites is None:
            self.client.login()
            self._sites = load_sites(self.client)
        return self

    @property
    def sites(self) -> Sites:
        return self.connect()._sites  # type: ignore[return-value]

    def close(self) -> None:
        self.client.logout()

    def __enter__(self) -> "TrytonAdapter":
        return self.connect()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _puller(self) -> Puller:
        return Puller(self.client, self.sites, self.net)

    # -- pull ------------------------------------------------------------------------------
    def pull_snapshot(self, as_of: dt.date) -> Snapshot:
        puller = self._puller()
        snap = puller.snapshot(as_of)
        self.warnings += puller.notes.warnings
        self.alerts += puller.notes.alerts
        return snap

    def pull_history(self, since: dt.date, until: dt.date) -> list[DemandRecord]:
        puller = self._puller()
        records = puller.history(since, until)
        self.warnings += puller.notes.warnings
        return records

    def pull_returns(self, since: dt.date, until: dt.date) -> list[ReturnRecord]:
        """Units hospital departments returned on ``since`` … ``until``, with reasons."""
        puller = self._puller()
        records = puller.returns(since, until)
        self.warnings += puller.notes.warnings
        return records

    def pull_movements(self, since: dt.date, until: dt.date) -> list[StockMovement]:
        """Receipts, dispatches and adjustments of the warehouses on ``since`` … ``until``."""
        puller = self._puller()
        moves = puller.movements(since, until)
        self.warnings += puller.notes.warnings
        return moves

    def pull_master(self) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
        """The ERP's orgs, warehouses and items, and how they differ from the network."""
        puller = self._puller()
        master = puller.master()
        return master, puller.reconcile(master)

    # -- publish ---------------------------------------------------------------------------
    def prepare(self, plan: Plan, file: str = "plan") -> Specs:
        """Validate ``plan`` against the network and the ERP's stock on the plan date, and
        map it to documents; raise :class:`InputError` (nothing sent) if anything is off."""
        specs = self._specs(plan, file)
        problems = check_plan(plan, self.net, self.pull_snapshot(plan.as_of), file=file)
        if problems:
            raise InputError(problems)
        return specs

    def publish(self, plan: Plan, *, dry_run: bool = False, file: str = "plan"
                ) -> list[LineResult]:
        specs = self.prepare(plan, file)
        publisher = Publisher(self.client, self.sites, batch=self.batch, hook=self.hook)
        try:
            return publisher.run(plan, specs, dry_run=dry_run)
        except PublishInterrupted:
            raise
        except ErpError as exc:
            if dry_run:
                raise
            done = self._count_done(plan, specs)
            raise PublishInterrupted(exc, done, len(plan.actions)) from None

    def _count_done(self, plan: Plan, specs: Specs) -> int | None:
        """How many lines are fully published; None when the ERP cannot tell (it is gone)."""
        try:
            publisher = Publisher(self.client, self.sites)
            return sum(r.outcome in DONE for r in publisher.status(plan, specs))
        except ErpError:
            return None

    def status(self, plan: Plan, file: str = "plan") -> list[LineResult]:
        return Publisher(self.client, self.sites).status(plan, self._specs(plan, file))

    def _specs(self, plan: Plan, file: str) -> Specs:
        """The documents ``plan`` maps to, after the checks that need no stock figures."""
        problems = check_plan(plan, self.net, file=file, stock=False)
        if problems:
            raise InputError(problems)
        lots = find_lots(self.client, self.sites, plan)
        specs = SpecBuilder(self.sites, self.net, self.purchase_mode, lots, file,
                            self.url).build(plan)
        if specs.problems:
            raise InputError(specs.problems)
        return specs
