"""The demand-family registry: one entry per family drives validation, variance and draws."""

import datetime as dt
from typing import get_args

import numpy as np
import pytest
from pydantic import ValidationError

from twin.domain import DemandModel
from twin.domain.demand_families import DEMAND_FAMILIES, FamilyName


def model(family: str, mean: float, dispersion: float = 1.0) -> DemandModel:
    return DemandModel(hospital="H", department="D", item="X", family=family,
                       mean_per_day=mean, dispersion=dispersion)


def test_registry_order_is_the_family_codes_and_the_schema_names() -> None:
    assert tuple(DEMAND_FAMILIES) == get_args(FamilyName) == ("poisson", "negbin",
                                                               "intermittent")
    assert [DEMAND_FAMILIES.code(n) for n in DEMAND_FAMILIES] == [0, 1, 2]
    with pytest.raises(KeyError, match="known: poisson, negbin, intermittent"):
        DEMAND_FAMILIES.code("lumpy")


def test_variance_and_validation_come_from_the_registry() -> None:
    assert model("poisson", 4.0).daily_variance == 4.0
    assert model("negbin", 4.0, 2.5).daily_variance == 10.0
    # p = 1/4, size μ/p = 8: p·((8 − 1) + 64) − 2² = 71/4 − 4
    assert model("intermittent", 2.0, 4.0).daily_variance == pytest.approx(71 / 4 - 4)
    with pytest.raises(ValidationError, match="mean_per_day × dispersion ≥ 1"):
        model("intermittent", 0.2, 2.0)


def test_draw_groups_draw_negbin_without_overdispersion_with_poisson() -> None:
    codes = np.array([1, 0, 2, 1, 0], dtype=np.int8)
    dispersion = np.array([1.0, 1.0, 3.0, 2.0, 1.0])
    groups = {f.name: idx.tolist() for f, idx in DEMAND_FAMILIES.draw_groups(codes, dispersion)}
    assert groups == {"poisson": [0, 1, 4], "negbin": [3], "intermittent": [2]}
    assert list(groups) == ["poisson", "negbin", "intermittent"]  # registry order


@pytest.mark.parametrize(("family", "dispersion"), [("poisson", 1.0), ("negbin", 1.0),
                                                    ("negbin", 2.5), ("intermittent", 3.0)])
def test_one_series_draw_consumes_the_stream_as_the_vectorised_draw(family, dispersion) -> None:
    means = np.random.default_rng(1).uniform(0.4, 30.0, 300)
    one, many = np.random.default_rng(7), np.random.default_rng(7)
    codes = np.full(1, DEMAND_FAMILIES.code(family))
    disp = np.array([dispersion])
    for mu in means.tolist():
        [(fam, _)] = DEMAND_FAMILIES.draw_groups(codes, disp)
        vector = int(fam.draw(many, np.array([mu]), disp)[0])
        assert DEMAND_FAMILIES.draw_one(family, mu, dispersion, one) == vector
    assert one.random() == many.random()


def test_sample_on_draws_around_the_seasonal_mean() -> None:
    rng = np.random.default_rng(0)
    m = model("negbin", 6.0, 2.0)
    day = dt.date(2026, 3, 2)
    draws = np.array([m.sample_on(day, rng) for _ in range(4000)])
    assert abs(draws.mean() - 6.0) < 4 * np.sqrt(12.0 / 4000)
    assert abs(draws.var() - 12.0) < 1.5
    assert model("poisson", 0.0).sample_on(day, rng) == 0
