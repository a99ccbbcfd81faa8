"""Inventory state on a date: lots on hand, shipments in transit, open purchase orders."""

import datetime as dt
from typing import Literal

from twin.domain.fields import MAX_UNITS, DomainModel, field
from twin.domain.returns import InRepair, ReturnedLot

Status = Literal["available", "quarantine", "reserved"]
STATUSES: tuple[Status, ...] = ("available", "quarantine", "reserved")


class LotPosition(DomainModel):
    """Units of one lot of one item at one warehouse, in one stock status."""

    warehouse: str = field(description="warehouse id")
    item: str = field(description="item code")
    lot: str = field(description="lot number (serial number for serial-tracked items)",
                     min_length=1)
    expiry: dt.date = field(description="expiry date of the lot")
    quantity: int = field(unit="units", description="units on hand", gt=0,
                          le=MAX_UNITS)
    status: Status = field("available", description="stock status")


class InTransit(DomainModel):
    """A lot travelling on a lane."""

    source: str = field(alias="from", description="origin warehouse id")
    target: str = field(alias="to", description="destination warehouse id")
    mode: str = field("road", description="transport mode of the lane")
    item: str = field(description="item code")
    lot: str = field(description="lot number", min_length=1)
    expiry: dt.date = field(description="expiry date of the lot")
    quantity: int = field(unit="units", description="units shipped", gt=0,
                          le=MAX_UNITS)
    shipped: dt.date = field(description="ship date")
    eta: dt.date = field(description="expected arrival date")
    temperature: Literal["ok", "excursion"] = field(
        "ok", description="cold-chain status recorded so far")


class PurchaseOrder(DomainModel):
    """An open purchase order line not yet received."""

    id: str = field(description="purchase order line id (unique)", min_length=1)
    supplier: str = field(description="supplier id")
    item: str = field(description="item code")
    warehouse: str = field(description="receiving warehouse id")
    quantity: int = field(unit="units", description="units ordered", gt=0,
                          le=MAX_UNITS)
    ordered: dt.date = field(description="order date")
    due: dt.date = field(description="promised delivery date")


class Snapshot(DomainModel):
    """Inventory state at the start of ``as_of``."""

    as_of: dt.date = field(description="date of the snapshot (start of day)")
    lots: list[LotPosition] = field(list, description="lots on hand")
    in_transit: list[InTransit] = field(list, description="shipments in transit")
    purchase_orders: list[PurchaseOrder] = field(list, description="open purchase orders")
    returns: list[ReturnedLot] = field(
        list, description="returned units in quarantine waiting for QC")
    repairs: list[InRepair] = field(list, description="units out for repair")

    def shifted(self, days: int) -> "Snapshot":
        """The same state ``days`` later: every date (snapshot, expiries, ship and arrival
        dates, order and due dates, return and repair dates) moved by ``days``; quantities
        unchanged."""
        step = dt.timedelta(days=days)

        def move(row: DomainModel, *names: str) -> DomainModel:
            return row.model_copy(update={n: getattr(row, n) + step for n in names})

        return self.model_copy(update={
            "as_of": self.as_of + step,
            "lots": [move(lp, "expiry") for lp in self.lots],
            "in_transit": [move(t, "expiry", "shipped", "eta") for t in self.in_transit],
            "purchase_orders": [move(po, "ordered", "due") for po in self.purchase_orders],
            "returns": [move(r, "expiry", "received") for r in self.returns],
            "repairs": [move(r, "expiry", "sent", "due") for r in self.repairs]})
