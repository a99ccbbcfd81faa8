"""Lot trace from ERP data: every location and department a lot went through.

Each stock move of the lot becomes one step (a :class:`twin.lot_trace.TraceStep`: date,
from → to, quantity, state, document), with locations named on our side: ``WH-SH storage``,
``WH-GZ quarantine``, ``in transit``, ``hospital H-RJ department ICU``, ``sold to org
SUB-S``, ``supplier``, ``inventory adjustment``. The summary lists the places in the order
first reached and what each department received.
"""

import datetime as dt
import re
from collections import defaultdict

from erp_adapter.tryton.client import TrytonClient
from erp_adapter.tryton.mapping import Location, Sites, whole
from twin.lot_trace import LotTrace, TraceStep
from twin.problems import InputError, Problem

PLAN_KEY = re.compile(r"[a-z_]+-[0-9a-f]{12}")  # twin.domain.plan.action_key
ORIGINS = {"stock.inventory.line": "inventory", "sale.line": "sale line",
           "purchase.line": "purchase line", "stock.move": "move"}


def _document(shipment: str | None, origin: str | None, refs: dict[str, str]) -> str:
    if shipment:
        return refs.get(shipment, shipment)
    if origin:
        model, _, rid = origin.partition(",")
        return f"{ORIGINS.get(model, model)} {rid}"
    return ""


def trace_lot(client: TrytonClient, sites: Sites, lot: str, item: str | None = None
              ) -> LotTrace:
    """All moves of lot number ``lot`` (of ``item`` when given), oldest first."""
    domain: list = [("number", "=", lot)]
    if item is not None:
        if item not in sites.product:
            raise InputError([Problem("trace", "item", f"no product with code {item!r} in the "
                                                       f"ERP at {client.url}")])
        domain.append(("product", "=", sites.product[item]))
    lots = client.model("stock.lot").search_read(domain, ["id", "product", "number"])
    if not lots:
        what = f"lot {lot!r}" + (f" of {item!r}" if item else "")
        raise InputError([Problem("trace", "lot", f"{what} is not in the ERP at {client.url}")])
    moves = client.model("stock.move").search_read(
        [("lot", "in", [r["id"] for r in lots])],
        ["id", "product", "quantity", "state", "effective_date", "planned_date",
         "from_location", "to_location", "company", "shipment", "origin"],
        order=[("effective_date", "ASC"), ("planned_date", "ASC"), ("id", "ASC")])
    refs = _document_names(client, moves)

    def place(loc_id: int) -> str:
        loc = sites.locations.get(loc_id)
        return loc.describe() if isinstance(loc, Location) else f"location {loc_id}"

    steps = [TraceStep(
        date=m["effective_date"] or m["planned_date"], state=m["state"],
        item=sites.item_of_product.get(m["product"], str(m["product"])), lot=lot,
        quantity=whole(m["quantity"]), source=place(m["from_location"]),
        target=place(m["to_location"]), org=sites.company_org.get(m["company"]),
        document=_document(m.get("shipment"), m.get("origin"), refs))
        for m in moves if m["state"] != "cancelled"]
    steps.sort(key=lambda s: (s.date or dt.date.max, s.state != "done"))
    return LotTrace(lot=lot, steps=steps)


def _document_names(client: TrytonClient, moves: list[dict]) -> dict[str, str]:
    """``model,id`` → readable document name (number and reference) for shipments."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for m in moves:
        if m.get("shipment"):
            model, _, rid = m["shipment"].partition(",")
            wanted[model].add(int(rid))
    names: dict[str, str] = {}
    labels = {"stock.shipment.internal": "internal shipment", "stock.shipment.out":
              "customer shipment", "stock.shipment.in": "supplier shipment"}
    for model, ids in wanted.items():
        for r in client.model(model).read(sorted(ids), ["number", "reference"]):
            names[f"{model},{r['id']}"] = (f"{labels.get(model, model)} {r.get('number')}"
                                           f"{_reference(r.get('reference'))}")
    return names


def _reference(reference: str | None) -> str:
    """A document's reference as a trace shows it: medtwin's list of plan-line keys as
    their number (the keys are in the document), anything else as it is."""
    if not reference:
        return ""
    words = reference.split()
    if all(PLAN_KEY.fullmatch(w) for w in words):
        return f" (medtwin plan, {len(words)} line{'s' * (len(words) != 1)})"
    return f" ref {reference}"
