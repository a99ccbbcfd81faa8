"""Items (medical devices and IVD reagents)."""

from typing import Literal

from pydantic import field_validator

from twin.domain.fields import MAX_DAYS, MAX_MONEY, DomainModel, field
from twin.domain.gtin import gtin_problem

Tracking = Literal["lot", "serial"]
Criticality = Literal["critical", "high", "routine"]


class Item(DomainModel):
    """A stock-keeping item tracked by lot or by serial number."""

    code: str = field(description="item code (unique)", min_length=1)
    gtin: str = field(description="GS1 GTIN-14 with a valid check digit")
    description: str = field(description="human-readable description")
    category: str = field(description="device category, e.g. 'coronary_stent', 'ivd_reagent'")
    unit: str = field("each", description="unit of measure of one stock unit")
    unit_cost: float = field(unit="currency/unit", description="standard cost of one unit", gt=0,
                             le=MAX_MONEY)
    cold_chain: bool = field(False, description="must be stored and moved at 2–8 °C")
    shelf_life_days: int = field(unit="days", description="shelf life from manufacture", gt=0,
                                  le=MAX_DAYS)
    tracking: Tracking = field("lot", description="tracked by lot or by serial number")
    registered_regions: list[str] = field(
        description="regions where the item is registered and may be shipped", min_length=1)
    criticality: Criticality = field("routine", description="clinical criticality of the item")
    unmet_demand: Literal["lost", "backorder"] = field(
        "lost", description="what happens to demand that cannot be served")
    qc_hold_days: int = field(
        2, unit="days", description="quarantine after receipt before release", ge=0,
        le=MAX_DAYS)
    excursion_rule: Literal["scrap", "release"] = field(
        "scrap", description="fate of units that suffered a cold-chain excursion, after review")

    @field_validator("gtin")
    @classmethod
    def _gtin_check_digit(cls, value: str) -> str:
        problem = gtin_problem(value)
        if problem:
            raise ValueError(problem)
        return value
