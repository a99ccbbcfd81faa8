"""Moving a snapshot in time: every date moves, nothing else changes."""

import datetime as dt

import pytest

from tests.conftest import TINY
from twin.domain import Network
from twin.network_files import load_network
from twin.validation import check_network


@pytest.fixture(scope="module")
def tiny() -> Network:
    return load_network(TINY)


@pytest.mark.parametrize("days", [-400, 0, 6, 366])
def test_rebased_moves_every_date_by_the_same_days(tiny: Network, days: int) -> None:
    before = tiny.snapshot
    after = tiny.rebased(before.as_of + dt.timedelta(days=days)).snapshot
    step = dt.timedelta(days=days)
    assert after.as_of == before.as_of + step
    assert [(lp.expiry - step, lp.quantity, lp.lot) for lp in after.lots] == \
        [(lp.expiry, lp.quantity, lp.lot) for lp in before.lots]
    assert [t.model_copy(update={"expiry": t.expiry - step, "shipped": t.shipped - step,
                                 "eta": t.eta - step}) for t in after.in_transit] == \
        before.in_transit
    assert [po.model_copy(update={"ordered": po.ordered - step, "due": po.due - step})
            for po in after.purchase_orders] == before.purchase_orders


def test_a_rebased_network_is_as_valid_and_the_rest_is_untouched(tiny: Network) -> None:
    moved = tiny.rebased(dt.date(2031, 2, 28))
    assert check_network(moved) == check_network(tiny) == []
    assert moved.model_copy(update={"snapshot": tiny.snapshot}) == tiny
