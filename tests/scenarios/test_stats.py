"""Confidence intervals and paired differences, checked on cases with known answers."""

import numpy as np
import pytest
import xarray as xr

from scenarios.stats import interval, paired_differences, run_adaptive, summarise, widest


def _dataset(values: np.ndarray, policies: list[str]) -> xr.Dataset:
    """``values`` shaped (policy, scenario, replication) as run_x."""
    return xr.Dataset({"run_x": (("policy", "scenario", "replication"), values)},
                      coords={"policy": policies, "scenario": [f"s{k}" for k in
                                                               range(values.shape[1])],
                              "replication": np.arange(values.shape[2])})


def test_ci_coverage_is_nominal_on_a_known_mean() -> None:
    """4,000 experiments of n = 8 normal draws with mean 3: the 95 % t-interval covers 3 in
    95 % of them (binomial sd 0.34 %, so [93.9 %, 96.1 %] holds with > 99.9 % probability)."""
    rng = np.random.default_rng(2024)
    ds = _dataset(rng.normal(3.0, 2.0, size=(1, 4000, 8)), ["p"])
    ci = summarise(ds)["run_x"]
    covered = (ci.sel(stat="lower") <= 3.0) & (ci.sel(stat="upper") >= 3.0)
    assert 0.939 <= float(covered.mean()) <= 0.961
    assert (ci.sel(stat="n") == 8).all()


def test_ci_coverage_of_simulated_total_demand(tiny) -> None:  # type: ignore[no-untyped-def]
    """The twin's total demand has a known mean (sum of the demand models' daily means):
    30 experiments of 8 replications, each CI should cover it ~95 % of the time."""
    import datetime as dt

    from scenarios.execution import run
    from scenarios.experiment import Experiment
    from scenarios.spec import ResolvedScenario
    from twin.sim.demand import ModelDemand
    from twin.sim.index import NetworkIndex

    days = 20
    base = ResolvedScenario("baseline", "", (), {}, 0.0, ("baseline",))
    exp = Experiment(tiny, ("none",), (base,), days=days, seed=5)
    ds = run(exp, range(240))
    means = ModelDemand(NetworkIndex(tiny))
    start = tiny.snapshot.as_of
    expected = sum(means.means(start + dt.timedelta(days=d), np.ones(2)).sum()
                   for d in range(days))
    totals = ds["run_demand_units"].values.reshape(1, 30, 8)
    ci = summarise(_dataset(totals, ["none"]))["run_x"]
    covered = int(((ci.sel(stat="lower") <= expected) & (ci.sel(stat="upper") >= expected))
                  .sum())
    assert covered >= 25  # P(≤ 24 of 30 | p = 0.95) < 0.2 %
    assert float(ds["run_demand_units"].mean()) == pytest.approx(expected, rel=0.03)


def test_paired_differences_use_the_pairing() -> None:
    """B = A + 1 + small noise: the paired CI is tight around 1 although A varies a lot."""
    rng = np.random.default_rng(7)
    a = rng.normal(100, 30, size=(1, 2, 20))
    b = a + 1 + rng.normal(0, 0.01, size=a.shape)
    ds = _dataset(np.concatenate([a, b]), ["A", "B"])
    diff = paired_differences(ds, "A")
    d = diff["run_x"].sel(policy="B")
    assert (abs(d.sel(stat="mean") - 1) < 0.01).all()
    assert (d.sel(stat="half_width") < 0.01).all()
    assert diff["run_x_significant"].sel(policy="B").all()
    assert not diff["run_x_significant"].sel(policy="A").any()
    alone = interval(ds["run_x"].sel(policy="B")).sel(stat="half_width")
    assert (alone > 5).all()  # each policy's own mean is far less certain than the pair
    with pytest.raises(ValueError, match="baseline 'C'"):
        paired_differences(ds, "C")


def test_paired_differences_between_scenarios() -> None:
    """Scenario s1 = s0 − 2 in every replication: differenced along the scenarios the
    interval is exactly −2 wide 0, and the baseline scenario differs by nothing."""
    rng = np.random.default_rng(3)
    base = rng.normal(50, 10, size=(2, 1, 12))
    ds = _dataset(np.concatenate([base, base - 2], axis=1), ["A", "B"])
    diff = paired_differences(ds, "s0", dim="scenario")
    d = diff["run_x"].sel(scenario="s1")
    assert np.allclose(d.sel(stat="mean"), -2) and np.allclose(d.sel(stat="half_width"), 0)
    assert diff["run_x_significant"].sel(scenario="s1").all()
    assert not diff["run_x_significant"].sel(scenario="s0").any()
    assert diff.attrs["baseline_scenario"] == "s0"
    with pytest.raises(ValueError, match="baseline 'nope' is not among the scenario"):
        paired_differences(ds, "nope", dim="scenario")


def test_nan_replications_are_left_out() -> None:
    values = np.array([[[1.0, 2.0, np.nan, 3.0]]])
    ci = interval(_dataset(values, ["p"])["run_x"]).squeeze()
    assert float(ci.sel(stat="n")) == 3
    assert float(ci.sel(stat="mean")) == pytest.approx(2.0)


def test_adaptive_adds_replications_until_the_target() -> None:
    rng = np.random.default_rng(1)
    draws = rng.normal(0, 1, size=(1, 1, 2000))
    calls = []

    def run(reps: range) -> xr.Dataset:
        calls.append(reps)
        return _dataset(draws[:, :, reps.start:reps.stop], ["p"]).assign_coords(
            replication=list(reps))

    ds = run_adaptive(run, "run_x", 0.2, start=10, batch=10, limit=2000)
    n = ds.sizes["replication"]
    assert widest(ds, "run_x") <= 0.2 < widest(ds.isel(replication=slice(0, n - 10)), "run_x")
    assert list(ds.replication.values) == list(range(n))
    assert 80 <= n <= 130  # 1.96 / √n ≤ 0.2 → n ≈ 96
    capped = run_adaptive(run, "run_x", 0.001, start=10, batch=10, limit=30)
    assert capped.sizes["replication"] == 30


def test_intervals_of_proportions_stay_inside_zero_one() -> None:
    """Fill rates near 1 from a few replications, where the plain t-interval passes 1 (and
    near 0, where it passes 0): the level's interval stays in [0, 1] and holds the mean;
    the paired difference's stays in [−1, 1]."""
    rng = np.random.default_rng(3)
    near_one = 1 - rng.exponential(0.002, size=(1, 50, 4))
    values = np.concatenate([near_one, 1 - near_one, np.ones((1, 1, 4)),
                             rng.uniform(0, 1, size=(1, 20, 4))], axis=1)
    both = np.concatenate([values, 1 - values], axis=0)
    ds = _dataset(both, ["a", "b"])
    ds["run_x"].attrs["units"] = "1"
    ci = summarise(ds)["run_x"]
    lower, mean, upper = (ci.sel(stat=s) for s in ("lower", "mean", "upper"))
    plain = ds["run_x"].mean("replication") + ds["run_x"].std("replication", ddof=1)
    assert (plain > 1).any()                                    # the t-interval would pass 1
    assert ((lower >= 0) & (lower <= mean) & (mean <= upper) & (upper <= 1)).all()
    assert float(ci.sel(stat="upper").isel(policy=0, scenario=100)) == 1.0  # all at 1
    diff = paired_differences(ds, "a")["run_x"]
    assert ((diff.sel(stat="lower") >= -1) & (diff.sel(stat="upper") <= 1)).all()
    assert (diff.sel(stat="lower") == -1).any()               # clipped, not dropped
