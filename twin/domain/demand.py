"""Demand models per (hospital department, item)."""

import datetime as dt
import math

import numpy as np
from pydantic import model_validator

from twin.domain.demand_families import DEMAND_FAMILIES, FamilyName
from twin.domain.fields import MAX_DAYS, MAX_RATE, DomainModel, field
from twin.domain.returns import ReturnRate


class DemandModel(DomainModel):
    """Daily demand of one department for one item.

    Mean on day t: ``mean_per_day · weekly[t mod 7] · (1 + annual_amplitude ·
    cos(2π (doy − annual_peak_day) / 365))``. Families: ``poisson``; ``negbin`` with
    variance = dispersion · mean (dispersion ≥ 1); ``intermittent`` where a demand
    occurs with probability 1/dispersion per day (dispersion = mean inter-demand
    interval, days ≥ 1) and its size is 1 + Poisson(mean·dispersion − 1).
    """

    # (the docstring is the JSON Schema's description; the families' distributions,
    # variances and checks live in twin.domain.demand_families.DEMAND_FAMILIES)

    hospital: str = field(description="hospital id")
    department: str = field(description="department id within the hospital")
    item: str = field(description="item code")
    family: FamilyName = field(
        "poisson", description="demand distribution family")
    mean_per_day: float = field(unit="units/day", description="mean daily demand", ge=0,
                                 le=MAX_RATE)
    dispersion: float = field(
        1.0, description="negbin: variance/mean; intermittent: mean days between demands", ge=1,
        le=MAX_DAYS)
    weekly: list[float] | None = field(
        None, description="seven day-of-week multipliers, Monday first (mean 1)")
    annual_amplitude: float = field(
        0.0, unit="fraction", description="amplitude of annual seasonality", ge=0, le=1)
    annual_peak_day: int = field(
        1, unit="day of year", description="day of year of the seasonal peak", ge=1, le=366)
    returns: list[ReturnRate] = field(
        list, description="shares of the issued units that come back, by reason")

    @model_validator(mode="after")
    def _weekly_profile(self) -> "DemandModel":
        if self.weekly is not None:
            if len(self.weekly) != 7:
                raise ValueError(f"weekly needs 7 multipliers, got {len(self.weekly)}")
            if any(w < 0 for w in self.weekly):
                raise ValueError("weekly multipliers must be ≥ 0")
            if abs(sum(self.weekly) / 7 - 1) > 0.01:
                raise ValueError(f"weekly multipliers must average 1, got {sum(self.weekly)/7:.3f}")
        reasons = [r.reason for r in self.returns]
        if len(set(reasons)) != len(reasons):
            raise ValueError("returns: one rate per reason")
        if sum(r.rate for r in self.returns) > 1 + 1e-9:
            raise ValueError("returns: the rates add up to more than 1")
        problem = DEMAND_FAMILIES[self.family].problem(self.mean_per_day, self.dispersion)
        if problem is not None:
            raise ValueError(problem)
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
        p·E[N²] − μ² = p·((μ/p − 1) + (μ/p)²) − μ² (see the family registry)."""
        return DEMAND_FAMILIES[self.family].variance(self.mean_per_day, self.dispersion)

    def sample_on(self, day: dt.date, rng: np.random.Generator) -> int:
        """One draw of the demand on ``day`` (units), with the family's distribution around
        :meth:`mean_on` (no draw, 0, when the mean is 0)."""
        mean = self.mean_on(day)
        if mean <= 0:
            return 0
        return DEMAND_FAMILIES.draw_one(self.family, mean, self.dispersion, rng)

