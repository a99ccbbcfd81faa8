"""Customer returns in a real Tryton: seeded from return rates, pulled back as history
records and as the snapshot's returned lots, and return rates estimated from them."""

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable

import pytest

from erp_adapter.credentials import Credentials
from erp_adapter.tryton.adapter import TrytonAdapter
from erp_adapter.tryton.seed import (
    quality_control,
    sample_history,
    sample_returns,
    snapshot_returns,
)
from erp_adapter.tryton.seeded import SeededDatabase, ensure_seeded
from erp_adapter.tryton.server import TrytonServer
from solvers.calibration.returns import fit_return_rates, with_return_rates
from tests.erp_adapter.conftest import CACHE, Template
from tests.erp_adapter.returns_net import RATES, returns_network
from twin.domain import Network

pytestmark = pytest.mark.date_sensitive

HISTORY = 42


@pytest.fixture(scope="module")
def returns_seeded(tryton_template: Template, tiny_net: Network) -> SeededDatabase:
    """The tiny network with return rates and 42 days of history (cached for the day)."""
    return ensure_seeded(CACHE, returns_network(tiny_net), HISTORY)


@pytest.fixture
def returns_erp(start_server: Callable[[Template], TrytonServer], returns_seeded: SeededDatabase,
                erp_env: Credentials) -> TrytonServer:
    return start_server(Template(returns_seeded.db_file, returns_seeded.password))


def test_seeded_returns_come_back_from_tryton(returns_erp: TrytonServer,
                                              returns_seeded: SeededDatabase) -> None:
    net = returns_seeded.network
    as_of = net.snapshot.as_of
    since = as_of - dt.timedelta(days=HISTORY)
    issues = sample_history(net, HISTORY)
    seeded = sample_returns(net, issues)
    assert {r.reason for r in seeded} == {"unused", "defective", "near_expiry"}
    with TrytonAdapter(returns_erp.url, net) as adapter:
        snap = adapter.pull_snapshot(as_of)
        records = adapter.pull_returns(since, as_of - dt.timedelta(days=1))
        assert adapter.warnings == []
    # every seeded return from a department (the history's and the snapshot's), by day,
    # department, item, lot and reason
    from_departments = [*seeded, *(s for s in snapshot_returns(net) if "/" in s.customer
                                   and not s.customer.startswith("INTERCO/"))]
    pulled: Counter[tuple] = Counter()
    for r in records:
        pulled[(r.date, r.warehouse, r.hospital, r.department, r.item, r.lot, r.reason)] += (
            r.quantity)
    expected: Counter[tuple] = Counter()
    for s in from_departments:
        expected[(s.day, s.warehouse, *s.customer.split("/"), s.item, s.lot, s.reason)] += (
            s.quantity)
    assert pulled == expected
    # QC emptied the returns zone of the history; what waits is the snapshot's returns,
    # and the restocked units are back in the available stock: the snapshot is exact
    assert sorted(snap.returns, key=str) == sorted(net.snapshot.returns, key=str)
    assert sorted(lp.model_dump_json() for lp in snap.lots) == sorted(
        lp.model_dump_json() for lp in net.snapshot.lots)
    disposals = quality_control(net, seeded)
    assert {d.decision for d in disposals} == {"restock", "scrap"}


def test_return_rates_are_recovered_from_the_pulled_history(
        returns_erp: TrytonServer, returns_seeded: SeededDatabase) -> None:
    """The rates and delays fitted to a real Tryton pull match the seeded ones within
    sampling error (4 binomial standard deviations of the rate, 4 standard errors of the
    mean delay)."""
    net = returns_seeded.network
    until = net.snapshot.as_of - dt.timedelta(days=1)
    since = until - dt.timedelta(days=HISTORY - 1)
    with TrytonAdapter(returns_erp.url, net) as adapter:
        fit = fit_return_rates(adapter.pull_history(since, until),
                               adapter.pull_returns(since, until), until)
    assert fit.unmatched == 7  # the snapshot's returned lot from ICU, which issued none
    got = {(f.key, f.rate.reason): f for f in fit.rates}
    assert set(got) == {(k, r.reason) for k, rates in RATES.items() for r in rates}
    for key, rates in RATES.items():
        for r in rates:
            f = got[(key, r.reason)]
            sd = math.sqrt(r.rate * (1 - r.rate) / f.exposed)
            assert abs(f.rate.rate - r.rate) <= 4 * sd + 1e-4, (key, r.reason, f)
            n = f.returned  # units; returns come in groups, so count a group per unit
            delay_se = max(r.delay_days.spread, 0.5) / math.sqrt(max(1, n / 5))
            assert abs(f.rate.delay_days.mean - max(1, r.delay_days.mean)) <= 4 * delay_se
    pulled = with_return_rates(net, fit)
    assert [d.returns for d in pulled.demand if not d.returns] == [
        [] for d in net.demand if not d.returns]
