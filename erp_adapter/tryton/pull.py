"""Reading a snapshot, demand history and master data out of Tryton.

Stock on hand is Tryton's own quantity per lot and location (``stock.lot.quantity`` with
the ``locations``/``stock_date_end``/``company`` context), one call per warehouse zone, so
the pull does not scan the move history. Everything is translated to domain ids with the
codes of :mod:`erp_adapter.tryton.mapping`; a record that maps to nothing on our side is
skipped with a warning, never guessed.
"""

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from erp_adapter.protocol import DemandRecord, ReturnRecord, StockMovement
from erp_adapter.tryton.client import TrytonClient
from erp_adapter.tryton.mapping import (
    GTIN_TYPE,
    INTERCO_PREFIX,
    REPAIR_DUE_PREFIX,
    RETURN_PREFIX,
    Location,
    Sites,
    split_department,
    whole,
)
from erp_adapter.tryton.quality import ItemFacts, LotRow, check_lots
from twin.domain import Alert, InTransit, LotPosition, Network, PurchaseOrder, Snapshot
from twin.domain.returns import InRepair, ReturnedLot

log = logging.getLogger(__name__)

ZONES = (("available", "storage"), ("quarantine", "quarantine"), ("reserved", "reserved"))
LOGGED = 20  # pull warnings logged; all are kept in the notes
LOT_FIELDS = ["id", "number", "product", "expiration_date", "shelf_life_expiration_date",
              "quantity"]
REASONS = ("unused", "near_expiry", "defective", "recalled")
RETURN_SHIPMENT = "stock.shipment.out.return"


@dataclass
class PullNotes:
    """What a pull skipped or adjusted (warnings: records that map to nothing on our
    side; alerts: data-quality findings), for the log and the pull report."""

    warnings: list[str] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)

    def warn(self, message: str) -> None:
        """Record ``message``; log the first :data:`LOGGED` of them (a pull against the
        wrong network would otherwise log one line per record)."""
        self.warnings.append(message)
        if len(self.warnings) <= LOGGED:
            log.warning(message)
        elif len(self.warnings) == LOGGED + 1:
            log.warning("more pull warnings are recorded in the pull notes, not logged")


def _chunks(ids: list[int], size: int = 2000) -> Iterable[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


class Puller:
    """Pulls one network's view of a Tryton database."""

    def __init__(self, client: TrytonClient, sites: Sites, net: Network):
        self.c = client
        self.sites = sites
        self.net = net
        self.notes = PullNotes()
        self.wh_of_id = {v: k for k, v in sites.warehouse.items()}
        self.departments = {(h.id, d.id) for h in net.hospitals for d in h.departments}

    def server_today(self) -> dt.date:
        """The ERP's today (Tryton computes stock after today as a forecast)."""
        return self.c.today()

    def _company(self, warehouse: str) -> int | None:
        return self.sites.org_company.get(self.net.warehouse_by_id[warehouse].org)

    def _lane_mode(self, source: str, target: str, transit: dt.timedelta | None) -> str | None:
        lanes = [ln for ln in self.net.lanes if ln.source == source and ln.target == target]
        if not lanes:
            return None
        if len(lanes) == 1 or transit is None:
            return lanes[0].mode
        want = transit.days
        return min(lanes, key=lambda ln: abs(ln.transit_time.mean - want)).mode

    def _read(self, model: str, ids: list[int], fields: list[str]) -> dict[int, dict[str, Any]]:
        out: dict[int, dict[str, Any]] = {}
        for chunk in _chunks(sorted(set(ids))):
            for row in self.c.model(model).read(chunk, fields):
                out[row["id"]] = row
        return out

    # -- stock on hand ---------------------------------------------------------------------
    def lots(self, as_of: dt.date, stock_end: dt.date) -> list[LotPosition]:
        """Lot positions of every warehouse zone, after the data-quality checks of
        :mod:`erp_adapter.tryton.quality` (their alerts go to the notes)."""
        rows: list[LotRow] = []
        zone_ids = {"storage": self.sites.storage, "quarantine": self.sites.quarantine,
                    "reserved": self.sites.reserved}
        for w in self.net.warehouses:
            company = self._company(w.id)
            if w.id not in self.sites.warehouse or company is None:
                self.notes.warn(f"warehouse {w.id} (org {w.org}) is not in the ERP; no stock "
                                "pulled for it")
                continue
            for status, zone in ZONES:
                loc = zone_ids[zone].get(w.id)
                if loc is None:
                    continue
                found = self.c.model("stock.lot").search_read(
                    [("quantity", "!=", 0)], LOT_FIELDS, context={
                        "locations": [loc], "stock_date_end": stock_end, "company": company})
                rows += self._network_rows(w.id, status, found)
        positions, alerts = check_lots(rows, self.item_facts(), self.net, as_of)
        self.notes.alerts += alerts
        return positions

    def _network_rows(self, wh: str, status: str, rows: list[dict[str, Any]]) -> list[LotRow]:
        out = []
        for r in rows:
            item = self.sites.item_of_product.get(r["product"])
            if item is None or item not in self.net.item_by_code:
                self.notes.warn(f"lot {r['number']} at {wh}: product {r['product']} is no item "
                                "of the network; skipped")
                continue
            out.append(LotRow(wh, status, item, r))
        return out

    def item_facts(self) -> dict[str, ItemFacts]:
        """Unit symbol and supplier offers of the network's items, as the ERP holds them."""
        products = {self.sites.product[i.code]: i.code for i in self.net.items
                    if i.code in self.sites.product}
        rows = self._read("product.product", list(products), ["template", "default_uom.symbol"])
        offers = self.c.model("purchase.product_supplier").search_read(
            [("template", "in", sorted({r["template"] for r in rows.values()}))],
            ["template", "product"])
        offered = {(o["template"], o["product"]) for o in offers}
        return {item: ItemFacts(
            product=pid, unit=(rows[pid].get("default_uom.") or {}).get("symbol"),
            has_supplier=bool({(rows[pid]["template"], None), (rows[pid]["template"], pid)}
                              & offered)) for pid, item in products.items()}

    # -- in transit ------------------------------------------------------------------------
    def internal_in_transit(self, as_of: dt.date) -> list[InTransit]:
        """Internal shipments between two warehouses sent by ``as_of`` and not received
        before it."""
        rows = self.c.model("stock.shipment.internal").search_read(
            [("effective_start_date", "<=", as_of),
             ["OR", ("state", "=", "shipped"),
              [("state", "=", "done"), ("effective_date", ">=", as_of)]]],
            ["id", "from_location", "to_location", "effective_start_date", "planned_date",
             "incoming_moves", "reference"])
        moves = self._read("stock.move", [m for r in rows for m in r["incoming_moves"]],
                           ["product", "lot", "lot.number", "lot.expiration_date", "quantity",
                            "planned_date", "state"])
        out = []
        for r in rows:
            src = self.sites.locations.get(r["from_location"])
            dst = self.sites.locations.get(r["to_location"])
            source, target = (src.warehouse if src else None), (dst.warehouse if dst else None)
            if source is None or target is None or source == target:
                continue
            for mid in r["incoming_moves"]:
                m = moves[mid]
                t = self._transit(source, target, m["product"], m.get("lot."), m["quantity"],
                                  r["effective_start_date"], m["planned_date"] or r["planned_date"],
                                  f"internal shipment {r['id']}")
                if t is not None:
                    out.append(t)
        return out

    def _transit(self, source: str, target: str, product: int, lot: dict[str, Any] | None,
                 quantity: float, shipped: dt.date, eta: dt.date | None,
                 what: str) -> InTransit | None:
        item = self.sites.item_of_product.get(product)
        if item not in self.net.item_by_code:
            self.notes.warn(f"{what}: product {product} is no item of the network; skipped")
            return None
        if not lot or not lot.get("number") or not lot.get("expiration_date"):
            self.notes.warn(f"{what}: {item} travels without a lot or expiry date; skipped")
            return None
        eta = max(eta or shipped, shipped)
        mode = self._lane_mode(source, target, eta - shipped)
        if mode is None:
            self.notes.warn(f"{what}: no lane {source}>{target} in the network; skipped")
            return None
        return InTransit(**{"from": source, "to": target}, mode=mode, item=item,
                         lot=lot["number"], expiry=lot["expiration_date"],
                         quantity=whole(quantity), shipped=shipped, eta=eta)

    def interco_in_transit(self, as_of: dt.date) -> list[InTransit]:
        """Sales to a sister org shipped by ``as_of`` whose paired purchase (same reference)
        has not received them before it."""
        parties = sorted(self.sites.company_parties)
        sales = self.c.model("sale.sale").search_read(
            [("party", "in", parties), ("state", "in", ["processing", "done"]),
             ("reference", "!=", None), ("sale_date", "<=", as_of),
             ("sale_date", ">=", as_of - dt.timedelta(days=365))],
            ["id", "reference", "warehouse", "moves"])
        if not sales:
            return []
        purchases = self.c.model("purchase.purchase").search_read(
            [("party", "in", parties), ("reference", "in", [s["reference"] for s in sales]),
             ("state", "in", ["processing", "done"])],
            ["id", "reference", "warehouse", "moves", "lines"])
        by_ref = {p["reference"]: p for p in purchases}
        plines = self._read("purchase.line", [ln for p in purchases for ln in p["lines"]],
                            ["delivery_date", "delivery_date_store"])
        smoves = self._read("stock.move", [m for s in sales for m in s["moves"]],
                            ["product", "lot.number", "lot.expiration_date", "quantity", "state",
                             "effective_date", "to_location"])
        pmoves = self._read("stock.move", [m for p in purchases for m in p["moves"]],
                            ["quantity", "state", "effective_date", "planned_date"])
        out = []
        for s in sales:
            p = by_ref.get(s["reference"])
            source = self.wh_of_id.get(s["warehouse"])
            if p is None or source is None:
                if p is None:
                    self.notes.warn(f"sale {s['reference']} to a sister org has no paired "
                                    "purchase; not counted in transit")
                continue
            target = self.wh_of_id.get(p["warehouse"])
            received = sum(pmoves[m]["quantity"] for m in p["moves"]
                           if pmoves[m]["state"] == "done" and pmoves[m]["effective_date"] < as_of)
            pending = [pmoves[m] for m in p["moves"] if not (
                pmoves[m]["state"] == "done" and pmoves[m]["effective_date"] < as_of)
                and pmoves[m]["state"] != "cancelled"]
            if target is None or not pending:
                continue
            eta = min((d for d in (_promised(plines[ln]) for ln in p["lines"]) if d),
                      default=None) or min(
                (m["planned_date"] for m in pending if m["planned_date"]), default=None)
            shipped = [smoves[m] for m in s["moves"] if smoves[m]["state"] == "done"
                       and smoves[m]["effective_date"] and smoves[m]["effective_date"] <= as_of]
            for m in sorted(shipped, key=lambda m: m["effective_date"]):
                qty = m["quantity"] - received
                received = max(0.0, received - m["quantity"])
                if qty <= 0:
                    continue
                lot = {"number": (m.get("lot.") or {}).get("number"),
                       "expiration_date": (m.get("lot.") or {}).get("expiration_date")}
                t = self._transit(source, target, m["product"], lot, qty, m["effective_date"],
                                  eta, f"sale {s['reference']}")
                if t is not None:
                    out.append(t)
        return out

    # -- open purchase orders --------------------------------------------------------------
    def purchase_orders(self, as_of: dt.date) -> list[PurchaseOrder]:
        """Supplier purchase lines ordered before ``as_of`` and not fully received by then."""
        purchases = self.c.model("purchase.purchase").search_read(
            [("state", "in", ["confirmed", "processing"]),
             ("party", "not in", sorted(self.sites.company_parties)),
             ("purchase_date", "<", as_of)],
            ["id", "number", "reference", "party", "warehouse", "purchase_date", "lines"])
        lines = self._read("purchase.line", [ln for p in purchases for ln in p["lines"]],
                           ["type", "product", "quantity", "moves", "delivery_date",
                            "delivery_date_store"])
        moves = self._read("stock.move", [m for ln in lines.values() for m in ln["moves"]],
                           ["quantity", "state", "effective_date", "planned_date"])
        out = []
        for p in purchases:
            supplier = self.sites.party_code.get(p["party"])
            wh = self.wh_of_id.get(p["warehouse"])
            label = p["reference"] or p["number"]
            if supplier not in self.net.supplier_by_id or wh is None:
                self.notes.warn(f"purchase {label}: supplier {supplier} or warehouse not in the "
                                "network; skipped")
                continue
            goods = [lines[i] for i in p["lines"] if lines[i]["type"] == "line"
                     and lines[i]["product"]]
            for n, ln in enumerate(goods, 1):
                item = self.sites.item_of_product.get(ln["product"])
                done = sum(moves[m]["quantity"] for m in ln["moves"]
                           if moves[m]["state"] == "done" and moves[m]["effective_date"] < as_of)
                left = whole(ln["quantity"] - done)
                if item not in self.net.item_by_code or left <= 0:
                    continue
                due = _promised(ln) or min(
                    (moves[m]["planned_date"] for m in ln["moves"] if moves[m]["planned_date"]),
                    default=p["purchase_date"])
                po_id = label if len(goods) == 1 else f"{label}-{n}"
                out.append(PurchaseOrder(id=po_id, supplier=supplier, item=item, warehouse=wh,
                                         quantity=left, ordered=p["purchase_date"],
                                         due=max(due, p["purchase_date"])))
        return out

    # -- the whole snapshot ----------------------------------------------------------------
    def snapshot(self, as_of: dt.date) -> Snapshot:
        """Stock at the start of ``as_of``: moves done up to the day before, except that
        what is dispatched on ``as_of`` already counts as in transit (as in the twin's
        snapshots, where a shipment may leave on the snapshot date)."""
        stock_end = as_of - dt.timedelta(days=1)
        if stock_end > self.server_today():
            log.info("as of %s is after the ERP's today: its stock includes planned moves",
                     as_of)
        transit = self.internal_in_transit(as_of) + self.interco_in_transit(as_of)
        lots = self._dispatched_today(self.lots(as_of, stock_end), transit, as_of)
        return Snapshot(as_of=as_of, lots=lots, in_transit=transit,
                        purchase_orders=self.purchase_orders(as_of),
                        returns=self.returned_lots(stock_end), repairs=self.repairs(stock_end))

    def _dispatched_today(self, lots: list[LotPosition], transit: list[InTransit],
                          as_of: dt.date) -> list[LotPosition]:
        """``lots`` less what left on ``as_of`` (it is in ``transit``)."""
        left: dict[tuple[str, str, str], int] = defaultdict(int)
        for t in transit:
            if t.shipped == as_of:
                left[(t.source, t.item, t.lot)] += t.quantity
        out = []
        for lp in lots:
            key = (lp.warehouse, lp.item, lp.lot)
            take = min(left.get(key, 0), lp.quantity) if lp.status == "available" else 0
            left[key] = left.get(key, 0) - take
            if lp.quantity > take:
                out.append(lp.model_copy(update={"quantity": lp.quantity - take}))
        for (wh, item, lot), qty in left.items():
            if qty > 0:
                self.notes.warn(f"{qty} units of {item} lot {lot} left {wh} on {as_of} but "
                                "were not in its stock the day before")
        return out

    # -- demand history --------------------------------------------------------------------
    def history(self, since: dt.date, until: dt.date) -> list[DemandRecord]:
        """Done moves into hospital-department customer locations on ``since``…``until``."""
        rows = self.c.model("stock.move").search_read(
            [("state", "=", "done"), ("effective_date", ">=", since),
             ("effective_date", "<=", until), ("to_location.type", "=", "customer")],
            ["effective_date", "product", "lot.number", "quantity", "from_location",
             "to_location"], order=[("effective_date", "ASC"), ("id", "ASC")])
        out = []
        for r in rows:
            dest = self.sites.locations.get(r["to_location"])
            src = self.sites.locations.get(r["from_location"])
            if dest is None or (dest.code or "").startswith(INTERCO_PREFIX):
                continue  # a sale to a sister org is a transfer, not demand
            hospital, department = split_department(dest.code or dest.name)
            item = self.sites.item_of_product.get(r["product"])
            if src is None or src.warehouse is None or item is None:
                self.notes.warn(f"customer move on {r['effective_date']} from location "
                                f"{r['from_location']} maps to no warehouse/item; skipped")
                continue
            if (hospital, department) not in self.departments:
                self.notes.warn(f"customer move on {r['effective_date']} to {hospital}/"
                                f"{department}, no department of the network; skipped")
                continue
            out.append(DemandRecord(date=r["effective_date"], warehouse=src.warehouse,
                                    hospital=hospital, department=department, item=item,
                                    lot=(r.get("lot.") or {}).get("number") or "",
                                    quantity=whole(r["quantity"])))
        return out

    # -- customer returns ------------------------------------------------------------------
    def _return_moves(self, domain: list[Any]) -> list[dict[str, Any]]:
        """Done incoming moves of customer return shipments matching ``domain``, with
        their shipment's ``reference``, ``customer`` and ``warehouse`` (``shipment.``) and
        the day of the customer move they return (``issued``: their ``origin``'s)."""
        moves = self.c.model("stock.move").search_read(
            [("state", "=", "done"), ("shipment", "like", f"{RETURN_SHIPMENT},%"),
             ("from_location.type", "=", "customer"), *domain],
            ["effective_date", "product", "lot", "lot.number", "lot.expiration_date",
             "quantity", "to_location", "shipment", "origin"],
            order=[("effective_date", "ASC"), ("id", "ASC")])
        ships = self._read(RETURN_SHIPMENT, [_ref_id(m["shipment"]) for m in moves],
                           ["reference", "customer", "warehouse"])
        issues = self._read("stock.move", [_ref_id(m["origin"]) for m in moves
                                           if (m["origin"] or "").startswith("stock.move,")],
                            ["effective_date"])
        for m in moves:
            m["shipment."] = ships[_ref_id(m["shipment"])]
            origin = m["origin"] or ""
            m["issued"] = (issues.get(_ref_id(origin), {}).get("effective_date")
                           if origin.startswith("stock.move,") else None)
        return moves

    def _reason(self, move: dict[str, Any]) -> str | None:
        """The return reason in the move's shipment reference (warned and None if none)."""
        ref = move["shipment."].get("reference") or ""
        reason = ref.removeprefix(RETURN_PREFIX)
        if not ref.startswith(RETURN_PREFIX) or reason not in REASONS:
            self.notes.warn(f"customer return on {move['effective_date']} has reference "
                            f"{ref!r}, not {RETURN_PREFIX}<{'|'.join(REASONS)}>; skipped")
            return None
        return reason

    def returns(self, since: dt.date, until: dt.date) -> list[ReturnRecord]:
        """Units received from hospital departments by customer return shipments on
        ``since``…``until``, with the reason in the shipment's reference."""
        out = []
        for m in self._return_moves([("effective_date", ">=", since),
                                     ("effective_date", "<=", until)]):
            party = m["shipment."]["customer"]
            if party in self.sites.company_parties:
                continue  # from a sister org, not from a hospital
            code = self.sites.party_code.get(party)
            hospital, department = split_department(code)
            wh = self.wh_of_id.get(m["shipment."]["warehouse"])
            item = self.sites.item_of_product.get(m["product"])
            reason = self._reason(m)
            if reason is None:
                continue
            if wh is None or item is None or (hospital, department) not in self.departments:
                self.notes.warn(f"customer return on {m['effective_date']} from {code} to "
                                f"location {m['to_location']} maps to no department, "
                                "warehouse or item of the network; skipped")
                continue
            out.append(ReturnRecord(date=m["effective_date"], warehouse=wh, hospital=hospital,
                                    department=department, item=item,
                                    lot=(m.get("lot.") or {}).get("number") or "",
                                    quantity=whole(m["quantity"]), reason=reason,
                                    issued=m["issued"]))
        return out

    def returned_lots(self, stock_end: dt.date) -> list[ReturnedLot]:
        """Stock in the warehouses' returns zones at the end of ``stock_end``, by the
        return shipments that brought it: a lot's units are the latest received ones
        (QC takes the oldest first, by arrival day then record id), so each part keeps
        its reason, arrival day and hospital."""
        out: list[ReturnedLot] = []
        for w in self.net.warehouses:
            loc, company = self.sites.returns.get(w.id), self._company(w.id)
            if loc is None or company is None:
                continue
            held = self.c.model("stock.lot").search_read(
                [("quantity", "!=", 0)], ["id", "number", "product", "quantity"], context={
                    "locations": [loc], "stock_date_end": stock_end, "company": company})
            if not held:
                continue
            moves = self._return_moves([("to_location", "=", loc),
                                        ("effective_date", "<=", stock_end),
                                        ("lot", "in", [r["id"] for r in held])])
            for lot in held:
                out += self._returned_parts(w.id, lot, [m for m in moves
                                                        if m["lot"] == lot["id"]])
        return sorted(out, key=lambda r: (r.warehouse, r.item, r.lot, r.received, r.reason))

    def _returned_parts(self, wh: str, lot: dict[str, Any], moves: list[dict[str, Any]]
                        ) -> list[ReturnedLot]:
        item = self.sites.item_of_product.get(lot["product"])
        left = whole(lot["quantity"])
        if item not in self.net.item_by_code or left < 0:
            self.notes.warn(f"{left} units of lot {lot['number']} in the {wh} returns zone: "
                            "no item of the network, or negative; skipped")
            return []
        out = []
        for m in reversed(moves):  # newest first
            reason = self._reason(m)
            take = min(left, whole(m["quantity"]))
            expiry = (m.get("lot.") or {}).get("expiration_date")
            if reason is None or take <= 0 or expiry is None:
                continue
            hospital, _ = split_department(self.sites.party_code.get(m["shipment."]["customer"]))
            out.append(ReturnedLot(
                warehouse=wh, item=item, lot=lot["number"],
                expiry=expiry, quantity=take,
                reason=reason, received=m["effective_date"],
                hospital=hospital if hospital in self.net.hospital_by_id else None))
            left -= take
        if left > 0:
            self.notes.warn(f"{left} units of {item} lot {lot['number']} in the {wh} returns "
                            "zone came by no customer return; skipped")
        return out[::-1]

    def repairs(self, stock_end: dt.date) -> list[InRepair]:
        """Units out for repair at the end of ``stock_end``: done supplier return shipments
        out of a returns zone (sent on their effective day, due on the ``due:`` date of
        their reference), less the units of the same lot received back from that supplier
        location into the warehouse since (the oldest sent come back first)."""
        zones = {loc: wh for wh, loc in self.sites.returns.items()
                 if wh in self.net.warehouse_by_id}
        if not zones:
            return []
        fields = ["effective_date", "product", "lot", "lot.number", "lot.expiration_date",
                  "quantity", "from_location", "to_location", "shipment"]
        sent = self.c.model("stock.move").search_read(
            [("state", "=", "done"), ("shipment", "like", "stock.shipment.in.return,%"),
             ("from_location", "in", sorted(zones)), ("effective_date", "<=", stock_end)],
            fields, order=[("effective_date", "ASC"), ("id", "ASC")])
        if not sent:
            return []
        refs = self._read("stock.shipment.in.return", [_ref_id(m["shipment"]) for m in sent],
                          ["reference"])
        back: dict[tuple[int, int, str], list[list[Any]]] = defaultdict(list)
        for b in self.c.model("stock.move").search_read(
                [("state", "=", "done"), ("from_location.type", "=", "supplier"),
                 ("lot", "in", sorted({m["lot"] for m in sent if m["lot"]})),
                 ("effective_date", "<=", stock_end)], fields,
                order=[("effective_date", "ASC"), ("id", "ASC")]):
            dst = _stock_of(self.sites.locations.get(b["to_location"]))
            if dst is not None:
                back[(b["lot"], b["from_location"], dst)].append(
                    [b["effective_date"], b["quantity"]])
        out = []
        for m in sent:
            wh = zones[m["from_location"]]
            left = m["quantity"]
            for b in back[(m["lot"], m["to_location"], wh)]:
                if b[0] >= m["effective_date"] and left > 0:
                    take = min(left, b[1])
                    b[1] -= take
                    left -= take
            item = self.sites.item_of_product.get(m["product"])
            lot = m.get("lot.") or {}
            if whole(left) <= 0:
                continue
            if item not in self.net.item_by_code or not lot.get("expiration_date"):
                self.notes.warn(f"{whole(left)} units out for repair from {wh} on "
                                f"{m['effective_date']}: no item of the network or no lot "
                                "expiry; skipped")
                continue
            due = _due(refs[_ref_id(m["shipment"])].get("reference") or "")
            if due is None:
                self.notes.warn(f"units of {item} lot {lot['number']} out for repair from {wh} "
                                f"since {m['effective_date']} have no due date (no "
                                f"{REPAIR_DUE_PREFIX}<date> in the reference); counted as due "
                                "on the day sent")
            out.append(InRepair(warehouse=wh, item=item, lot=lot["number"],
                                expiry=lot["expiration_date"], quantity=whole(left),
                                sent=m["effective_date"], due=due or m["effective_date"]))
        return out

    # -- other stock movements -------------------------------------------------------------
    def movements(self, since: dt.date, until: dt.date) -> list[StockMovement]:
        """Done moves on ``since``…``until`` into or out of the network's warehouses that
        are not demand (see :class:`StockMovement`); moves between the zones of one
        warehouse change no warehouse's stock and are left out. A move between two
        warehouses is a dispatch of one and a receipt of the other. Returned units count
        as a ``return`` when QC restocks them out of the returns zone (the zone's units
        are no stock of the warehouse; those scrapped never were)."""
        rows = self.c.model("stock.move").search_read(
            [("state", "=", "done"), ("effective_date", ">=", since),
             ("effective_date", "<=", until),
             ["OR", ("to_location.type", "!=", "customer"),
              ("to_location.code", "like", f"{INTERCO_PREFIX}%")]],
            ["effective_date", "product", "lot.number", "quantity", "from_location",
             "to_location"], order=[("effective_date", "ASC"), ("id", "ASC")])
        out = []
        for r in rows:
            src = self.sites.locations.get(r["from_location"])
            dst = self.sites.locations.get(r["to_location"])
            into, out_of = _stock_of(dst), _stock_of(src)
            if into == out_of:
                continue  # inside one warehouse, or outside every warehouse
            item = self.sites.item_of_product.get(r["product"])
            if item is None or item not in self.net.item_by_code:
                self.notes.warn(f"move on {r['effective_date']}: product {r['product']} is no "
                                "item of the network; skipped")
                continue
            lot = (r.get("lot.") or {}).get("number") or ""
            for wh, sign, other in ((into, 1, src), (out_of, -1, dst)):
                if wh is not None and wh in self.net.warehouse_by_id:
                    out.append(StockMovement(
                        date=r["effective_date"], warehouse=wh, item=item, lot=lot,
                        quantity=sign * whole(r["quantity"]), kind=_movement_kind(sign, other)))
        return out

    # -- master data -----------------------------------------------------------------------
    def master(self) -> dict[str, list[dict[str, Any]]]:
        """Orgs, warehouses and items as the ERP has them (with our org tree on top)."""
        orgs = [{"id": org, "name": self.sites.org_name.get(org, org),
                 "parent": (self.net.org_by_id[org].parent if org in self.net.org_by_id
                            else None), "erp_company": cid}
                for org, cid in sorted(self.sites.org_company.items())]
        whs = [{"id": code, "name": self.sites.warehouse_name.get(code, code),
                "org": (self.net.warehouse_by_id[code].org if code in self.net.warehouse_by_id
                        else self.sites.warehouse_org.get(code)),
                "erp_owner": self.sites.warehouse_org.get(code), "erp_location": lid}
               for code, lid in sorted(self.sites.warehouse.items())]
        products = self.c.model("product.product").search_read(
            [("code", "!=", None)], ["id", "code", "name", "identifiers", "default_uom.symbol",
                                     "template.shelf_life_time", "template.lot_required"])
        idents = self._read("product.identifier", [i for p in products for i in p["identifiers"]],
                            ["type", "code"])
        org = next((o.id for o in self.net.orgs if o.parent is None), None)
        costs: dict[int, Any] = {}
        if org in self.sites.org_company:
            for chunk in _chunks([p["id"] for p in products]):
                for r in self.c.model("product.product").read(
                        chunk, ["cost_price"], context={"company": self.sites.org_company[org]}):
                    costs[r["id"]] = r["cost_price"]
        items = []
        for p in products:
            gtins = [idents[i]["code"] for i in p["identifiers"] if idents[i]["type"] == GTIN_TYPE]
            tpl = p.get("template.") or {}
            items.append({
                "code": p["code"], "description": p["name"], "gtin": gtins[0] if gtins else "",
                "unit": (p.get("default_uom.") or {}).get("symbol"),
                "unit_cost": float(costs[p["id"]]) if costs.get(p["id"]) is not None else None,
                "shelf_life_days": tpl.get("shelf_life_time"),
                "lot_tracked": "storage" in (tpl.get("lot_required") or []),
                "erp_product": p["id"]})
        return {"orgs": orgs, "warehouses": whs, "items": items}

    def reconcile(self, master: dict[str, list[dict[str, Any]]]) -> list[str]:
        """Differences between the ERP's master data and the network's."""
        out = []
        erp_items = {i["code"]: i for i in master["items"]}
        for it in self.net.items:
            erp = erp_items.get(it.code)
            if erp is None:
                out.append(f"item {it.code} is not in the ERP")
            elif erp["gtin"] != it.gtin:
                out.append(f"item {it.code}: GTIN {erp['gtin'] or '(none)'} in the ERP, "
                           f"{it.gtin} in the network")
        for w in self.net.warehouses:
            if w.id not in self.sites.warehouse:
                out.append(f"warehouse {w.id} is not in the ERP")
            elif self.sites.warehouse_org.get(w.id) not in (None, w.org):
                out.append(f"warehouse {w.id}: its ERP address belongs to org "
                           f"{self.sites.warehouse_org[w.id]}, the network says {w.org}")
        for o in self.net.orgs:
            if o.id not in self.sites.org_company:
                out.append(f"org {o.id} has no company in the ERP")
        return out


def _stock_of(loc: Location | None) -> str | None:
    """The warehouse whose stock ``loc`` holds: none for a returns zone, whose units count
    once QC restocks them."""
    return None if loc is None or loc.role == "returns" else loc.warehouse


def _movement_kind(sign: int, other: Location | None) -> str:
    """What a move into (``sign`` 1) or out of (−1) a warehouse is, by the location at its
    other end."""
    if other is not None and other.role == "returns":
        return "return"
    if other is not None and other.type == "lost_found":
        return "adjustment"
    if (sign > 0 and other is not None and other.type == "customer"
            and not (other.code or "").startswith(INTERCO_PREFIX)):
        return "return"
    return "receipt" if sign > 0 else "dispatch"


def _due(reference: str) -> dt.date | None:
    """The date of the ``due:<ISO date>`` token of ``reference``; None if it has none."""
    for token in reference.split():
        if token.startswith(REPAIR_DUE_PREFIX):
            try:
                return dt.date.fromisoformat(token.removeprefix(REPAIR_DUE_PREFIX))
            except ValueError:
                return None
    return None


def _ref_id(reference: str) -> int:
    """The record id of a Tryton reference value ``model,id``."""
    return int(reference.split(",")[1])


def _promised(line: dict[str, Any]) -> dt.date | None:
    """A purchase line's promised delivery date. Tryton drops a planned date that is
    already before its today from the line's moves, but keeps it on the line."""
    return line.get("delivery_date") or line.get("delivery_date_store")
