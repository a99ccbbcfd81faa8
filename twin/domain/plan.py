"""Plans: sets of actions (transfer, purchase, reorder-point setting), each with a reason."""

import datetime as dt
import hashlib
from typing import Annotated, Literal

from pydantic import Field

from twin.domain.fields import MAX_DAYS, MAX_UNITS, DomainModel, field

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


Action = Annotated[TransferAction | PurchaseAction | ReorderPointAction,
                   Field(discriminator="kind")]


class Plan(DomainModel):
    """A draft or approved set of actions for one network as of one date."""

    id: str = field(description="plan id", min_length=1)
    network: str = field(description="name of the network planned")
    as_of: dt.date = field(description="snapshot date the plan starts from")
    horizon_days: int = field(unit="days", description="planning horizon", gt=0,
                             le=MAX_DAYS)
    created: dt.datetime = field(description="when the plan was made (UTC)")
    actions: list[Action] = field(list, description="plan lines")
