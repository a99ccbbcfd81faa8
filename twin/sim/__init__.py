"""The SimPy digital twin: replay a network day by day under a policy and scenario events.

Entry point: :func:`simulate` → :class:`SimulationResult` (``to_dataset()``, ``ledger``,
``write(path)``). Policies satisfy :class:`Policy` and are named in a
:class:`PolicyRegistry` (the twin's own: :data:`BASE_POLICIES`).

Public surface: the names in ``__all__`` below are what other packages use to *run* the twin
(the simulation, scenario events, KPIs, result files); what policies and planning models
use to *read and act on* the twin is :mod:`twin.api`. The submodules of ``twin.sim`` are the
twin's internals: outside ``twin`` nothing imports them (a contract test checks
``solvers/``, ``scenarios/`` and ``dashboards/``).
"""

from twin.sim.demand import load_trace
from twin.sim.engine import simulate
from twin.sim.events import (
                             EVENTS,
                             DemandMultiplier,
                             Event,
                             ExcursionMultiplier,
                             LaneClosure,
                             Recall,
                             SupplierDisruption,
                             WarehouseOutage,
                             check_events,
                             day_number,
)
from twin.sim.kpis import (
    RECALL_KPIS,
    RECOVERY_WINDOWS,
    RETURN_KPIS,
    RUN_KPIS,
    Kpis,
    RunKpi,
    run_kpi,
)
from twin.sim.kpis import summary as kpi_summary
from twin.sim.ledger import ON_HAND_SIGN
from twin.sim.plan_policy import PlanPolicy
from twin.sim.policies import BASE_POLICIES, FixedSS, NoAction, PolicyRegistry
from twin.sim.policy import Actions, Policy, PolicyFactory, StateView
from twin.sim.recall_kpis import recall_summary
from twin.sim.results import SimulationResult, ledger_path, summary_table

__all__ = [
    "BASE_POLICIES",
    "EVENTS",
    "ON_HAND_SIGN",
    "RECALL_KPIS",
    "RECOVERY_WINDOWS",
    "RETURN_KPIS",
    "RUN_KPIS",
    "Actions",
    "DemandMultiplier",
    "Event",
    "ExcursionMultiplier",
    "FixedSS",
    "Kpis",
    "LaneClosure",
    "NoAction",
    "PlanPolicy",
    "Policy",
    "PolicyFactory",
    "PolicyRegistry",
    "Recall",
    "RunKpi",
    "SimulationResult",
    "StateView",
    "SupplierDisruption",
    "WarehouseOutage",
    "check_events",
    "day_number",
    "kpi_summary",
    "ledger_path",
    "load_trace",
    "recall_summary",
    "run_kpi",
    "simulate",
    "summary_table",
]
