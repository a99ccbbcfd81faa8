"""Updating a network's demand models from recorded demand (the nightly forecast step).

For each demand model (hospital, department, item) the recorded daily units over the
window ``since … until`` (T days, missing days = 0) are forecast ``horizon`` days ahead
(:func:`solvers.forecast.selection.fit_forecast`; with fewer than
:data:`MIN_FORECAST_DAYS` days the window mean stands in). The forecast is
de-seasonalised by the model's own weekly/annual profile over the horizon,
``level = mean(forecast) / mean_t(mean_on(t) / mean_per_day)``, and shrunk towards the
model's prior mean in proportion to the evidence:
``μ' = w · level + (1 − w) · μ₀`` with ``w = T / (T + prior_days)`` (a conjugate-style
credibility weight: ``prior_days`` is how many days of history the prior is worth).
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from solvers.forecast.selection import fit_forecast
from twin.domain import Network

MIN_FORECAST_DAYS = 14


@dataclass(frozen=True)
class DemandUpdate:
    """What the update did: series, days of history, weight, totals before and after."""

    series: int
    series_with_demand: int
    days: int
    weight: float
    mean_before: float
    mean_after: float
    unmatched_units: int

    def __str__(self) -> str:
        return (f"{self.series} demand series ({self.series_with_demand} with recorded demand) "
                f"over {self.days} days, weight {self.weight:.2f}: total mean demand "
                f"{self.mean_before:,.1f} → {self.mean_after:,.1f} units/day"
                + (f"; {self.unmatched_units} units recorded for series the network does not "
                   "model were left out" if self.unmatched_units else ""))


def update_demand(net: Network, records: pd.DataFrame, since: dt.date, until: dt.date,
                  horizon: int = 28, prior_days: float = 28.0
                  ) -> tuple[Network, DemandUpdate]:
    """``net`` with each demand model's ``mean_per_day`` re-estimated from ``records``
    (columns date, hospital, department, item, quantity) over ``since … until``."""
    days = (until - since).days + 1
    if days < 1:
        raise ValueError(f"empty history window {since} … {until}")
    models = net.demand
    row_of = {(m.hospital, m.department, m.item): k for k, m in enumerate(models)}
    y = np.zeros((len(models), days))
    unmatched = 0
    if len(records):
        dates = pd.to_datetime(records["date"]).dt.date
        inside = (dates >= since) & (dates <= until)
        for (h, d, i, day), qty in records[inside].assign(day=dates[inside]).groupby(
                ["hospital", "department", "item", "day"])["quantity"].sum().items():
            k = row_of.get((h, d, i))
            if k is None:
                unmatched += int(qty)
            else:
                y[k, (day - since).days] += qty
    if days >= MIN_FORECAST_DAYS:
        ahead = fit_forecast(y, horizon).mean.mean(axis=1)
    else:
        ahead = y.mean(axis=1)
    future = [until + dt.timedelta(days=t + 1) for t in range(horizon)]
    weight = days / (days + prior_days)
    updated = []
    for k, m in enumerate(models):
        profile = (np.mean([m.mean_on(t) for t in future]) / m.mean_per_day
                   if m.mean_per_day > 0 else 1.0)
        level = ahead[k] / profile if profile > 0 else ahead[k]
        mean = float(weight * level + (1 - weight) * m.mean_per_day)
        change: dict[str, float] = {"mean_per_day": mean}
        if m.family == "intermittent" and 0 < mean * m.dispersion < 1:
            change["dispersion"] = 1.0 / mean  # one demand of ≥ 1 unit every 1/μ days
        updated.append(m.model_copy(update=change))
    report = DemandUpdate(len(models), int((y.sum(axis=1) > 0).sum()), days, weight,
                          sum(m.mean_per_day for m in models),
                          sum(m.mean_per_day for m in updated), unmatched)
    return net.model_copy(update={"demand": updated}), report
