"""Event-log tests: one tiny network per phenomenon, checked against the lot ledger."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sim_builders import (
    AS_OF,
    department,
    hospital,
    item,
    lane,
    lot,
    network,
    supplier,
    trace,
    warehouse,
)

from twin.domain import PurchaseAction, ReorderPointAction, TransferAction
from twin.sim import (
    DemandMultiplier,
    LaneClosure,
    Recall,
    SupplierDisruption,
    WarehouseOutage,
    simulate,
)
from twin.sim.policies import FixedSS
from twin.sim.policy import StateView


class Scripted:
    """A policy that returns the given domain actions on given days and records its views."""

    def __init__(self, script: dict[int, list], emergency: bool = False):
        self.script, self.emergency, self.views = script, emergency, []

    def __call__(self, index):
        return self

    def decide(self, view: StateView):
        self.views.append(view)
        return self.script.get(view.day, [])


def _date(day: int) -> dt.date:
    return AS_OF + dt.timedelta(days=day)


def transfer(src: str, dst: str, code: str, qty: int, day: int = 0, **kw) -> TransferAction:
    return TransferAction(key=f"t{day}{src}{dst}", reason="test", source=src, target=dst,
                          item=code, quantity=qty, ship_date=_date(day), **kw)


def purchase(sup: str, wh: str, code: str, qty: int, day: int = 0) -> PurchaseAction:
    return PurchaseAction(key=f"p{day}", reason="test", supplier=sup, warehouse=wh, item=code,
                          quantity=qty, order_date=_date(day))


def rows(result, kind: str, **where) -> pd.DataFrame:
    led = result.ledger
    sel = led["kind"] == kind
    for col, value in where.items():
        sel &= led[col] == value
    return led[sel]


def moves(result, kind: str, **where) -> list[tuple]:
    """(day, warehouse, lot, quantity, counterpart, reason) of ledger rows of ``kind``."""
    r = rows(result, kind, **where)
    return list(zip(r["day"], r["warehouse"], r["lot"], r["quantity"], r["counterpart"],
                    r["reason"], strict=True))


ONE_WH = {"warehouses": [warehouse("A")], "items": [item("X")]}


def test_fefo_issue_respects_priority_and_minimum_shelf_life():
    net = network(**ONE_WH, hospitals=[hospital("H", ["A"], [
        department("ICU", "critical", min_shelf=20), department("WARD")])],
        lots=[lot("A", "X", "L1", 10, 5), lot("A", "X", "L2", 50, 5), lot("A", "X", "L3", 100, 5)])
    demand = trace([(0, "H", "WARD", "X", 3), (0, "H", "ICU", "X", 3), (1, "H", "WARD", "X", 4),
                    (12, "H", "WARD", "X", 1)])
    result = simulate(net, days=13, seed=0, demand=demand)
    assert moves(result, "issue") == [
        (0, "A", "L2", 3, "H/ICU", ""), (0, "A", "L1", 3, "H/WARD", ""),
        (1, "A", "L1", 2, "H/WARD", ""), (1, "A", "L2", 2, "H/WARD", ""),
        (12, "A", "L3", 1, "H/WARD", "")]
    assert moves(result, "scrap") == []  # L1 was used up before it expired


def test_shortage_serves_critical_first_then_loses_or_backorders_per_item():
    net = network(warehouses=[warehouse("A")],
                  items=[item("X"), item("Y", unmet_demand="backorder")],
                  hospitals=[hospital("H", ["A"], [department("ICU", "critical"),
                                                   department("WARD")])],
                  lots=[lot("A", "X", "LX", 100, 2), lot("A", "Y", "LY", 100, 1)],
                  purchase_orders=[{"id": "PO1", "supplier": "SUP", "item": "Y", "warehouse": "A",
                                    "quantity": 5, "ordered": AS_OF.isoformat(),
                                    "due": _date(2).isoformat()}])
    demand = trace([(0, "H", "WARD", "X", 2), (0, "H", "ICU", "X", 2),
                    (0, "H", "WARD", "Y", 3)])
    result = simulate(net, days=4, seed=0, demand=demand)
    assert moves(result, "issue", item="X") == [(0, "A", "LX", 2, "H/ICU", "")]
    ds = result.to_dataset()
    assert int(ds.lost_units.sum()) == 2
    assert int(ds.backordered_units.sum()) == 2
    assert int(ds.served_late_units.sum()) == 2  # the backlog is served when the PO arrives
    issued_y = moves(result, "issue", item="Y")
    assert [(d, q) for d, _, _, q, _, _ in issued_y] == [(0, 1), (2, 2)]
    assert float(ds.run_fill_rate) == pytest.approx(3 / 7)
    assert float(ds.run_fill_rate_critical) == 1.0


def test_lots_expire_on_their_expiry_date_and_are_written_off():
    net = network(**ONE_WH, hospitals=[hospital("H", ["A"], [department("WARD")])],
                  lots=[lot("A", "X", "OLD", 3, 7), lot("A", "X", "NEW", 30, 2)])
    result = simulate(net, days=5, seed=0)
    assert moves(result, "scrap") == [(3, "A", "OLD", 7, "", "expired")]
    ds = result.to_dataset()
    assert int(ds.expired_units.sum()) == 7
    assert float(ds.expired_value.sum()) == 70.0
    assert ds.closing_on_hand.sel(item="X").values.tolist() == [9, 9, 9, 2, 2]


def test_purchase_arrives_after_lead_time_into_qc_hold_then_release_or_scrap():
    items = [item("X", qc_hold_days=2, shelf_life_days=400), item("Z", qc_hold_days=1)]
    net = network(warehouses=[warehouse("A")], items=items,
                  hospitals=[hospital("H", ["A"], [department("WARD")])],
                  suppliers=[supplier("GOOD", ["A"], {"X": 4}),
                             supplier("BAD", ["A"], {"Z": 3}, defect_rate=1.0)])
    policy = Scripted({0: [purchase("GOOD", "A", "X", 20), purchase("BAD", "A", "Z", 8)]})
    result = simulate(net, days=8, seed=0, policy=policy)
    (receipt,) = moves(result, "receipt", item="X")
    assert receipt[:2] == (4, "A") and receipt[3:] == (20, "GOOD", "qc")
    assert moves(result, "release", item="X") == [(6, "A", receipt[2], 20, "", "qc")]
    expiry = rows(result, "receipt", item="X")["expiry"].iloc[0]
    assert expiry == np.datetime64(_date(400))  # shelf life counted from manufacture (order)
    assert [m[0] for m in moves(result, "receipt", item="Z")] == [3]
    assert [(m[0], m[3], m[5]) for m in moves(result, "scrap", item="Z")] == [(4, 8, "qc_fail")]
    assert float(result.to_dataset().purchase_cost.sum()) == 280.0


def test_transfer_travels_the_lane_and_charges_transport_and_inter_org_price():
    net = network(warehouses=[warehouse("A"), warehouse("B", org="S", region="south")],
                  items=[item("X")], hospitals=[hospital("H", ["A"], [department("WARD")])],
                  lanes=[lane("A", "B", 2, cost_per_unit=1.0, cost_per_shipment=10.0)],
                  lots=[lot("A", "X", "L1", 100, 6)])
    result = simulate(net, days=4, seed=0, policy=Scripted({0: [transfer("A", "B", "X", 5)]}))
    assert moves(result, "transfer_out") == [(0, "A", "L1", 5, "A>B:road", "")]
    assert moves(result, "transfer_in") == [(2, "B", "L1", 5, "A>B:road", "")]
    ds = result.to_dataset()
    assert ds.transport_cost.sum("time").sel(org="S").item() == 15.0
    assert ds.transfer_cost.sum("time").sel(org="S").item() == pytest.approx(5 * 10 * 1.05)
    assert ds.transfer_revenue.sum("time").sel(org="G").item() == pytest.approx(52.5)
    assert ds.closing_in_transit.sel(item="X").values.tolist() == [5, 5, 0, 0]


def test_cold_chain_rules_and_excursions():
    cold = [item("C", cold_chain=True, qc_hold_days=1),
            item("R", cold_chain=True, qc_hold_days=1, excursion_rule="release")]
    net = network(warehouses=[warehouse("A"), warehouse("B")], items=cold,
                  hospitals=[hospital("H", ["A"], [department("WARD")])],
                  lanes=[lane("A", "B", 1, mode="road"),
                         lane("A", "B", 1, mode="air", cold_chain=True,
                              excursion_probability=1.0)],
                  lots=[lot("A", "C", "LC", 100, 10), lot("A", "R", "LR", 100, 10)])
    policy = Scripted({0: [transfer("A", "B", "C", 3, mode="road"),
                           transfer("A", "B", "C", 4, mode="air"),
                           transfer("A", "B", "R", 2, mode="air")]})
    result = simulate(net, days=4, seed=0, policy=policy)
    assert [m[4] for m in moves(result, "transfer_out")] == ["A>B:air", "A>B:air"]
    ds = result.to_dataset()
    assert ds.rejected_actions.sel(rejection="cold_chain").item() == 1
    assert moves(result, "quarantine") == [(1, "B", "LC", 4, "", "excursion"),
                                           (1, "B", "LR", 2, "", "excursion")]
    assert moves(result, "scrap") == [(2, "B", "LC", 4, "", "excursion")]
    assert moves(result, "release") == [(2, "B", "LR", 2, "", "excursion")]


def test_recall_quarantines_on_hand_flags_in_transit_and_traces_issued_units():
    net = network(warehouses=[warehouse("A"), warehouse("B")], items=[item("X")],
                  hospitals=[hospital("H", ["A"], [department("ICU", "critical")])],
                  lanes=[lane("A", "B", 3)],
                  lots=[lot("A", "X", "L1", 100, 10), lot("A", "X", "L2", 200, 5)])
    demand = trace([(0, "H", "ICU", "X", 3), (2, "H", "ICU", "X", 1)])
    recall = Recall(item="X", lots=["L1"], day=1)
    result = simulate(net, days=5, seed=0, demand=demand, events=[recall],
                      policy=Scripted({0: [transfer("A", "B", "X", 4)]}))
    assert moves(result, "quarantine") == [(1, "A", "L1", 3, "", "recall"),
                                           (3, "B", "L1", 4, "", "recall")]
    assert moves(result, "issue") == [(0, "A", "L1", 3, "H/ICU", ""),
                                      (2, "A", "L2", 1, "H/ICU", "")]
    (report,) = result.recalls
    assert (report.units_on_hand, report.units_in_transit, report.units_issued) == (3, 4, 3)
    assert report.departments == ("H/ICU",)
    assert report.days_to_identify == 2
    ds = result.to_dataset()
    assert ds.recall_units_issued.values.tolist() == [3]
    assert ds.recall_departments.values.tolist() == [1]


def test_warehouse_outage_reroutes_demand_and_holds_arrivals():
    net = network(warehouses=[warehouse("A"), warehouse("B")], items=[item("X")],
                  hospitals=[hospital("H", ["A", "B"], [department("WARD")])],
                  lots=[lot("A", "X", "LA", 100, 10), lot("B", "X", "LB", 100, 10)],
                  purchase_orders=[{"id": "PO1", "supplier": "SUP", "item": "X",
                                    "warehouse": "A", "quantity": 5,
                                    "ordered": AS_OF.isoformat(), "due": _date(1).isoformat()}])
    demand = trace([(d, "H", "WARD", "X", 1) for d in range(4)])
    result = simulate(net, days=4, seed=0, demand=demand,
                      events=[WarehouseOutage(warehouse="A", start=1, end=2)])
    assert [(m[0], m[1]) for m in moves(result, "issue")] == [(0, "A"), (1, "B"), (2, "B"),
                                                              (3, "A")]
    assert [m[0] for m in moves(result, "receipt")] == [3]


def test_lane_closure_and_registration_refuse_transfers():
    net = network(warehouses=[warehouse("A"), warehouse("B", region="south")],
                  items=[item("X"), item("E", registered_regions=["east"])],
                  hospitals=[hospital("H", ["A"], [department("WARD")])],
                  lanes=[lane("A", "B", 1)],
                  lots=[lot("A", "X", "L1", 100, 10), lot("A", "E", "L2", 100, 10)])
    policy = Scripted({0: [transfer("A", "B", "X", 2)],
                       3: [transfer("A", "B", "X", 2, day=3), transfer("A", "B", "E", 1, day=3)]})
    result = simulate(net, days=5, seed=0, policy=policy,
                      events=[LaneClosure(lane="A>B:road", start=0, end=1)])
    assert [m[0] for m in moves(result, "transfer_out")] == [3]
    rejected = result.to_dataset().rejected_actions
    assert rejected.sel(rejection="lane_closed").item() == 1
    assert rejected.sel(rejection="not_registered").item() == 1


def test_supplier_outage_refuses_orders_and_delay_stretches_lead_time():
    net = network(**ONE_WH, hospitals=[hospital("H", ["A"], [department("WARD")])])
    policy = Scripted({0: [purchase("SUP", "A", "X", 5)], 1: [purchase("SUP", "A", "X", 6, 1)],
                       3: [purchase("SUP", "A", "X", 7, 3)]})
    events = [SupplierDisruption(supplier="SUP", start=0, end=0, outage=True),
              SupplierDisruption(supplier="SUP", start=1, end=1, lead_time_factor=2.0)]
    result = simulate(net, days=12, seed=0, policy=policy, events=events)
    assert [(m[0], m[3]) for m in moves(result, "receipt")] == [(8, 7), (11, 6)]
    assert result.to_dataset().rejected_actions.sel(rejection="supplier_outage").item() == 1


def test_demand_multiplier_scales_a_region_in_its_window():
    net = network(**ONE_WH, hospitals=[hospital("H", ["A"], [department("WARD")]),
                                       hospital("K", ["A"], [department("WARD")],
                                                region="south")],
                  lots=[lot("A", "X", "L1", 900, 10_000)])
    demand = trace([(d, h, "WARD", "X", 4) for d in range(6) for h in ("H", "K")])
    result = simulate(net, days=6, seed=0, demand=demand,
                      events=[DemandMultiplier(region="east", start=2, end=3, factor=1.5)])
    daily = result.to_dataset().demand_units.sum(("priority", "org")).values.tolist()
    assert daily == [8, 8, 10, 10, 8, 8]


def test_modelled_demand_multiplier_raises_the_mean():
    net = network(**ONE_WH, hospitals=[hospital("H", ["A"], [department("WARD")])],
                  demand=[{"hospital": "H", "department": "WARD", "item": "X",
                           "mean_per_day": 10.0}])
    result = simulate(net, days=400, seed=4,
                      events=[DemandMultiplier(start=200, end=399, factor=3.0)])
    daily = result.to_dataset().demand_units.sum(("priority", "org")).values
    assert abs(daily[:200].mean() - 10) < 4 * np.sqrt(10 / 200)
    assert abs(daily[200:].mean() - 30) < 4 * np.sqrt(30 / 200)


@pytest.mark.parametrize("emergency", [True, False])
def test_emergency_shipment_serves_a_critical_department_when_the_policy_says_so(emergency):
    net = network(warehouses=[warehouse("A"), warehouse("B", org="S")], items=[item("X")],
                  hospitals=[hospital("H", ["A"], [department("ICU", "critical"),
                                                   department("WARD")])],
                  lanes=[lane("B", "A", 2, cost_per_unit=2.0, cost_per_shipment=5.0)],
                  lots=[lot("B", "X", "LB", 100, 10)])
    demand = trace([(0, "H", "ICU", "X", 4), (0, "H", "WARD", "X", 3)])
    result = simulate(net, days=1, seed=0, demand=demand, policy=Scripted({}, emergency))
    ds = result.to_dataset()
    if emergency:
        assert moves(result, "issue") == [(0, "B", "LB", 4, "H/ICU", "emergency")]
        assert int(ds.emergency_units.sum()) == 4
        assert ds.transport_cost.sel(org="G").sum().item() == 13.0
        assert ds.transfer_revenue.sel(org="S").sum().item() == pytest.approx(4 * 10 * 1.1)
    else:
        assert moves(result, "issue") == []
    assert int(ds.lost_units.sum()) == (3 if emergency else 7)


def test_lane_capacity_cuts_shipments():
    net = network(warehouses=[warehouse("A"), warehouse("B")], items=[item("X")],
                  hospitals=[hospital("H", ["A"], [department("WARD")])],
                  lanes=[lane("A", "B", 1, capacity_per_day=5)],
                  lots=[lot("A", "X", "L1", 100, 20)])
    policy = Scripted({0: [transfer("A", "B", "X", 4), transfer("A", "B", "X", 4)]})
    result = simulate(net, days=2, seed=0, policy=policy)
    assert sum(m[3] for m in moves(result, "transfer_out")) == 5
    assert result.to_dataset().rejected_units.sel(rejection="lane_capacity").item() == 3


def test_fixed_ss_orders_up_to_S_with_moq_transfers_from_source_and_vmi_tops_up():
    items = [item("X"), item("V")]
    sup = [supplier("SUP", ["A"], {"X": 3}), supplier("VMI", ["A"], {"V": 3}, vmi=True)]
    sup[0]["supplies"][0]["moq"] = 50
    net = network(warehouses=[warehouse("A"), warehouse("B")], items=items, suppliers=sup,
                  hospitals=[hospital("H", ["A"], [department("WARD")])],
                  lanes=[lane("A", "B", 1)],
                  lots=[lot("A", "X", "LX", 300, 8), lot("A", "V", "LV", 300, 15)],
                  stock_policies=[
                      {"warehouse": "A", "item": "X", "reorder_point": 10, "order_up_to": 30,
                       "source": "SUP"},
                      {"warehouse": "A", "item": "V", "reorder_point": 5, "order_up_to": 20,
                       "source": "VMI"},
                      {"warehouse": "B", "item": "X", "reorder_point": 2, "order_up_to": 4,
                       "source": "A"}],
                  review_period_days=7)
    result = simulate(net, days=5, seed=0, policy=FixedSS)
    assert [(m[0], m[3], m[4]) for m in moves(result, "receipt")] == [(3, 50, "SUP"),
                                                                       (3, 5, "VMI")]
    assert [(m[0], m[1], m[3]) for m in moves(result, "transfer_out")] == [(0, "A", 4)]


def test_policy_gets_a_read_only_view_and_reorder_point_actions_apply():
    net = network(**ONE_WH, hospitals=[hospital("H", ["A"], [department("WARD")])],
                  lots=[lot("A", "X", "L1", 100, 5)])
    rop = ReorderPointAction(key="r", reason="test", warehouse="A", item="X", reorder_point=3,
                             order_up_to=9)
    policy = Scripted({0: [rop]})
    simulate(net, days=2, seed=0, policy=policy)
    first, second = policy.views
    with pytest.raises(ValueError):
        first.on_hand[0, 0, 0] = 1
    assert first.on_hand[0, 0].tolist() == [5, 0, 0]
    assert first.reorder_point[0, 0] == -1 and second.reorder_point[0, 0] == 3
    assert second.order_up_to[0, 0] == 9
    assert second.lots["qty"].sum() == 5


def test_transfer_of_a_named_lot_ships_that_lot_and_an_unknown_lot_ships_nothing():
    net = network(warehouses=[warehouse("A"), warehouse("B")], items=[item("X")],
                  hospitals=[hospital("H", ["A"], [department("WARD")])],
                  lanes=[lane("A", "B", 1)],
                  lots=[lot("A", "X", "OLD", 50, 5), lot("A", "X", "NEW", 90, 5)])
    policy = Scripted({0: [transfer("A", "B", "X", 3, lot="NEW"),
                           transfer("A", "B", "X", 3, lot="GHOST")]})
    result = simulate(net, days=2, seed=0, policy=policy)
    assert moves(result, "transfer_out") == [(0, "A", "NEW", 3, "A>B:road", "")]
    assert result.to_dataset().rejected_units.sel(rejection="unavailable").item() == 3


def test_supplier_capacity_per_week_cuts_orders():
    sup = supplier("SUP", ["A"], {"X": 2})
    sup["supplies"][0]["capacity_per_week"] = 10
    net = network(**ONE_WH, suppliers=[sup],
                  hospitals=[hospital("H", ["A"], [department("WARD")])])
    policy = Scripted({0: [purchase("SUP", "A", "X", 8), purchase("SUP", "A", "X", 8)],
                       7: [purchase("SUP", "A", "X", 8, 7)]})
    result = simulate(net, days=10, seed=0, policy=policy)
    assert [(m[0], m[3]) for m in moves(result, "receipt")] == [(2, 8), (2, 2), (9, 8)]
    assert result.to_dataset().rejected_units.sel(rejection="supplier_capacity").item() == 6


def test_recall_by_supplier_takes_the_lots_received_from_it():
    net = network(**ONE_WH, hospitals=[hospital("H", ["A"], [department("WARD")])],
                  lots=[lot("A", "X", "OLD", 300, 4)])
    policy = Scripted({0: [purchase("SUP", "A", "X", 6)]})
    result = simulate(net, days=8, seed=0, policy=policy,
                      events=[Recall(item="X", supplier="SUP", day=6)])
    (receipt,) = moves(result, "receipt")
    assert moves(result, "quarantine") == [(6, "A", receipt[2], 6, "", "recall")]
    assert result.recalls[0].lots == (receipt[2],)
