"""Each shipped scenario moves the KPIs it should, on the reference network."""

import datetime as dt

import numpy as np
import pytest

from scenarios.library import Library
from solvers.registry import shipped_policies
from twin.domain import Network
from twin.network_files import load_network
from twin.sim import simulate
from twin.sim.demand import ModelDemand
from twin.sim.events import Conditions, DemandMultiplier
from twin.sim.index import NetworkIndex
from twin.sim.ledger import ON_HAND_SIGN

DAYS = 90


@pytest.fixture(scope="module")
def reference() -> Network:
    return load_network("reference")


def _run(net: Network, name: str, seed: int = 3):  # type: ignore[no-untyped-def]
    scenario = Library().resolve(name, net)
    return simulate(net, days=DAYS, seed=seed, policy="heuristic", events=scenario.events,
                    policies=shipped_policies())


def test_lane_closure_stops_flow_on_that_lane_inside_its_window(reference: Network) -> None:
    closure = Library().resolve("lane-closure", reference).events[0]
    ledger = _run(reference, "lane-closure").ledger
    out = ledger[(ledger.kind == "transfer_out") & (ledger.counterpart == closure.lane)]
    inside = out[(out.day >= closure.start) & (out.day <= closure.end)]
    assert inside.quantity.sum() == 0
    assert out[out.day < closure.start].quantity.sum() > 0
    assert out[out.day > closure.end].quantity.sum() > 0
    base = _run(reference, "baseline").ledger
    was = base[(base.kind == "transfer_out") & (base.counterpart == closure.lane)]
    assert was[(was.day >= closure.start) & (was.day <= closure.end)].quantity.sum() > 0


def test_recall_quarantines_exactly_the_recalled_units(reference: Network) -> None:
    recall = Library().resolve("recall-lot", reference).events[0]
    result = _run(reference, "recall-lot")
    ledger = result.ledger
    lot = ledger[(ledger.item == recall.item) & ledger.lot.isin(recall.lots)]
    before = lot[lot.day < recall.day]
    on_hand = int(sum(before.quantity[before.kind == k].sum() * s
                      for k, s in ON_HAND_SIGN.items()))
    assert on_hand > 0
    held = lot[(lot.kind == "quarantine") & (lot.reason == "recall")]
    assert held[held.day == recall.day].quantity.sum() == on_hand
    # units of the lot departments send back later go to the recall hold on arrival
    back = lot[lot.kind.isin(["return_in", "repair_in"]) & (lot.day > recall.day)]
    later = held[held.day > recall.day]
    assert later.groupby("day").quantity.sum().to_dict() == \
        back.groupby("day").quantity.sum().to_dict()
    report = result.recalls[0]
    assert report.units_on_hand + report.units_in_transit == on_hand
    assert report.units_issued == int(before.quantity[before.kind == "issue"].sum())
    after = lot[lot.day >= recall.day]
    assert not after.kind.isin(["issue", "transfer_out"]).any()
    # nothing else was quarantined for a recall
    others = ledger[(ledger.reason == "recall") & ~ledger.lot.isin(recall.lots)]
    assert others.empty


def test_surge_raises_demand_only_in_its_region_and_window(reference: Network) -> None:
    surge = Library().resolve("demand-surge", reference).events[0]
    assert isinstance(surge, DemandMultiplier)
    index = NetworkIndex(reference)
    model = ModelDemand(index)
    start = reference.snapshot.as_of
    south = index.series_region == index.region_of[surge.region]
    for day in (surge.start - 1, surge.start, surge.end, surge.end + 1):
        cond = Conditions.of(index, [surge] if surge.start <= day <= surge.end else [])
        date = start + dt.timedelta(days=day)
        ratio = model.means(date, cond.region_demand) / model.means(date, np.ones(
            len(index.regions)))
        inside = surge.start <= day <= surge.end
        assert ratio[south] == pytest.approx(surge.factor if inside else 1.0)
        assert ratio[~south] == pytest.approx(1.0)
    # and in the twin: demand by serving org, five seeds summed
    org_south = np.unique(index.series_org[south])
    other = [o for o in range(len(index.orgs)) if not np.isin(o, index.series_org[south])]
    window = slice(surge.start, surge.end + 1)
    base = sum(_run(reference, "baseline", s).kpis["demand_units"] for s in range(5))
    hit = sum(_run(reference, "demand-surge", s).kpis["demand_units"] for s in range(5))
    assert hit[window][..., org_south].sum() > 1.3 * base[window][..., org_south].sum()
    assert hit[window][..., other].sum() == pytest.approx(base[window][..., other].sum(),
                                                          rel=0.03)
    outside = np.r_[0:surge.start, surge.end + 1:DAYS]
    assert hit[outside].sum() == pytest.approx(base[outside].sum(), rel=0.02)
