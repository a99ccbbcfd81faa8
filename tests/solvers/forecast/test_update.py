"""Demand models re-estimated from recorded demand: credibility-weighted forecasts."""

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from solvers.forecast.update import update_demand
from twin.domain import Network
from twin.network_files import load_network

UNTIL = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def flat() -> Network:
    """The tiny network with every demand model made flat (no weekly or annual profile)."""
    net = load_network(Path(__file__).resolve().parents[2] / "data" / "tiny")
    return net.model_copy(update={"demand": [
        m.model_copy(update={"weekly": None, "annual_amplitude": 0.0, "family": "poisson",
                             "mean_per_day": 3.0}) for m in net.demand]})


def records(net: Network, days: int, units: int) -> pd.DataFrame:
    rows = [(UNTIL - dt.timedelta(days=t), m.hospital, m.department, m.item, units)
            for m in net.demand for t in range(days)]
    return pd.DataFrame(rows, columns=["date", "hospital", "department", "item", "quantity"])


@pytest.mark.parametrize("days", [7, 28])
def test_history_at_the_prior_mean_changes_nothing(flat: Network, days: int) -> None:
    since = UNTIL - dt.timedelta(days=days - 1)
    out, report = update_demand(flat, records(flat, days, 3), since, UNTIL)
    assert [m.mean_per_day for m in out.demand] == pytest.approx([3.0] * len(flat.demand))
    assert report.series_with_demand == len(flat.demand) and report.days == days


def test_doubled_demand_moves_halfway_after_prior_days(flat: Network) -> None:
    since = UNTIL - dt.timedelta(days=27)
    out, report = update_demand(flat, records(flat, 28, 6), since, UNTIL, prior_days=28)
    assert report.weight == pytest.approx(0.5)
    assert [m.mean_per_day for m in out.demand] == pytest.approx([4.5] * len(flat.demand))


def test_no_recorded_history_leaves_the_prior_and_warns(flat: Network) -> None:
    since = UNTIL - dt.timedelta(days=6)
    empty = records(flat, 0, 0)
    out, report = update_demand(flat, empty, since, UNTIL, prior_days=21)
    assert [m.mean_per_day for m in out.demand] == pytest.approx([3.0] * len(flat.demand))
    assert report.series_with_demand == 0 and report.days == 0 and report.weight == 0
    assert "no demand history found in 7 days" in str(report) and report.short_history


@pytest.mark.parametrize(("found", "warns"), [(10, False), (7, False), (6, True)])
def test_days_the_erp_had_not_recorded_are_not_zero_demand(flat: Network, found: int,
                                                           warns: bool) -> None:
    """A 14-day window of which only the ``found`` days before its last 2 hold records
    (history starting late, the last days not yet booked): demand at the prior mean
    changes nothing, and the report says how much history it found."""
    until = UNTIL + dt.timedelta(days=2)
    since = until - dt.timedelta(days=13)
    out, report = update_demand(flat, records(flat, found, 3), since, until, prior_days=28)
    assert [m.mean_per_day for m in out.demand] == pytest.approx([3.0] * len(flat.demand))
    assert (report.days, report.window_days) == (found, 14)
    assert (report.first, report.last) == (UNTIL - dt.timedelta(days=found - 1), UNTIL)
    assert report.weight == pytest.approx(found / (found + 28))
    assert f"{found} of 14 days of history found" in str(report)
    assert report.short_history is warns and ("warning: only" in str(report)) is warns


def test_unknown_series_and_outside_window_are_left_out(flat: Network) -> None:
    since = UNTIL - dt.timedelta(days=6)
    extra = pd.DataFrame([(UNTIL, "H-NOPE", "ICU", flat.demand[0].item, 5),
                          (since - dt.timedelta(days=1), flat.demand[0].hospital,
                           flat.demand[0].department, flat.demand[0].item, 99)],
                         columns=["date", "hospital", "department", "item", "quantity"])
    out, report = update_demand(flat, pd.concat([records(flat, 7, 3), extra]), since, UNTIL)
    assert report.unmatched_units == 5
    assert out.demand[0].mean_per_day == pytest.approx(3.0)


def test_the_forecast_error_is_reported_per_series(flat: Network) -> None:
    # Poisson(3) days: the one-step error of a level forecast is about the day's own
    # spread √3; a steady 3 units a day is forecast without error; 7 days: no forecast
    days = 56
    since = UNTIL - dt.timedelta(days=days - 1)
    rng = np.random.default_rng(4)
    noisy = records(flat, days, 0).assign(quantity=rng.poisson(3.0, len(flat.demand) * days))
    _, report = update_demand(flat, noisy, since, UNTIL)
    keys = {(m.hospital, m.department, m.item) for m in flat.demand}
    assert set(report.forecast_error) == keys
    assert np.median(list(report.forecast_error.values())) == pytest.approx(np.sqrt(3), rel=0.2)
    _, steady = update_demand(flat, records(flat, days, 3), since, UNTIL)
    assert max(steady.forecast_error.values()) < 0.05
    short = UNTIL - dt.timedelta(days=6)
    assert update_demand(flat, records(flat, 7, 3), short, UNTIL)[1].forecast_error == {}
