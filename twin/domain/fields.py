"""One place to declare a domain field with its unit and description."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

MAX_UNITS = 10**9
"""Most units one record may hold (a lot, an order, a capacity): beyond it is a typo."""
MAX_RATE = 10**6
"""Most units per day a demand model may ask for."""
MAX_MONEY = 10**12
"""Largest cost or price (currency) a record may carry."""
MAX_DAYS = 36_500
"""Longest duration (days) a record may carry: a hundred years."""
MAX_FACTOR = 100
"""Largest dimensionless rate or multiplier (mark-ups, holding rates)."""


class DomainModel(BaseModel):
    """Base of every domain object: immutable, unknown keys rejected, numbers finite (NaN
    and ±inf are refused; magnitudes are bounded per field with the ``MAX_*`` limits)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True,
                              allow_inf_nan=False)


def field(default: Any = ..., *, unit: str = "", description: str, **constraints: Any) -> Any:
    """A pydantic ``Field`` carrying ``unit`` (shown in docs and the JSON Schema as ``x-unit``)."""
    extra = {"x-unit": unit} if unit else None
    if default is ... or not callable(default):
        return Field(default, description=description, json_schema_extra=extra, **constraints)
    return Field(default_factory=default, description=description, json_schema_extra=extra,
                 **constraints)


def unit_of(model: type[BaseModel], name: str) -> str:
    """The unit declared for ``model.name`` ('' when dimensionless)."""
    extra = model.model_fields[name].json_schema_extra
    return extra.get("x-unit", "") if isinstance(extra, dict) else ""
