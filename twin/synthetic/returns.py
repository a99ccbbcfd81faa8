"""Returns and repairs of a synthetic network, by device family (no random draws, so the
rest of a generated network is the same with or without them).

- Return rates on demand models (:data:`RETURN_PROFILES`): consumables come back unused
  (2 %) and near expiry (1 %), IVD reagents near expiry (1 %), catheters unused (1 %),
  staplers unused (1 %) and defective (1.5 %).
- QC rules (:func:`handling_rules`): 90 % of unused returns are restocked (the rest has
  damaged packaging); a defective stapler (not a reload) is repaired in 60 % of cases
  (gamma 21 ± 5 days, 15 % of its unit cost), the rest scrapped.
- The snapshot (:func:`snapshot_returns`): a few returned units waiting for QC at the first
  warehouse holding them — an unused consumable, a near-expiry reagent, a defective
  stapler — and one stapler lot out for repair.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from twin.domain import Item

Record = dict[str, Any]


def _gamma(mean: float, spread: float) -> Record:
    return {"family": "gamma", "mean": mean, "spread": spread}


RETURN_PROFILES: dict[str, list[tuple[str, float, Record]]] = {
    "consumable": [("unused", 0.02, _gamma(10, 4)), ("near_expiry", 0.01, _gamma(20, 6))],
    "ivd_reagent": [("near_expiry", 0.01, _gamma(14, 5))],
    "interventional_catheter": [("unused", 0.01, _gamma(10, 4))],
    "surgical_stapler": [("unused", 0.01, _gamma(10, 4)), ("defective", 0.015, _gamma(5, 2))],
}
"""Category → (reason, returned units per issued unit, delay in days) of its demand models."""
REPAIRABLE = "surgical_stapler"
REPAIR_SHARE, REPAIR_COST_SHARE = 0.6, 0.15
REPAIR_DAYS = _gamma(21, 5)


def _repairable(item: Item) -> bool:
    return item.category == REPAIRABLE and "reload" not in item.description.lower()


def with_return_rates(demand: list[Record], items: Sequence[Item]) -> list[Record]:
    """``demand`` records with the return rates of their item's category."""
    category = {it.code: it.category for it in items}
    return [{**d, "returns": [{"reason": r, "rate": rate, "delay_days": delay}
                              for r, rate, delay in RETURN_PROFILES[category[d["item"]]]]}
            if category[d["item"]] in RETURN_PROFILES else d for d in demand]


def handling_rules(items: Sequence[Item]) -> list[Record]:
    """QC rules: unused returns of every item, defective repairable staplers."""
    return [{"reason": "unused", "restock": 0.9}] + [
        {"reason": "defective", "item": it.code, "restock": 0.0, "repair": REPAIR_SHARE,
         "repair_days": REPAIR_DAYS, "repair_cost": round(REPAIR_COST_SHARE * it.unit_cost, 2)}
        for it in items if _repairable(it)]


def snapshot_returns(lots: list[Record], items: Sequence[Item], as_of: dt.date
                     ) -> tuple[list[Record], list[Record]]:
    """Returned lots waiting for QC and lots out for repair, taken from the first available
    lot row of: a consumable, an IVD reagent and a repairable stapler (two rows of it)."""
    by_code = {it.code: it for it in items}

    def rows(test: Any) -> list[Record]:
        return [r for r in lots if r["status"] == "available" and test(by_code[r["item"]])]

    def back(r: Record, reason: str, units: int, days_ago: int) -> Record:
        return {"warehouse": r["warehouse"], "item": r["item"], "lot": r["lot"],
                "expiry": r["expiry"], "quantity": units, "reason": reason,
                "received": as_of - dt.timedelta(days=days_ago)}

    returns, repairs = [], []
    if cons := rows(lambda it: it.category == "consumable"):
        returns.append(back(cons[0], "unused", max(1, cons[0]["quantity"] // 20), 1))
    if ivd := rows(lambda it: it.category == "ivd_reagent"):
        returns.append(back(ivd[0], "near_expiry", 1, 0))
    if stapler := rows(_repairable):
        returns.append(back(stapler[0], "defective", 1, 2))
        r = stapler[-1]
        repairs.append({"warehouse": r["warehouse"], "item": r["item"], "lot": r["lot"],
                        "expiry": r["expiry"], "quantity": 1,
                        "sent": as_of - dt.timedelta(days=10),
                        "due": as_of + dt.timedelta(days=11)})
    return returns, repairs
