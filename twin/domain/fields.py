"""One place to declare a domain field with its unit and description."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class DomainModel(BaseModel):
    """Base of every domain object: immutable, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


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
