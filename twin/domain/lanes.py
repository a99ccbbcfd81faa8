"""Transport lanes between warehouses."""

from typing import Literal

from pydantic import model_validator

from twin.domain.distributions import Distribution
from twin.domain.fields import MAX_MONEY, MAX_UNITS, DomainModel, field

Mode = Literal["road", "rail", "air", "courier"]


class Lane(DomainModel):
    """A directed lane ``source`` → ``target`` by one transport mode.

    Whether it crosses orgs is derived from the two warehouses
    (:meth:`twin.domain.network.Network.crosses_orgs`).
    """

    source: str = field(alias="from", description="origin warehouse id")
    target: str = field(alias="to", description="destination warehouse id")
    mode: Mode = field("road", description="transport mode")
    transit_time: Distribution = field(description="transit time (days)")
    cost_per_unit: float = field(0.0, unit="currency/unit", description="variable cost", ge=0,
                                 le=MAX_MONEY)
    cost_per_shipment: float = field(
        0.0, unit="currency/shipment", description="fixed cost per shipment", ge=0,
        le=MAX_MONEY)
    capacity_per_day: int | None = field(
        None, unit="units/day", description="most units shipped per day; none = unlimited", gt=0,
        le=MAX_UNITS)
    cold_chain: bool = field(False, description="temperature-controlled 2–8 °C transport")
    excursion_probability: float = field(
        0.0, unit="probability", description="chance a cold shipment suffers an excursion",
        ge=0, le=1)

    @property
    def id(self) -> str:
        """Stable lane id ``source>target:mode``."""
        return f"{self.source}>{self.target}:{self.mode}"

    @model_validator(mode="after")
    def _not_a_loop(self) -> "Lane":
        if self.source == self.target:
            raise ValueError(f"lane from {self.source} to itself")
        return self
