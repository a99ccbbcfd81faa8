"""Sample plans and stress evidence for the plan-store, CLI and dashboard tests."""

import datetime as dt
import json

from twin.domain import Alert, Plan, ReorderPointAction, TransferAction

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


def tiny_net():
    """The tiny test network (its snapshot is of :data:`DAY`)."""
    from tests.conftest import TINY
    from twin.network_files import load_network

    return load_network(TINY)


def returns_plan() -> Plan:
    """The sample plan plus the disposition lines (:mod:`solvers.returns`) for 6 near-expiry
    troponin kits (scrapped: too short-dated, 6 × 1,200) and 2 recalled stents (scrapped,
    2 × 6,800) back at WH-SH on :data:`DAY`."""
    from solvers.returns import disposition_actions
    from twin.domain import Network

    doc = tiny_net().model_dump(by_alias=True)
    back = {"warehouse": "WH-SH", "received": DAY.isoformat()}
    doc["snapshot"]["returns"] = [
        {**back, "item": "IVD-TROP-100", "lot": "TROP2608B", "expiry": "2026-12-10",
         "quantity": 6, "reason": "near_expiry"},
        {**back, "item": "STENT-DES-30", "lot": "SN100200", "expiry": "2028-03-31",
         "quantity": 2, "reason": "recalled"}]
    plan = Plan.model_validate_json(plan_json())
    lines = disposition_actions(Network.model_validate(doc))
    return plan.model_copy(update={"actions": [*plan.actions, *lines]})


def sealed(store, plan_id: str, doc: dict) -> dict:
    """``doc`` sealed by ``store`` for the sample plan ``plan_id`` (as `medtwin stress`
    does)."""
    from medtwin.store.seal import seal

    return seal(doc, Plan.model_validate_json(plan_json(plan_id)), store.keyring)


def sealed_plan(store, plan_id: str, doc: dict) -> str:
    """The sample plan ``plan_id`` carrying ``doc`` sealed by ``store``."""
    return plan_json(plan_id, sealed(store, plan_id, doc))


def new_store(url: str, clock=None, passwords: dict | None = None):
    """A store at ``url`` bootstrapped with manager ``mia`` (this process's OS account),
    planner ``pat`` and viewer ``vic``; tokens of pat and vic in ``store.tokens``;
    dashboard ``passwords`` by user (mia's default: s3cret)."""
    from medtwin.store import PlanStore, Role, open_store
    from medtwin.store.identity import os_account

    store = PlanStore(open_store(url), clock=clock) if clock else PlanStore(open_store(url))
    store.bootstrap("mia", os_account(), password="s3cret")
    store.add_user("mia", "pat", Role.PLANNER)
    store.add_user("mia", "vic", Role.VIEWER)
    store.tokens = {u: store.issue_token("mia", u) for u in ("pat", "vic")}
    for user, password in (passwords or {}).items():
        store.set_password("mia", user, password)
    return store


def add_plan(store, plan_id: str = "tiny-1", doc: dict | None = None,
             user: str = "pat") -> None:
    """Store the sample plan ``plan_id`` as ``user``, with ``doc`` as its sealed evidence."""
    text = sealed_plan(store, plan_id, doc) if doc is not None else plan_json(plan_id)
    store.add_plan(text, user, f"{plan_id}.json", tiny_net())


def approved_in_store(plan_file, net, folder) -> tuple[str, str]:
    """Store ``plan_file`` (checked against ``net``) in a store in ``folder`` — made on
    first use, mia (this OS account) its manager — approved by mia without evidence:
    (store URL, plan id), ready for `medtwin plans publish ID --store URL`."""
    from pathlib import Path

    from medtwin.store import PlanStore, open_store

    url = f"sqlite:///{Path(folder) / 'plans.db'}"
    store = PlanStore(open_store(url))
    if not store.users():
        store = new_store(url)
    text = Path(plan_file).read_text(encoding="utf-8")
    info = store.add_plan(text, "pat", str(plan_file), net)
    store.approve(info.id, "mia", "approved for the test", without_evidence=True)
    return url, info.id



# a critical and a warning data-quality alert, as a pull records them
NEGATIVE = Alert.of("negative_stock", "stock.lot,79", "-5 units in the WH-HZ available zone",
                    "left out of the snapshot", item="INF-SET-STD", warehouse="WH-HZ",
                    lot="NEG-1")
FRACTION = Alert.of("fractional_stock", "stock.lot,80", "7.5 units", "floored to 7 units",
                    item="IVD-TROP-100", warehouse="WH-SH", lot="FRAC-1")
