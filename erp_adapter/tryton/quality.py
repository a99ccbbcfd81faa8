"""Data-quality checks on the ERP's lot rows, before they become snapshot positions.

Each raw ``stock.lot`` row of a warehouse zone is checked as Tryton holds it; a finding
becomes an :class:`~twin.domain.alerts.Alert` that says what the pull did (nothing is
fixed silently):

=====================  ==========  =====================================================
kind                   severity    what the pull does
=====================  ==========  =====================================================
unit_mismatch          critical    the item's ERP unit is not the unit the network counts
                                   (``u``): its lots are left out of the snapshot
negative_stock         critical    quantity < 0: left out of the snapshot
missing_expiry         critical    no expiry date: left out of the snapshot
fractional_stock       warning     quantity not whole: floored to whole units
expired_available      critical    expiry ≤ as-of in the available zone: quarantined
unregistered_region    critical    warehouse region not among the item's registered
                                   regions: quarantined (may not be issued there)
lot_without_supplier   warning     the ERP has no supplier offer for the item: kept
duplicate_lot          warning     one number on several ``stock.lot`` records of an item:
                                   positions merged, the earliest expiry kept
duplicate_serial       critical    a serial number with more than one unit on hand in the
                                   network: kept as counted
=====================  ==========  =====================================================

The rows of one pull are checked together, so duplicates across warehouses are found.
"""

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from twin.domain import Alert, LotPosition, Network

WHOLE_TOLERANCE = 1e-6  # an ERP float this close to a whole number is that number (units)


@dataclass(frozen=True)
class LotRow:
    """One ``stock.lot`` row read with the quantity of one warehouse zone."""

    warehouse: str
    status: str
    item: str
    row: dict[str, Any]

    @property
    def record(self) -> str:
        return f"stock.lot,{self.row['id']}"

    @property
    def number(self) -> str:
        return str(self.row["number"])


@dataclass(frozen=True)
class ItemFacts:
    """What the ERP says of one item beyond its lots: its unit symbol and whether any
    supplier offers it."""

    product: int
    unit: str | None
    has_supplier: bool


def check_lots(rows: list[LotRow], facts: dict[str, ItemFacts], net: Network,
               as_of: dt.date) -> tuple[list[LotPosition], list[Alert]]:
    """Snapshot positions of ``rows`` (merged per warehouse, item, lot and status) and the
    alerts found on the way (see the module docstring)."""
    alerts = _item_alerts(rows, facts) + _duplicate_alerts(rows, net)
    excluded_items = {a.item for a in alerts if a.kind == "unit_mismatch"}
    positions = []
    for r in rows:
        if r.item in excluded_items:
            continue
        lp, found = _check_row(r, net, as_of)
        alerts += found
        if lp is not None:
            positions.append(lp)
    return _merge_positions(positions), alerts


def _check_row(r: LotRow, net: Network, as_of: dt.date
               ) -> tuple[LotPosition | None, list[Alert]]:
    raw = float(r.row["quantity"])
    expiry = r.row.get("expiration_date") or r.row.get("shelf_life_expiration_date")
    where = {"item": r.item, "warehouse": r.warehouse, "lot": r.number}
    zone = f"{r.warehouse} {r.status} zone"
    if raw < 0:
        return None, [Alert.of("negative_stock", r.record, f"{raw:g} units in the {zone}",
                               "left out of the snapshot", **where)]
    if expiry is None:
        return None, [Alert.of("missing_expiry", r.record, f"no expiry date ({raw:g} units "
                               f"in the {zone})", "left out of the snapshot", **where)]
    alerts = []
    qty = round(raw)
    if abs(raw - qty) > WHOLE_TOLERANCE:
        qty = math.floor(raw)
        alerts.append(Alert.of("fractional_stock", r.record, f"{raw:g} units in the {zone}",
                               f"floored to {qty} units" + (
                                   ": left out of the snapshot" if qty == 0 else ""), **where))
    status = r.status
    if status == "available" and expiry <= as_of:
        status = "quarantine"
        alerts.append(Alert.of("expired_available", r.record,
                               f"expired on {expiry}, {qty} units available in the ERP",
                               "quarantined in the snapshot: never issued", **where))
    item = net.item_by_code[r.item]
    region = net.warehouse_by_id[r.warehouse].region
    if region not in item.registered_regions:
        alerts.append(Alert.of("unregistered_region", r.record,
                               f"{qty} units in region {region}; {r.item} is registered only "
                               f"in {', '.join(item.registered_regions)}",
                               "quarantined in the snapshot: never issued or moved by the "
                               "plan" if status != "quarantine" else "kept in quarantine",
                               **where))
        status = "quarantine"
    if qty <= 0:
        return None, alerts
    return LotPosition(warehouse=r.warehouse, item=r.item, lot=r.number, expiry=expiry,
                       quantity=qty, status=status), alerts


def _item_alerts(rows: list[LotRow], facts: dict[str, ItemFacts]) -> list[Alert]:
    """One alert per item counted in another unit or offered by no supplier."""
    lots: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        lots[r.item].add(r.number)
    out = []
    for item in sorted(lots):
        f = facts.get(item)
        if f is None:
            continue
        record, n = f"product.product,{f.product}", len(lots[item])
        if f.unit != "u":
            out.append(Alert.of("unit_mismatch", record,
                                f"the ERP counts {item} in '{f.unit}', the network in units "
                                "('u')", f"its {n} lots left out of the snapshot", item=item))
        if not f.has_supplier:
            out.append(Alert.of("lot_without_supplier", record,
                                f"{n} lots on hand but no supplier offers {item} in the ERP: "
                                "a supplier recall cannot be matched to them", "kept",
                                item=item))
    return out


def _duplicate_alerts(rows: list[LotRow], net: Network) -> list[Alert]:
    """Lot numbers on several ``stock.lot`` records of one item; serial numbers with more
    than one unit on hand."""
    records: dict[tuple[str, str], set[int]] = defaultdict(set)
    units: dict[tuple[str, str], float] = defaultdict(float)
    places: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in rows:
        key = (r.item, r.number)
        records[key].add(r.row["id"])
        if float(r.row["quantity"]) > 0:
            units[key] += float(r.row["quantity"])
            places[key].add(r.warehouse)
    out = []
    for (item, number), ids in sorted(records.items()):
        serial = net.item_by_code[item].tracking == "serial"
        record = " ".join(f"stock.lot,{i}" for i in sorted(ids))
        if len(ids) > 1 and not serial:
            out.append(Alert.of("duplicate_lot", record,
                                f"lot number {number} is on {len(ids)} ERP lots of {item}",
                                "positions merged per warehouse and status, the earliest "
                                "expiry kept", item=item, lot=number))
        if serial and units[(item, number)] > 1:
            out.append(Alert.of("duplicate_serial", record,
                                f"serial number {number} has {units[(item, number)]:g} units "
                                f"on hand (at {', '.join(sorted(places[(item, number)]))})",
                                "kept as counted", item=item, lot=number))
    return out


def _merge_positions(rows: list[LotPosition]) -> list[LotPosition]:
    """One position per (warehouse, item, lot, status): quantities added up, the earliest
    expiry kept."""
    merged: dict[tuple[str, str, str, str], LotPosition] = {}
    totals: dict[tuple[str, str, str, str], int] = defaultdict(int)
    for lp in rows:
        key = (lp.warehouse, lp.item, lp.lot, lp.status)
        if key not in merged or lp.expiry < merged[key].expiry:
            merged[key] = lp
        totals[key] += lp.quantity
    return [lp.model_copy(update={"quantity": totals[k]}) for k, lp in merged.items()]
