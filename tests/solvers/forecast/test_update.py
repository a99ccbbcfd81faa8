"""Demand models re-estimated from recorded demand: credibility-weighted forecasts."""

import datetime as dt
from pathlib import Path

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


def test_no_recorded_demand_shrinks_towards_zero(flat: Network) -> None:
    since = UNTIL - dt.timedelta(days=6)
    empty = records(flat, 0, 0)
    out, report = update_demand(flat, empty, since, UNTIL, prior_days=21)
    assert [m.mean_per_day for m in out.demand] == pytest.approx([3.0 * 0.75] * len(flat.demand))
    assert report.series_with_demand == 0


def test_unknown_series_and_outside_window_are_left_out(flat: Network) -> None:
    since = UNTIL - dt.timedelta(days=6)
    extra = pd.DataFrame([(UNTIL, "H-NOPE", "ICU", flat.demand[0].item, 5),
                          (since - dt.timedelta(days=1), flat.demand[0].hospital,
                           flat.demand[0].department, flat.demand[0].item, 99)],
                         columns=["date", "hospital", "department", "item", "quantity"])
    out, report = update_demand(flat, pd.concat([records(flat, 7, 3), extra]), since, UNTIL)
    assert report.unmatched_units == 5
    assert out.demand[0].mean_per_day == pytest.approx(3.0)
