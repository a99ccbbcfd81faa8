"""Demand models per (hospital department, item)."""

import datetime as dt
import math
from typing import Literal

from pydantic import model_validator

from twin.domain.fields import DomainModel, field


class DemandModel(DomainModel):
    """Daily demand of one department for one item.

    Mean on day t: ``mean_per_day · weekly[t mod 7] · (1 + annual_amplitude ·
    cos(2π (doy − annual_peak_day) / 365))``. Families: ``poisson``; ``negbin`` with
    variance = dispersion · mean (dispersion ≥ 1); ``intermittent`` where a demand
    occurs with probability 1/dispersion per day (dispersion = mean inter-demand
    interval, days ≥ 1) and its size is 1 + Poisson(mean·dispersion − 1).
    """

    hospital: str = field(description="hospital id")
    department: str = field(description="department id within the hospital")
    item: str = field(description="item code")
    family: Literal["poisson", "negbin", "intermittent"] = field(
        "poisson", description="demand distribution family")
    mean_per_day: float = field(unit="units/day", description="mean daily demand", ge=0)
    dispersion: float = field(
        1.0, description="negbin: variance/mean; intermittent: mean days between demands", ge=1)
    weekly: list[float] | None = field(
        None, description="seven day-of-week multipliers, Monday first (mean 1)")
    annual_amplitude: float = field(
        0.0, unit="fraction", description="amplitude of annual seasonality", ge=0, le=1)
    annual_peak_day: int = field(
        1, unit="day of year", description="day of year of the seasonal peak", ge=1, le=366)

    @model_validator(mode="after")
    def _weekly_profile(self) -> "DemandModel":
        if self.weekly is not None:
            if len(self.weekly) != 7:
                raise ValueError(f"weekly needs 7 multipliers, got {len(self.weekly)}")
            if any(w < 0 for w in self.weekly):
                raise ValueError("weekly multipliers must be ≥ 0")
            if abs(sum(self.weekly) / 7 - 1) > 0.01:
                raise ValueError(f"weekly multipliers must average 1, got {sum(self.weekly)/7:.3f}")
        if self.family == "intermittent" and 0 < self.mean_per_day * self.dispersion < 1:
            raise ValueError(
                f"intermittent demand needs mean_per_day × dispersion ≥ 1 (a demand is at least "
                f"one unit), got {self.mean_per_day} × {self.dispersion}")
        return self

    def mean_on(self, day: dt.date) -> float:
        """Expected demand on ``day`` (units) with weekly and annual seasonality."""
        weekly = self.weekly[day.weekday()] if self.weekly is not None else 1.0
        doy = day.timetuple().tm_yday
        season = 1 + self.annual_amplitude * math.cos(2 * math.pi * (doy - self.annual_peak_day)
                                                      / 365)
        return self.mean_per_day * weekly * season

    @property
    def daily_variance(self) -> float:
        """Variance of daily demand at the mean rate (units²): μ for Poisson, dispersion·μ for
        negbin; intermittent with p = 1/dispersion and size N = 1 + Poisson(μ/p − 1):
        p·E[N²] − μ² = p·((μ/p − 1) + (μ/p)²) − μ²."""
        mu = self.mean_per_day
        if self.family == "poisson":
            return mu
        if self.family == "negbin":
            return self.dispersion * mu
        p = 1.0 / self.dispersion
        size = mu / p
        return max(p * ((size - 1) + size * size) - mu * mu, 0.0)

