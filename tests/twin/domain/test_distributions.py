import numpy as np
import pytest
from pydantic import ValidationError

from twin.domain import Distribution


@pytest.mark.parametrize("family", ["normal", "lognormal", "gamma"])
def test_moments_match(family: str) -> None:
    d = Distribution(family=family, mean=10.0, spread=2.0)
    x = d.sample(np.random.default_rng(1), 200_000)
    assert x.min() >= 0
    assert abs(x.mean() - 10) < 0.05
    assert abs(x.std() - 2) < 0.05


def test_fixed_is_constant_and_rejects_spread() -> None:
    d = Distribution(family="fixed", mean=3)
    assert np.all(d.sample(np.random.default_rng(0), 5) == 3)
    with pytest.raises(ValidationError, match="spread 0"):
        Distribution(family="fixed", mean=3, spread=1)
