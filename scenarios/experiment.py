"""Experiments: policies × scenarios × replications with common random numbers.

Replication r of every scenario and every policy runs the twin with the same seed
(:func:`replication_seed`), so in replication r of scenario s all policies see the same
demand and the same disruptions; what differs between policies is only what they decide.
One block of work (:func:`run_block`) runs every policy on a few replications of one
scenario; blocks are independent and can run anywhere (see :mod:`scenarios.execution`).
What policies prepare (solved levels) can be prepared once (:func:`preparations`,
:func:`prepare`) and handed to the blocks, which adopt it.

The result (:func:`assemble`) is one :class:`xarray.Dataset`:

- ``run_<kpi>`` (policy, scenario, replication): run-level KPIs of
  :func:`twin.sim.kpi_summary` plus ``run_demand_units``, ``run_recall_units`` and the
  recall-response KPIs of :func:`twin.sim.recall_summary` (nan in runs without a recall);
- ``fill_rate``, ``inventory_value``, ``backlog_units`` (policy, scenario, replication, time):
  daily network totals;
- ``demand_units`` (policy, scenario, replication, time, priority): the demand each run saw,
  so common random numbers can be checked;
- attrs: network, network_sha256, start_date (the snapshot's as-of date: results carry no
  wall-clock time), days, seed, policies, baseline_policy, scenarios (the resolved
  scenarios as JSON), code_version, currency, run_kind (compare, what-if or stress) and
  author.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import pandas as pd
import xarray as xr

from scenarios.provenance import code_version
from scenarios.spec import ResolvedScenario
from solvers.registry import shipped_policies
from twin.api import (
    NetworkIndex,
    PlanPolicy,
    Policy,
    PolicyFactory,
    PolicyRegistry,
    PreparedFactory,
    index_of,
)
from twin.domain import Network, Plan
from twin.domain.parties import PRIORITIES
from twin.sim import RECALL_KPIS, Kpis, kpi_summary, recall_summary, run_kpi, simulate

PLAN_POLICY = "plan"
"""Policy name of the plan under stress test (see :class:`twin.api.PlanPolicy`)."""

DAILY = {
    "fill_rate": ("1", "units served on time / units demanded, network, per day"),
    "inventory_value": ("currency", "value of units on hand at day end, network"),
    "backlog_units": ("units", "backordered units waiting at day end, network"),
}
RUN_EXTRA = ("run_demand_units", "run_recall_units", *(f"run_{k}" for k in RECALL_KPIS))
"""Run-level KPIs an experiment adds to :func:`twin.sim.kpi_summary`'s."""


def run_kpi_names(network: Network) -> list[str]:
    """Names of the ``run_*`` variables an experiment on ``network`` produces."""
    empty = Kpis(NetworkIndex(network), 1).arrays
    with np.errstate(all="ignore"):
        return [f"run_{k}" for k in kpi_summary(empty)] + list(RUN_EXTRA)


def replication_seed(seed: int, replication: int) -> int:
    """The twin's seed for ``replication`` of an experiment seeded with ``seed``."""
    return int(np.random.SeedSequence([seed, replication]).generate_state(1)[0])


@dataclass(frozen=True)
class Experiment:
    """What to run: a network, policies (names in ``registry``, or ``plan``), resolved
    scenarios, the run length and the base seed.

    ``registry``: where policy names are looked up (default: every shipped policy,
    :func:`solvers.registry.shipped_policies`). It travels with the experiment, so a Dask
    worker resolves the same factories without importing anything for its side effects."""

    network: Network
    policies: tuple[str, ...]
    scenarios: tuple[ResolvedScenario, ...]
    days: int
    seed: int = 0
    baseline: str | None = None
    plan: Plan | None = None
    network_sha256: str = field(default="", compare=False)
    run_kind: str = field(default="compare", compare=False)
    """What the run is for: ``compare``, ``what-if`` or ``stress`` (a result attribute)."""
    author: str = field(default="", compare=False)
    """Who ran it (a result attribute; empty when unknown)."""
    registry: PolicyRegistry = field(default_factory=shipped_policies, compare=False,
                                     repr=False)

    def __post_init__(self) -> None:
        if not self.policies or not self.scenarios:
            raise ValueError("an experiment needs at least one policy and one scenario")
        unknown = [p for p in self.policies if p != PLAN_POLICY and p not in self.registry]
        if unknown:
            raise ValueError(f"unknown policies {unknown}; known: "
                             f"{', '.join(sorted(self.registry))}")
        if PLAN_POLICY in self.policies and self.plan is None:
            raise ValueError("policy 'plan' needs a plan")
        if self.baseline is not None and self.baseline not in self.policies:
            raise ValueError(f"baseline {self.baseline!r} is not among the policies")
        if not self.network_sha256:
            object.__setattr__(self, "network_sha256", self.network.digest)

    def idle_scenarios(self) -> list[str]:
        """Scenarios whose events all fall outside the simulated days (see
        :meth:`ResolvedScenario.idle_within`)."""
        start = self.network.snapshot.as_of
        return [s.name for s in self.scenarios if s.idle_within(start, self.days)]

    def factory(self, name: str) -> PolicyFactory:
        """The policy factory of ``name``."""
        if name == PLAN_POLICY:
            plan = self.plan
            return lambda index: PlanPolicy(index, plan)  # type: ignore[arg-type]
        return self.registry[name]

    def attrs(self) -> dict[str, str | int]:
        """Provenance attributes of the result file."""
        return {
            "title": f"medtwin experiment on {self.network.name}",
            "network": self.network.name, "network_sha256": self.network_sha256,
            "start_date": self.network.snapshot.as_of.isoformat(), "days": self.days,
            "seed": self.seed, "policies": json.dumps(list(self.policies)),
            "baseline_policy": self.baseline or self.policies[0],
            "scenarios": json.dumps([s.to_dict() for s in self.scenarios]),
            "plan_id": self.plan.id if self.plan is not None else "",
            "currency": self.network.settings.currency,
            "run_kind": self.run_kind, "author": self.author,
            "code_version": code_version(),
            "common_random_numbers": "replication r of every scenario and policy uses seed "
                                     "replication_seed[r]",
        }


_PREPARED: dict[tuple[str, str], tuple[Network, Network]] = {}


def _networks(exp: Experiment, scenario: ResolvedScenario) -> tuple[Network, Network]:
    """(true, planning) networks of a scenario, built once per process so that solved
    policy levels (cached per network object) are reused across blocks."""
    key = (exp.network_sha256, scenario.digest)
    if key not in _PREPARED:
        true = scenario.true_network(exp.network)
        plan = scenario.planning_network(exp.network)
        _PREPARED[key] = (true, plan)
    return _PREPARED[key]


def _planned_with(factory: PolicyFactory, planning: Network) -> PolicyFactory:
    """A factory building the policy on the planning network's index (same ids and order as
    the true network's, other demand means: the forecast)."""
    def make(index: NetworkIndex) -> Policy:
        del index
        return factory(index_of(planning))
    return make


@dataclass
class Block:
    """Results of every policy on some replications of one scenario."""

    scenario: int
    replications: list[int]
    values: dict[str, np.ndarray]
    """variable → array (policy, replication, …)."""


def run_one(exp: Experiment, scenario: ResolvedScenario, policy: str, replication: int
            ) -> dict[str, np.ndarray]:
    """KPIs of one run (see the module docstring for the variables)."""
    true, planning = _networks(exp, scenario)
    factory = exp.factory(policy)
    if planning is not true:
        factory = _planned_with(factory, planning)
    result = simulate(true, days=exp.days, seed=replication_seed(exp.seed, replication),
                      policy=factory, events=scenario.events)
    k = result.kpis
    demand = k["demand_units"].sum(axis=2)
    total = demand.sum(axis=1)
    on_time = k["served_on_time_units"].sum(axis=(1, 2))
    out: dict[str, np.ndarray] = {
        f"run_{name}": np.float64(value) for name, value in kpi_summary(k).items()}
    out["run_demand_units"] = np.float64(total.sum())
    out["run_recall_units"] = np.float64(sum(r.units_on_hand + r.units_in_transit
                                             for r in result.recalls))
    out |= {f"run_{name}": np.float64(value)
            for name, value in recall_summary(result.recalls, exp.days).items()}
    out["fill_rate"] = np.divide(on_time, total, out=np.full(exp.days, np.nan),
                                 where=total > 0)
    out["inventory_value"] = k["inventory_value"].sum(axis=1)
    out["backlog_units"] = k["backlog_units"].sum(axis=1).astype(np.int64)
    out["demand_units"] = demand.astype(np.int64)
    return out


T = TypeVar("T")
Preparation = tuple[str, str]
"""(planning key of a scenario, a factory's ``preparation``): one set-up to prepare."""


def _prepared_factories(exp: Experiment) -> dict[str, PreparedFactory]:
    """``exp``'s policies whose factory prepares a set-up, by name."""
    return {p: f for p in exp.policies if isinstance(f := exp.factory(p), PreparedFactory)}


def preparations(exp: Experiment) -> dict[Preparation, tuple[int, str]]:
    """What ``exp``'s policies prepare (:class:`twin.api.PreparedFactory`, e.g. solved
    levels), once per distinct planning network: each preparation → (scenario number,
    policy) to :func:`prepare` it with."""
    out: dict[Preparation, tuple[int, str]] = {}
    for s, scenario in enumerate(exp.scenarios):
        for p, factory in _prepared_factories(exp).items():
            out.setdefault((scenario.planning_key, factory.preparation), (s, p))
    return out


def prepare(exp: Experiment, scenario: int, policy: str) -> object:
    """``policy``'s preparation for the planning network of scenario number ``scenario``."""
    return _prepared_factories(exp)[policy].prepare(_networks(exp, exp.scenarios[scenario])[1])


def prepared_for(exp: Experiment, scenario: int, prepared: Mapping[Preparation, T]
                 ) -> dict[str, T]:
    """The entries of ``prepared`` (by :func:`preparations`' keys) that scenario number
    ``scenario`` plans with, by preparation name (what :func:`run_block` adopts)."""
    key = exp.scenarios[scenario].planning_key
    return {name: value for (k, name), value in prepared.items() if k == key}


def run_block(exp: Experiment, scenario: int, replications: Sequence[int],
              prepared: Mapping[str, object] | None = None) -> Block:
    """Every policy of ``exp`` on ``replications`` of scenario number ``scenario``;
    ``prepared``: set-ups prepared elsewhere for this scenario's planning network, by
    preparation name (:func:`prepared_for`), adopted instead of being prepared again."""
    if prepared:
        planning = _networks(exp, exp.scenarios[scenario])[1]
        for factory in _prepared_factories(exp).values():
            if factory.preparation in prepared:
                factory.adopt(planning, prepared[factory.preparation])
    runs = [[run_one(exp, exp.scenarios[scenario], p, r) for r in replications]
            for p in exp.policies]
    names = runs[0][0].keys()
    return Block(scenario, list(replications),
                 {n: np.stack([np.stack([run[n] for run in per]) for per in runs])
                  for n in names})


def blocks(exp: Experiment, replications: Sequence[int], size: int) -> list[tuple[int, list[int]]]:
    """Work units (scenario, replications) of at most ``size`` replications each."""
    reps = list(replications)
    return [(s, reps[i:i + size]) for s in range(len(exp.scenarios))
            for i in range(0, len(reps), size)]


def assemble(exp: Experiment, replications: Sequence[int], done: Sequence[Block]
             ) -> xr.Dataset:
    """The experiment dataset from its blocks (in any order)."""
    reps = list(replications)
    where = {r: k for k, r in enumerate(reps)}
    first = done[0].values
    shape = (len(exp.policies), len(exp.scenarios), len(reps))
    data = {n: np.full(shape + v.shape[2:], np.nan if v.dtype.kind == "f" else 0, dtype=v.dtype)
            for n, v in first.items()}
    filled = np.zeros(shape[1:], dtype=bool)
    for b in done:
        cols = [where[r] for r in b.replications]
        for n, v in b.values.items():
            data[n][:, b.scenario, cols] = v
        filled[b.scenario, cols] = True
    if not filled.all():
        raise ValueError("some replications were not run")
    start = exp.network.snapshot.as_of
    coords = {"policy": list(exp.policies), "scenario": [s.name for s in exp.scenarios],
              "replication": reps,
              "time": pd.date_range(start, periods=exp.days, freq="D").values,
              "priority": list(PRIORITIES)}
    variables = {}
    for n, v in data.items():
        dims = ("policy", "scenario", "replication") + (
            ("time", "priority") if n == "demand_units" else ("time",) if v.ndim == 4 else ())
        units, text = _describe(n)
        variables[n] = xr.Variable(dims, v, {"units": units, "description": text})
    ds = xr.Dataset(variables, coords=coords, attrs=exp.attrs())
    ds = ds.assign_coords(replication_seed=("replication", np.array(
        [replication_seed(exp.seed, r) for r in reps], dtype=np.int64)))
    ds["scenario_description"] = ("scenario", np.array(
        [s.description for s in exp.scenarios], dtype=object))
    return ds


def _describe(name: str) -> tuple[str, str]:
    if name in DAILY:
        return DAILY[name]
    if name == "demand_units":
        return "units", "units demanded per day and priority class (common random numbers)"
    kpi = run_kpi(name)
    return kpi.unit, f"{kpi.label} over the run"
