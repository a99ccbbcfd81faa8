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
from twin.domain.network import Network, Settings, StockPolicy
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
from twin.domain.plan import Plan, PurchaseAction, ReorderPointAction, TransferAction
from twin.domain.snapshot import InTransit, LotPosition, PurchaseOrder, Snapshot

__all__ = [
    "ALERT_KINDS",
    "Alert",
    "DemandModel",
    "Department",
    "Distribution",
    "Hospital",
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
    "Region",
    "ReorderPointAction",
    "Settings",
    "ShipMode",
    "Snapshot",
    "StockPolicy",
    "Supplier",
    "SupplyOffer",
    "TransferAction",
    "Warehouse",
]
