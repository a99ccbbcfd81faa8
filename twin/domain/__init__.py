"""Validated domain objects of a multi-org medical-device network (pydantic v2).

Every field carries its unit and a one-line description once (see
:func:`twin.domain.fields.field`); that drives validation messages, docs and the
JSON Schema of the config files.
"""

from twin.domain.alerts import ALERT_KINDS, Alert
from twin.domain.demand import DemandModel
from twin.domain.distributions import Distribution
from twin.domain.items import Item
from twin.domain.lanes import Lane
from twin.domain.network import Network, RecallResponse, Settings, StockPolicy
from twin.domain.parties import (
    Department,
    Hospital,
    Lateness,
    Org,
    Region,
    ShipMode,
    Supplier,
    SupplyOffer,
    Warehouse,
)
from twin.domain.plan import (
    DispositionAction,
    ExpiryAlert,
    Plan,
    PurchaseAction,
    ReorderPointAction,
    Rescue,
    TransferAction,
)
from twin.domain.returns import (
    DECISIONS,
    RATE_REASONS,
    InRepair,
    ReturnedLot,
    ReturnHandling,
    ReturnRate,
)
from twin.domain.snapshot import InTransit, LotPosition, PurchaseOrder, Snapshot
from twin.domain.substitutes import Substitute

__all__ = [
    "ALERT_KINDS",
    "DECISIONS",
    "RATE_REASONS",
    "Alert",
    "DemandModel",
    "Department",
    "DispositionAction",
    "Distribution",
    "ExpiryAlert",
    "Hospital",
    "InRepair",
    "InTransit",
    "Item",
    "Lane",
    "Lateness",
    "LotPosition",
    "Network",
    "Org",
    "Plan",
    "PurchaseAction",
    "PurchaseOrder",
    "RecallResponse",
    "Region",
    "ReorderPointAction",
    "Rescue",
    "ReturnHandling",
    "ReturnRate",
    "ReturnedLot",
    "Settings",
    "ShipMode",
    "Snapshot",
    "StockPolicy",
    "Substitute",
    "Supplier",
    "SupplyOffer",
    "TransferAction",
    "Warehouse",
]
