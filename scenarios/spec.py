"""What-if scenarios: a named list of overrides applied to a base network.

A scenario file (YAML, one scenario per file, named by its stem) holds:

``include``
    names of other scenarios whose overrides come first (composition);
``events``
    time-windowed events the twin injects (:mod:`twin.sim.events`: demand multipliers,
    supplier disruptions, lane closures, warehouse outages, cold-chain excursion
    multipliers, recalls), with days counted from the snapshot date;
``overrides``
    changes to the network's master data for the whole run, by collection and id, e.g.
    ``{suppliers: {SUP-A: {order_cost: 900}}}``; the changed network is validated again;
``forecast_bias``
    relative error of the forecast: the network's demand models are what policies and
    plans were made with, and the twin draws demand with means / (1 + bias) — a bias of
    −0.25 (forecast 25 % too low) makes actual demand 1/0.75 = 1.33 × the forecast;
``substitutes``
    ``false`` drops the network's substitute rules: departments take only their own item;
``returns``
    factors on the demand models' return rates by reason, e.g. ``{defective: 3.0}``: the
    twin draws returns with rate × factor while policies and plans keep the network's rates
    (a surprise, like ``forecast_bias``); the rates of a model must still add up to ≤ 1.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from pydantic import Field, field_validator

from twin.domain import Network
from twin.domain.fields import MAX_FACTOR, DomainModel, field
from twin.domain.returns import RateReason, ReturnRate
from twin.sim import EVENTS, Event, Recall, day_number

Overrides = dict[str, dict[str, dict[str, Any]]]
OVERRIDABLE = {"orgs": "id", "warehouses": "id", "items": "code", "suppliers": "id",
               "hospitals": "id", "lanes": "id"}
"""Network collections a scenario may override, with the field that names an entry."""


class Scenario(DomainModel):
    """One scenario file as written (before its includes are resolved)."""

    description: str = field("", description="what the scenario represents")
    include: list[str] = field(list, description="scenarios applied first, by name")
    events: list[Event] = field(list, description="time-windowed events injected into the run")
    overrides: Overrides = field(
        dict, description="master-data changes: collection → id → field → value")
    forecast_bias: float = Field(
        0.0, gt=-1, le=MAX_FACTOR, description="relative error of the forecast policies and "
        "plans were made with (forecast = actual mean × (1 + bias))")
    substitutes: bool = field(
        True, description="false: departments take only the item they asked for (the "
        "network's substitute rules are dropped, for planning and in the twin)")
    returns: dict[RateReason, float] = field(
        dict, description="factor on the return rates the twin draws with, by reason "
        "(policies and plans keep the network's rates)")

    @field_validator("returns")
    @classmethod
    def _factors(cls, value: dict[str, float]) -> dict[str, float]:
        bad = {r: f for r, f in value.items() if not 0 <= f <= MAX_FACTOR}
        if bad:
            raise ValueError(f"return rate factors must be in [0, {MAX_FACTOR:g}], got {bad}")
        return value


@dataclass(frozen=True)
class ResolvedScenario:
    """A scenario with its includes applied, ready to run on one network."""

    name: str
    description: str
    events: tuple[Event, ...]
    overrides: Overrides
    forecast_bias: float
    sources: tuple[str, ...]
    """Names of the scenarios it was built from, includes first."""
    substitutes: bool = True
    """Whether departments may take substitutes (false when it or an include says so)."""
    returns: dict[str, float] = dataclass_field(default_factory=dict)
    """Factor on the return rates by reason (includes' factors multiplied in)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, stored in result files' attributes."""
        return {"name": self.name, "description": self.description,
                "events": json.loads(EVENTS.dump_json(list(self.events), by_alias=True)),
                "overrides": self.overrides, "forecast_bias": self.forecast_bias,
                "sources": list(self.sources),
                **({} if self.substitutes else {"substitutes": False}),
                **({"returns": self.returns} if self.returns else {})}

    @property
    def digest(self) -> str:
        """sha256 of the resolved content (not of the file names)."""
        return _json_digest({k: v for k, v in self.to_dict().items()
                             if k not in ("sources", "description")})

    @property
    def planning_key(self) -> str:
        """Equal for scenarios that plan with equal networks (:meth:`planning_network`: the
        same overrides and substitute rule)."""
        return _json_digest([self.overrides, self.substitutes])

    def events_within(self, start: dt.date, days: int) -> int:
        """How many of the events touch days 0 … ``days`` − 1 of a run from ``start``."""
        def touches(ev: Event) -> bool:
            if isinstance(ev, Recall):
                return 0 <= day_number(ev.day, start) < days
            return day_number(ev.start, start) < days and day_number(ev.end, start) >= 0
        return sum(map(touches, self.events))

    def idle_within(self, start: dt.date, days: int) -> bool:
        """True when the scenario has events but none inside the run (and nothing else
        that would change it): it would only repeat the baseline."""
        return bool(self.events) and not self.overrides and self.forecast_bias == 0 and \
            self.substitutes and not self.returns and self.events_within(start, days) == 0

    def planning_network(self, network: Network) -> Network:
        """What policies plan with: ``network`` with the master-data overrides (and without
        substitute rules when the scenario turns them off); its demand models are the
        forecast."""
        net = apply_overrides(network, self.overrides) if self.overrides else network
        return net if self.substitutes or not net.substitutes else \
            net.model_copy(update={"substitutes": []})

    def true_network(self, network: Network) -> Network:
        """What the twin runs: the planning network with demand means / (1 + bias), so that
        the forecast the policies (and plans) use is off by ``forecast_bias``, and return
        rates × the ``returns`` factors."""
        planned = self.planning_network(network)
        if self.forecast_bias == 0 and not self.returns:
            return planned
        scale = 1.0 / (1.0 + self.forecast_bias)
        demand = [d.model_copy(update={"mean_per_day": d.mean_per_day * scale,
                                       "returns": scaled_returns(d.returns, self.returns)})
                  for d in planned.demand]
        return planned.model_copy(update={"demand": demand})


def _json_digest(body: object) -> str:
    """sha256 of ``body``'s JSON form, keys sorted."""
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def scaled_returns(rates: list[ReturnRate], factors: dict[str, float]) -> list[ReturnRate]:
    """``rates`` with each rate × its reason's factor (1 where none is given)."""
    return [r.model_copy(update={"rate": r.rate * factors.get(r.reason, 1.0)}) for r in rates]


def apply_overrides(network: Network, overrides: Overrides) -> Network:
    """``network`` with ``overrides`` merged into its entries and validated again.

    Raises ``KeyError`` for an unknown collection or id and pydantic's ``ValidationError``
    for a value the network model refuses.
    """
    doc = network.model_dump(by_alias=True)
    for collection, entries in overrides.items():
        key = OVERRIDABLE[collection]
        rows = {row[key]: row for row in doc[collection]}
        for name, changes in entries.items():
            deep_merge(rows[name], changes)
    return Network.model_validate(doc)


def deep_merge(target: dict[str, Any], changes: dict[str, Any]) -> None:
    """Deep-merge ``changes`` into ``target`` (nested mappings merge, other values replace)."""
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            deep_merge(target[key], value)
        else:
            target[key] = value
