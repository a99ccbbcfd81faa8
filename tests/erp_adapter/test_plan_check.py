"""A plan is checked against its network and the stock on hand before it is published."""

import datetime as dt

import pytest

from erp_adapter.plan_check import check_plan
from tests.erp_adapter.returns_net import returns_network
from twin.domain import Network, Plan, PurchaseAction, ReorderPointAction, TransferAction
from twin.domain.plan import DispositionAction, action_key

DAY = dt.date(2026, 11, 23)


def transfer(**kw) -> TransferAction:
    base = {"from": "WH-SH", "to": "WH-HZ", "mode": "road", "item": "INF-SET-STD",
            "lot": "INF2601", "quantity": 10, "ship_date": DAY}
    base.update(kw)
    return TransferAction(key=action_key("transfer", *sorted(base.items())), reason="test",
                          **base)


def plan_of(*actions, network: str = "tiny") -> Plan:
    return Plan(id="p", network=network, as_of=DAY, horizon_days=14,
                created=dt.datetime(2026, 11, 23, tzinfo=dt.UTC), actions=list(actions))


def messages(plan: Plan, net: Network) -> list[str]:
    return [str(p) for p in check_plan(plan, net, file="plan.json")]


def test_a_sound_plan_passes(tiny_net: Network) -> None:
    plan = plan_of(
        transfer(),
        transfer(to="WH-GZ", item="IVD-TROP-100", lot="TROP2610A", quantity=5),
        PurchaseAction(key="purchase-1", reason="r", supplier="SUP-MED", item="STENT-DES-30",
                       warehouse="WH-SH", quantity=20, order_date=DAY),
        ReorderPointAction(key="rop-1", reason="r", warehouse="WH-SH", item="INF-SET-STD",
                           reorder_point=500, order_up_to=1200))
    assert messages(plan, tiny_net) == []


@pytest.mark.parametrize(("line", "where", "what"), [
    (transfer(item="NOPE"), "actions[0].item", "unknown item 'NOPE'"),
    (transfer(to="WH-XX"), "actions[0].to", "unknown warehouse 'WH-XX'"),
    (transfer(mode="air"), "actions[0].mode", "no lane WH-SH>WH-HZ:air (lanes on that route: "
                                              "road)"),
    (transfer(to="WH-HZ", item="IVD-TROP-100", lot="TROP2610A", quantity=1),
     "actions[0].mode", "cold-chain item 'IVD-TROP-100' on non-cold lane WH-SH>WH-HZ:road"),
    (transfer(to="WH-GZ", item="INF-SET-STD", lot="INF2601", quantity=1), "actions[0].to",
     "not registered in region 'south'"),
    (transfer(**{"from": "WH-HZ"}, to="WH-GZ"), "actions[0].mode",
     "no lane WH-HZ>WH-GZ:road (no lane on that route)"),
    (transfer(quantity=5000), "actions[0].quantity", "more than the 900 available"),
    (transfer(lot="INF2603", quantity=5), "actions[0].lot", "lot 'INF2603' of 'INF-SET-STD' "
                                                            "has 0 units available"),
    (PurchaseAction(key="k", reason="r", supplier="SUP-DX", item="STENT-DES-30",
                    warehouse="WH-SH", quantity=1, order_date=DAY),
     "actions[0].item", "does not supply"),
    (PurchaseAction(key="k", reason="r", supplier="SUP-MED", item="STENT-DES-30",
                    warehouse="WH-GZ", quantity=1, order_date=DAY),
     "actions[0].warehouse", "does not deliver to 'WH-GZ'"),
    (ReorderPointAction(key="k", reason="r", warehouse="WH-SH", item="INF-SET-STD",
                        reorder_point=9, order_up_to=3),
     "actions[0].order_up_to", "below the reorder point"),
])
def test_each_problem_names_file_line_and_what(tiny_net: Network, line, where: str,
                                               what: str) -> None:
    found = messages(plan_of(line), tiny_net)
    assert found, "expected a problem"
    assert any(m.startswith(f"plan.json: {where}") and what in m for m in found), found


def test_transfers_add_up_against_the_stock(tiny_net: Network) -> None:
    # 900 available: two lines of 500 each are fine alone, not together
    plan = plan_of(transfer(quantity=500, lot=None), transfer(quantity=500, lot=None,
                                                              ship_date=DAY.replace(day=24)))
    found = messages(plan, tiny_net)
    assert len(found) == 1 and "actions[1].quantity" in found[0] and "1000 units" in found[0]


def test_duplicate_keys_and_wrong_network(tiny_net: Network) -> None:
    t = transfer()
    found = messages(plan_of(t, t, network="other"), tiny_net)
    assert any("plan is for network 'other'" in m for m in found)
    assert any("actions[1].key: duplicate key" in m for m in found)


def disposition(**kw) -> DispositionAction:
    base = {"warehouse": "WH-SH", "item": "INF-SET-STD", "lot": "INF2601", "quantity": 4,
            "reason": "unused", "decision": "restock", "date": DAY}
    base.update(kw)
    return DispositionAction(key=action_key("disposition", *map(str, sorted(base.items()))),
                             **base)


def test_disposition_lines_are_checked_against_the_returns_waiting_for_qc(
        tiny_net: Network) -> None:
    # 7 unused INF2601 and 2 defective TROP2610A wait for QC at WH-SH
    net = returns_network(tiny_net).model_copy(update={"name": "tiny"})
    sound = plan_of(disposition(), disposition(quantity=3, decision="scrap"),
                    disposition(item="IVD-TROP-100", lot="TROP2610A", reason="defective",
                                quantity=2, decision="repair", repairer="SUP-DX",
                                repair_due=DAY + dt.timedelta(days=10)))
    assert messages(sound, net) == []
    bad = plan_of(disposition(quantity=5), disposition(quantity=3, decision="scrap"),
                  disposition(reason="defective", quantity=1),
                  disposition(item="STENT-DES-30", lot="SN1", quantity=2, decision="repair"),
                  disposition(lot="INF2603", decision="repair", repairer="H-RJ"),
                  disposition(lot="INF2604", decision="scrap", repairer="SUP-MED"))
    assert messages(bad, net) == [
        "plan.json: actions[3].quantity: serial number 'SN1' is one unit, got 2",
        "plan.json: actions[3].repairer: a repair names the supplier that repairs (repairer)",
        "plan.json: actions[4].repairer: repairer 'H-RJ' is no supplier of the network",
        "plan.json: actions[5].repairer: a scrap names no repairer, got 'SUP-MED'"]
    over = plan_of(disposition(quantity=5), disposition(quantity=3, decision="scrap"),
                   disposition(reason="defective", quantity=1))
    assert messages(over, net) == [
        "plan.json: actions[1].quantity: dispositions of lot 'INF2601' of 'INF-SET-STD' "
        "returned as unused add up to 8 units by this line, more than the 7 waiting for QC "
        "at 'WH-SH' on 2026-11-23",
        "plan.json: actions[2].quantity: dispositions of lot 'INF2601' of 'INF-SET-STD' "
        "returned as defective add up to 1 units by this line, more than the 0 waiting for "
        "QC at 'WH-SH' on 2026-11-23"]
