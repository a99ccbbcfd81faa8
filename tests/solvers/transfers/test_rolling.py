"""The rolling transfer MILP built from the twin's state, inside the optimised_rolling policy."""

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from solvers.policies import RollingSS, levels_for
from solvers.policies.rolling import usage_per_position
from solvers.registry import shipped_policies
from solvers.transfers.rolling import excess_from_latest, fefo_waste
from twin.api import NetworkIndex, StateView, Transfers
from twin.domain import Network
from twin.network_files import load_network
from twin.sim import LaneClosure, simulate
from twin.sim.kpis import REJECTIONS

TINY = Path(__file__).resolve().parents[2] / "data" / "tiny"


def test_fefo_waste_counts_what_usage_cannot_reach_before_expiry() -> None:
    # one position using 2/day, issuing lots with ≥ 10 days left; today is day 0
    pos, expiry, qty = np.zeros(3, dtype=np.int64), np.array([20, 30, 100]), np.array(
        [15.0, 30.0, 50.0])
    waste = fefo_waste(pos, expiry, qty, np.array([2.0]), np.array([10]), 0)
    # by day 10 it uses 20 ≥ 15 (lot 1 all used); by day 20: 40 of 45 → 5 of lot 2 lost;
    # by day 90: 180 ≥ 95
    assert waste.tolist() == [0.0, 5.0, 0.0]


def test_excess_comes_from_the_latest_expiring_rows() -> None:
    pos = np.array([0, 0, 0, 1, 1])
    qty = np.array([5.0, 5.0, 5.0, 4.0, 4.0])
    out = excess_from_latest(pos, qty, np.array([7.0, 1.0]))
    assert out.tolist() == [0.0, 2.0, 5.0, 0.0, 1.0]


def rolling_network(**item_update: dict[str, Any]) -> Network:
    """Tiny, with excess where no demand is (INF-SET at WH-HZ, S = 0) or above S (IVD at
    WH-SH), a shortage at WH-SH (INF-SET) and WH-GZ (IVD), a lane WH-HZ → WH-SH and the
    WH-SH → WH-GZ road lane without cold chain (only the air lane may carry IVD)."""
    net = load_network(TINY)
    data = net.model_dump(by_alias=True)
    data["lanes"][1]["cold_chain"] = False
    data["lanes"].append(dict(data["lanes"][0], **{"from": "WH-HZ", "to": "WH-SH"}))
    keep = [lot for lot in data["snapshot"]["lots"]
            if lot["item"] not in ("IVD-TROP-100", "INF-SET-STD")]
    extra = [dict(keep[0], warehouse="WH-SH", item="IVD-TROP-100", lot="T1", quantity=300,
                  status="available"),
             dict(keep[0], warehouse="WH-SH", item="INF-SET-STD", lot="I1", quantity=60,
                  status="available"),
             dict(keep[0], warehouse="WH-HZ", item="INF-SET-STD", lot="I2", quantity=900,
                  status="available")]
    data["snapshot"]["lots"] = keep + extra
    data["snapshot"]["purchase_orders"] = []
    data["snapshot"]["in_transit"] = []
    for it in data["items"]:
        it.update(item_update.get(it["code"], {}))
    return Network.model_validate(data)


def run(net: Network, days: int = 28, events: tuple = ()) -> tuple[list, Any]:
    """Simulate optimised_rolling; return the lateral transfers made (with the view they
    were made from) and the result."""
    made: list[tuple[StateView, Transfers]] = []

    def factory(index: NetworkIndex) -> RollingSS:
        policy = RollingSS(index, levels_for(index.network, "optimised"))
        plan = policy.lateral.plan

        def recording(view: StateView, shipped: Transfers, bought: Any) -> Transfers:
            out = plan(view, shipped, bought)
            made.append((view, out))
            return out

        policy.lateral.plan = recording  # type: ignore[method-assign]
        return policy

    return made, simulate(net, days=days, seed=5, policy=factory, events=events)


def moves(made: list, index: NetworkIndex) -> list[tuple[int, str, str, int]]:
    return [(view.day, index.lanes[t.lane[k]], index.items[t.item[k]], int(t.quantity[k]))
            for view, t in made for k in range(len(t))]


def test_rolling_policy_rebalances_within_the_rules() -> None:
    net = rolling_network()
    closed = LaneClosure(lane="WH-SH>WH-GZ:air", start=0, end=3)
    made, result = run(net, events=(closed,))
    ix = result.index
    lateral = moves(made, ix)
    lanes = {(lane, item) for _, lane, item, _ in lateral}
    assert ("WH-HZ>WH-SH:road", "INF-SET-STD") in lanes   # excess where nothing is used
    assert ("WH-SH>WH-GZ:air", "IVD-TROP-100") in lanes   # cold item, on the cold lane
    assert ("WH-SH>WH-GZ:road", "IVD-TROP-100") not in lanes  # never on the warm one
    assert all(day > 3 for day, lane, _, _ in lateral if lane == "WH-SH>WH-GZ:air")
    assert not any(item == "INF-SET-STD" and lane.endswith("WH-GZ:road")
                   for _, lane, item, _ in lateral)
    for view, t in made:  # only available stock, of the named lot, at the origin
        lots = view.available_lots()
        for k in range(len(t)):
            src = ix.position(ix.lane_src[t.lane[k]], t.item[k])
            held = lots.qty[(lots.pos == src) & (lots.lot == t.lot[k])].sum()
            assert 0 < t.quantity[k] <= held
    rejected = dict(zip(REJECTIONS, result.kpis["rejected_units"].tolist(), strict=True))
    assert rejected["cold_chain"] == rejected["not_registered"] == 0
    assert rejected["lane_closed"] == 0


def test_no_lateral_transfer_into_a_region_where_the_item_is_not_registered() -> None:
    net = rolling_network(**{"IVD-TROP-100": {"registered_regions": ["east"]}})
    made, result = run(net, days=15)
    assert not any(item == "IVD-TROP-100" for _, _, item, _ in moves(made, result.index))
    assert any(item == "INF-SET-STD" for _, _, item, _ in moves(made, result.index))


def test_a_lateral_transfer_sends_no_more_than_the_target_can_use_before_expiry() -> None:
    # IVD lot T1 (300 units at WH-SH, which uses 0.8/day) expires 40 days after the
    # snapshot: most of it is waste at WH-SH. WH-GZ (1.1/day, departments accepting ≥ 30
    # days) can use only usage × (days left on arrival − 30) of it; a 14-day horizon's
    # need (15 units) is more than that (the old code shipped 11 on day 0, 9.9 usable)
    net = rolling_network()
    data = net.model_dump(by_alias=True)
    for lot in data["snapshot"]["lots"]:
        if lot["lot"] == "T1":
            lot["expiry"] = net.snapshot.as_of + dt.timedelta(days=40)
    made, result = run(Network.model_validate(data), days=21)
    ix = result.index
    usage = usage_per_position(ix)
    t1 = list(result.lot_names).index("T1")
    shipped = 0
    for view, t in made:
        for k in np.flatnonzero(t.lot == t1).tolist():
            target = ix.position(ix.lane_dst[t.lane[k]], t.item[k])
            days_left = 40 - view.day - int(np.ceil(ix.lane_transit.mean[t.lane[k]]))
            accepted = ix.series_min_shelf[view.serving == target].min()  # least strict
            usable = usage[target] * (days_left - accepted)
            assert t.quantity[k] <= usable
            shipped += int(t.quantity[k])
    assert shipped > 0


@pytest.mark.slow
def test_rolling_policy_on_the_reference_network_keeps_the_optimised_service() -> None:
    net = load_network("reference")
    runs = {p: simulate(net, days=182, seed=40, policy=p,
                        policies=shipped_policies()).summary()
            for p in ("optimised", "optimised_rolling")}
    assert runs["optimised_rolling"]["fill_rate_critical"] >= (
        runs["optimised"]["fill_rate_critical"] - 1e-4)
    # one seed: no more than 0.5 % above (over 30 seeds rolling writes off 0.07 % more value,
    # bench/README.md "Policies in the twin"; on this seed 0.41 % less)
    assert runs["optimised_rolling"]["scrapped_value_expired"] <= (
        1.005 * runs["optimised"]["scrapped_value_expired"])
