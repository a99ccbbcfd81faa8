"""Settings of the transfer-routing model."""

from pydantic import Field

from twin.domain.fields import DomainModel, field
from twin.domain.parties import Priority


class TransferSettings(DomainModel):
    """Horizon, time buckets, penalties and urgency windows of the transfer MILP."""

    horizon_days: int = field(28, unit="days", description="planning horizon", ge=1, le=366)
    bucket_days: int = field(7, unit="days", description="length of a time bucket", ge=1)
    shortage_penalty: dict[Priority, float] = Field(
        default_factory=lambda: {"critical": 20.0, "high": 5.0, "routine": 1.0},
        description="cost of a unit of demand not served, as a multiple of its unit cost")
    urgency_window_days: dict[Priority, float] = Field(
        default_factory=lambda: {"critical": 2.0, "high": 5.0, "routine": 30.0},
        description="longest transit time (days) of a shipment that may serve each class")
    inter_org_cost_rate: float = field(
        0.03, unit="fraction", description="cost of an inter-org sale (tax, admin) per unit value",
        ge=0)
    fefo_tiebreak: float = field(
        1e-4, unit="fraction/day", description="preference for consuming earlier-expiring lots",
        ge=0)
    substitution_penalty: float = field(
        0.01, unit="fraction", description="cost of covering a unit of demand with a "
        "substitute, as a multiple of the demanded item's unit cost per preference rank (a "
        "department's own item first)", ge=0)
    integer_units: bool = field(True, description="ship whole units (MILP) rather than an LP")
    milp_max_arcs: int = field(
        20_000, description="above this many arcs, whole units come from relax-and-fix (LP, "
        "then lanes fixed open or closed, quantities rounded down) instead of the MILP", ge=0)
    highs_options: dict[str, str | float | int | bool] = field(
        lambda: {"mip_rel_gap": 0.02, "time_limit": 120.0},
        description="HiGHS options; the gap ends the search deterministically, the time "
        "limit is a safety net (the best plan found is then used, with a warning)")
