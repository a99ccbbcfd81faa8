"""The optimised policy's shortage prices scaled to the twin: the scaled model predicts what
the twin measures at the levels it then chooses, and scale 1 is the plain model."""

from pathlib import Path

import numpy as np
import pytest

from solvers.policies import levels as lv
from solvers.policies import twin_scale
from solvers.safety_stock import solve_safety_stock
from solvers.safety_stock.pooling import pooled_shortage
from twin.network_files import load_network

TINY = Path(__file__).resolve().parents[2] / "data" / "tiny"


def _arrays(x, levels):
    return (np.array([levels[k][j] for k in zip(x.warehouse, x.item, strict=True)],
                     dtype=float) for j in (0, 1))


@pytest.fixture(scope="module")
def tiny():
    net = load_network(TINY)
    x, d, st, _ = lv.solved_passes(net)
    return net, x, d, st


def test_model_shortage_counts_own_units_a_year(tiny) -> None:
    net, x, d, _ = tiny
    s, big_s = _arrays(x, lv.optimised_levels(net, calibrate=False))
    got = twin_scale.model_shortage(x, d, s, big_s)
    short = pooled_shortage(d, s, x.links).mean(axis=1)
    for p in range(x.size):
        if x.mean_per_day[p] == 0:
            assert got[p] == 0
            continue
        cycles = 365 * x.mean_per_day[p] / (big_s[p] - s[p])
        own = x.replenishment.own_mean_per_day[p] / x.mean_per_day[p]
        assert got[p] == pytest.approx(short[p] * cycles * own)


def test_scaled_model_predicts_the_twin_at_the_levels_it_chooses(tiny) -> None:
    net, x, d, _ = tiny
    plain = lv.optimised_levels(net, calibrate=False)
    scale = twin_scale.shortage_scale(net, x, d, *_arrays(x, plain))
    assert scale.min() >= twin_scale.BOUNDS[0] and scale.max() <= twin_scale.BOUNDS[1]
    calibrated = lv.optimised_levels(net)
    assert calibrated != plain
    # measured on seeds the calibration never saw
    levels = tuple(_arrays(x, calibrated))
    twin = twin_scale.twin_shortage(net, x, *levels, twin_scale.CHECK.model_copy(
        update={"first_seed": 1, "replications": 8}))
    model = twin_scale.model_shortage(x, d, *levels)
    raw, scaled = np.abs(model - twin).sum(), np.abs(scale * model - twin).sum()
    assert scaled < 0.5 * raw, (raw, scaled)


def test_scale_one_is_the_plain_model(tiny) -> None:
    net, x, d, st = tiny
    plain = solve_safety_stock(net, st, inputs=x, demand=d)
    ones = solve_safety_stock(net, st, inputs=x, demand=d, shortage_scale=np.ones(x.size))
    assert np.array_equal(plain.level_s, ones.level_s)
    assert np.array_equal(plain.level_big_s, ones.level_big_s)
    # a cheaper shortage lowers a position's reorder point
    for p in np.flatnonzero(plain.level_s > 0):
        cheaper = np.ones(x.size)
        cheaper[p] = 0.1
        assert solve_safety_stock(net, st, inputs=x, demand=d,
                                  shortage_scale=cheaper).level_s[p] < plain.level_s[p]
