"""Return rates from issues and returns: matching, censoring correction, capping."""

import datetime as dt
from pathlib import Path
from typing import NamedTuple

import pytest

from solvers.calibration.returns import fit_return_rates, with_return_rates
from twin.network_files import load_network

D0 = dt.date(2026, 3, 2)


class Rec(NamedTuple):
    date: dt.date
    hospital: str
    department: str
    item: str
    lot: str
    quantity: int
    reason: str = ""
    issued: dt.date | None = None


def day(n: int) -> dt.date:
    return D0 + dt.timedelta(days=n)


def test_rates_count_only_issues_whose_returns_had_time_to_arrive() -> None:
    issues = [Rec(day(0), "H", "D", "I", "L1", 10), Rec(day(5), "H", "D", "I", "L2", 10)]
    returns = [Rec(day(2), "H", "D", "I", "L1", 2, "unused"),
               Rec(day(6), "H", "D", "I", "L2", 1, "unused"),
               Rec(day(3), "H", "D", "I", "L9", 4, "defective"),  # issued before the window
               Rec(day(3), "H", "D", "I", "L1", 5, "recalled")]  # no rate for recalls
    fit = fit_return_rates(issues, returns, until=day(6))
    assert fit.unmatched == 4
    (f,) = fit.rates
    # delays 2 (2 units) and 1 (1 unit): F̂(1) = 1/3, F̂(≥2) = 1; the day-5 issue has had
    # one day, so it exposes 10/3 units: rate = 3 / (10 + 10/3)
    assert f.key == ("H", "D", "I") and f.returned == 3
    assert f.exposed == pytest.approx(40 / 3)
    assert f.rate.reason == "unused" and f.rate.rate == 0.225
    assert f.rate.delay_days.family == "gamma"
    assert (f.rate.delay_days.mean, f.rate.delay_days.spread) == (1.67, 0.47)


def test_rates_of_a_department_are_capped_at_one_together() -> None:
    issues = [Rec(day(0), "H", "D", "I", "L", 4)]
    returns = [Rec(day(1), "H", "D", "I", "L", 3, "unused"),
               Rec(day(1), "H", "D", "I", "L", 3, "defective")]
    rates = fit_return_rates(issues, returns, until=day(9)).by_model()[("H", "D", "I")]
    assert [r.reason for r in rates] == ["unused", "defective"]
    assert [r.rate for r in rates] == [0.5, 0.5]
    assert rates[0].delay_days.family == "fixed" and rates[0].delay_days.mean == 1


def test_a_network_takes_the_fitted_rates(tiny_dir: Path) -> None:
    tiny_network = load_network(tiny_dir)
    d = tiny_network.demand[0]
    issues = [Rec(day(0), d.hospital, d.department, d.item, "L", 10)]
    returns = [Rec(day(2), d.hospital, d.department, d.item, "L", 1, "defective")]
    net = with_return_rates(tiny_network, fit_return_rates(issues, returns, until=day(20)))
    assert [(r.reason, r.rate) for r in net.demand[0].returns] == [("defective", 0.1)]
    assert net.demand[1:] == tiny_network.demand[1:]


def test_a_return_linked_to_its_issue_takes_that_issue_s_day() -> None:
    """A lot issued day after day: the ERP's link names the issue; without it the latest
    issue of the lot before the return is taken."""
    issues = [Rec(day(n), "H", "D", "I", "L", 5) for n in range(6)]
    linked = [Rec(day(5), "H", "D", "I", "L", 1, "unused", issued=day(1))]
    unlinked = [Rec(day(5), "H", "D", "I", "L", 1, "unused")]
    assert fit_return_rates(issues, linked, day(30)).rates[0].rate.delay_days.mean == 4
    assert fit_return_rates(issues, unlinked, day(30)).rates[0].rate.delay_days.mean == 0.5
