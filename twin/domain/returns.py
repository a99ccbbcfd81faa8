"""Returns and repairs: units hospitals send back, and what quality control does with them.

A department returns a share of the units it was issued (:class:`ReturnRate`, on its
demand model) to the warehouse that served it, ``delay_days`` after the issue. Returned
units wait in quarantine for the item's ``qc_hold_days``; QC then restocks, repairs or
scraps them with the shares of the matching :class:`ReturnHandling` rule. A repaired unit
comes back available after ``repair_days`` at ``repair_cost`` per unit.
"""

import datetime as dt
from typing import Literal, get_args

from pydantic import model_validator

from twin.domain.distributions import Distribution
from twin.domain.fields import MAX_MONEY, MAX_UNITS, DomainModel, field

ReturnReason = Literal["unused", "near_expiry", "defective", "recalled"]
RETURN_REASONS: tuple[ReturnReason, ...] = get_args(ReturnReason)
"""Every return reason, in order (the twin's reason codes)."""
RateReason = Literal["unused", "near_expiry", "defective"]
RATE_REASONS: tuple[ReturnReason, ...] = get_args(RateReason)
"""Reasons a demand model gives a return rate for (recalled units come back through the
recall response, ``settings.recall``)."""

Decision = Literal["restock", "repair", "scrap"]
DECISIONS: tuple[Decision, ...] = ("restock", "repair", "scrap")


class ReturnRate(DomainModel):
    """Share of a department's issued units of an item that come back, for one reason."""

    reason: RateReason = field(description="why the units come back")
    rate: float = field(unit="fraction", description="returned units per issued unit",
                        ge=0, le=1)
    delay_days: Distribution = field(
        description="days from the issue to the units' arrival at the serving warehouse")


class ReturnHandling(DomainModel):
    """What QC does with returned units of one reason (of one item, or of every item) once
    their quarantine ends: ``restock`` and ``repair`` shares; the rest is scrapped."""

    reason: ReturnReason = field(description="return reason the rule handles")
    item: str | None = field(None, description="item code; none = every item")
    restock: float = field(unit="fraction", description="share put back into available stock",
                           ge=0, le=1)
    repair: float = field(0.0, unit="fraction", description="share sent for repair", ge=0,
                          le=1)
    repair_days: Distribution | None = field(
        None, description="days from sending a unit for repair to its return, available")
    repair_cost: float = field(0.0, unit="currency/unit", description="cost of one repair",
                               ge=0, le=MAX_MONEY)

    @model_validator(mode="after")
    def _shares(self) -> "ReturnHandling":
        if self.restock + self.repair > 1 + 1e-9:
            raise ValueError(f"restock + repair must be ≤ 1, got {self.restock + self.repair:g}")
        if self.repair > 0 and self.repair_days is None:
            raise ValueError("a rule that repairs needs repair_days")
        return self

    @property
    def scrap(self) -> float:
        """Share scrapped after QC: 1 − restock − repair."""
        return max(0.0, 1.0 - self.restock - self.repair)


DEFAULT_HANDLING: dict[ReturnReason, ReturnHandling] = {
    "unused": ReturnHandling(reason="unused", restock=1.0),
    "near_expiry": ReturnHandling(reason="near_expiry", restock=1.0),
    "defective": ReturnHandling(reason="defective", restock=0.0),
    "recalled": ReturnHandling(reason="recalled", restock=0.0),
}
"""QC's rule where the network names none: unused and near-expiry units are restocked
(their expiry still applies), defective and recalled units are scrapped."""


class ReturnedLot(DomainModel):
    """Returned units of one lot in quarantine at a warehouse, waiting for QC."""

    warehouse: str = field(description="warehouse id")
    item: str = field(description="item code")
    lot: str = field(description="lot number (serial number for serial-tracked items)",
                     min_length=1)
    expiry: dt.date = field(description="expiry date of the lot")
    quantity: int = field(unit="units", description="units returned", gt=0, le=MAX_UNITS)
    reason: ReturnReason = field(description="why the units came back")
    received: dt.date = field(description="date the units arrived at the warehouse")
    hospital: str | None = field(None, description="hospital that returned them")


class InRepair(DomainModel):
    """Units of one lot out for repair, due back at a warehouse."""

    warehouse: str = field(description="warehouse the units return to")
    item: str = field(description="item code")
    lot: str = field(description="lot number", min_length=1)
    expiry: dt.date = field(description="expiry date of the lot")
    quantity: int = field(unit="units", description="units out for repair", gt=0,
                          le=MAX_UNITS)
    sent: dt.date = field(description="date sent for repair")
    due: dt.date = field(description="expected return date")
