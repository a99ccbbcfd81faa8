"""PlanPolicy: a plan's lines at the review covering their dates, then its (s, S)."""

import datetime as dt

import numpy as np
import pytest

from twin.domain import (
    DispositionAction,
    Network,
    Plan,
    PurchaseAction,
    ReorderPointAction,
    ReturnedLot,
    TransferAction,
)
from twin.network_files import load_network
from twin.sim import simulate
from twin.sim.index import NetworkIndex
from twin.sim.plan_policy import PlanPolicy
from twin.sim.policy import Actions, StateView

TINY = "tests/data/tiny"


@pytest.fixture(scope="module")
def tiny() -> Network:
    return load_network(TINY)


def _plan(net: Network) -> Plan:
    start = net.snapshot.as_of
    return Plan(id="p", network=net.name, as_of=start, horizon_days=28,
                created=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), actions=[
                    TransferAction(key="t", reason="r", source="WH-SH", target="WH-GZ",
                                   mode="road", item="IVD-TROP-100", lot="TROP2610A",
                                   quantity=9, ship_date=start),
                    PurchaseAction(key="b", reason="r", supplier="SUP-MED",
                                   item="INF-SET-STD", warehouse="WH-SH", quantity=777,
                                   order_date=start + dt.timedelta(days=10)),
                    ReorderPointAction(key="s", reason="r", warehouse="WH-GZ",
                                       item="STENT-DES-30", reorder_point=11, order_up_to=33)])


class Recording(PlanPolicy):
    """PlanPolicy that keeps what it saw and decided."""

    def __init__(self, index: NetworkIndex, plan: Plan):
        super().__init__(index, plan)
        self.seen: list[tuple[StateView, Actions]] = []

    def decide(self, view: StateView) -> Actions:
        actions = super().decide(view)
        self.seen.append((view, actions))
        return actions


def test_lines_run_at_the_review_covering_their_date(tiny: Network) -> None:
    made: list[Recording] = []

    def factory(index: NetworkIndex) -> Recording:
        made.append(Recording(index, _plan(tiny)))
        return made[-1]

    result = simulate(tiny, days=21, seed=1, policy=factory)
    ix = NetworkIndex(tiny)
    seen = {view.day: actions for view, actions in made[0].seen}
    assert sorted(seen) == [0, 7, 14]
    ledger = result.ledger
    moved = ledger[(ledger.kind == "transfer_out") & (ledger.lot == "TROP2610A")
                   & (ledger.warehouse == "WH-SH")]
    assert moved.day.tolist() == [0] and moved.quantity.sum() == 9
    buy = seen[7].purchases  # day 10 lies in the review period starting on day 7
    inf = ix.item_of["INF-SET-STD"]
    mine = (buy.item == inf) & (buy.warehouse == ix.wh_of["WH-SH"])
    assert buy.quantity[mine].tolist() == [777]  # no (s, S) order beside the plan's line
    assert not any((a.purchases.item == inf).any() and 777 in a.purchases.quantity
                   for d, a in seen.items() if d != 7)
    rp = seen[0].reorder_points
    assert (rp.warehouse.tolist(), rp.item.tolist(), rp.reorder_point.tolist(),
            rp.order_up_to.tolist()) == ([ix.wh_of["WH-GZ"]], [ix.item_of["STENT-DES-30"]],
                                         [11], [33])
    later = made[0].seen[1][0]
    assert later.reorder_point[ix.wh_of["WH-GZ"], ix.item_of["STENT-DES-30"]] == 11
    assert len(seen[7].reorder_points) == 0


def test_plan_for_another_network_is_refused(tiny: Network) -> None:
    plan = _plan(tiny).model_copy(update={"network": "elsewhere"})
    with pytest.raises(ValueError, match="is for network 'elsewhere'"):
        simulate(tiny, days=3, seed=1, policy=lambda ix: PlanPolicy(ix, plan))


def test_same_plan_same_seed_same_result(tiny: Network) -> None:
    runs = [simulate(tiny, days=30, seed=4, policy=lambda ix: PlanPolicy(ix, _plan(tiny)))
            for _ in range(2)]
    for name, values in runs[0].kpis.items():
        assert np.array_equal(values, runs[1].kpis[name]), name


def test_disposition_lines_are_left_to_the_twin_s_qc(tiny: Network) -> None:
    start = tiny.snapshot.as_of
    net = tiny.model_copy(update={"snapshot": tiny.snapshot.model_copy(update={"returns": [
        ReturnedLot(warehouse="WH-SH", item="INF-SET-STD", lot="RET1",
                    expiry=start + dt.timedelta(days=400), quantity=5, reason="unused",
                    received=start)]})})
    plan = _plan(net)
    scrap = DispositionAction(key="d", reason="unused", warehouse="WH-SH", item="INF-SET-STD",
                              lot="RET1", quantity=5, decision="scrap", date=start)
    with_line = plan.model_copy(update={"actions": [*plan.actions, scrap]})
    a, b = (simulate(net, days=10, seed=4, policy=lambda ix, p=p: PlanPolicy(ix, p)).ledger
            for p in (plan, with_line))
    assert a.equals(b)
    assert a[(a["kind"] == "release") & (a["lot"] == "RET1")]["quantity"].tolist() == [5]
