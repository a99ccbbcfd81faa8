"""Plans: sets of actions (transfer, purchase, reorder-point setting, disposition of returned
units), each with a reason."""

import datetime as dt
import hashlib
from typing import Annotated, Literal

from pydantic import Field

from twin.domain.fields import MAX_DAYS, MAX_UNITS, DomainModel, field
from twin.domain.returns import Decision, ReturnReason

Evidence = dict[str, float | int | str | bool | None]


def action_key(kind: str, *parts: object) -> str:
    """Stable key of a plan line: kind plus a short hash of what identifies it.

    The same decision (same kind, places, item, lot and date) always gets the same key, so
    that publishing a plan twice can recognise what already exists.
    """
    digest = hashlib.sha256("|".join(map(str, (kind, *parts))).encode()).hexdigest()[:12]
    return f"{kind}-{digest}"


class _Action(DomainModel):
    key: str = field(description="stable key of the plan line", min_length=1)
    reason: str = field(description="why this line is in the plan", min_length=1)
    evidence: Evidence = field(dict, description="facts that produced the line")

    def explanation(self) -> str:
        """Why this line is in the plan, in words."""
        return self.reason


class TransferAction(_Action):
    """Move units of a lot from one warehouse to another along a lane."""

    kind: Literal["transfer"] = "transfer"
    source: str = field(alias="from", description="origin warehouse id")
    target: str = field(alias="to", description="destination warehouse id")
    mode: str = field("road", description="transport mode of the lane")
    item: str = field(description="item code")
    lot: str | None = field(None, description="lot number; none = FEFO at dispatch")
    quantity: int = field(unit="units", description="units to ship", gt=0,
                          le=MAX_UNITS)
    ship_date: dt.date = field(description="date to ship")
    emergency: bool = field(False, description="an emergency shipment for a critical shortage")


class PurchaseAction(_Action):
    """Order units of an item from a supplier into a warehouse."""

    kind: Literal["purchase"] = "purchase"
    supplier: str = field(description="supplier id")
    item: str = field(description="item code")
    warehouse: str = field(description="receiving warehouse id")
    quantity: int = field(unit="units", description="units to order", gt=0,
                          le=MAX_UNITS)
    order_date: dt.date = field(description="date to place the order")


class ReorderPointAction(_Action):
    """Set the (s, S) parameters of one warehouse × item."""

    kind: Literal["reorder_point"] = "reorder_point"
    warehouse: str = field(description="warehouse id")
    item: str = field(description="item code")
    reorder_point: int = field(unit="units", description="reorder point s", ge=0,
                               le=MAX_UNITS)
    order_up_to: int = field(unit="units", description="order-up-to level S (≥ s)",
                             ge=0, le=MAX_UNITS)
    safety_stock: int = field(0, unit="units", description="safety stock within s", ge=0,
                             le=MAX_UNITS)


class DispositionAction(_Action):
    """QC's decision for returned units of one lot in quarantine at a warehouse: put them
    back into available stock, send them for repair (to ``repairer``), or scrap them."""

    kind: Literal["disposition"] = "disposition"
    warehouse: str = field(description="warehouse holding the returned units")
    item: str = field(description="item code")
    lot: str = field(description="lot number", min_length=1)
    quantity: int = field(unit="units", description="units decided on", gt=0, le=MAX_UNITS)
    reason: ReturnReason = field(description="why the units came back")
    decision: Decision = field(description="restock, repair or scrap")
    date: dt.date = field(description="date to carry out the decision")
    repairer: str | None = field(None, description="supplier id that repairs (repair only)")
    repair_due: dt.date | None = field(None, description="expected return from repair")
    why: str = field("", description="what the decision rests on, in words (the figures are "
                     "in evidence)")

    def explanation(self) -> str:
        """The decision and what it rests on (``reason`` here is the return reason)."""
        return self.why or f"{self.decision} {self.quantity} returned {self.reason} units"


Action = Annotated[TransferAction | PurchaseAction | ReorderPointAction | DispositionAction,
                   Field(discriminator="kind")]


class Rescue(DomainModel):
    """A transfer that would use expiring units before they expire (not a plan line: the
    planner decides)."""

    target: str = field(alias="to", description="destination warehouse id")
    mode: str = field(description="transport mode of the lane")
    ship_date: dt.date = field(description="date to ship")
    arrival: dt.date = field(description="expected arrival (mean transit, whole days)")
    quantity: int = field(unit="units", description="units to ship", gt=0, le=MAX_UNITS)
    units_saved: float = field(unit="units", description="expected units used before expiry "
                               "net of the destination's own extra expiry", ge=0)
    value_saved: float = field(unit="currency", description="units_saved × unit cost", ge=0)
    cost: float = field(unit="currency", description="lane cost of the shipment", ge=0)


class ExpiryAlert(DomainModel):
    """Units of a lot that will expire before they are used at current (mean) demand."""

    warehouse: str = field(description="warehouse id")
    item: str = field(description="item code")
    lot: str = field(description="lot number (serials of one expiry joined by ';')")
    expiry: dt.date = field(description="expiry date")
    quantity: int = field(unit="units", description="units on hand, available", gt=0,
                          le=MAX_UNITS)
    units_at_risk: float = field(unit="units", description="expected units expiring unused "
                                 "(FEFO at mean demand, no replenishment)", ge=0)
    value_at_risk: float = field(unit="currency", description="units_at_risk × unit cost",
                                 ge=0)
    planned: dict[str, int] = field(dict, description="units of this lot the plan's transfer "
                                    "lines ship, by line key")
    rescue: Rescue | None = field(None, description="the best further transfer, if one "
                                  "saves more than it costs")
    reason: str = field(description="what the figures mean and what would save the units",
                        min_length=1)

    def remedy(self) -> str:
        """What saves the units, in a few words: the plan's transfers, a suggested one, or
        none found."""
        parts = [f"plan ships {sum(self.planned.values())}"] if self.planned else []
        if self.rescue is not None:
            r = self.rescue
            parts.append(f"ship {r.quantity} to {r.target} by {r.ship_date} "
                         f"(saves {r.units_saved:.1f})")
        return "; ".join(parts) or "none found"


class Plan(DomainModel):
    """A draft or approved set of actions for one network as of one date."""

    id: str = field(description="plan id", min_length=1)
    network: str = field(description="name of the network planned")
    as_of: dt.date = field(description="snapshot date the plan starts from")
    horizon_days: int = field(unit="days", description="planning horizon", gt=0,
                             le=MAX_DAYS)
    created: dt.datetime = field(description="when the plan was made (UTC)")
    actions: list[Action] = field(list, description="plan lines")
    expiry_alerts: list[ExpiryAlert] = field(
        list, description="lots expiring before use at current demand, largest value first")
