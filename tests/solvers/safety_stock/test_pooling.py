"""Substitutes pool demand: the links between positions, the shortage they leave, and
the model's use of them."""

from pathlib import Path

import numpy as np
import pytest

from solvers.safety_stock import build_inputs, solve_safety_stock
from solvers.safety_stock.pooling import Links, pooled_shortage, substitution_links
from solvers.safety_stock.sampling import sample_cycle_demand
from solvers.safety_stock.settings import SafetyStockSettings
from tests.twin.sim.sim_builders import department as department_
from tests.twin.sim.sim_builders import hospital, item, network, warehouse
from twin.domain import Substitute
from twin.network_files import load_network

TINY = Path(__file__).resolve().parents[2] / "data" / "tiny"


def _links(pairs: list[tuple[int, int, float, float]]) -> Links:
    a, b, f, share = (np.array(c) for c in zip(*pairs, strict=True))
    return Links(a.astype(np.int64), b.astype(np.int64), f.astype(float), share.astype(float),
                 np.arange(1, len(pairs) + 1))


def test_pooled_shortage_covers_from_what_the_substitute_has_left() -> None:
    d = np.array([[10.0, 4.0, 12.0], [3.0, 9.0, 0.0]])
    s = np.array([6.0, 7.0])
    # scenario 0: a short 4, b has 4 left at f = 2 → covers 2 of a's (α = 1)
    # scenario 1: a has stock; scenario 2: a short 6, b has 7 left → covers 3.5
    out = pooled_shortage(d, s, _links([(0, 1, 2.0, 1.0)]))
    assert out.tolist() == [[2.0, 0.0, 2.5], [0.0, 2.0, 0.0]]
    half = pooled_shortage(d, s, _links([(0, 1, 2.0, 0.5)]))  # half of a's demand accepts b
    assert half.tolist() == [[2.0, 0.0, 3.0], [0.0, 2.0, 0.0]]
    assert np.array_equal(pooled_shortage(d, s, _links([(0, 1, 1.0, 0.0)])),
                          np.maximum(d - s[:, None], 0))


def test_links_weigh_the_departments_that_accept_the_substitute() -> None:
    net = load_network(TINY)
    rule = Substitute(item="INF-SET-STD", substitute="STENT-DES-30", factor=2,
                      hospital="H-RJ")
    x = build_inputs(net.model_copy(update={"substitutes": [rule]}))
    keys = list(zip(x.warehouse.tolist(), x.item.tolist(), strict=True))
    links = x.links
    assert links.size == 1
    a, b = int(links.item[0]), int(links.substitute[0])
    assert keys[a] == ("WH-SH", "INF-SET-STD") and keys[b] == ("WH-SH", "STENT-DES-30")
    own = [d for d in net.demand if d.item == "INF-SET-STD"
           and net.serving_warehouse(d.hospital, d.item) == "WH-SH"]
    accepting = sum(d.mean_per_day for d in own if d.hospital == "H-RJ")
    assert links.share[0] == pytest.approx(accepting / sum(d.mean_per_day for d in own))
    assert links.factor[0] == 2.0
    assert substitution_links(net, keys).size == 0


def test_the_model_holds_less_of_an_item_its_substitute_covers() -> None:
    net = load_network(TINY)
    rule = Substitute(item="INF-SET-STD", substitute="STENT-DES-30", factor=1)
    pooled = net.model_copy(update={"substitutes": [rule]})
    st = SafetyStockSettings(scenarios=60)
    alone, shared = solve_safety_stock(net, st), solve_safety_stock(pooled, st)
    p = int(shared.inputs.links.item[0])
    assert shared.reorder_point[p] < alone.reorder_point[p]
    assert shared.fill_rate[p] >= shared.fill_rate_target[p] - 1e-9
    assert shared.fill_basis[p] == "sample average"
    # the stated fill counts what the substitute covers at the levels found
    d = sample_cycle_demand(shared.inputs, st.scenarios, st.seed)
    r, q = shared.reorder_point, shared.cycle_quantity
    own = 1 - np.maximum(d[p] - r[p], 0).mean() / q[p]
    pooled = 1 - pooled_shortage(d, r, shared.inputs.links)[p].mean() / q[p]
    assert shared.fill_rate[p] == pytest.approx(pooled)
    assert pooled > own


@pytest.mark.parametrize(("department", "share"), [("ICU", None), ("WARD", 1.0), (None, 1.0)])
def test_a_shortfall_falls_on_the_least_urgent_class(department: str | None,
                                                     share: float | None) -> None:
    """ICU (critical) and a ward (routine) demand X; the twin gives X's own stock to the
    ICU first, so only a ward that accepts Y makes Y pool X's shortfall."""
    net = network(warehouses=[warehouse("A")], items=[item("X"), item("Y")],
                  hospitals=[hospital("H", ["A"], [department_("ICU", "critical"),
                                                   department_("WARD")])],
                  demand=[{"hospital": "H", "department": d, "item": i, "mean_per_day": m}
                          for d, i, m in (("ICU", "X", 3.0), ("WARD", "X", 1.0),
                                          ("WARD", "Y", 2.0))],
                  substitutes=[{"item": "X", "substitute": "Y", "department": department}])
    links = build_inputs(net).links
    assert links.share.tolist() == ([] if share is None else [share])
