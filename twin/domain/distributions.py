"""Non-negative time distributions (lead times, transit times), sampled vectorised."""

from typing import Literal

import numpy as np
from pydantic import model_validator

from twin.domain.fields import MAX_DAYS, DomainModel, field

Family = Literal["fixed", "normal", "lognormal", "gamma"]


class Distribution(DomainModel):
    """A duration distribution given by its mean and standard deviation (both days).

    ``normal`` is truncated at zero by resampling-free clipping; ``lognormal`` and
    ``gamma`` are moment-matched: gamma shape k = (mean/sd)², scale θ = sd²/mean;
    lognormal σ² = ln(1 + sd²/mean²), μ = ln(mean) − σ²/2.
    """

    family: Family = field("gamma", description="distribution family")
    mean: float = field(unit="days", description="mean duration", gt=0, le=MAX_DAYS)
    spread: float = field(0.0, unit="days", description="standard deviation", ge=0,
                           le=MAX_DAYS)

    @model_validator(mode="after")
    def _fixed_has_no_spread(self) -> "Distribution":
        if self.family == "fixed" and self.spread != 0:
            raise ValueError("a 'fixed' distribution must have spread 0")
        return self

    def sample(self, rng: np.random.Generator, size: int | None = None) -> np.ndarray | float:
        """Draw ``size`` durations in days (≥ 0)."""
        m, s = self.mean, self.spread
        if self.family == "fixed" or s == 0:
            return np.full(size, m) if size is not None else m
        if self.family == "normal":
            return np.maximum(rng.normal(m, s, size), 0.0)
        if self.family == "gamma":
            return rng.gamma((m / s) ** 2, s * s / m, size)
        sigma2 = np.log1p((s / m) ** 2)
        return rng.lognormal(np.log(m) - sigma2 / 2, np.sqrt(sigma2), size)
