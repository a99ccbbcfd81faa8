"""The twin's public API for policies and planning models (``solvers``).

This module is the contract between the twin and what decides in it. A policy or a
planning model imports what it needs of the twin from here (and domain objects from
:mod:`twin.domain`); it never imports a submodule of :mod:`twin.sim`, whose layout may
change. A contract test (``tests/test_import_rules.py``) checks that ``solvers/``,
``scenarios/`` and ``dashboards/`` keep to it.

**The policy protocol.** Each review period the twin hands a policy a read-only
:class:`StateView` and executes what :meth:`Policy.decide` returns: domain plan actions
(:class:`~twin.domain.PurchaseAction`, :class:`~twin.domain.TransferAction`,
:class:`~twin.domain.ReorderPointAction`) or, for speed, an :class:`Actions` batch of
:class:`Purchases`, :class:`Transfers` and :class:`ReorderPoints` (arrays of indices of the
:class:`NetworkIndex`). A :data:`PolicyFactory` builds a policy for an index; a
:class:`PreparedFactory` also hands its costly set-up (solved levels) from one process to
another, so that experiments on Dask prepare it once overall.

**Typed views of the state.** Stock per position (``StateView.on_hand`` … ``backlog``),
lots on hand (:meth:`StateView.lot_rows`, :meth:`StateView.available_lots` →
:class:`LotRows`) and what is under way (:meth:`StateView.under_way` → :class:`Shipments`,
with ``purchase`` / ``transfer`` masks). The kinds are public enums: :class:`StockStatus`,
:class:`ShipmentKind`.

**Registries.** :class:`PolicyRegistry` maps names to factories; the twin's own policies
are :data:`BASE_POLICIES` (``none``, ``fixed_ss``, ``fixed_ss_emergency``; classes
:class:`NoAction`, :class:`FixedSS`, and :class:`PlanPolicy` for running a plan). Nothing
registers by import: the registry of all shipped policies is
:func:`solvers.registry.shipped_policies`. Demand families are registered once in
:data:`DEMAND_FAMILIES` (:class:`DemandFamily`).

**Demand.** :class:`DemandMeans` gives the demand models' mean per series and day (the
twin's own means, with seasonality and demand multipliers).

**Replenishment rules** (domain functions the twin itself executes, see
:mod:`twin.domain.replenishment`): lane choice — :func:`replenishment_routes`,
:func:`replenishment_lane`, :func:`first_open`, :func:`lane_preference`; lateness —
:func:`late_days` (the data: :class:`twin.domain.Lateness` per supplier offer).
"""

from twin.domain.demand_families import DEMAND_FAMILIES, DemandFamilies, DemandFamily
from twin.domain.replenishment import (
    first_open,
    lane_preference,
    late_days,
    replenishment_lane,
    replenishment_routes,
)
from twin.sim.demand import DemandMeans
from twin.sim.index import NetworkIndex, SeriesKey, index_of
from twin.sim.plan_policy import PlanPolicy
from twin.sim.policies import BASE_POLICIES, FixedSS, NoAction, PolicyRegistry
from twin.sim.policy import (
    Actions,
    DomainAction,
    LotRows,
    Policy,
    PolicyFactory,
    PreparedFactory,
    Purchases,
    ReorderPoints,
    ShipmentKind,
    Shipments,
    StateView,
    StockStatus,
    Transfers,
)

__all__ = [
    "BASE_POLICIES",
    "DEMAND_FAMILIES",
    "Actions",
    "DemandFamilies",
    "DemandFamily",
    "DemandMeans",
    "DomainAction",
    "FixedSS",
    "LotRows",
    "NetworkIndex",
    "NoAction",
    "PlanPolicy",
    "Policy",
    "PolicyFactory",
    "PolicyRegistry",
    "PreparedFactory",
    "Purchases",
    "ReorderPoints",
    "SeriesKey",
    "ShipmentKind",
    "Shipments",
    "StateView",
    "StockStatus",
    "Transfers",
    "first_open",
    "index_of",
    "lane_preference",
    "late_days",
    "replenishment_lane",
    "replenishment_routes",
]
