"""Hypothesis strategies for the twin's tests: random synthetic networks, policies and
scenario events."""

import functools

from hypothesis import strategies as st

from twin.domain import Network
from twin.sim import (
    DemandMultiplier,
    ExcursionMultiplier,
    LaneClosure,
    Recall,
    SupplierDisruption,
    WarehouseOutage,
)
from twin.synthetic import generate_network


@functools.lru_cache(maxsize=64)
def _network(warehouses: int, items: int, hospitals: int, seed: int) -> Network:
    return generate_network(warehouses=warehouses, items=items, hospitals=hospitals, seed=seed)


@st.composite
def runs(draw):
    net = _network(draw(st.integers(2, 4)), draw(st.integers(5, 10)), draw(st.integers(1, 4)),
                   draw(st.integers(0, 50)))
    days = draw(st.integers(5, 60))
    day = st.integers(0, days - 1)
    start = draw(day)
    window = {"start": st.just(start), "end": st.integers(start, days + 5)}
    events = draw(st.lists(st.one_of(
        st.builds(WarehouseOutage, warehouse=st.sampled_from([w.id for w in net.warehouses]),
                  **window),
        st.builds(LaneClosure, lane=st.sampled_from([ln.id for ln in net.lanes]), **window),
        st.builds(SupplierDisruption, supplier=st.sampled_from([s.id for s in net.suppliers]),
                  outage=st.booleans(), lead_time_factor=st.floats(0.5, 3), **window),
        st.builds(DemandMultiplier, factor=st.floats(0, 4), **window),
        st.builds(ExcursionMultiplier, factor=st.floats(0, 30), **window),
        st.builds(Recall, item=st.sampled_from([i.code for i in net.items]), day=day),
    ), max_size=4))
    policy = draw(st.sampled_from(["none", "fixed_ss", "fixed_ss_emergency"]))
    return net, days, events, policy, draw(st.integers(0, 2**16))
