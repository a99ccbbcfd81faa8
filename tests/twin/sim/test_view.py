"""What a policy sees of the pipeline and of where each demand series is served, and the
demand models' means without a generator (for planning)."""

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from twin.network_files import load_network
from twin.sim import simulate
from twin.sim.demand import ModelDemand
from twin.sim.events import WarehouseOutage
from twin.sim.index import NetworkIndex
from twin.sim.pipeline import SHIPMENT_DTYPE, Flow
from twin.sim.policies import FixedSS
from twin.sim.policy import Actions, StateView

TINY = Path(__file__).resolve().parents[2] / "data" / "tiny"


def views(days: int, events: tuple = ()) -> tuple[list[StateView], NetworkIndex]:
    seen: list[StateView] = []

    class Watching(FixedSS):
        def decide(self, view: StateView) -> Actions:
            seen.append(view)
            return super().decide(view)

    result = simulate(load_network(TINY), days=days, seed=2, policy=Watching, events=events)
    return seen, result.index


def test_pipeline_rows_add_up_to_in_transit_and_on_order() -> None:
    seen, ix = views(50)
    assert any(len(v.pipeline) for v in seen)
    for v in seen:
        assert v.pipeline.dtype == SHIPMENT_DTYPE and not v.pipeline.flags.writeable
        for flow, total in ((Flow.PURCHASE, v.on_order), (Flow.TRANSFER, v.in_transit)):
            rows = v.pipeline[v.pipeline["flow"] == flow]
            counted = np.bincount(rows["pos"], weights=rows["qty"], minlength=ix.n_positions)
            assert np.array_equal(counted.reshape(total.shape), total)
        assert np.all(v.pipeline["ordered"] <= v.day)


def test_serving_follows_served_by_and_outages() -> None:
    outage = WarehouseOutage(warehouse="WH-SH", start=5, end=12)
    seen, ix = views(20, (outage,))
    sh = ix.wh_of["WH-SH"]
    for v in seen:
        ok = v.serving >= 0
        wh = v.serving[ok] // ix.n_items
        assert np.array_equal(v.serving[ok] % ix.n_items, ix.series_item[ok])
        assert all(w in ix.served_by[h] for w, h in zip(wh, ix.series_hospital[ok], strict=True))
        assert (sh in wh) == (not 5 <= v.day <= 12)


def test_demand_model_without_a_generator_gives_means_only() -> None:
    ix = NetworkIndex(load_network(TINY))
    demand = ModelDemand(ix)
    means = demand.means(dt.date(2026, 12, 1), np.ones(len(ix.regions)))
    model = ix.network.demand[0]
    assert means[0] == pytest.approx(model.mean_on(dt.date(2026, 12, 1)))
    with pytest.raises(ValueError, match="means only"):
        demand.sample(0, dt.date(2026, 12, 1), np.ones(len(ix.regions)))
