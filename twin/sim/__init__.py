"""The SimPy digital twin: replay a network day by day under a policy and scenario events.

Entry point: :func:`simulate` → :class:`SimulationResult` (``to_dataset()``, ``ledger``,
``write(path)``). Policies satisfy :class:`Policy`; register more with
:func:`register_policy`.
"""

from twin.sim.engine import simulate
from twin.sim.events import (
                             DemandMultiplier,
                             Event,
                             ExcursionMultiplier,
                             LaneClosure,
                             Recall,
                             SupplierDisruption,
                             WarehouseOutage,
                             load_scenario,
)
from twin.sim.policies import POLICIES, FixedSS, NoAction, register_policy
from twin.sim.policy import Actions, Policy, StateView
from twin.sim.results import SimulationResult

__all__ = [
    "POLICIES",
    "Actions",
    "DemandMultiplier",
    "Event",
    "ExcursionMultiplier",
    "FixedSS",
    "LaneClosure",
    "NoAction",
    "Policy",
    "Recall",
    "SimulationResult",
    "StateView",
    "SupplierDisruption",
    "WarehouseOutage",
    "load_scenario",
    "register_policy",
    "simulate",
]
