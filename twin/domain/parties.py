"""Regions, orgs, warehouses, hospitals with their departments, suppliers."""

from typing import Literal

from pydantic import model_validator

from twin.domain.distributions import Distribution
from twin.domain.fields import MAX_DAYS, MAX_FACTOR, MAX_MONEY, MAX_UNITS, DomainModel, field

Priority = Literal["critical", "high", "routine"]
PRIORITIES: tuple[Priority, ...] = ("critical", "high", "routine")


class Region(DomainModel):
    """A regulatory region: items are registered per region."""

    id: str = field(description="region id (unique)", min_length=1)
    name: str = field("", description="display name")


class Org(DomainModel):
    """A legal entity; ``parent`` makes the group a tree."""

    id: str = field(description="org id (unique)", min_length=1)
    name: str = field(description="legal name")
    parent: str | None = field(None, description="parent org id; none for the group's top")
    currency: str = field("CNY", description="ISO 4217 currency code", pattern=r"^[A-Z]{3}$")
    region: str = field(description="home region id")
    transfer_markup: float = field(
        0.05, unit="fraction", description="mark-up over unit cost when selling to another org",
        ge=0, le=MAX_FACTOR)


class Warehouse(DomainModel):
    """A stocking location owned by one org."""

    id: str = field(description="warehouse id (unique)", min_length=1)
    name: str = field("", description="display name")
    org: str = field(description="owning org id")
    region: str = field(description="region id")
    city: str = field(description="city")
    latitude: float = field(unit="degrees", description="WGS84 latitude", ge=-90, le=90)
    longitude: float = field(unit="degrees", description="WGS84 longitude", ge=-180, le=180)
    cold_chain: bool = field(False, description="has 2–8 °C storage")
    capacity: int = field(unit="units", description="storage capacity", gt=0,
                          le=MAX_UNITS)
    holding_rate: float = field(
        0.2, unit="1/year", description="holding cost per year as a fraction of unit cost", ge=0,
        le=MAX_FACTOR)


class Department(DomainModel):
    """A hospital department that consumes items."""

    id: str = field(description="department id, unique within its hospital", min_length=1)
    kind: str = field(description="e.g. icu, emergency, cardiology, orthopaedics, laboratory")
    priority: Priority = field(description="service priority class")
    min_shelf_life_days: int = field(
        0, unit="days", description="minimum remaining shelf life accepted at issue", ge=0,
        le=MAX_DAYS)
    recall_return_days: Distribution | None = field(
        None, description="days from a recall notice until the department has returned the "
                          "recalled units it still holds; none = the network's "
                          "settings.recall.return_days")


class Hospital(DomainModel):
    """A customer site served from warehouses in preference order."""

    id: str = field(description="hospital id (unique)", min_length=1)
    name: str = field(description="hospital name")
    region: str = field(description="region id")
    city: str = field(description="city")
    latitude: float = field(unit="degrees", description="WGS84 latitude", ge=-90, le=90)
    longitude: float = field(unit="degrees", description="WGS84 longitude", ge=-180, le=180)
    served_by: list[str] = field(
        description="warehouse ids in preference order", min_length=1)
    departments: list[Department] = field(description="departments", min_length=1)

    @model_validator(mode="after")
    def _unique_departments(self) -> "Hospital":
        ids = [d.id for d in self.departments]
        dupes = sorted({d for d in ids if ids.count(d) > 1})
        if dupes:
            raise ValueError(f"duplicate department id(s) {dupes}")
        return self


ShipMode = Literal["road", "rail", "air", "air_charter", "ocean", "courier"]
"""How a supplier ships to the warehouses it delivers to (the modes of shipment histories)."""


class Lateness(DomainModel):
    """How late a purchase order arrives beyond its lead time.

    An order is late with ``probability``; a late order's extra delay is drawn from
    ``delay`` and rounded to whole days (added to the whole-day lead time). The lead time of
    an offer is then the on-time part of a delivery (order sent → promised or earlier
    delivery), so that lateness is counted once: what ``medtwin calibrate lead-times``
    fits from a history's sent, promised and delivered dates.
    """

    probability: float = field(0.0, unit="probability", ge=0, le=1,
                               description="share of orders delivered late")
    delay: Distribution | None = field(None, description="days late, given late")

    @model_validator(mode="after")
    def _late_orders_have_a_delay(self) -> "Lateness":
        if self.probability > 0 and self.delay is None:
            raise ValueError("a lateness with probability > 0 needs its 'delay' distribution")
        return self

    @property
    def expected_delay(self) -> float:
        """Mean extra delay over on-time and late orders (days): p · E[delay]."""
        return self.probability * self.delay.mean if self.delay is not None else 0.0


class SupplyOffer(DomainModel):
    """What a supplier sells of one item, and how fast."""

    item: str = field(description="item code")
    lead_time: Distribution = field(description="order-to-receipt lead time (days)")
    moq: int = field(1, unit="units", description="minimum order quantity", ge=1,
                     le=MAX_UNITS)
    unit_price: float | None = field(
        None, unit="currency/unit", description="purchase price; defaults to the item unit cost",
        gt=0, le=MAX_MONEY)
    capacity_per_week: int | None = field(
        None, unit="units/week", description="most the supplier ships per week; none = unlimited",
        gt=0, le=MAX_UNITS)
    lateness: Lateness | None = field(
        None, description="lateness of this offer's orders; none = the supplier's")


class Supplier(DomainModel):
    """An external supplier (manufacturer or importer)."""

    id: str = field(description="supplier id (unique)", min_length=1)
    name: str = field(description="supplier name")
    delivers_to: list[str] = field(
        description="warehouse ids the supplier delivers to directly", min_length=1)
    supplies: list[SupplyOffer] = field(description="items offered", min_length=1)
    order_cost: float = field(0.0, unit="currency/order", description="fixed cost per order", ge=0,
                               le=MAX_MONEY)
    vmi: bool = field(False, description="vendor-managed inventory: replenishes on its own")
    mode: ShipMode | None = field(
        None, description="how the supplier ships (what `calibrate lead-times --into` matches)")
    lateness: Lateness = field(Lateness, description="lateness of its orders (offers may differ)")
    defect_rate: float = field(
        0.0, unit="probability", description="probability a received lot fails quality control",
        ge=0, le=1)

    @model_validator(mode="before")
    @classmethod
    def _reliability_is_gone(cls, data: object) -> object:
        if isinstance(data, dict) and "reliability" in data:
            raise ValueError("'reliability' is replaced by 'lateness: {probability: P(late), "
                             "delay: {family, mean, spread}}' (days late, given late)")
        return data

    def lateness_of(self, offer: SupplyOffer) -> Lateness:
        """The lateness of ``offer``'s orders: its own, else the supplier's."""
        return offer.lateness or self.lateness
