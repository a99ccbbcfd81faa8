"""Settings of the safety-stock model (validated by pydantic; loadable from YAML)."""

from typing import Literal

from pydantic import Field

from twin.domain.fields import DomainModel, field
from twin.domain.parties import Priority


class SafetyStockSettings(DomainModel):
    """Service targets, penalties, budgets and sampling of the safety-stock SAA."""

    scenarios: int = field(100, description="demand scenarios per position (SAA sample size)",
                           ge=1, le=10_000)
    seed: int = field(0, description="seed of the scenario sample", ge=0)
    fill_rate_target: dict[Priority, float] = Field(
        default_factory=lambda: {"critical": 0.99, "high": 0.97, "routine": 0.95},
        description="minimum fill rate per replenishment cycle by the most urgent class served")
    shortage_penalty: dict[Priority, float] = Field(
        default_factory=lambda: {"critical": 10.0, "high": 4.0, "routine": 1.0},
        description="cost of a unit short, as a multiple of its unit cost (or of the mean "
        "unit cost, see shortage_basis); a position's multiple is the demand-weighted mean "
        "over the classes it serves")
    shortage_basis: Literal["unit_cost", "units"] = field(
        "unit_cost", description="what the shortage multiple multiplies: each item's unit "
        "cost, or the network's demand-weighted mean unit cost so that every unit short "
        "counts alike (maximises the unit fill rate within a budget)")
    org_budget: dict[str, float] = field(
        dict, unit="currency", description="cap on average inventory value per org id")
    respect_capacity: bool = field(True, description="cap order-up-to totals by warehouse capacity")
    count_expiry: bool = field(
        True, description="charge stock above what can be used within its shelf life as "
        "write-off")
    highs_options: dict[str, str | float | int | bool] = field(
        lambda: {"solver": "simplex"}, description="HiGHS options for this model")
