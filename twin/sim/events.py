"""Events a scenario injects into a run, as small pydantic models, and the YAML loader.

Days are either a day number counted from the snapshot date (day 0) or a calendar date.
A window (outage, closure, disruption, multiplier) covers ``start`` to ``end`` inclusive.
Window events change :class:`Conditions`, the network-wide arrays the twin consults every
day; several active windows combine (any outage closes, factors multiply).
"""

import datetime as dt
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, TypeAdapter, model_validator

from twin.domain.fields import MAX_FACTOR, DomainModel, field
from twin.sim.index import NetworkIndex

Day = int | dt.date


def day_number(value: Day, start: dt.date) -> int:
    """Day number of ``value`` (an int is already one; a date counts from ``start``)."""
    return value if isinstance(value, int) else (value - start).days


class Conditions:
    """Network state set by the active windows, consulted by the day cycle."""

    def __init__(self, index: NetworkIndex):
        self.warehouse_down = np.zeros(index.n_warehouses, dtype=bool)
        self.lane_closed = np.zeros(len(index.lanes), dtype=bool)
        self.supplier_down = np.zeros(len(index.suppliers), dtype=bool)
        self.lead_time_factor = np.ones(len(index.suppliers))
        self.region_demand = np.ones(len(index.regions))
        self.excursion_factor = np.ones(len(index.lanes))

    @classmethod
    def of(cls, index: NetworkIndex, active: list["Window"]) -> "Conditions":
        """Conditions with every window in ``active`` applied."""
        out = cls(index)
        for window in active:
            window.apply(out, index)
        return out


class _Event(DomainModel):
    def check(self, index: NetworkIndex) -> list[tuple[tuple[str, ...], str]]:
        """References to things the network does not have, as (field path, message)."""
        return []


class _Window(_Event):
    start: Day = field(description="first day (day number from the snapshot, or a date)")
    end: Day = field(description="last day, inclusive (day number or date)")

    @model_validator(mode="after")
    def _ordered(self) -> "_Window":
        if type(self.start) is type(self.end) and self.end < self.start:  # type: ignore[operator]
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    def apply(self, conditions: Conditions, index: NetworkIndex) -> None:
        """Change ``conditions`` for the duration of the window."""
        raise NotImplementedError


def _unknown(value: str | None, known: dict[str, int], what: str, name: str
             ) -> list[tuple[tuple[str, ...], str]]:
    return [((name,), f"unknown {what} {value!r}")] if value is not None and value not in known \
        else []


class Recall(_Event):
    """Recall of lots of an item: all on-hand and in-transit units go to quarantine at once.

    No ``lots`` and no ``supplier`` recalls every lot of the item; ``supplier`` alone recalls
    the lots received from that supplier during the run.
    """

    kind: Literal["recall"] = "recall"
    item: str = field(description="item code")
    lots: list[str] = field(list, description="lot numbers recalled")
    supplier: str | None = field(None, description="recall the lots received from this supplier")
    day: Day = field(description="day of the recall (day number or date)")

    def check(self, index: NetworkIndex) -> list[tuple[tuple[str, ...], str]]:
        return (_unknown(self.item, index.item_of, "item", "item")
                + _unknown(self.supplier, index.supplier_of, "supplier", "supplier"))


class WarehouseOutage(_Window):
    """A warehouse neither issues, ships nor receives (arrivals wait until it reopens)."""

    kind: Literal["warehouse_outage"] = "warehouse_outage"
    warehouse: str = field(description="warehouse id")

    def check(self, index: NetworkIndex) -> list[tuple[tuple[str, ...], str]]:
        return _unknown(self.warehouse, index.wh_of, "warehouse", "warehouse")

    def apply(self, conditions: Conditions, index: NetworkIndex) -> None:
        conditions.warehouse_down[index.wh_of[self.warehouse]] = True


class LaneClosure(_Window):
    """No shipment leaves on the lane (given by id, or by from/to with an optional mode)."""

    kind: Literal["lane_closure"] = "lane_closure"
    lane: str | None = field(None, description="lane id 'from>to:mode'")
    source: str | None = field(None, alias="from", description="origin warehouse id")
    target: str | None = field(None, alias="to", description="destination warehouse id")
    mode: str | None = field(None, description="transport mode; none = every mode")

    @model_validator(mode="after")
    def _one_way_to_name(self) -> "LaneClosure":
        if (self.lane is None) == (self.source is None or self.target is None):
            raise ValueError("give either 'lane' or both 'from' and 'to'")
        return self

    def lanes(self, index: NetworkIndex) -> list[int]:
        """Indices of the closed lanes."""
        if self.lane is not None:
            return [index.lane_of[self.lane]] if self.lane in index.lane_of else []
        return [k for (s, t, m), k in index.lane_by_route.items()
                if s == self.source and t == self.target and self.mode in (None, m)]

    def check(self, index: NetworkIndex) -> list[tuple[tuple[str, ...], str]]:
        if self.lanes(index):
            return []
        name = "lane" if self.lane is not None else "from"
        what = self.lane or f"{self.source}>{self.target}:{self.mode or '*'}"
        return [((name,), f"no lane {what!r} in the network")]

    def apply(self, conditions: Conditions, index: NetworkIndex) -> None:
        conditions.lane_closed[self.lanes(index)] = True


class SupplierDisruption(_Window):
    """A supplier accepts no orders (outage) or delivers late (lead times × factor)."""

    kind: Literal["supplier_disruption"] = "supplier_disruption"
    supplier: str = field(description="supplier id")
    outage: bool = field(False, description="accepts no orders during the window")
    lead_time_factor: float = field(
        1.0, unit="factor", description="lead times of orders placed in the window × factor", gt=0,
        le=MAX_FACTOR)

    def check(self, index: NetworkIndex) -> list[tuple[tuple[str, ...], str]]:
        return _unknown(self.supplier, index.supplier_of, "supplier", "supplier")

    def apply(self, conditions: Conditions, index: NetworkIndex) -> None:
        s = index.supplier_of[self.supplier]
        conditions.supplier_down[s] |= self.outage
        conditions.lead_time_factor[s] *= self.lead_time_factor


class DemandMultiplier(_Window):
    """Mean demand of a region (or everywhere) × factor."""

    kind: Literal["demand_multiplier"] = "demand_multiplier"
    region: str | None = field(None, description="region id; none = every region")
    factor: float = field(unit="factor", description="demand multiplier", ge=0, le=MAX_FACTOR)

    def check(self, index: NetworkIndex) -> list[tuple[tuple[str, ...], str]]:
        return _unknown(self.region, index.region_of, "region", "region")

    def apply(self, conditions: Conditions, index: NetworkIndex) -> None:
        sel = slice(None) if self.region is None else index.region_of[self.region]
        conditions.region_demand[sel] *= self.factor


class ExcursionMultiplier(_Window):
    """Cold-chain excursion probability of a lane (or every lane) × factor (capped at 1)."""

    kind: Literal["excursion_multiplier"] = "excursion_multiplier"
    lane: str | None = field(None, description="lane id; none = every lane")
    factor: float = field(unit="factor", description="excursion probability multiplier", ge=0,
                          le=MAX_FACTOR)

    def check(self, index: NetworkIndex) -> list[tuple[tuple[str, ...], str]]:
        return _unknown(self.lane, index.lane_of, "lane", "lane")

    def apply(self, conditions: Conditions, index: NetworkIndex) -> None:
        sel = slice(None) if self.lane is None else index.lane_of[self.lane]
        conditions.excursion_factor[sel] *= self.factor


Window = WarehouseOutage | LaneClosure | SupplierDisruption | DemandMultiplier \
    | ExcursionMultiplier
Event = Annotated[Recall | Window, Field(discriminator="kind")]
EVENTS = TypeAdapter(list[Event])


def check_events(events: list[Event], index: NetworkIndex) -> list[tuple[tuple, str]]:
    """Every unknown reference of ``events`` as ((position, field…), message)."""
    return [((k, *path), msg) for k, ev in enumerate(events) for path, msg in ev.check(index)]
