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
- the opening snapshot: lots with expiry dates, stock by an inventory per location,
  shipments in transit (an internal shipment inside one org, a sale paired with a
  purchase between orgs, both shipped on their ship date) and open purchase orders;
- optionally ``history_days`` of demand before the snapshot, sampled from the demand
  models and recorded as customer shipments to the departments (FEFO lots), with the
  stock they consumed added to the opening inventory — so the stock on the snapshot
  date is exactly the snapshot.
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

from erp_adapter.errors import ErpError
from erp_adapter.tryton.client import TrytonClient
from erp_adapter.tryton.mapping import (
    EMPLOYEE_PREFIX,
    GTIN_TYPE,
    INTERCO_PREFIX,
    QUARANTINE_SUFFIX,
    RESERVED_SUFFIX,
    days,
    department_code,
    money,
)
from twin.domain import DemandModel, Network

log = logging.getLogger(__name__)

BATCH = 200
LOT_REQUIRED = ["supplier", "customer", "lost_found", "storage"]


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


def chunks(seq: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    """``seq`` in slices of ``size``."""
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


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


class Seeder:
    """Writes one network into an empty Tryton database (see the module docstring)."""

    def __init__(self, client: TrytonClient, net: Network, report: SeedReport):
        self.c = client
        self.net = net
        self.report = report
        self.currency: dict[str, int] = {}
        self.company: dict[str, int] = {}
        self.org_party: dict[str, int] = {}
        self.org_address: dict[str, int] = {}
        self.wh: dict[str, int] = {}
        self.storage: dict[str, int] = {}
        self.status_loc: dict[tuple[str, str], int] = {}
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
        for w in self.net.warehouses:
            inp, sto = Location.create([
                {"name": f"{w.id} input", "code": f"{w.id}/IN", "type": "storage"},
                {"name": f"{w.id} storage", "code": f"{w.id}/STO", "type": "storage"}])
            wid, = Location.create([{
                "name": w.name or w.id, "code": w.id, "type": "warehouse",
                "input_location": inp, "output_location": sto, "storage_location": sto,
                "lost_found_location": lost_found[0] if lost_found else None,
                "address": self.org_address[w.org]}])
            qua, res = Location.create([
                {"name": f"{w.id} quarantine", "code": f"{w.id}{QUARANTINE_SUFFIX}",
                 "type": "storage", "parent": wid},
                {"name": f"{w.id} reserved", "code": f"{w.id}{RESERVED_SUFFIX}",
                 "type": "storage", "parent": wid}])
            self.wh[w.id], self.storage[w.id] = wid, sto
            self.status_loc.update({(w.id, "available"): sto, (w.id, "quarantine"): qua,
                                    (w.id, "reserved"): res})
        self.report.add("warehouses", len(self.net.warehouses))

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
            for cost, ids in by_cost.items():
                Product.write(ids, {"cost_price": money(cost)}, context=self.ctx(org))
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
        for row in (*snap.lots, *snap.in_transit, *issues):
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

    def opening_stock(self, issues: Sequence[Issue], opening: dt.date) -> None:
        snap = self.net.snapshot
        qty: dict[tuple[str, str], dict[tuple[str, str], int]] = defaultdict(
            lambda: defaultdict(int))
        for lp in snap.lots:
            qty[(lp.warehouse, lp.status)][(lp.item, lp.lot)] += lp.quantity
        for t in snap.in_transit:
            qty[(t.source, "available")][(t.item, t.lot)] += t.quantity
        for i in issues:
            qty[(i.warehouse, "available")][(i.item, i.lot)] += i.quantity
        Inventory = self.c.model("stock.inventory")
        lines = 0
        for (wh, status), by_lot in sorted(qty.items()):
            org = self.org_of(wh)
            inv, = Inventory.create([{
                "company": self.company[org], "location": self.status_loc[(wh, status)],
                "date": opening, "lines": [["create", [
                    {"product": self.product[item], "lot": self.lot[(item, lot)],
                     "quantity": float(q)} for (item, lot), q in sorted(by_lot.items())]]]}],
                context=self.ctx(org))
            Inventory.button("confirm", [inv], context=self.ctx(org), accept_warnings=True)
            lines += len(by_lot)
        self.report.add("opening stock lines", lines)

    def in_transit(self) -> None:
        net = self.net
        Shipment = self.c.model("stock.shipment.internal")
        transit = net.snapshot.in_transit
        inside = [t for t in transit if self.org_of(t.source) == self.org_of(t.target)]
        across = [t for t in transit if self.org_of(t.source) != self.org_of(t.target)]
        for t in inside:
            org = self.org_of(t.source)
            ctx = self.ctx(org)
            src, dst = self.storage[t.source], self.storage[t.target]
            sid, = Shipment.create([{
                "company": self.company[org], "from_location": src, "to_location": dst,
                "planned_start_date": t.shipped, "planned_date": t.eta,
                "reference": f"OPEN-{t.source}>{t.target}:{t.mode}",
                "moves": [["create", [{
                    "product": self.product[t.item], "lot": self.lot[(t.item, t.lot)],
                    "quantity": float(t.quantity), "unit": self.unit, "from_location": src,
                    "to_location": dst, "company": self.company[org],
                    "planned_date": t.shipped}]]]}], context=ctx)
            for button in ("wait", "assign_force", "pack"):
                Shipment.button(button, [sid], context=ctx, accept_warnings=True)
            Shipment.write([sid], {"effective_start_date": t.shipped}, context=ctx)
            Shipment.button("ship", [sid], context=ctx, accept_warnings=True)
        for n, t in enumerate(across, 1):
            self._transfer_between_orgs(t.source, t.target, t.item, t.lot, t.quantity,
                                        t.shipped, t.eta, f"OPEN-{t.source}>{t.target}:{t.mode}"
                                        f"-{n}")
        self.report.add("shipments in transit", len(inside) + len(across))

    def _transfer_between_orgs(self, source: str, target: str, item: str, lot: str,
                               quantity: int, shipped: dt.date, eta: dt.date,
                               reference: str) -> None:
        net = self.net
        src_org, dst_org = self.org_of(source), self.org_of(target)
        price = money(net.item_by_code[item].unit_cost
                      * (1 + net.org_by_id[src_org].transfer_markup))
        Sale = self.c.model("sale.sale")
        sctx = self.ctx(src_org)
        sale, = Sale.create([{
            "company": self.company[src_org], "party": self.org_party[dst_org],
            "invoice_address": self.org_address[dst_org],
            "shipment_address": self.org_address[dst_org], "warehouse": self.wh[source],
            "currency": self.currency[net.org_by_id[src_org].currency],
            "reference": reference, "invoice_method": "manual", "shipment_method": "order",
            "sale_date": shipped, "shipping_date": shipped,
            "lines": [["create", [{"type": "line", "product": self.product[item],
                                   "quantity": float(quantity), "unit": self.unit,
                                   "unit_price": price}]]]}], context=sctx)
        Sale.button("quote", [sale], context=sctx)
        Sale.button("confirm", [sale], context=sctx)
        row, = Sale.read([sale], ["shipments", "moves"], context=sctx)
        self.c.model("stock.move").write(row["moves"], {"lot": self.lot[(item, lot)]},
                                         context=sctx)
        Out = self.c.model("stock.shipment.out")
        Out.write(row["shipments"], {"effective_date": shipped}, context=sctx)
        for button in ("assign_force", "pack", "do"):
            Out.button(button, row["shipments"], context=sctx, accept_warnings=True)
        Purchase = self.c.model("purchase.purchase")
        pctx = self.ctx(dst_org)
        purchase, = Purchase.create([{
            "company": self.company[dst_org], "party": self.org_party[src_org],
            "invoice_address": self.org_address[src_org], "warehouse": self.wh[target],
            "currency": self.currency[net.org_by_id[dst_org].currency],
            "reference": reference, "invoice_method": "manual", "purchase_date": shipped,
            "lines": [["create", [{"type": "line", "product": self.product[item],
                                   "quantity": float(quantity), "unit": self.unit,
                                   "unit_price": price, "delivery_date_edit": True,
                                   "delivery_date_store": eta}]]]}], context=pctx)
        Purchase.button("quote", [purchase], context=pctx)
        Purchase.button("confirm", [purchase], context=pctx)

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
        """Customer shipments, one per day × warehouse × department, done on their day."""
        net = self.net
        groups: dict[tuple[dt.date, str, str], dict[tuple[str, str], int]] = defaultdict(
            lambda: defaultdict(int))
        for i in issues:
            groups[(i.day, i.warehouse, department_code(i.hospital, i.department))][
                (i.item, i.lot)] += i.quantity
        by_org: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for (day, wh, dept), lines in sorted(groups.items()):
            org = self.org_of(wh)
            cur = self.currency[net.org_by_id[org].currency]
            loc = self.storage[wh]
            by_org[org].append({
                "company": self.company[org], "customer": self.party[dept],
                "delivery_address": self.address[dept], "warehouse": self.wh[wh],
                "warehouse_storage": loc, "warehouse_output": loc,
                "planned_date": day, "effective_date": day, "reference": f"DEMAND-{day}",
                "outgoing_moves": [["create", [{
                    "product": self.product[item], "lot": self.lot[(item, lot)],
                    "quantity": float(q), "unit": self.unit, "from_location": loc,
                    "to_location": self._customer_location(dept), "company": self.company[org],
                    "planned_date": day, "unit_price": money(net.item_by_code[item].unit_cost),
                    "currency": cur} for (item, lot), q in sorted(lines.items())]]]})
        Out = self.c.model("stock.shipment.out")
        n = 0
        for org, vals in by_org.items():
            ctx = self.ctx(org)
            for batch in chunks(vals, 100):
                ids = Out.create(batch, context=ctx)
                for button in ("wait", "assign_force", "pack", "do"):
                    Out.button(button, ids, context=ctx, accept_warnings=True)
                n += len(ids)
        self.report.add("customer shipments", n)
        self.report.add("demand moves", sum(len(v) for v in groups.values()))

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
                 seed: int = 0) -> SeedReport:
    """Write ``net`` (master data, opening snapshot and optionally ``history_days`` of
    demand) into the empty database behind ``client``."""
    started = time.monotonic()
    report = SeedReport(opening_date=opening_date(net, history_days))
    s = Seeder(client, net, report)
    s.check_empty()
    issues = sample_history(net, history_days, seed) if history_days else []
    steps: Iterable[tuple[str, Any]] = (
        ("currencies", s.currencies), ("companies", s.companies),
        ("warehouses", s.warehouses), ("products", s.products), ("suppliers", s.suppliers),
        ("departments", s.departments), ("order points", s.order_points),
        ("lots", lambda: s.lots(issues)),
        ("opening stock", lambda: s.opening_stock(issues, report.opening_date)),
        ("in transit", s.in_transit), ("purchase orders", s.purchase_orders),
        ("history", lambda: s.history(issues)))
    for name, step in steps:
        t0 = time.monotonic()
        step()
        log.info("seed: %s in %.1f s", name, time.monotonic() - t0)
    report.seconds = time.monotonic() - started
    return report
