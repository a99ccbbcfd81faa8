"""How long, how often and from which seed the twin runs: the one definition of these
settings, with their units and bounds, for the CLI (``simulate``, ``compare``,
``experiment``, ``stress``, ``demo``), the dashboard's what-if and recall pages and the
nightly configuration.

Each setting is a type (:data:`Days`, :data:`Replications`, :data:`Seed`,
:data:`Workers`) that a pydantic model field, a click option (``click.IntRange(*bounds(
Days))``) or a Panel parameter (``param.Integer(bounds=bounds(Days))``) takes its limits
from; :class:`RunSettings` bundles them with the defaults of an interactive run.
"""

from typing import Annotated, Any, get_args

from annotated_types import Ge, Le
from pydantic import Field

from twin.domain.fields import MAX_DAYS, DomainModel

MAX_REPLICATIONS = 100_000
MAX_WORKERS = 512

Days = Annotated[int, Field(ge=1, le=MAX_DAYS, description="simulated days per run",
                            json_schema_extra={"x-unit": "days"})]
"""Days one run of the twin simulates (1 day to 100 years)."""
Replications = Annotated[int, Field(
    ge=2, le=MAX_REPLICATIONS, json_schema_extra={"x-unit": "replications"},
    description="replications per scenario (replication r sees the same demand and "
                "disruptions under every policy: common random numbers)")]
"""Replications per scenario: two at least, for a confidence interval."""
Seed = Annotated[int, Field(ge=0, description="base seed: replication r runs on a seed "
                                              "derived from it and r")]
"""The base seed of an experiment (any non-negative integer)."""
Workers = Annotated[int, Field(ge=0, le=MAX_WORKERS, description="local Dask worker "
                                                                 "processes (0 or 1: serial, "
                                                                 "in process)")]
"""Local worker processes an experiment's replications run on."""


class RunSettings(DomainModel):
    """The run settings of an interactive experiment, with their defaults."""

    days: Days = 60
    reps: Replications = 4
    seed: Seed = 0
    workers: Workers = 1


def bounds(kind: Any) -> tuple[int, int | None]:
    """(least, most) value a setting of type ``kind`` accepts (most: None if unbounded)."""
    low, high = 0, None
    for meta in get_args(kind)[1:]:
        for constraint in getattr(meta, "metadata", []):
            if isinstance(constraint, Ge):
                low = int(constraint.ge)  # type: ignore[call-overload]
            elif isinstance(constraint, Le):
                high = int(constraint.le)  # type: ignore[call-overload]
    return low, high
