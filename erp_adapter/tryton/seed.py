"""Seed an empty Tryton database with a network and its opening snapshot (tests and demo).

What it writes, with the codes of :mod:`erp_adapter.tryton.mapping`:

- one company per org (party code = org id), the admin user working for all of them
  (``company_filter = all``) and a planner employee per company (for requisitions);
- per warehouse a ``stock.location`` of type warehouse (code = warehouse id, address of
  its org's party, so the ERP records who owns it), its storage zone (also the output
  zone, so customer shipments need no picking), input zone, and ``WH/QUA`` / ``WH/RES``
  zones beside storage for quarantined and reserved stock;
- products (code, GTIN as an ``ean`` identifier, shelf life, lots required, cost price
  per company), suppliers with their offers, one party and customer location per
  hospital department, order points from the stock policies sourced from a supplier;
- the opening snapshot: lots with expiry dates; stock per lot and zone as done moves
  from the lost-and-found location on the opening date (the moves a confirmed
  ``stock.inventory`` books, without the inventory document: its lines cost Tryton about
  40 % more again); shipments in transit (an internal shipment inside one org, a sale
  paired with a purchase between orgs, both shipped on their ship date) and open
  purchase orders;
- optionally ``history_days`` of demand before the snapshot, sampled from the demand
  models and recorded as done customer shipments to the departments (one per day ×
  warehouse × department, FEFO lots, moves from the storage zone into the department's
  customer location on their day), with the stock they consumed added to the opening
  stock — so the stock on the snapshot date is exactly the snapshot;
- with the history, the customer returns its demand models' return rates draw
  (:func:`sample_returns`, a random stream of their own: the demand history is the same
  with or without return rates): customer return shipments
  (``stock.shipment.out.return``, reference ``return:<reason>``) from the department's
  customer location into the warehouse's ``WH/RET`` zone, received on their arrival day,
  each move's ``origin`` the customer move that issued the units;
  QC empties the zone ``qc_hold_days`` later (or on the day before the snapshot, if
  sooner) with one done internal shipment per day × warehouse × decision, reference
  ``qc:restock`` (into storage: the opening stock is that much smaller) or ``qc:scrap``
  (into the warehouse's lost-and-found location; the history's repair shares are
  scrapped too: only published repairs go out to a repairer). The snapshot's returned
  lots are customer return shipments received on their ``received`` day that QC has
  not touched (from the hospital's first department; from the org's own customer
  location when no hospital is named); its units out for repair went out of that zone
  on their ``sent`` day by a done supplier return shipment (``stock.shipment.in.return``,
  reference ``repair due:<due>``) to the first supplier of the item.

Everything goes through the RPC API as a client would. Tryton lets a client finish
(``do``) a draft move only if it needs no assignment, i.e. not out of a storage zone, so
the opening moves are done directly but demand goes through customer shipments (whose
``assign_force`` assigns). What costs is Tryton's per-record work (domain validation on
every create and write, ~10 ms per move and workflow step on SQLite), so records are
created in batches of a few hundred per call and the workflow buttons are clicked on
batches; the ``trytond`` that medtwin starts runs with ``PYTHONOPTIMIZE`` (see
:class:`erp_adapter.tryton.server.TrytonServer`). Into a database medtwin started itself
(``rows``: its SQLite file), the opening stock and the history are written as copies of
one prototype move or shipment per org that went through the API
(:mod:`erp_adapter.tryton.rows`): the same rows, about ten times faster.
``bench/bench_seed.py`` measures both.
"""

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from tqdm import tqdm

from erp_adapter.errors import ErpError
from erp_adapter.tryton.client import TrytonClient
from erp_adapter.tryton.mapping import (
    EMPLOYEE_PREFIX,
    GTIN_TYPE,
    INTERCO_PREFIX,
    QUARANTINE_SUFFIX,
    REPAIR_DUE_PREFIX,
    RESERVED_SUFFIX,
    RETURN_PREFIX,
    RETURNS_SUFFIX,
    days,
    department_code,
    money,
)
from erp_adapter.tryton.rows import SqliteRows
from twin.domain import DemandModel, Network
from twin.domain.returns import Decision, ReturnReason

log = logging.getLogger(__name__)

BATCH = 200
MOVE_BATCH = 500  # moves per create + do call (200: 15 % slower, 2,000: 10 % slower)
LOT_REQUIRED = ["supplier", "customer", "lost_found", "storage"]
RETURNS_STREAM = 1
"""The returns' random stream: ``default_rng([seed, RETURNS_STREAM])``."""
QC_PREFIX = "qc:"


@dataclass
class SeedReport:
    """Counts of what the seeder created."""

    counts: dict[str, int] = field(default_factory=dict)
    opening_date: dt.date | None = None
    seconds: float = 0.0

    def add(self, what: str, n: int) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def __str__(self) -> str:
        parts = ", ".join(f"{n} {what}" for what, n in self.counts.items())
        return f"seeded {parts} (opening stock on {self.opening_date}) in {self.seconds:.1f} s"


@dataclass(frozen=True)
class Issue:
    """One sampled demand served from a lot: becomes a move of a customer shipment."""

    day: dt.date
    warehouse: str
    hospital: str
    department: str
    item: str
    lot: str
    expiry: dt.date
    quantity: int


@dataclass(frozen=True)
class Return:
    """Units of one issue that come back: a move of a customer return shipment."""

    issued: dt.date
    day: dt.date  # arrival at the warehouse
    warehouse: str
    customer: str  # department code, or the org's interco code (no hospital known)
    item: str
    lot: str
    expiry: dt.date
    quantity: int
    reason: ReturnReason


@dataclass(frozen=True)
class Disposal:
    """Returned units QC took out of the returns zone: a move of a QC internal shipment."""

    day: dt.date
    warehouse: str
    item: str
    lot: str
    quantity: int
    decision: Decision


def chunks(seq: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    """``seq`` in slices of ``size``."""
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


def _batches(ids: Sequence[int], sizes: Sequence[int], limit: int) -> Iterator[list[int]]:
    """``ids`` in consecutive batches whose ``sizes`` add up to at most ``limit`` (or one
    id, if it alone is larger)."""
    batch: list[int] = []
    total = 0
    for i, size in zip(ids, sizes, strict=True):
        if batch and total + size > limit:
            yield batch
            batch, total = [], 0
        batch.append(i)
        total += size
    if batch:
        yield batch


def _progress(step: str, total: int, unit: str) -> tqdm:
    """A progress bar on stderr for a long seeding step (off when stderr is no terminal)."""
    return tqdm(total=total, desc=f"seed: {step}", unit=unit, disable=None, leave=False)


def sample_demand(model: DemandModel, day: dt.date, rng: np.random.Generator) -> int:
    """One day's demand of ``model`` (units), with its family and seasonality."""
    return model.sample_on(day, rng)


def sample_history(net: Network, history_days: int, seed: int = 0) -> list[Issue]:
    """Demand of the ``history_days`` before the snapshot, each unit served FEFO from the
    lots the warehouse holds at the snapshot (new serial numbers for serial items, a
    ``HIST-<warehouse>`` lot when the warehouse holds none)."""
    rng = np.random.default_rng(seed)
    snap = net.snapshot
    lots: dict[tuple[str, str], list[tuple[dt.date, str]]] = defaultdict(list)
    for lp in snap.lots:
        if lp.status == "available":
            lots[(lp.warehouse, lp.item)].append((lp.expiry, lp.lot))
    for key in lots:
        lots[key].sort()
    depts = {(h.id, d.id): d for h in net.hospitals for d in h.departments}
    issues: list[Issue] = []
    serial_no = 0
    for n in range(history_days, 0, -1):
        day = snap.as_of - dt.timedelta(days=n)
        for d in net.demand:
            qty = sample_demand(d, day, rng)
            wh = net.serving_warehouse(d.hospital, d.item) if qty else None
            if not qty or wh is None:
                continue
            item = net.item_by_code[d.item]
            fresh = day + dt.timedelta(days=depts[(d.hospital, d.department)].min_shelf_life_days)
            expiry, lot = next(((e, lt) for e, lt in lots[(wh, d.item)] if e > fresh),
                               (snap.as_of + dt.timedelta(days=item.shelf_life_days),
                                f"HIST-{wh}"))
            if item.tracking == "serial":
                for _ in range(qty):
                    serial_no += 1
                    issues.append(Issue(day, wh, d.hospital, d.department, d.item,
                                        f"SN-H{serial_no:07d}", expiry, 1))
            else:
                issues.append(Issue(day, wh, d.hospital, d.department, d.item, lot, expiry, qty))
    return issues


def sample_returns(net: Network, issues: Sequence[Issue], seed: int = 0) -> list[Return]:
    """The units of ``issues`` that come back before the snapshot: per issue of q units a
    multinomial draw over the demand model's reasons (probabilities = their rates, the rest
    kept), each reason's units arriving ``round(delay_days)`` (at least 1) days later."""
    rng = np.random.default_rng([seed, RETURNS_STREAM])
    models = {(d.hospital, d.department, d.item): d for d in net.demand}
    out: list[Return] = []
    for i in issues:
        rates = models[(i.hospital, i.department, i.item)].returns
        if not rates:
            continue
        shares = [r.rate for r in rates]
        counts = rng.multinomial(i.quantity, [*shares, max(0.0, 1.0 - sum(shares))])
        for r, n in zip(rates, counts[:-1], strict=True):
            if not n:
                continue
            day = i.day + dt.timedelta(days=max(1, round(float(r.delay_days.sample(rng)))))
            if day < net.snapshot.as_of:
                out.append(Return(i.day, day, i.warehouse,
                                  department_code(i.hospital, i.department), i.item, i.lot,
                                  i.expiry, int(n), r.reason))
    return out


def snapshot_returns(net: Network) -> list[Return]:
    """The snapshot's returned lots as the returns that brought them."""
    depts = {h.id: department_code(h.id, h.departments[0].id) for h in net.hospitals}
    return [Return(r.received, r.received, r.warehouse,
                   depts[r.hospital] if r.hospital else
                   f"{INTERCO_PREFIX}{net.warehouse_by_id[r.warehouse].org}",
                   r.item, r.lot, r.expiry, r.quantity, r.reason)
            for r in net.snapshot.returns]


def quality_control(net: Network, returns: Sequence[Return]) -> list[Disposal]:
    """QC of the history's ``returns``: on arrival + the item's ``qc_hold_days`` (at the
    latest the day before the snapshot), ``round(q × restock)`` units restocked, the rest
    scrapped (:meth:`Network.handling`)."""
    last = net.snapshot.as_of - dt.timedelta(days=1)
    out = []
    for r in returns:
        day = min(r.day + dt.timedelta(days=net.item_by_code[r.item].qc_hold_days), last)
        restock = round(r.quantity * net.handling(r.reason, r.item).restock)
        for decision, q in (("restock", restock), ("scrap", r.quantity - restock)):
            if q:
                out.append(Disposal(day, r.warehouse, r.item, r.lot, q, decision))
    return out


Delivery = tuple[dt.date, str, str, dict[tuple[str, str], int]]
"""One customer shipment of the history: day, warehouse, department code, quantity per
(item, lot)."""


class Seeder:
    """Writes one network into an empty Tryton database (see the module docstring)."""

    def __init__(self, client: TrytonClient, net: Network, report: SeedReport,
                 rows: SqliteRows | None = None):
        self.c = client
        self.net = net
        self.report = report
        self.rows = rows
        self.currency: dict[str, int] = {}
        self.company: dict[str, int] = {}
        self.org_party: dict[str, int] = {}
        self.org_address: dict[str, int] = {}
        self.wh: dict[str, int] = {}
        self.storage: dict[str, int] = {}
        self.status_loc: dict[tuple[str, str], int] = {}
        self.returns_zone: dict[str, int] = {}
        self.issue_move: dict[tuple[dt.date, str, str, str, str], int] = {}
        self.lost_found = 0
        self.product: dict[str, int] = {}
        self.party: dict[str, int] = {}
        self.address: dict[str, int] = {}
        self.lot: dict[tuple[str, str], int] = {}
        self.unit = 0

    def org_of(self, warehouse: str) -> str:
        return self.net.warehouse_by_id[warehouse].org

    def ctx(self, org: str) -> dict[str, int]:
        return {"company": self.company[org]}

    # -- master data -----------------------------------------------------------------------
    def check_empty(self) -> None:
        codes = [o.id for o in self.net.orgs]
        found = self.c.model("party.party").search_read(
            [("code", "in", codes)], ["code"], context={"active_test": False})
        if found:
            raise ErpError(f"{self.c.url} already holds parties with org codes "
                           f"{sorted(r['code'] for r in found)}: seed an empty database")

    def currencies(self) -> None:
        Currency = self.c.model("currency.currency")
        codes = sorted({self.net.settings.currency, *(o.currency for o in self.net.orgs)})
        for row in Currency.search_read([("code", "in", codes)], ["code"]):
            self.currency[row["code"]] = row["id"]
        missing = [c for c in codes if c not in self.currency]
        ids = Currency.create([{"name": code, "code": code, "symbol": code,
                                "rounding": Decimal("0.01"), "digits": 2} for code in missing])
        self.currency.update(zip(missing, ids, strict=True))

    def companies(self) -> None:
        net = self.net
        Party = self.c.model("party.party")
        cities = {w.org: w.city for w in reversed(net.warehouses)}
        ids = Party.create([{"name": o.name, "code": o.id, "addresses": [
            ["create", [{"city": cities.get(o.id, "")}]]]} for o in net.orgs])
        self.org_party = dict(zip((o.id for o in net.orgs), ids, strict=True))
        for row in Party.read(ids, ["addresses"]):
            org = next(o for o, p in self.org_party.items() if p == row["id"])
            self.org_address[org] = row["addresses"][0]
        comps = self.c.model("company.company").create(
            [{"party": self.org_party[o.id], "currency": self.currency[o.currency]}
             for o in net.orgs])
        self.company = dict(zip((o.id for o in net.orgs), comps, strict=True))
        top = next((o.id for o in net.orgs if o.parent is None), net.orgs[0].id)
        emp_parties = Party.create([{"name": f"medtwin planner ({o.id})",
                                     "code": f"{EMPLOYEE_PREFIX}{o.id}"} for o in net.orgs])
        employees = self.c.model("company.employee").create(
            [{"party": p, "company": self.company[o.id]}
             for o, p in zip(net.orgs, emp_parties, strict=True)])
        self.c.model("res.user").write([self.c.user_id], {
            "companies": [["add", comps]], "company": self.company[top],
            "company_filter": "all", "employees": [["add", employees]],
            "employee": employees[[o.id for o in net.orgs].index(top)]})
        self.c.login()  # reload the context: company, companies, employee
        Location = self.c.model("stock.location")
        interco = Location.create([{"name": f"Sold to {o.name}", "code": f"{INTERCO_PREFIX}{o.id}",
                                    "type": "customer"} for o in net.orgs])
        for o, loc in zip(net.orgs, interco, strict=True):
            Party.write([self.org_party[o.id]], {"customer_location": loc})
        self.report.add("companies", len(comps))

    def warehouses(self) -> None:
        Location = self.c.model("stock.location")
        lost_found = Location.search([("type", "=", "lost_found")], limit=1)
        whs = self.net.warehouses
        zones = Location.create([
            {"name": f"{w.id} {zone}", "code": f"{w.id}/{code}", "type": "storage"}
            for w in whs for zone, code in (("input", "IN"), ("storage", "STO"))])
        ids = Location.create([{
            "name": w.name or w.id, "code": w.id, "type": "warehouse",
            "input_location": zones[2 * n], "output_location": zones[2 * n + 1],
            "storage_location": zones[2 * n + 1],
            "lost_found_location": lost_found[0] if lost_found else None,
            "address": self.org_address[w.org]} for n, w in enumerate(whs)])
        blocked = Location.create([
            {"name": f"{w.id} {zone}", "code": f"{w.id}{suffix}", "type": "storage",
             "parent": wid}
            for w, wid in zip(whs, ids, strict=True)
            for zone, suffix in (("quarantine", QUARANTINE_SUFFIX),
                                 ("reserved", RESERVED_SUFFIX), ("returns", RETURNS_SUFFIX))])
        for n, w in enumerate(whs):
            sto, qua, res = zones[2 * n + 1], blocked[3 * n], blocked[3 * n + 1]
            self.wh[w.id], self.storage[w.id] = ids[n], sto
            self.returns_zone[w.id] = blocked[3 * n + 2]
            self.status_loc[(w.id, "returns")] = blocked[3 * n + 2]
            self.lost_found = lost_found[0] if lost_found else 0
            self.status_loc.update({(w.id, "available"): sto, (w.id, "quarantine"): qua,
                                    (w.id, "reserved"): res})
        self.report.add("warehouses", len(whs))

    def products(self) -> None:
        units = self.c.model("product.uom").search([("symbol", "=", "u")], limit=1)
        if not units:
            raise ErpError("the ERP has no unit of measure with symbol 'u'")
        self.unit = units[0]
        Template = self.c.model("product.template")
        Product = self.c.model("product.product")
        for batch in chunks(self.net.items):
            Template.create([{
                "name": it.description, "code": it.code, "type": "goods",
                "default_uom": self.unit, "purchasable": True, "purchase_uom": self.unit,
                "salable": True, "sale_uom": self.unit, "list_price": money(it.unit_cost),
                "lot_required": LOT_REQUIRED, "shelf_life_state": "required",
                "shelf_life_time": it.shelf_life_days, "expiration_state": "required",
                "expiration_time": it.shelf_life_days,
                "products": [["create", [{"identifiers": [
                    ["create", [{"type": GTIN_TYPE, "code": it.gtin}]]]}]]]} for it in batch])
        for row in Product.search_read([("code", "in", [i.code for i in self.net.items])],
                                       ["code"]):
            self.product[row["code"]] = row["id"]
        by_cost: dict[float, list[int]] = defaultdict(list)
        for it in self.net.items:
            by_cost[it.unit_cost].append(self.product[it.code])
        for org in self.company:
            Product.write_many([(ids, {"cost_price": money(cost)})
                                for cost, ids in by_cost.items()], context=self.ctx(org))
        self.report.add("products", len(self.product))

    def suppliers(self) -> None:
        Party = self.c.model("party.party")
        net = self.net
        ids = Party.create([{"name": s.name, "code": s.id, "addresses": [
            ["create", [{"street": s.name}]]]} for s in net.suppliers])
        self.party.update(zip((s.id for s in net.suppliers), ids, strict=True))
        templates = {r["id"]: r["template"] for r in self.c.model("product.product").read(
            list(self.product.values()), ["template"])}
        offers = []
        for s in net.suppliers:
            orgs = sorted({self.org_of(w) for w in s.delivers_to})
            for o in s.supplies:
                price = o.unit_price or net.item_by_code[o.item].unit_cost
                offers += [{"party": self.party[s.id],
                            "template": templates[self.product[o.item]],
                            "product": self.product[o.item], "company": self.company[org],
                            "currency": self.currency[net.org_by_id[org].currency],
                            "lead_time": days(o.lead_time.mean),
                            "prices": [["create", [{"quantity": float(o.moq),
                                                    "unit_price": money(price)}]]]}
                           for org in orgs]
        for batch in chunks(offers):
            self.c.model("purchase.product_supplier").create(batch)
        self.report.add("suppliers", len(ids))
        self.report.add("supplier offers", len(offers))

    def departments(self) -> None:
        Party = self.c.model("party.party")
        Location = self.c.model("stock.location")
        rows = [(h, d) for h in self.net.hospitals for d in h.departments]
        codes = [department_code(h.id, d.id) for h, d in rows]
        locs = Location.create([{"name": f"{h.name} / {d.kind}", "code": code,
                                 "type": "customer"} for (h, d), code in zip(rows, codes,
                                                                             strict=True)])
        parties = Party.create([{
            "name": f"{h.name} / {d.kind}", "code": code, "customer_location": loc,
            "addresses": [["create", [{"city": h.city, "party_name": f"{h.name} {d.id}"}]]]}
            for (h, d), code, loc in zip(rows, codes, locs, strict=True)])
        self.party.update(zip(codes, parties, strict=True))
        for row in Party.read(parties, ["addresses", "code"]):
            self.address[row["code"]] = row["addresses"][0]
        self.report.add("hospital departments", len(rows))

    def order_points(self) -> None:
        net = self.net
        vals = [{"company": self.company[self.org_of(p.warehouse)], "type": "purchase",
                 "location": self.wh[p.warehouse], "product": self.product[p.item],
                 "min_quantity": float(p.reorder_point), "target_quantity": float(p.order_up_to)}
                for p in net.stock_policies
                if p.source is None or p.source in net.supplier_by_id]
        for batch in chunks(vals):
            self.c.model("stock.order_point").create(batch)
        self.report.add("order points", len(vals))

    # -- opening snapshot ------------------------------------------------------------------
    def lots(self, issues: Sequence[Issue]) -> None:
        snap = self.net.snapshot
        wanted: dict[tuple[str, str], dt.date] = {}
        for row in (*snap.lots, *snap.in_transit, *snap.returns, *snap.repairs, *issues):
            wanted.setdefault((row.item, row.lot), row.expiry)
        keys = list(wanted)
        Lot = self.c.model("stock.lot")
        for batch in chunks(keys, 1000):
            ids = Lot.create([{"number": lot, "product": self.product[item],
                               "expiration_date": wanted[(item, lot)],
                               "shelf_life_expiration_date": wanted[(item, lot)]}
                              for item, lot in batch])
            self.lot.update(zip(batch, ids, strict=True))
        self.report.add("lots", len(keys))

    def opening_stock(self, issues: Sequence[Issue], disposals: Sequence[Disposal],
                      opening: dt.date) -> None:
        """Stock per lot and zone on ``opening``: moves from the lost-and-found location
        (where Tryton's inventories book their differences), done on that date; the
        history's issues add to it, its restocked returns take from it."""
        snap = self.net.snapshot
        qty: dict[tuple[str, str], dict[tuple[str, str], int]] = defaultdict(
            lambda: defaultdict(int))
        for lp in snap.lots:
            qty[(lp.warehouse, lp.status)][(lp.item, lp.lot)] += lp.quantity
        for t in snap.in_transit:
            qty[(t.source, "available")][(t.item, t.lot)] += t.quantity
        for i in issues:
            qty[(i.warehouse, "available")][(i.item, i.lot)] += i.quantity
        for r in self.net.snapshot.repairs:
            qty[(r.warehouse, "returns")][(r.item, r.lot)] += r.quantity
        for d in disposals:
            if d.decision == "restock":
                qty[(d.warehouse, "available")][(d.item, d.lot)] -= d.quantity
        found = self.c.model("stock.location").search([("type", "=", "lost_found")], limit=1)
        if not found:
            raise ErpError("the ERP has no lost-and-found location to book opening stock from")
        lost_found = found[0]
        by_org: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for (wh, status), by_lot in sorted(qty.items()):
            org = self.org_of(wh)
            by_org[org] += [{
                "product": self.product[item], "lot": self.lot[(item, lot)],
                "quantity": float(q), "unit": self.unit, "from_location": lost_found,
                "to_location": self.status_loc[(wh, status)], "company": self.company[org],
                "planned_date": opening, "effective_date": opening}
                for (item, lot), q in sorted(by_lot.items()) if q]
        self.report.add("opening stock lines", self._done_moves(by_org))

    def _done_moves(self, by_org: dict[str, list[dict[str, Any]]]) -> int:
        """Create the moves of each org in draft and click ``do`` on them, in batches of
        :data:`MOVE_BATCH` (one transaction each) — or, with :attr:`rows`, the first
        through the API and copies of it for the others; how many."""
        Move = self.c.model("stock.move")
        n = 0
        with _progress("opening stock", sum(map(len, by_org.values())), "move") as bar:
            for org, vals in sorted(by_org.items()):
                ctx = self.ctx(org)
                by_api = vals[:1] if self.rows else vals
                for batch in chunks(by_api, MOVE_BATCH):
                    ids = Move.create(batch, context=ctx)
                    Move.button("do", ids, context=ctx, accept_warnings=True)
                    n += len(ids)
                    bar.update(len(ids))
                if self.rows and len(vals) > 1:
                    n += self._copy_moves(ids[0], vals[1:])
                    bar.update(len(vals) - 1)
        return n

    def _copy_moves(self, proto: int, vals: Sequence[dict[str, Any]]) -> int:
        """Done moves like move ``proto`` with the fields of ``vals`` (as given to
        ``stock.move.create``) and the cost price ``do`` gives them; how many. Every
        product's unit is the seeder's one unit, so the internal quantity is the
        quantity."""
        assert self.rows is not None
        with self.rows.transaction() as w:
            cost = w.cost_prices()
            ids = w.clone("stock_move", proto, [
                {**v, "internal_quantity": v["quantity"],
                 "effective_date": v.get("effective_date", v["planned_date"]),
                 "cost_price": cost[(v["product"], v["company"])]} for v in vals])
            w.copy_log("stock.move", proto, ids)
        return len(vals)

    def in_transit(self) -> None:
        """Shipments on their way at the snapshot: an internal shipment inside one org, a
        sale paired with a purchase between orgs, each shipped on its ship date (one call
        per workflow step for all the documents of an org)."""
        net = self.net
        transit = net.snapshot.in_transit
        inside: dict[str, list[Any]] = defaultdict(list)
        across: list[tuple[str, Any]] = []
        for t in transit:
            if self.org_of(t.source) == self.org_of(t.target):
                inside[self.org_of(t.source)].append(t)
            else:
                across.append((f"OPEN-{t.source}>{t.target}:{t.mode}-{len(across) + 1}", t))
        Shipment = self.c.model("stock.shipment.internal")
        for org, ts in sorted(inside.items()):
            ctx = self.ctx(org)
            ids = Shipment.create([{
                "company": self.company[org], "from_location": self.storage[t.source],
                "to_location": self.storage[t.target], "planned_start_date": t.shipped,
                "planned_date": t.eta, "reference": f"OPEN-{t.source}>{t.target}:{t.mode}",
                "moves": [["create", [{
                    "product": self.product[t.item], "lot": self.lot[(t.item, t.lot)],
                    "quantity": float(t.quantity), "unit": self.unit,
                    "from_location": self.storage[t.source],
                    "to_location": self.storage[t.target], "company": self.company[org],
                    "planned_date": t.shipped}]]]} for t in ts], context=ctx)
            for button in ("wait", "assign_force", "pack"):
                Shipment.button(button, ids, context=ctx, accept_warnings=True)
            Shipment.write_many([([sid], {"effective_start_date": t.shipped})
                                 for sid, t in zip(ids, ts, strict=True)], context=ctx)
            Shipment.button("ship", ids, context=ctx, accept_warnings=True)
        self._transfers_between_orgs(across)
        self.report.add("shipments in transit", len(transit))

    def _transfers_between_orgs(self, transfers: Sequence[tuple[str, Any]]) -> None:
        """Per transfer a sale of the shipping org, shipped (done) on the ship date, and
        the receiving org's purchase of it, confirmed and due on the ETA; both carry the
        transfer's reference."""
        net = self.net
        Sale = self.c.model("sale.sale")
        Out = self.c.model("stock.shipment.out")
        Purchase = self.c.model("purchase.purchase")

        def price(t: Any) -> Decimal:
            return money(net.item_by_code[t.item].unit_cost
                         * (1 + net.org_by_id[self.org_of(t.source)].transfer_markup))

        by_src: dict[str, list[tuple[str, Any]]] = defaultdict(list)
        by_dst: dict[str, list[tuple[str, Any]]] = defaultdict(list)
        for ref, t in transfers:
            by_src[self.org_of(t.source)].append((ref, t))
            by_dst[self.org_of(t.target)].append((ref, t))
        for org, group in sorted(by_src.items()):
            ctx = self.ctx(org)
            sales = Sale.create([{
                "company": self.company[org], "party": self.org_party[self.org_of(t.target)],
                "invoice_address": self.org_address[self.org_of(t.target)],
                "shipment_address": self.org_address[self.org_of(t.target)],
                "warehouse": self.wh[t.source],
                "currency": self.currency[net.org_by_id[org].currency],
                "reference": ref, "invoice_method": "manual", "shipment_method": "order",
                "sale_date": t.shipped, "shipping_date": t.shipped,
                "lines": [["create", [{"type": "line", "product": self.product[t.item],
                                       "quantity": float(t.quantity), "unit": self.unit,
                                       "unit_price": price(t)}]]]} for ref, t in group],
                context=ctx)
            Sale.button("quote", sales, context=ctx)
            Sale.button("confirm", sales, context=ctx)
            rows = {r["id"]: r for r in Sale.read(sales, ["shipments", "moves"], context=ctx)}
            self.c.model("stock.move").write_many(
                [(rows[sid]["moves"], {"lot": self.lot[(t.item, t.lot)]})
                 for sid, (_, t) in zip(sales, group, strict=True)], context=ctx)
            Out.write_many([(rows[sid]["shipments"], {"effective_date": t.shipped})
                            for sid, (_, t) in zip(sales, group, strict=True)], context=ctx)
            shipments = [s for sid in sales for s in rows[sid]["shipments"]]
            for button in ("assign_force", "pack", "do"):
                Out.button(button, shipments, context=ctx, accept_warnings=True)
        for org, group in sorted(by_dst.items()):
            ctx = self.ctx(org)
            purchases = Purchase.create([{
                "company": self.company[org], "party": self.org_party[self.org_of(t.source)],
                "invoice_address": self.org_address[self.org_of(t.source)],
                "warehouse": self.wh[t.target],
                "currency": self.currency[net.org_by_id[org].currency],
                "reference": ref, "invoice_method": "manual", "purchase_date": t.shipped,
                "lines": [["create", [{"type": "line", "product": self.product[t.item],
                                       "quantity": float(t.quantity), "unit": self.unit,
                                       "unit_price": price(t), "delivery_date_edit": True,
                                       "delivery_date_store": t.eta}]]]}
                for ref, t in group], context=ctx)
            Purchase.button("quote", purchases, context=ctx)
            Purchase.button("confirm", purchases, context=ctx)

    def purchase_orders(self) -> None:
        net = self.net
        Purchase = self.c.model("purchase.purchase")
        by_org: dict[str, list[int]] = defaultdict(list)
        for po in net.snapshot.purchase_orders:
            org = self.org_of(po.warehouse)
            offer = next(o for o in net.supplier_by_id[po.supplier].supplies if o.item == po.item)
            price = offer.unit_price or net.item_by_code[po.item].unit_cost
            pid, = Purchase.create([{
                "company": self.company[org], "party": self.party[po.supplier],
                "invoice_address": self._address_of(po.supplier),
                "warehouse": self.wh[po.warehouse],
                "currency": self.currency[net.org_by_id[org].currency], "reference": po.id,
                "invoice_method": "manual", "purchase_date": po.ordered,
                "lines": [["create", [{"type": "line", "product": self.product[po.item],
                                       "quantity": float(po.quantity), "unit": self.unit,
                                       "unit_price": money(price), "delivery_date_edit": True,
                                       "delivery_date_store": po.due}]]]}], context=self.ctx(org))
            by_org[org].append(pid)
        for org, ids in by_org.items():
            Purchase.button("quote", ids, context=self.ctx(org))
            Purchase.button("confirm", ids, context=self.ctx(org))
        self.report.add("open purchase orders", len(net.snapshot.purchase_orders))

    def _address_of(self, code: str) -> int:
        if code not in self.address:
            row, = self.c.model("party.party").read([self.party[code]], ["addresses"])
            self.address[code] = row["addresses"][0]
        return self.address[code]

    def history(self, issues: Sequence[Issue]) -> None:
        """Customer shipments, one per day × warehouse × department, done on their day.

        The shipments of an org are created empty, their moves created in batches
        referencing them (far cheaper for Tryton than one ``outgoing_moves`` write per
        shipment), then the shipments go through ``wait``, ``assign_force``, ``pack`` and
        ``do`` in batches of about :data:`MOVE_BATCH` moves. With :attr:`rows`, only the
        first shipment of each org goes through the API; the others are copies of it
        and of its first move, numbered by the shipments' sequence."""
        groups: dict[tuple[dt.date, str, str], dict[tuple[str, str], int]] = defaultdict(
            lambda: defaultdict(int))
        for i in issues:
            groups[(i.day, i.warehouse, department_code(i.hospital, i.department))][
                (i.item, i.lot)] += i.quantity
        by_org: dict[str, list[Delivery]] = defaultdict(list)
        for (day, wh, dept), lines in sorted(groups.items()):
            by_org[self.org_of(wh)].append((day, wh, dept, lines))
        n = moves = 0
        with _progress("history", sum(len(lines) for lines in groups.values()), "move") as bar:
            for org, rows in sorted(by_org.items()):
                by_api = rows[:1] if self.rows else rows
                ids, move_ids = self._ship(org, by_api, bar)
                self._issued(by_api, move_ids)
                if self.rows and len(rows) > 1:
                    self._issued(rows[1:], self._copy_shipments(org, ids[0], move_ids[0],
                                                                rows[1:]))
                    bar.update(sum(len(r[3]) for r in rows[1:]))
                n += len(rows)
                moves += sum(len(r[3]) for r in rows)
        self.report.add("customer shipments", n)
        self.report.add("demand moves", moves)

    def _shipment_vals(self, org: str, d: Delivery) -> dict[str, Any]:
        day, wh, dept, _ = d
        return {"company": self.company[org], "customer": self.party[dept],
                "delivery_address": self.address[dept], "warehouse": self.wh[wh],
                "warehouse_storage": self.storage[wh], "warehouse_output": self.storage[wh],
                "planned_date": day, "effective_date": day, "reference": f"DEMAND-{day}"}

    def _move_vals(self, org: str, shipment: int, d: Delivery) -> list[dict[str, Any]]:
        day, wh, dept, lines = d
        cur = self.currency[self.net.org_by_id[org].currency]
        return [{"shipment": f"stock.shipment.out,{shipment}", "product": self.product[item],
                 "lot": self.lot[(item, lot)], "quantity": float(q), "unit": self.unit,
                 "from_location": self.storage[wh], "to_location": self._customer_location(dept),
                 "company": self.company[org], "planned_date": day,
                 "unit_price": money(self.net.item_by_code[item].unit_cost), "currency": cur}
                for (item, lot), q in sorted(lines.items())]

    def _ship(self, org: str, rows: Sequence[Delivery], bar: tqdm
              ) -> tuple[list[int], list[int]]:
        """``rows`` as done customer shipments through the API; their ids and the ids of
        their moves."""
        Out = self.c.model("stock.shipment.out")
        Move = self.c.model("stock.move")
        ctx = self.ctx(org)
        ids: list[int] = []
        for part in chunks(rows, 1000):
            ids += Out.create([self._shipment_vals(org, d) for d in part], context=ctx)
        vals = [v for sid, d in zip(ids, rows, strict=True) for v in self._move_vals(org, sid, d)]
        move_ids: list[int] = []
        for part in chunks(vals, MOVE_BATCH):
            move_ids += Move.create(part, context=ctx)
        size = {sid: len(d[3]) for sid, d in zip(ids, rows, strict=True)}
        for batch in _batches(ids, [size[i] for i in ids], MOVE_BATCH):
            for button in ("wait", "assign_force", "pack", "do"):
                Out.button(button, batch, context=ctx, accept_warnings=True)
            bar.update(sum(size[i] for i in batch))
        return ids, move_ids

    def _issued(self, rows: Sequence[Delivery], move_ids: Sequence[int]) -> None:
        """Remember the move of each (day, warehouse, department, item, lot) of ``rows``
        (their moves ``move_ids``, in :meth:`_move_vals` order): a return's origin."""
        keys = [(day, wh, dept, item, lot) for day, wh, dept, lines in rows
                for item, lot in sorted(lines)]
        self.issue_move.update(zip(keys, move_ids, strict=True))

    def _copy_shipments(self, org: str, proto: int, proto_move: int,
                        rows: Sequence[Delivery]) -> list[int]:
        """``rows`` as copies of the done shipment ``proto`` and of its move
        ``proto_move``, numbered by Tryton's customer-shipment sequence; the ids of the
        moves."""
        assert self.rows is not None
        company = self.company[org]
        with self.rows.transaction() as w:
            numbers = w.numbers("stock", "sequence_shipment_out", company,
                                "shipment_out_sequence", len(rows))
            ids = w.clone("stock_shipment_out", proto, [
                {**self._shipment_vals(org, d), "number": number}
                for d, number in zip(rows, numbers, strict=True)])
            w.copy_log("stock.shipment.out", proto, ids)
            cost = w.cost_prices()
            move_ids = w.clone("stock_move", proto_move, [
                {**v, "internal_quantity": v["quantity"], "effective_date": v["planned_date"],
                 "cost_price": cost[(v["product"], company)]}
                for sid, d in zip(ids, rows, strict=True) for v in self._move_vals(org, sid, d)])
            w.copy_log("stock.move", proto_move, move_ids)
        return move_ids

    def returns(self, returns: Sequence[Return], disposals: Sequence[Disposal]) -> None:
        """Customer return shipments into the returns zones, received on their day, and
        the QC internal shipments that emptied them (see the module docstring). The
        snapshot's returned lots are written after the history's, so that QC, which takes
        the oldest first (by day, then record id), leaves them."""
        if not returns:
            return
        groups: dict[tuple[str, dt.date, str, str, str],
                     dict[tuple[str, str, int | None], int]] = defaultdict(lambda: defaultdict(int))
        for r in returns:
            origin = self.issue_move.get((r.issued, r.warehouse, r.customer, r.item, r.lot))
            groups[(self.org_of(r.warehouse), r.day, r.warehouse, r.customer, r.reason)][
                (r.item, r.lot, origin)] += r.quantity
        Shipment = self.c.model("stock.shipment.out.return")
        Move = self.c.model("stock.move")
        by_org: dict[str, list[tuple[Any, dict[tuple[str, str, int | None], int]]]] = (
            defaultdict(list))
        for key, lines in sorted(groups.items()):
            by_org[key[0]].append((key, lines))
        for org, rows in sorted(by_org.items()):
            ctx = self.ctx(org)
            cur = self.currency[self.net.org_by_id[org].currency]
            ids = Shipment.create([{
                "company": self.company[org], "customer": self._customer_party(customer),
                "warehouse": self.wh[wh], "warehouse_input": self.returns_zone[wh],
                "warehouse_storage": self.returns_zone[wh], "planned_date": day,
                "effective_date": day, "reference": f"{RETURN_PREFIX}{reason}"}
                for (_, day, wh, customer, reason), _ in rows], context=ctx)
            Move.create([{
                "shipment": f"stock.shipment.out.return,{sid}", "product": self.product[item],
                "lot": self.lot[(item, lot)], "quantity": float(q), "unit": self.unit,
                "from_location": self._customer_location(customer),
                "to_location": self.returns_zone[wh], "company": self.company[org],
                "planned_date": day, "effective_date": day,
                "unit_price": money(self.net.item_by_code[item].unit_cost), "currency": cur,
                "origin": f"stock.move,{origin}" if origin else None}
                for sid, ((_, day, wh, customer, _), lines) in zip(ids, rows, strict=True)
                for (item, lot, origin), q in sorted(lines.items(), key=str)], context=ctx)
            Shipment.button("receive", ids, context=ctx, accept_warnings=True)
        self.report.add("customer returns", len(groups))
        if disposals:
            self._quality_control(disposals)

    def _quality_control(self, disposals: Sequence[Disposal]) -> None:
        groups: dict[tuple[str, dt.date, str, str], dict[tuple[str, str], int]] = defaultdict(
            lambda: defaultdict(int))
        for d in disposals:
            groups[(self.org_of(d.warehouse), d.day, d.warehouse, d.decision)][
                (d.item, d.lot)] += d.quantity
        Shipment = self.c.model("stock.shipment.internal")
        by_org: dict[str, list[tuple[Any, dict[tuple[str, str], int]]]] = defaultdict(list)
        for key, lines in sorted(groups.items()):
            by_org[key[0]].append((key, lines))
        for org, rows in sorted(by_org.items()):
            ctx = self.ctx(org)
            vals = []
            for (_, day, wh, decision), lines in rows:
                src = self.returns_zone[wh]
                dst = self.storage[wh] if decision == "restock" else self.lost_found
                vals.append({
                    "company": self.company[org], "from_location": src, "to_location": dst,
                    "planned_start_date": day, "planned_date": day, "effective_start_date": day,
                    "effective_date": day, "reference": f"{QC_PREFIX}{decision}",
                    "moves": [["create", [{
                        "product": self.product[item], "lot": self.lot[(item, lot)],
                        "quantity": float(q), "unit": self.unit, "from_location": src,
                        "to_location": dst, "company": self.company[org], "planned_date": day,
                        "effective_date": day} for (item, lot), q in sorted(lines.items())]]]})
            ids = Shipment.create(vals, context=ctx)
            for button in ("wait", "assign_force", "do"):
                Shipment.button(button, ids, context=ctx, accept_warnings=True)
        self.report.add("QC disposals", len(groups))

    def repairs(self) -> None:
        """The snapshot's units out for repair: done supplier return shipments out of the
        returns zone on their ``sent`` day to the first supplier of the item, reference
        ``repair due:<due>``, one per warehouse × supplier × sent × due."""
        net = self.net
        if not net.snapshot.repairs:
            return
        groups: dict[tuple[str, str, str, dt.date, dt.date], dict[tuple[str, str], int]] = (
            defaultdict(lambda: defaultdict(int)))
        for r in net.snapshot.repairs:
            supplier = next((s.id for s in net.suppliers
                             if r.item in {o.item for o in s.supplies}), None)
            if supplier is None:
                raise ErpError(f"{r.item} lot {r.lot} is out for repair but no supplier of the "
                               "network supplies it: the seeder sends repairs to one")
            groups[(self.org_of(r.warehouse), r.warehouse, supplier, r.sent, r.due)][
                (r.item, r.lot)] += r.quantity
        Shipment = self.c.model("stock.shipment.in.return")
        by_org: dict[str, list[Any]] = defaultdict(list)
        for key, lines in sorted(groups.items()):
            by_org[key[0]].append((key, lines))
        for org, rows in sorted(by_org.items()):
            ctx = self.ctx(org)
            cur = self.currency[net.org_by_id[org].currency]
            vals = []
            for (_, wh, supplier, sent, due), lines in rows:
                dst = self._supplier_location(supplier)
                vals.append({
                    "company": self.company[org], "supplier": self.party[supplier],
                    "from_location": self.returns_zone[wh], "to_location": dst,
                    "planned_date": sent, "effective_date": sent,
                    "reference": f"repair {REPAIR_DUE_PREFIX}{due}",
                    "moves": [["create", [{
                        "product": self.product[item], "lot": self.lot[(item, lot)],
                        "quantity": float(q), "unit": self.unit,
                        "from_location": self.returns_zone[wh], "to_location": dst,
                        "company": self.company[org], "planned_date": sent,
                        "effective_date": sent, "currency": cur,
                        "unit_price": money(net.item_by_code[item].unit_cost)}
                        for (item, lot), q in sorted(lines.items())]]]})
            ids = Shipment.create(vals, context=ctx)
            for button in ("wait", "assign_force", "do"):
                Shipment.button(button, ids, context=ctx, accept_warnings=True)
        self.report.add("repair shipments", len(groups))

    def _supplier_location(self, supplier: str) -> int:
        row, = self.c.model("party.party").read([self.party[supplier]], ["supplier_location"])
        return row["supplier_location"]

    def _customer_party(self, customer: str) -> int:
        """The party of a department code, or of the org of an interco code."""
        if customer.startswith(INTERCO_PREFIX):
            return self.org_party[customer.removeprefix(INTERCO_PREFIX)]
        return self.party[customer]

    def _customer_location(self, dept: str) -> int:
        if not hasattr(self, "_cust"):
            rows = self.c.model("stock.location").search_read(
                [("type", "=", "customer"), ("code", "!=", None)], ["code"])
            self._cust = {r["code"]: r["id"] for r in rows}
        return self._cust[dept]


def opening_date(net: Network, history_days: int) -> dt.date:
    """The day the opening inventory is recorded: before any history and any shipment."""
    snap = net.snapshot
    first = snap.as_of - dt.timedelta(days=history_days)
    for t in snap.in_transit:
        first = min(first, t.shipped)
    return first - dt.timedelta(days=1)


def seed_network(client: TrytonClient, net: Network, *, history_days: int = 0,
                 seed: int = 0, rows: SqliteRows | None = None) -> SeedReport:
    """Write ``net`` (master data, opening snapshot and optionally ``history_days`` of
    demand) into the empty database behind ``client``; with ``rows`` (the SQLite file of
    the server behind ``client``, which medtwin started) opening stock and history are
    copied from a prototype record each (:mod:`erp_adapter.tryton.rows`)."""
    started = time.monotonic()
    report = SeedReport(opening_date=opening_date(net, history_days))
    s = Seeder(client, net, report, rows)
    s.check_empty()
    issues = sample_history(net, history_days, seed) if history_days else []
    returns = sample_returns(net, issues, seed)
    disposals = quality_control(net, returns)
    steps: Iterable[tuple[str, Any]] = (
        ("currencies", s.currencies), ("companies", s.companies),
        ("warehouses", s.warehouses), ("products", s.products), ("suppliers", s.suppliers),
        ("departments", s.departments), ("order points", s.order_points),
        ("lots", lambda: s.lots(issues)),
        ("opening stock", lambda: s.opening_stock(issues, disposals, report.opening_date)),
        ("in transit", s.in_transit), ("purchase orders", s.purchase_orders),
        ("history", lambda: s.history(issues)),
        ("returns", lambda: s.returns(returns, disposals)),
        ("returned lots", lambda: s.returns(snapshot_returns(net), [])),
        ("repairs", s.repairs))
    for name, step in steps:
        t0 = time.monotonic()
        step()
        log.info("seed: %s in %.1f s", name, time.monotonic() - t0)
    report.seconds = time.monotonic() - started
    return report
