"""The twin's public API for policies and solvers: importable, typed views that match the
raw state, and replenishment rules (lane choice, lateness) that are what the twin does."""

import datetime as dt

import numpy as np
import pytest

import twin.api as api
from solvers.inventory_theory.lead_time import whole_day_pmf, with_lateness
from tests.twin.sim.sim_builders import (
    AS_OF,
    department,
    hospital,
    item,
    lane,
    lot,
    network,
    receipt_days,
    supplier,
    warehouse,
)
from twin.api import (
    Actions,
    FixedSS,
    NetworkIndex,
    ShipmentKind,
    StateView,
    StockStatus,
    first_open,
    late_days,
    replenishment_lane,
    replenishment_routes,
)
from twin.domain import Distribution, Lateness
from twin.sim import LaneClosure, simulate


def test_every_public_name_resolves_and_the_kinds_are_public_enums() -> None:
    missing = [name for name in api.__all__ if not hasattr(api, name)]
    assert not missing
    assert [s.name for s in StockStatus] == ["AVAILABLE", "QUARANTINE", "RESERVED"]
    assert {k.name for k in ShipmentKind} == {"PURCHASE", "TRANSFER"}
    assert {"none", "fixed_ss", "fixed_ss_emergency"} == set(api.BASE_POLICIES)


# -- lane choice ------------------------------------------------------------------------------
LANES = [lane("A", "B", 1, mode="road", cost_per_unit=2.0),
         lane("A", "B", 5, mode="rail", cost_per_unit=1.0),
         lane("A", "B", 3, mode="air", cost_per_unit=1.0, cold_chain=True),
         lane("A", "B", 3, mode="courier", cost_per_unit=1.0),
         lane("B", "A", 1)]


def _two_warehouses(**kw: object):
    return network(warehouses=[warehouse("A"), warehouse("B")],
                   items=[item("X"), item("C", cold_chain=True)],
                   hospitals=[hospital("H", ["B"], [department("WARD")])], lanes=LANES, **kw)


def test_lane_choice_is_cheapest_then_fastest_then_network_order_and_cold_on_cold() -> None:
    lanes = _two_warehouses().lanes
    routes = replenishment_routes(lanes)
    # cost 1 beats 2; among cost 1 transit 3 beats 5; air and courier tie: file order
    assert routes[("A", "B", False)] == (2, 3, 1, 0)
    assert routes[("A", "B", True)] == (2,)
    assert ("B", "A", True) not in routes
    assert replenishment_lane(lanes, "A", "B", cold=False).mode == "air"
    closed = np.zeros(len(lanes), dtype=bool)
    closed[2] = True
    assert replenishment_lane(lanes, "A", "B", cold=False, closed=closed).mode == "courier"
    assert replenishment_lane(lanes, "A", "B", cold=True, closed=closed) is None
    assert first_open((), closed) == -1 and first_open((3, 1)) == 3


class _Recording:
    """FixedSS, recording the lanes of its transfers per review day."""

    emergency = False

    def __init__(self, index: NetworkIndex, seen: dict[int, list[str]]):
        self.inner, self.index, self.seen = FixedSS(index), index, seen

    def decide(self, view: StateView) -> Actions:
        actions = self.inner.decide(view)
        self.seen[view.day] = [self.index.network.lanes[k].mode
                               for k in actions.transfers.lane.tolist()]
        return actions


def test_the_twins_fixed_ss_ships_on_the_lane_of_the_domain_rule() -> None:
    policies = [{"warehouse": "B", "item": code, "reorder_point": 5, "order_up_to": 10,
                 "source": "A"} for code in ("X", "C")]
    net = _two_warehouses(stock_policies=policies, review_period_days=1,
                          lots=[lot("A", "X", "LX", 300, 100), lot("A", "C", "LC", 300, 100)])
    seen: dict[int, list[str]] = {}
    closure = LaneClosure(lane="A>B:air", start=0, end=0)
    simulate(net, days=2, seed=0, policy=lambda ix: _Recording(ix, seen), events=[closure])
    closed = np.array([k == 2 for k in range(len(net.lanes))])
    expect = [replenishment_lane(net.lanes, "A", "B", cold=False, closed=closed).mode]
    assert seen[0] == expect == ["courier"]  # the cold item has no open cold lane on day 0
    assert seen[1] == ["air"]  # X is covered by day 0's shipment, C now goes on the open air lane


# -- lateness ---------------------------------------------------------------------------------
def test_late_days_are_whole_days_of_late_orders_only() -> None:
    late = np.array([True, False, True])
    np.testing.assert_array_equal(late_days(late, np.array([2.4, 9.0, 0.3])), [2, 0, 0])
    lateness = Lateness(probability=0.25, delay=Distribution(mean=4.0, spread=4.0))
    assert lateness.expected_delay == pytest.approx(1.0)
    assert Lateness().expected_delay == 0.0
    with pytest.raises(ValueError, match="needs its 'delay'"):
        Lateness(probability=0.1)


@pytest.mark.parametrize("probability", [0.0, 0.4])
def test_purchase_orders_in_the_twin_are_late_as_the_network_says(probability) -> None:
    lead, n = 10.0, 600
    delay = Distribution(family="gamma", mean=5.0, spread=5.0)
    lateness = {"probability": probability, "delay": delay.model_dump()}
    net = network(warehouses=[warehouse("A")], items=[item("X")],
                  hospitals=[hospital("H", ["A"], [department("WARD")])],
                  suppliers=[supplier("SUP", ["A"], {"X": lead}, lateness=lateness)])
    days = receipt_days(net, "SUP", "A", "X", n, days=150)
    assert len(days) == n
    law = with_lateness(whole_day_pmf(Distribution(family="fixed", mean=lead)), probability,
                        delay)   # the exact whole-day law the planning models use
    values, mass = np.array([d for d, _ in law]), np.array([q for _, q in law])
    mean = (values * mass).sum()
    sd = np.sqrt((values**2 * mass).sum() - mean**2)
    assert abs(days.mean() - mean) <= 4 * sd / np.sqrt(n)
    p_late = mass[values > lead].sum()
    assert abs(np.mean(days > lead) - p_late) <= 4 * np.sqrt(p_late * (1 - p_late) / n) + 1e-9


# -- typed views ------------------------------------------------------------------------------
def test_typed_views_match_the_raw_state() -> None:
    net = _two_warehouses(
        lots=[lot("A", "X", "L1", 40, 5), lot("A", "X", "L2", 20, 3),
              lot("A", "C", "Q", 50, 4, status="reserved"), lot("B", "X", "L3", 60, 2)],
        in_transit=[{"from": "A", "to": "B", "mode": "road", "item": "X", "lot": "L9",
                     "expiry": (AS_OF + dt.timedelta(days=90)).isoformat(), "quantity": 7,
                     "shipped": AS_OF.isoformat(),
                     "eta": (AS_OF + dt.timedelta(days=1)).isoformat()}],
        purchase_orders=[{"id": "PO1", "supplier": "SUP", "warehouse": "A", "item": "X",
                          "quantity": 11, "ordered": AS_OF.isoformat(),
                          "due": (AS_OF + dt.timedelta(days=3)).isoformat()}])
    views: list[StateView] = []

    class Watch:
        emergency = False

        def __init__(self, index: NetworkIndex):
            del index

        def decide(self, view: StateView) -> Actions:
            views.append(view)
            return Actions()

    simulate(net, days=1, seed=0, policy=Watch)
    view = views[0]
    ix = view.index
    avail = view.available_lots()
    assert (avail.status == StockStatus.AVAILABLE).all() and (avail.qty > 0).all()
    at_a = avail.pos == ix.position(ix.wh_of["A"], ix.item_of["X"])
    assert avail.qty[at_a].tolist() == [3, 5]  # FEFO: L2 (day 20) before L1 (day 40)
    assert len(view.lot_rows()) == len(view.lots)
    assert (view.lot_rows().status == StockStatus.RESERVED).sum() == 1
    on_hand = np.bincount(avail.pos, weights=avail.qty, minlength=ix.n_positions)
    np.testing.assert_array_equal(on_hand.reshape(view.on_hand.shape[:2]),
                                  view.on_hand[..., StockStatus.AVAILABLE])
    way = view.under_way()
    assert way.qty[way.purchase].tolist() == [11] and way.qty[way.transfer].tolist() == [7]
    assert int(way.qty[way.transfer].sum()) == int(view.in_transit.sum())
    assert int(way.qty[way.purchase].sum()) == int(view.on_order.sum())
