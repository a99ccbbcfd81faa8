"""Small hand-built networks and recorded demand for the twin's tests."""

import datetime as dt
import itertools
from typing import Any

import numpy as np
import pandas as pd

from twin.api import NetworkIndex, StateView
from twin.domain import Network, PurchaseAction
from twin.domain.gtin import make_gtin14
from twin.sim import simulate

AS_OF = dt.date(2026, 1, 5)  # a Monday
_gtin = itertools.count(1)


def item(code: str, **kw: Any) -> dict[str, Any]:
    """An item record (non-cold, long shelf life, no QC hold, lost sales unless told)."""
    return {"code": code, "gtin": make_gtin14(f"{690123400000 + next(_gtin):013d}"),
            "description": code, "category": "test", "unit_cost": 10.0,
            "shelf_life_days": 1000, "registered_regions": ["east", "south"],
            "qc_hold_days": 0, **kw}


def warehouse(wid: str, org: str = "G", region: str = "east", **kw: Any) -> dict[str, Any]:
    """A cold-capable warehouse record."""
    return {"id": wid, "org": org, "region": region, "city": wid, "latitude": 31.0,
            "longitude": 121.0, "cold_chain": True, "capacity": 100_000, **kw}


def department(did: str, priority: str = "routine", min_shelf: int = 0) -> dict[str, Any]:
    """A department record."""
    return {"id": did, "kind": did.lower(), "priority": priority,
            "min_shelf_life_days": min_shelf}


def hospital(hid: str, served_by: list[str], departments: list[dict[str, Any]],
             region: str = "east") -> dict[str, Any]:
    """A hospital record."""
    return {"id": hid, "name": hid, "region": region, "city": hid, "latitude": 31.0,
            "longitude": 121.0, "served_by": served_by, "departments": departments}


def supplier(sid: str, delivers_to: list[str], offers: dict[str, float], **kw: Any
             ) -> dict[str, Any]:
    """A supplier offering each item of ``offers`` with that fixed lead time (days)."""
    return {"id": sid, "name": sid, "delivers_to": delivers_to,
            "supplies": [{"item": i, "lead_time": {"family": "fixed", "mean": lt}}
                         for i, lt in offers.items()], **kw}


def lane(src: str, dst: str, transit: float = 2.0, **kw: Any) -> dict[str, Any]:
    """A lane with a fixed transit time."""
    return {"from": src, "to": dst, "transit_time": {"family": "fixed", "mean": transit}, **kw}


def lot(wh: str, code: str, name: str, expiry_day: int, qty: int, status: str = "available"
        ) -> dict[str, Any]:
    """An opening lot position expiring ``expiry_day`` days after the snapshot."""
    return {"warehouse": wh, "item": code, "lot": name,
            "expiry": (AS_OF + dt.timedelta(days=expiry_day)).isoformat(), "quantity": qty,
            "status": status}


def network(*, warehouses: list[dict[str, Any]], items: list[dict[str, Any]],
            hospitals: list[dict[str, Any]], suppliers: list[dict[str, Any]] | None = None,
            **sections: Any) -> Network:
    """A network of two orgs (G, and its subsidiary S) in two regions; ``sections`` fill
    lanes, demand, stock_policies, return_handling and snapshot parts (lots, in_transit,
    purchase_orders, returns, repairs)."""
    snapshot = {"as_of": AS_OF.isoformat(),
                **{k: sections.pop(k) for k in ("lots", "in_transit", "purchase_orders",
                                                "returns", "repairs") if k in sections}}
    review = sections.pop("review_period_days", 1)
    return Network.model_validate({
        "name": "test", "settings": {"review_period_days": review},
        "regions": [{"id": "east"}, {"id": "south"}],
        "orgs": [{"id": "G", "name": "Group", "region": "east"},
                 {"id": "S", "name": "Sub", "parent": "G", "region": "south",
                  "transfer_markup": 0.1}],
        "warehouses": warehouses, "items": items, "hospitals": hospitals,
        "suppliers": suppliers or [supplier("SUP", [warehouses[0]["id"]],
                                            {i["code"]: 5 for i in items})],
        "snapshot": snapshot, **sections,
    })


def trace(rows: list[tuple[int, str, str, str, int]]) -> pd.DataFrame:
    """Recorded demand from (day, hospital, department, item, quantity) tuples."""
    return pd.DataFrame([(AS_OF + dt.timedelta(days=d), h, dep, i, q) for d, h, dep, i, q in rows],
                        columns=["date", "hospital", "department", "item", "quantity"])


def receipt_days(net: Network, supplier_id: str, warehouse_id: str, item_code: str, n: int,
                 days: int, seed: int = 3) -> np.ndarray:
    """Days on which ``n`` one-unit purchase orders placed on day 0 are received by the twin."""
    orders = [PurchaseAction(key=f"p{k}", reason="test", supplier=supplier_id,
                             warehouse=warehouse_id, item=item_code, quantity=1,
                             order_date=AS_OF) for k in range(n)]

    class Buyer:
        emergency = False

        def __init__(self, index: NetworkIndex):
            del index

        def decide(self, view: StateView) -> list[PurchaseAction]:
            return orders if view.day == 0 else []

    ledger = simulate(net, days=days, seed=seed, policy=Buyer).ledger
    return ledger.loc[ledger["kind"] == "receipt", "day"].to_numpy()
