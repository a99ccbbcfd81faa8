"""Sample plans and stress evidence for the plan-store, CLI and dashboard tests."""

import datetime as dt
import json

from twin.domain import Plan, ReorderPointAction, TransferAction

DAY = dt.date(2026, 11, 23)


def plan_json(plan_id: str = "tiny-1", evidence: dict | None = None) -> str:
    plan = Plan(id=plan_id, network="tiny", as_of=DAY, horizon_days=7,
                created=dt.datetime(2026, 11, 23, tzinfo=dt.UTC), actions=[
                    TransferAction(key="t-1", reason="r", **{"from": "WH-SH", "to": "WH-GZ"},
                                   item="IVD-TROP-100", lot="TROP2610A", quantity=5,
                                   ship_date=DAY),
                    ReorderPointAction(key="r-1", reason="r", warehouse="WH-SH",
                                       item="INF-SET-STD", reorder_point=5, order_up_to=9)])
    doc = json.loads(plan.model_dump_json(by_alias=True))
    if evidence is not None:
        doc["stress_test"] = evidence
    return json.dumps(doc)


def evidence(fill_lower: float, cost: float) -> dict:
    """Stress evidence whose worst scenario (demand-surge) has ``fill_lower``."""
    def kpis(lower: float) -> dict:
        return {"fill_rate_critical": {"mean": lower + 0.001, "lower": lower,
                                       "upper": lower + 0.002},
                "holding_cost": {"mean": cost}, "transport_cost": {"mean": 0.0},
                "purchase_cost": {"mean": 0.0}, "transfer_cost": {"mean": 0.0}}
    return {"scenarios": [{"scenario": "baseline", "kpis": kpis(min(fill_lower + 0.004, 1))},
                          {"scenario": "demand-surge", "kpis": kpis(fill_lower)}]}
