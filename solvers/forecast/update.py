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

The forecast's error — per series the root mean square of the chosen method's in-sample
one-step errors over its selection window, σ_e (units/day;
:func:`~solvers.forecast.selection.fit_forecast`) — is reported per demand model
(``DemandUpdate.forecast_error``, empty when the history is too short to forecast) for the
safety-stock model, which plans against σ_e where it exceeds the demand model's own
daily standard deviation (:func:`solvers.safety_stock.inputs.build_inputs`).

Only the days the history covers count: the window is trimmed to the first … last day on
which anything was recorded (T is the trimmed length). Empty days at either end are days
the ERP had not recorded (history that starts later, or a day not yet booked), not days
without demand; empty days inside the span are zero demand. With no record at all the
prior stands (w = 0). Less than half the window found is reported as a warning.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from solvers.forecast.selection import fit_forecast
from twin.domain import Network

log = logging.getLogger(__name__)

MIN_FORECAST_DAYS = 14


@dataclass(frozen=True)
class DemandUpdate:
    """What the update did: series, days of history found in the window, weight, totals
    before and after."""

    series: int
    series_with_demand: int
    days: int
    window_days: int
    first: dt.date | None
    last: dt.date | None
    weight: float
    mean_before: float
    mean_after: float
    unmatched_units: int
    forecast_error: dict[tuple[str, str, str], float] = field(default_factory=dict)
    # σ_e per (hospital, department, item), units/day (see the module docstring)

    @property
    def short_history(self) -> bool:
        """Whether less than half the window holds recorded history."""
        return 2 * self.days < self.window_days

    def warning(self) -> str | None:
        """What to tell the planner when the history is too short to trust."""
        if not self.short_history:
            return None
        return (f"only {self.days} of {self.window_days} days of demand history found: the "
                "forecast leans on the prior demand models (is the ERP's history complete?)")

    def __str__(self) -> str:
        found = (f"{self.days} of {self.window_days} days of history found ({self.first} … "
                 f"{self.last})" if self.days else
                 f"no demand history found in {self.window_days} days")
        return (f"{self.series} demand series ({self.series_with_demand} with recorded demand), "
                f"{found}, weight {self.weight:.2f}: total mean demand "
                f"{self.mean_before:,.1f} → {self.mean_after:,.1f} units/day"
                + (f"; {self.unmatched_units} units recorded for series the network does not "
                   "model were left out" if self.unmatched_units else "")
                + (f"; warning: {self.warning()}" if self.short_history else ""))


def update_demand(net: Network, records: pd.DataFrame, since: dt.date, until: dt.date,
                  horizon: int = 28, prior_days: float = 28.0
                  ) -> tuple[Network, DemandUpdate]:
    """``net`` with each demand model's ``mean_per_day`` re-estimated from ``records``
    (columns date, hospital, department, item, quantity) over ``since … until``, trimmed
    to the days the records cover (see the module docstring)."""
    window = (until - since).days + 1
    if window < 1:
        raise ValueError(f"empty history window {since} … {until}")
    models = net.demand
    row_of = {(m.hospital, m.department, m.item): k for k, m in enumerate(models)}
    y = np.zeros((len(models), window))
    recorded = np.zeros(window, dtype=bool)
    unmatched = 0
    if len(records):
        dates = pd.to_datetime(records["date"]).dt.date
        inside = (dates >= since) & (dates <= until)
        for (h, d, i, day), qty in records[inside].assign(day=dates[inside]).groupby(
                ["hospital", "department", "item", "day"])["quantity"].sum().items():
            recorded[(day - since).days] = True
            k = row_of.get((h, d, i))
            if k is None:
                unmatched += int(qty)
            else:
                y[k, (day - since).days] += qty
    covered = np.flatnonzero(recorded)
    first, last = (int(covered[0]), int(covered[-1])) if covered.size else (0, -1)
    y = y[:, first:last + 1]
    days = y.shape[1]
    error: dict[tuple[str, str, str], float] = {}
    if days >= MIN_FORECAST_DAYS:
        fitted = fit_forecast(y, horizon)
        ahead = fitted.mean.mean(axis=1)
        error = {key: float(fitted.sigma[k]) for key, k in row_of.items()}
    elif days:
        ahead = y.mean(axis=1)
    else:
        ahead = np.zeros(len(models))
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
    report = DemandUpdate(len(models), int((y.sum(axis=1) > 0).sum()), days, window,
                          since + dt.timedelta(days=first) if days else None,
                          since + dt.timedelta(days=last) if days else None, weight,
                          sum(m.mean_per_day for m in models),
                          sum(m.mean_per_day for m in updated), unmatched, error)
    if report.short_history:
        log.warning("forecast: %s", report.warning())
    return net.model_copy(update={"demand": updated}), report
