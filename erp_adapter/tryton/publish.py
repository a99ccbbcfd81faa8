"""Publishing a plan to Tryton: plan lines become documents that carry their keys.

- transfers inside one org → ``stock.shipment.internal``, draft → waiting;
- transfers between two orgs → a ``sale.sale`` in the shipping org paired with a
  ``purchase.purchase`` in the receiving org, draft → quotation → confirmed;
- purchases, ``order`` mode → ``purchase.purchase`` to the supplier, → confirmed;
- purchases, ``requisition`` mode → ``purchase.requisition``, → approved, which makes
  Tryton create the purchase requests;
- reorder points → ``stock.order_point`` of type purchase on the warehouse, created or
  rewritten (Tryton keeps one per product × warehouse × company, which makes it
  idempotent; it has no field for a key);
- dispositions of returned units (QC's decisions), out of the warehouse's returns zone
  ``WH/RET``: restock → ``stock.shipment.internal`` into its storage zone, scrap →
  ``stock.shipment.internal`` into the warehouse's lost-and-found location (where Tryton
  books stock that leaves the books; it has no scrap document of its own), repair →
  ``stock.shipment.in.return`` to the repairer's supplier location, its reference ending
  in ``due:<date>`` when the line says when the units come back; each draft → waiting
  (the warehouse assigns and ships it).

Lines that share a header share a document, as a buyer or a warehouse would do it: one
internal shipment per lane and day, one sale/purchase pair per pair of warehouses, mode
and day, one purchase per supplier, warehouse and day (at most ``MAX_LINES`` lines each).
The document's ``reference`` (a requisition's ``description``) lists the keys of all its
lines, so each line is found again by its own key.

The loop survives a crash anywhere: each step is one RPC, hence one Tryton transaction.
First every key is looked up; the lines not found are grouped into new documents, created
in batches in their first state with their keys; then every document found or created is
advanced state by state with the workflow buttons. A run stopped between "create" and
"confirm" leaves drafts that carry their keys: the next run finds them and only advances
them — no duplicate, no missing document.

"Advanced" means the whole document, not its state word: Tryton confirms a sale or a
purchase (approves a requisition) in one transaction and makes its shipments and moves
(purchase requests) in a follow-up ``process``, queued for a worker or run after the
commit. A server killed in between, or a queue with no worker, leaves it confirmed without
them; the publisher then runs ``process`` itself, unless the ERP's grace period
(``*_process_after``) still runs. A purchase line's key is its identity whatever document
carries it: a line ordered before is not requisitioned now, nor the reverse.
"""

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from erp_adapter.errors import ErpRemoteError
from erp_adapter.protocol import DocumentRef, LineResult
from erp_adapter.tryton.client import TrytonClient
from erp_adapter.tryton.mapping import REPAIR_DUE_PREFIX, Sites, days, money, whole
from twin.domain import Network, Plan, PurchaseAction, ReorderPointAction, TransferAction
from twin.domain.plan import DispositionAction
from twin.problems import Problem

log = logging.getLogger(__name__)

PurchaseMode = Literal["order", "requisition"]
Hook = Callable[[str, int], None]


@dataclass(frozen=True)
class FollowUp:
    """What Tryton's follow-up ``process`` (queued by a document's last button) makes:
    on each line of ``line_model`` (pointing at the document by ``parent``, restricted by
    ``domain``), the records of field ``made``; it runs once the grace period
    ``grace_field`` of ``config`` has passed (when the ERP sets one)."""

    line_model: str
    parent: str
    made: str
    domain: tuple[Any, ...]
    config: str
    grace_field: str


@dataclass(frozen=True)
class DocKind:
    """How one kind of Tryton document carries plan lines and moves through its states."""

    model: str
    key_field: str
    lines_field: str
    steps: tuple[tuple[str, str], ...]  # (state, button that leaves it), in order
    done: frozenset[str]  # states reached by the last button
    label: str
    follow_up: FollowUp | None = None


INTERNAL = DocKind("stock.shipment.internal", "reference", "moves", (("draft", "wait"),),
                   frozenset({"waiting", "assigned", "packed", "shipped", "done"}),
                   "internal shipment")
SALE = DocKind("sale.sale", "reference", "lines", (("draft", "quote"), ("quotation", "confirm")),
               frozenset({"confirmed", "processing", "done"}), "sale to sister org",
               FollowUp("sale.line", "sale", "moves", (("type", "=", "line"),),
                        "sale.configuration", "sale_process_after"))
PURCHASE = DocKind("purchase.purchase", "reference", "lines",
                   (("draft", "quote"), ("quotation", "confirm")),
                   frozenset({"confirmed", "processing", "done"}), "purchase",
                   FollowUp("purchase.line", "purchase", "moves", (("type", "=", "line"),),
                            "purchase.configuration", "purchase_process_after"))
REQUISITION = DocKind("purchase.requisition", "description", "lines",
                      (("draft", "wait"), ("waiting", "approve")),
                      frozenset({"approved", "processing", "done"}), "purchase requisition",
                      FollowUp("purchase.requisition.line", "requisition", "purchase_requests", (),
                               "purchase.configuration", "purchase_process_after"))
SUPPLIER_RETURN = DocKind("stock.shipment.in.return", "reference", "moves",
                          (("draft", "wait"),), frozenset({"waiting", "assigned", "done"}),
                          "supplier return")
KINDS = (INTERNAL, SALE, PURCHASE, REQUISITION, SUPPLIER_RETURN)
STOPPED = frozenset({"cancelled", "rejected"})
DONE = frozenset({"processed", "confirmed", "published"})  # line statuses: nothing left to do
MAX_LINES = 40  # plan lines per document (its key field lists their keys)


@dataclass
class Part:
    """One plan line's share of a document: the document header it needs (``group`` says
    which lines may share one) and its own line (a move, a sale or purchase line)."""

    line: int
    key: str
    kind: DocKind
    org: str
    group: tuple[Any, ...]
    header: dict[str, Any]
    child: dict[str, Any]
    summary: str
    # other kinds that publish the same line (a purchase as an order or a requisition):
    # a document of one of them that carries the key means the line is already there
    alternates: tuple[DocKind, ...] = ()
    tags: tuple[str, ...] = ()  # further tokens of the key field, after the keys


@dataclass
class DocSpec:
    """A document to create for some plan lines (same kind, org and header)."""

    kind: DocKind
    org: str
    parts: list[Part]

    def values(self) -> dict[str, Any]:
        return {**self.parts[0].header,
                self.kind.key_field: " ".join([*(p.key for p in self.parts),
                                               *self.parts[0].tags]),
                self.kind.lines_field: [["create", [p.child for p in self.parts]]]}


@dataclass
class Found:
    """A document in the ERP (shared by all the plan lines it carries)."""

    id: int
    state: str
    number: str | None
    company: int
    written: dt.datetime | None  # Tryton's last write (UTC); of a confirmed one: confirming
    processed: bool | None = None  # every line has what ``process`` makes; None: not checked
    in_grace: bool = False  # not processed yet, but within the ERP's grace period

    def stage(self, kind: DocKind) -> str:
        """``created`` (before its last button), ``confirmed`` (past it, its processing
        still in the ERP's grace period), ``processed`` (the whole document is there:
        state, shipments/moves or requests), ``stuck`` (confirmed without them, its
        processing due and not done) or ``stopped`` (cancelled/rejected in the ERP)."""
        if self.state in STOPPED:
            return "stopped"
        if self.state not in kind.done:
            return "created"
        if kind.follow_up is None or self.processed:
            return "processed"
        return "confirmed" if self.in_grace else "stuck"


@dataclass
class OrderPointSpec:
    line: int
    key: str
    org: str
    location: int
    product: int
    reorder_point: int
    order_up_to: int
    summary: str


@dataclass
class Specs:
    parts: list[Part] = field(default_factory=list)
    order_points: list[OrderPointSpec] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def group_parts(parts: Sequence[Part], max_lines: int = MAX_LINES) -> list[DocSpec]:
    """Lines with the same kind, org and header share a document (at most ``max_lines``),
    in plan order: one internal shipment per lane and day, one purchase per supplier,
    warehouse and day, one sale/purchase pair per pair of warehouses and day."""
    groups: dict[tuple[Any, ...], list[Part]] = defaultdict(list)
    for p in parts:
        groups[(p.kind.model, p.org, p.group)].append(p)
    return [DocSpec(ps[0].kind, ps[0].org, list(chunk))
            for ps in groups.values() for chunk in chunks(ps, max_lines)]


class SpecBuilder:
    """Translates plan lines into document specs, reporting every code the ERP lacks."""

    def __init__(self, sites: Sites, net: Network, purchase_mode: PurchaseMode,
                 lots: dict[tuple[int, str], int], file: str, url: str):
        self.sites = sites
        self.net = net
        self.mode = purchase_mode
        self.lots = lots
        self.file = file
        self.url = url
        self.out = Specs()

    def _need(self, i: int, name: str, table: dict[str, int], code: str, what: str) -> int:
        found = table.get(code)
        if found is None:
            self.out.problems.append(Problem(
                self.file, f"actions[{i}].{name}",
                f"{what} {code!r} has no {_ERP_RECORD[what]} with code {code!r} in the ERP at "
                f"{self.url}"))
            return 0
        return found

    def org_of(self, warehouse: str) -> str:
        return self.net.warehouse_by_id[warehouse].org

    def build(self, plan: Plan) -> Specs:
        for i, a in enumerate(plan.actions):
            if isinstance(a, TransferAction):
                self.transfer(i, a)
            elif isinstance(a, PurchaseAction):
                self.purchase(i, a)
            elif isinstance(a, DispositionAction):
                self.disposition(i, a)
            else:
                self.reorder_point(i, a)
        return self.out

    def transfer(self, i: int, a: TransferAction) -> None:
        s, net = self.sites, self.net
        src_org, dst_org = self.org_of(a.source), self.org_of(a.target)
        product = self._need(i, "item", s.product, a.item, "item")
        src = self._need(i, "from", s.storage, a.source, "warehouse")
        dst = self._need(i, "to", s.storage, a.target, "warehouse")
        self._need(i, "from", s.org_company, src_org, "org")
        self._need(i, "to", s.org_company, dst_org, "org")
        lot = self._lot(i, product, a.item, a.lot) if a.lot is not None else None
        lane = net.lane_by_id[f"{a.source}>{a.target}:{a.mode}"]
        eta = a.ship_date + days(lane.transit_time.mean)
        item = net.item_by_code[a.item]
        what = f"{a.quantity} × {a.item}" + (f" lot {a.lot}" if a.lot else "") + \
            f" {a.source}→{a.target} by {a.mode} on {a.ship_date}"
        if src_org == dst_org:
            company = s.org_company.get(src_org, 0)
            move = {"product": product, "quantity": float(a.quantity), "unit": s.unit,
                    "from_location": src, "to_location": dst, "company": company,
                    "planned_date": a.ship_date}
            if lot:
                move["lot"] = lot
            self.out.parts.append(Part(i, a.key, INTERNAL, src_org,
                                       (a.source, a.target, a.ship_date, eta), {
                "company": company, "from_location": src, "to_location": dst,
                "planned_start_date": a.ship_date, "planned_date": eta}, move, what))
            return
        dst_party = self._need(i, "to", s.org_party, dst_org, "org")
        src_party = self._need(i, "from", s.org_party, src_org, "org")
        dst_addr = self._need(i, "to", s.org_address, dst_org, "org address")
        src_addr = self._need(i, "from", s.org_address, src_org, "org address")
        price = money(item.unit_cost * (1 + net.org_by_id[src_org].transfer_markup))
        text = f"{item.description}" + (f" — lot {a.lot}" if a.lot else "")
        line = {"type": "line", "product": product, "quantity": float(a.quantity),
                "unit": s.unit, "unit_price": price, "description": text}
        group = (a.source, a.target, a.mode, a.ship_date)
        self.out.parts.append(Part(i, a.key, SALE, src_org, group, {
            "company": s.org_company.get(src_org, 0), "party": dst_party,
            "invoice_address": dst_addr, "shipment_address": dst_addr,
            "warehouse": s.warehouse.get(a.source, 0), "currency": s.org_currency.get(src_org, 0),
            "invoice_method": "manual", "shipment_method": "order", "sale_date": a.ship_date,
            "shipping_date": a.ship_date,
            "description": f"transfer to {a.target} ({dst_org}) by {a.mode}"},
            line, f"sell {what} to org {dst_org}"))
        self.out.parts.append(Part(i, a.key, PURCHASE, dst_org, group, {
            "company": s.org_company.get(dst_org, 0), "party": src_party,
            "invoice_address": src_addr, "warehouse": s.warehouse.get(a.target, 0),
            "currency": s.org_currency.get(dst_org, 0), "invoice_method": "manual",
            "purchase_date": a.ship_date,
            "description": f"transfer from {a.source} ({src_org}) by {a.mode}"},
            {**line, "delivery_date_edit": True, "delivery_date_store": eta},
            f"buy {what} from org {src_org}"))

    def purchase(self, i: int, a: PurchaseAction) -> None:
        s, net = self.sites, self.net
        org = self.org_of(a.warehouse)
        product = self._need(i, "item", s.product, a.item, "item")
        party = self._need(i, "supplier", s.party, a.supplier, "supplier")
        wh = self._need(i, "warehouse", s.warehouse, a.warehouse, "warehouse")
        company = self._need(i, "warehouse", s.org_company, org, "org")
        offer = next(o for o in net.supplier_by_id[a.supplier].supplies if o.item == a.item)
        price = money(offer.unit_price or net.item_by_code[a.item].unit_cost)
        due = a.order_date + days(offer.lead_time.mean)
        what = f"{a.quantity} × {a.item} from {a.supplier} into {a.warehouse} on {a.order_date}"
        if self.mode == "requisition":
            employee = self._need(i, "warehouse", s.org_employee, org, "planner employee")
            self.out.parts.append(Part(i, a.key, REQUISITION, org,
                                       (a.warehouse, a.order_date, due), {
                "company": company, "employee": employee, "supply_date": due, "warehouse": wh,
                "currency": s.org_currency.get(org, 0)},
                {"product": product, "quantity": float(a.quantity), "unit": s.unit,
                 "supplier": party, "unit_price": price}, f"request {what}", (PURCHASE,)))
            return
        address = s.party_address.get(party) if party else None
        if party and address is None:
            self.out.problems.append(Problem(self.file, f"actions[{i}].supplier",
                                             f"supplier {a.supplier!r} has no address in the ERP"))
        self.out.parts.append(Part(i, a.key, PURCHASE, org, (a.supplier, a.warehouse,
                                                             a.order_date), {
            "company": company, "party": party, "invoice_address": address, "warehouse": wh,
            "currency": s.org_currency.get(org, 0), "invoice_method": "manual",
            "purchase_date": a.order_date},
            {"type": "line", "product": product, "quantity": float(a.quantity), "unit": s.unit,
             "unit_price": price, "delivery_date_edit": True, "delivery_date_store": due},
            f"order {what}", (REQUISITION,)))

    def _lot(self, i: int, product: int, item: str, lot: str) -> int | None:
        found = self.lots.get((product, lot)) if product else None
        if product and found is None:
            self.out.problems.append(Problem(
                self.file, f"actions[{i}].lot",
                f"lot {lot!r} of {item!r} is not in the ERP at {self.url}"))
        return found

    def disposition(self, i: int, a: DispositionAction) -> None:
        """QC's decision as a document moving the units out of the returns zone (see the
        module docstring); one document per warehouse, decision (repairer) and day."""
        s = self.sites
        org = self.org_of(a.warehouse)
        product = self._need(i, "item", s.product, a.item, "item")
        src = self._need(i, "warehouse", s.returns, a.warehouse, "returns zone")
        company = self._need(i, "warehouse", s.org_company, org, "org")
        lot = self._lot(i, product, a.item, a.lot)
        what = (f"{a.decision} {a.quantity} × {a.item} lot {a.lot} returned {a.reason} at "
                f"{a.warehouse} on {a.date}")
        move = {"product": product, "lot": lot, "quantity": float(a.quantity), "unit": s.unit,
                "from_location": src, "company": company, "planned_date": a.date}
        if a.decision != "repair":
            table = s.storage if a.decision == "restock" else s.lost_found
            dst = self._need(i, "warehouse", table, a.warehouse,
                             "storage zone" if a.decision == "restock" else "lost-and-found")
            self.out.parts.append(Part(i, a.key, INTERNAL, org,
                                       ("disposition", a.warehouse, a.decision, a.date), {
                "company": company, "from_location": src, "to_location": dst,
                "planned_start_date": a.date, "planned_date": a.date},
                {**move, "to_location": dst}, what))
            return
        party = self._need(i, "repairer", s.party, a.repairer or "", "supplier")
        dst = s.party_supplier_location.get(party, 0)
        if party and not dst:
            self.out.problems.append(Problem(self.file, f"actions[{i}].repairer",
                                             f"supplier {a.repairer!r} has no supplier "
                                             "location in the ERP"))
        due = f", due back {a.repair_due}" if a.repair_due else ""
        self.out.parts.append(Part(i, a.key, SUPPLIER_RETURN, org,
                                   (a.repairer, a.warehouse, a.date, a.repair_due), {
            "company": company, "supplier": party, "from_location": src, "to_location": dst,
            "planned_date": a.date},
            {**move, "to_location": dst, "currency": s.org_currency.get(org, 0),
             "unit_price": money(self.net.item_by_code[a.item].unit_cost)},
            f"{what} to {a.repairer}{due}",
            tags=(f"{REPAIR_DUE_PREFIX}{a.repair_due}",) if a.repair_due else ()))

    def reorder_point(self, i: int, a: ReorderPointAction) -> None:
        s = self.sites
        org = self.org_of(a.warehouse)
        product = self._need(i, "item", s.product, a.item, "item")
        wh = self._need(i, "warehouse", s.warehouse, a.warehouse, "warehouse")
        self._need(i, "warehouse", s.org_company, org, "org")
        self.out.order_points.append(OrderPointSpec(
            i, a.key, org, wh, product, a.reorder_point, a.order_up_to,
            f"{a.item} at {a.warehouse}: s={a.reorder_point}, S={a.order_up_to}"))


_ERP_RECORD = {"item": "product", "warehouse": "warehouse location", "org": "company party",
               "org address": "company address", "supplier": "party",
               "planner employee": "employee", "returns zone": "storage location",
               "storage zone": "storage location", "lost-and-found": "lost-and-found location"}


def find_lots(client: TrytonClient, sites: Sites, plan: Plan) -> dict[tuple[int, str], int]:
    """Tryton lot ids of the lots the plan names, by (product id, lot number)."""
    wanted = {(sites.product[a.item], a.lot) for a in plan.actions
              if isinstance(a, TransferAction | DispositionAction) and a.lot
              and a.item in sites.product}
    if not wanted:
        return {}
    rows = client.model("stock.lot").search_read(
        [("number", "in", sorted({n for _, n in wanted})),
         ("product", "in", sorted({p for p, _ in wanted}))], ["id", "number", "product"])
    return {(r["product"], r["number"]): r["id"] for r in rows}


def chunks(seq: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [seq[i:i + size] for i in range(0, len(seq), size)]


class Publisher:
    """Creates and advances the documents of a plan; one :class:`LineResult` per line."""

    def __init__(self, client: TrytonClient, sites: Sites, *, batch: int = 50,
                 hook: Hook | None = None, max_lines: int = MAX_LINES):
        self.c = client
        self.sites = sites
        self.batch = batch
        self.max_lines = max_lines
        self.hook = hook or (lambda event, n: None)
        self._graces: dict[tuple[str, str], dt.timedelta | None] = {}

    # -- looking up ------------------------------------------------------------------------
    def lookup(self, kind: DocKind, keys: Sequence[str]) -> dict[str, list[Found]]:
        """Documents of ``kind`` whose key field lists any of ``keys``, by key."""
        wanted = set(keys)
        out: dict[str, list[Found]] = defaultdict(list)
        docs: dict[int, Found] = {}
        for chunk in chunks(sorted(wanted), 200):
            domain: list[Any] = ["OR", *[(kind.key_field, "like", f"%{k}%") for k in chunk]]
            rows = self.c.model(kind.model).search_read(
                domain, ["id", kind.key_field, "state", "number", "company", "write_date"])
            for r in rows:
                doc = docs.setdefault(r["id"], Found(r["id"], r["state"], r.get("number"),
                                                     r["company"], r["write_date"]))
                for token in (r[kind.key_field] or "").split():
                    if token in wanted and doc not in out[token]:
                        out[token].append(doc)
        self._check_processed(kind, list(docs.values()))
        return out

    def _check_processed(self, kind: DocKind, docs: Sequence[Found]) -> None:
        """Set ``processed`` on the ``docs`` past their last button: does each of their
        lines have what Tryton's follow-up ``process`` makes (moves, purchase requests)?
        A server killed between the confirming commit and that queued step leaves a
        confirmed document without them."""
        if kind.follow_up is None:
            return
        todo = {d.id: d for d in docs if d.state in kind.done}
        if not todo:
            return
        f = kind.follow_up
        has: dict[int, bool] = dict.fromkeys(todo, True)
        for chunk in chunks(sorted(todo), 500):
            for r in self.c.model(f.line_model).search_read(
                    [(f.parent, "in", list(chunk)), *f.domain], [f.parent, f.made]):
                has[r[f.parent]] = has[r[f.parent]] and bool(r[f.made])
        grace = self._grace(f)
        today = self.c.today() if grace else None  # the ERP's calendar, not this machine's
        for doc_id, d in todo.items():
            d.processed = has[doc_id]
            # in grace while the grace period ends on the ERP's today or later: by whole
            # days, so a document may wait until the next day before it counts as stuck
            d.in_grace = (not d.processed and grace is not None and today is not None
                          and d.written is not None and (d.written + grace).date() >= today)

    def _grace(self, f: FollowUp) -> dt.timedelta | None:
        """The ERP's grace period before it processes a confirmed document (during which a
        user may still reset it to draft); None when it processes at once."""
        if (f.config, f.grace_field) not in self._graces:
            row = self.c.model(f.config).read([1], [f.grace_field])
            self._graces[(f.config, f.grace_field)] = row[0][f.grace_field] if row else None
        return self._graces[(f.config, f.grace_field)]

    def _match(self, part: Part, found: dict[str, list[Found]]) -> Found | None:
        company = self.sites.org_company[part.org]
        rows = [f for f in found.get(part.key, []) if f.company == company]
        if len(rows) > 1:
            log.warning("%d %s documents carry key %s; using the first", len(rows),
                        part.kind.model, part.key)
        return min(rows, key=lambda f: f.id) if rows else None

    # -- creating and advancing ------------------------------------------------------------
    def _create(self, kind: DocKind, specs: list[DocSpec]
                ) -> tuple[dict[int, Found], dict[int, str]]:
        """Create ``specs`` in batches per company. Returns the document of each created
        part and the ERP's refusal of each part it would not take (by ``id(part)``)."""
        made: dict[int, Found] = {}
        errors: dict[int, str] = {}
        by_org: dict[str, list[DocSpec]] = defaultdict(list)
        for sp in specs:
            by_org[sp.org].append(sp)
        model = self.c.model(kind.model)
        for org, group in by_org.items():
            ctx = {"company": self.sites.org_company[org]}
            for batch in chunks(group, self.batch):
                try:
                    created = list(zip(batch, model.create([sp.values() for sp in batch],
                                                           context=ctx), strict=True))
                except ErpRemoteError:
                    # isolate the refused lines: one document per line
                    created = []
                    for part in (p for sp in batch for p in sp.parts):
                        single = DocSpec(kind, org, [part])
                        try:
                            created += list(zip([single], model.create(
                                [single.values()], context=ctx), strict=True))
                        except ErpRemoteError as exc:
                            errors[id(part)] = str(exc)
                for sp, new in created:
                    doc = Found(new, kind.steps[0][0], None, ctx["company"], None)
                    for part in sp.parts:
                        made[id(part)] = doc
                self.hook(f"created:{kind.model}", len(created))
        return made, errors

    def _press(self, kind: DocKind, button: str, todo: list[Found], errors: dict[int, str]
               ) -> None:
        """Click ``button`` on ``todo`` in batches per company; a refused batch is retried
        one document at a time, so that one refusal (kept in ``errors``) stops no other."""
        model = self.c.model(kind.model)
        by_company: dict[int, list[Found]] = defaultdict(list)
        for d in todo:
            by_company[d.company].append(d)
        for company, group in by_company.items():
            ctx = {"company": company}
            for batch in chunks(group, self.batch):
                try:
                    model.button(button, [d.id for d in batch], context=ctx)
                except ErpRemoteError:
                    for d in batch:
                        try:
                            model.button(button, [d.id], context=ctx)
                        except ErpRemoteError as exc:
                            errors[d.id] = str(exc)
                self.hook(f"{button}:{kind.model}", len(batch))

    def _refresh(self, kind: DocKind, docs: list[Found]) -> None:
        fresh = {r["id"]: r for r in self.c.model(kind.model).read(
            [d.id for d in docs], ["state", "number", "write_date"])}
        for d in docs:
            r = fresh[d.id]
            d.state, d.number, d.written = r["state"], r.get("number"), r["write_date"]

    def _advance(self, kind: DocKind, docs: list[Found]) -> dict[int, str]:
        """Push ``docs`` through ``kind``'s buttons, then make sure each confirmed one was
        processed (its shipments/moves or requests exist), running ``process`` again for
        those Tryton did not — as a user clicks "Process"; errors by doc id."""
        errors: dict[int, str] = {}
        for state, button in kind.steps:
            todo = [d for d in docs if d.state == state and d.id not in errors]
            self._press(kind, button, todo, errors)
            if todo:
                self._refresh(kind, docs)
        if kind.follow_up is None:
            return errors
        self._check_processed(kind, [d for d in docs if not d.processed])
        stuck = [d for d in docs if d.stage(kind) == "stuck" and d.id not in errors]
        if stuck:
            log.info("%d %s confirmed without what processing makes; processing them",
                     len(stuck), kind.model)
            self._press(kind, "process", stuck, errors)
            self._refresh(kind, stuck)
            self._check_processed(kind, stuck)
            for d in stuck:
                if not d.processed and d.id not in errors:
                    errors[d.id] = (f"{kind.label} {d.number or d.id} is {d.state} but Tryton "
                                    "made no shipment, move or request for it, even on "
                                    "'process'")
        return errors

    def run(self, plan: Plan, specs: Specs, *, dry_run: bool = False) -> list[LineResult]:
        """Publish (or, with ``dry_run``, only look up) every part; one result per line."""
        return self._run(plan, specs, dry_run)[0]

    def _same_line_elsewhere(self, parts: list[Part]) -> tuple[list[Part], dict[int, str]]:
        """``parts`` with those already published as another kind of document (a purchase
        ordered before, now asked for as a requisition, or the reverse) moved to that kind,
        so that the line is never bought twice; and a note for each line moved."""
        out = list(parts)
        notes: dict[int, str] = {}
        alternates = {k for p in parts for k in p.alternates}
        for alt in sorted(alternates, key=KINDS.index):
            asked = [i for i, p in enumerate(out) if alt in p.alternates]
            found = self.lookup(alt, [out[i].key for i in asked])
            for i in asked:
                p = out[i]
                f = self._match(replace(p, kind=alt), found)
                if f is not None:
                    out[i] = replace(p, kind=alt, alternates=())
                    notes[p.line] = (f"published before as {alt.label} {f.number or f.id}; "
                                     f"no {p.kind.label} made for it")
        return out, notes

    def _run(self, plan: Plan, specs: Specs, dry_run: bool
             ) -> tuple[list[LineResult], dict[int, list[str]]]:
        """The line results, and the stage of each line's documents (see
        :meth:`Found.stage`) after this run, by line."""
        results = [LineResult(key=a.key, kind=a.kind, outcome="exists") for a in plan.actions]
        touched: dict[int, set[str]] = defaultdict(set)  # line → {"created", "advanced", …}
        failed: dict[int, list[str]] = defaultdict(list)
        notes: dict[int, list[str]] = defaultdict(list)
        refs: dict[int, list[DocumentRef]] = defaultdict(list)
        stages: dict[int, list[str]] = defaultdict(list)
        all_parts, moved = self._same_line_elsewhere(specs.parts)
        for line, note in moved.items():
            notes[line].append(note)
        for kind in KINDS:
            parts = [p for p in all_parts if p.kind is kind]
            if not parts:
                continue
            found = self.lookup(kind, [p.key for p in parts])
            have = {id(p): f for p in parts if (f := self._match(p, found)) is not None}
            to_create = group_parts([p for p in parts if id(p) not in have], self.max_lines)
            if dry_run:
                for p in parts:
                    f = have.get(id(p))
                    if f is None:
                        touched[p.line].add("would_create")
                        stages[p.line].append("missing")
                        refs[p.line].append(DocumentRef(kind.model, None, "to create", None,
                                                        p.org, p.summary))
                    else:
                        if f.stage(kind) in ("created", "stuck"):
                            touched[p.line].add("would_complete")
                        stages[p.line].append(f.stage(kind))
                        refs[p.line].append(self._ref(kind, f, p))
                continue
            made, errors = self._create(kind, to_create)
            for p in parts:
                if id(p) in made:
                    touched[p.line].add("created")
                elif id(p) in have:
                    if have[id(p)].stage(kind) in ("created", "stuck"):
                        touched[p.line].add("advanced")
                else:
                    failed[p.line].append(errors.get(id(p), "not created"))
            docs = {d.id: d for d in (*have.values(), *made.values())}
            adv_errors = self._advance(kind, list(docs.values()))
            for p in parts:
                f = have.get(id(p)) or made.get(id(p))
                if f is None:
                    stages[p.line].append("missing")
                    continue
                stages[p.line].append(f.stage(kind))
                refs[p.line].append(self._ref(kind, f, p))
                if f.id in adv_errors:
                    failed[p.line].append(adv_errors[f.id])
                elif f.state in STOPPED:
                    notes[p.line].append(f"{kind.label} {f.number or f.id} is {f.state} in "
                                         "the ERP; not recreated")
                elif f.stage(kind) == "confirmed":
                    notes[p.line].append(f"{kind.label} {f.number or f.id} is {f.state}; the "
                                         "ERP processes it after its grace period")
        self._order_points(specs.order_points, dry_run, touched, refs)
        for i, r in enumerate(results):
            r.documents = refs.get(i, [])
            r.message = "; ".join(notes.get(i, []))
            t = touched.get(i, set())
            if failed.get(i):
                r.outcome, r.message = "failed", "; ".join(failed[i])
            elif dry_run:
                r.outcome = next((o for o in ("would_create", "would_update", "would_complete")
                                  if o in t), "exists")
            else:
                r.outcome = next((o for o, flag in (("created", "created"),
                                                    ("updated", "updated"),
                                                    ("completed", "advanced")) if flag in t),
                                 "exists")
        return results, stages

    def _ref(self, kind: DocKind, f: Found, p: Part) -> DocumentRef:
        return DocumentRef(kind.model, f.id, f.state, f.number,
                           self.sites.company_org.get(f.company), p.summary)

    # -- order points ----------------------------------------------------------------------
    def _order_points(self, specs: list[OrderPointSpec], dry_run: bool,
                      touched: dict[int, set[str]], refs: dict[int, list[DocumentRef]]) -> None:
        if not specs:
            return
        model = self.c.model("stock.order_point")
        rows = model.search_read(
            [("type", "=", "purchase"), ("location", "in", sorted({s.location for s in specs})),
             ("product", "in", sorted({s.product for s in specs}))],
            ["id", "company", "location", "product", "min_quantity", "target_quantity"])
        existing = {(r["company"], r["location"], r["product"]): r for r in rows}
        create: dict[str, list[OrderPointSpec]] = defaultdict(list)
        write: dict[str, list[tuple[OrderPointSpec, int]]] = defaultdict(list)
        for sp in specs:
            company = self.sites.org_company[sp.org]
            r = existing.get((company, sp.location, sp.product))
            ref_id = r["id"] if r else None
            if r is None:
                create[sp.org].append(sp)
                touched[sp.line].add("would_create" if dry_run else "created")
            summary = sp.summary
            if r is not None and (r["min_quantity"], r["target_quantity"]) != (
                    sp.reorder_point, sp.order_up_to):
                write[sp.org].append((sp, r["id"]))
                touched[sp.line].add("would_update" if dry_run else "updated")
                summary += (f" (was s={whole(r['min_quantity'])}, "
                            f"S={whole(r['target_quantity'])})")
            refs[sp.line].append(DocumentRef("stock.order_point", ref_id,
                                             "to create" if r is None else "active", None, sp.org,
                                             summary))
        if dry_run:
            return
        for org, group in create.items():
            ctx = {"company": self.sites.org_company[org]}
            for batch in chunks(group, 500):
                ids = model.create([{
                    "company": ctx["company"], "type": "purchase", "location": sp.location,
                    "product": sp.product, "min_quantity": float(sp.reorder_point),
                    "target_quantity": float(sp.order_up_to)} for sp in batch], context=ctx)
                for sp, new in zip(batch, ids, strict=True):
                    refs[sp.line][-1] = DocumentRef("stock.order_point", new, "active", None,
                                                    sp.org, sp.summary)
                self.hook("created:stock.order_point", len(ids))
        for org, group in write.items():
            ctx = {"company": self.sites.org_company[org]}
            for batch in chunks(group, 500):
                model.write_many([([rid], {"min_quantity": float(sp.reorder_point),
                                           "target_quantity": float(sp.order_up_to)})
                                  for sp, rid in batch], context=ctx)
                self.hook("updated:stock.order_point", len(batch))

    # -- status ----------------------------------------------------------------------------
    def status(self, plan: Plan, specs: Specs) -> list[LineResult]:
        """Where each line stands, from the whole state of its documents: ``missing``,
        ``created`` (some document not yet confirmed, or not yet made), ``confirmed``
        (confirmed, processing in the ERP's grace period), ``processed`` (confirmed, with
        its shipments/moves or purchase requests), ``stuck`` (confirmed without them, its
        processing due and not done) or ``stopped`` (cancelled/rejected in the ERP); order
        points ``published``/``differs``/``missing``."""
        results, stages = self._run(plan, specs, dry_run=True)
        for i, r in enumerate(results):
            if r.kind == "reorder_point":
                r.outcome = {"would_create": "missing", "would_update": "differs"}.get(
                    r.outcome, "published")
                continue
            line = set(stages.get(i, [])) or {"missing"}
            r.outcome = next(o for o in ("stopped", "stuck", "missing", "created", "confirmed",
                                         "processed") if o in line)
            if r.outcome == "missing" and line != {"missing"}:
                r.outcome = "created"
        return results
