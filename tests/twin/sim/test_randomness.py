"""The return draw and its delays: the compiled kernel against the numpy reference (same
draws, bit for bit, and the generator left in the same state), and the draw's edge cases."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from twin.domain import Distribution
from twin.sim import compiled
from twin.sim.index import Durations
from twin.sim.randomness import return_draws

NO_DELAY = Durations.of([None] * 3)
"""Three reasons without a delay distribution (a fixed 0 days)."""


def delays(draw: st.DrawFn, n: int) -> Durations:
    """``n`` delay distributions of every family, some without spread or missing."""
    family = st.sampled_from(["fixed", "normal", "gamma", "lognormal"])
    dists = []
    for _ in range(n):
        fam = draw(family)
        mean = draw(st.floats(0.05, 60))
        spread = 0.0 if fam == "fixed" else draw(st.one_of(st.just(0.0), st.floats(0.01, 90)))
        dists.append(draw(st.one_of(st.none(), st.just(
            Distribution(family=fam, mean=mean, spread=spread)))))
    return Durations.of(dists)


@st.composite
def picks(draw: st.DrawFn
          ) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, Durations, np.ndarray]:
    """A seed and issue picks: units issued (small, and large enough for numpy's BTPE
    binomial), return shares with 0 and 1, reason splits with zero reasons, and the delays
    of a few series (every family) with each pick's series."""
    n = draw(st.integers(0, 40))
    issued = draw(st.lists(st.one_of(st.integers(0, 30), st.integers(100, 5_000)),
                           min_size=n, max_size=n))
    share = draw(st.lists(st.one_of(st.sampled_from([0.0, 1.0]),
                                    st.floats(0, 1, allow_nan=False)),
                          min_size=n, max_size=n))
    rates = np.array(draw(st.lists(st.lists(st.one_of(st.just(0.0), st.floats(1e-6, 0.5)),
                                            min_size=3, max_size=3),
                                   min_size=n, max_size=n)), dtype=float).reshape(n, 3)
    rates[rates.sum(axis=1) == 0, 0] = 0.1
    split = rates / rates.sum(axis=1, keepdims=True)
    n_series = draw(st.integers(1, 6))
    first = 3 * np.array(draw(st.lists(st.integers(0, n_series - 1), min_size=n,
                                       max_size=n)), dtype=np.int64)
    return (draw(st.integers(0, 2**32)), np.array(issued, dtype=np.int64),
            np.array(share, dtype=float), split, delays(draw, 3 * n_series), first)


@settings(max_examples=300, deadline=None)
@given(picks())
def test_compiled_return_draws_equal_the_numpy_reference_bit_for_bit(case) -> None:
    seed, issued, share, split, delay, first = case
    ref, fast = np.random.default_rng(seed), np.random.default_rng(seed)
    want = return_draws(ref, issued, share, split, delay, first)
    got = compiled.return_draws(fast, issued, share, split, delay, first)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)
    assert fast.bit_generator.state == ref.bit_generator.state


def test_nothing_comes_back_without_a_share_and_everything_with_a_whole_one() -> None:
    split = np.array([[0.0, 1.0, 0.0], [0.25, 0.25, 0.5]])
    first = np.zeros(2, dtype=np.int64)
    for draws in (return_draws, compiled.return_draws):
        rng = np.random.default_rng(7)
        state = rng.bit_generator.state
        pick, reason, units, delay = draws(rng, np.array([5, 8]), np.zeros(2), split,
                                           NO_DELAY, first)
        assert len(pick) == len(reason) == len(units) == len(delay) == 0
        assert rng.bit_generator.state == state           # no share: nothing drawn
        pick, reason, units, delay = draws(rng, np.array([5, 8]), np.ones(2), split,
                                           NO_DELAY, first)
        assert (delay == 0).all()
        assert pick[0] == 0 and reason[0] == 1 and units[0] == 5   # all of it, its one reason
        assert set(pick[1:]) <= {1} and units[1:].sum() == 8


def test_the_units_returned_follow_the_share_and_the_split() -> None:
    """Over many picks the mean returned is issued × share, split in proportion."""
    rng = np.random.default_rng(3)
    n = 20_000
    split = np.tile([0.5, 0.3, 0.2], (n, 1))
    pick, reason, units, _ = compiled.return_draws(rng, np.full(n, 10), np.full(n, 0.2),
                                                   split, NO_DELAY, np.zeros(n, np.int64))
    assert len(np.unique(pick)) <= n and (units > 0).all()
    assert abs(units.sum() / (10 * 0.2 * n) - 1) < 0.02
    by_reason = np.bincount(reason, weights=units, minlength=3) / units.sum()
    np.testing.assert_allclose(by_reason, [0.5, 0.3, 0.2], atol=0.01)


def test_each_reason_s_delay_has_its_distribution_s_mean_and_spread() -> None:
    """Delays of reason r come from the pick's series' r-th distribution: over many picks
    their mean and sd are the distribution's (normal, gamma and lognormal moment-matched)."""
    dists = [Distribution(family="normal", mean=4.0, spread=1.0),
             Distribution(family="gamma", mean=10.0, spread=3.0),
             Distribution(family="lognormal", mean=20.0, spread=8.0)]
    n = 60_000
    split = np.tile([1 / 3, 1 / 3, 1 / 3], (n, 1))
    for draws in (return_draws, compiled.return_draws):
        _, reason, _, delay = draws(np.random.default_rng(5), np.full(n, 1), np.ones(n), split,
                                    Durations.of(dists), np.zeros(n, np.int64))
        for r, dist in enumerate(dists):
            got = delay[reason == r]
            assert abs(got.mean() / dist.mean - 1) < 0.02
            assert abs(got.std() / dist.spread - 1) < 0.04
