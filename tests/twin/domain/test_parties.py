"""Supplier lateness as data: an offer's own or its supplier's, validated, and the old
``reliability`` refused with what replaced it."""

import pytest
from pydantic import ValidationError

from twin.domain import Lateness, Supplier

OFFER = {"item": "X", "lead_time": {"family": "fixed", "mean": 5}}


def test_an_offer_is_late_as_it_says_else_as_its_supplier_says() -> None:
    own = {"probability": 0.3, "delay": {"mean": 2.0, "spread": 1.0}}
    sup = Supplier.model_validate({
        "id": "S", "name": "S", "delivers_to": ["A"],
        "lateness": {"probability": 0.1, "delay": {"mean": 4.0, "spread": 4.0}},
        "supplies": [OFFER, {**OFFER, "item": "Y", "lateness": own}]})
    plain, special = sup.supplies
    assert sup.lateness_of(plain) == sup.lateness
    assert sup.lateness_of(special).probability == 0.3
    assert sup.lateness_of(special).expected_delay == pytest.approx(0.6)


def test_suppliers_are_on_time_unless_told() -> None:
    sup = Supplier.model_validate({"id": "S", "name": "S", "delivers_to": ["A"],
                                   "supplies": [OFFER]})
    assert sup.lateness == Lateness() and sup.lateness.expected_delay == 0.0


@pytest.mark.parametrize(("lateness", "why"), [
    ({"probability": 0.2}, "needs its 'delay'"),
    ({"probability": 1.5, "delay": {"mean": 1.0}}, "less than or equal to 1"),
    ({"probability": 0.2, "delay": {"mean": -1.0}}, "greater than 0")])
def test_bad_lateness_is_refused(lateness: dict, why: str) -> None:
    with pytest.raises(ValidationError, match=why):
        Lateness.model_validate(lateness)


def test_the_old_reliability_names_its_replacement() -> None:
    with pytest.raises(ValidationError, match="'reliability' is replaced by 'lateness"):
        Supplier.model_validate({"id": "S", "name": "S", "delivers_to": ["A"],
                                 "reliability": 0.9, "supplies": [OFFER]})
