"""Substitutes: an equivalent item a department accepts when its own is short."""

from pydantic import model_validator

from twin.domain.fields import MAX_FACTOR, DomainModel, field

MAX_PREFERENCE = 99
"""Most substitutes one (item, scope) may rank."""


class Substitute(DomainModel):
    """A rule: departments demanding ``item`` accept ``substitute`` when ``item`` is short.

    Covering one unit of ``item`` takes ``factor`` units of ``substitute`` (a department
    takes whole units: covering ``c`` units issues ``⌈c · factor⌉``). Substitutes of one
    demand are tried in ``preference`` order (1 first), FEFO within each, after the item's
    own stock. A rule applies to every department of every hospital, or only to the
    ``hospital`` and/or ``department`` named. The substitute is served from the warehouse
    serving the item and, like the item, only where it is registered (hospital's region)
    and, if cold-chain, only from a 2–8 °C warehouse.
    """

    item: str = field(description="item code of the demanded item")
    substitute: str = field(description="item code accepted instead")
    factor: float = field(1.0, unit="substitute units/unit",
                          description="units of the substitute per unit of the item", gt=0,
                          le=MAX_FACTOR)
    preference: int = field(1, description="order in which substitutes are tried (1 first)",
                            ge=1, le=MAX_PREFERENCE)
    hospital: str | None = field(None, description="hospital id; none = every hospital")
    department: str | None = field(
        None, description="department id; none = every department")

    @model_validator(mode="after")
    def _not_itself(self) -> "Substitute":
        if self.substitute == self.item:
            raise ValueError(f"item {self.item!r} cannot substitute for itself")
        return self

    def applies_to(self, hospital: str, department: str) -> bool:
        """Whether the rule covers ``department`` of ``hospital``."""
        return self.hospital in (None, hospital) and self.department in (None, department)
