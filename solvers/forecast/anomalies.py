"""Demand far outside the forecast: the last days of recorded demand of each series against
the network's demand model (the forecast in force before tonight's update).

Over the last ``days`` recorded days ``D`` of the window, per (hospital, department, item):
``y = Σ_D units``, ``μ = Σ_D mean_on(d)``, ``σ² = Σ_D Var(d)`` with the family's daily
variance at ``mean_on(d)`` (days independent), and ``z = (y − μ) / σ``. A series with
``|z| > threshold`` is an alert (``demand_outlier``, warning): the units stay in the
history the forecast learns from — the alert asks a planner to look (a recording error,
or a real surge the model does not know yet).
"""

import datetime as dt
import math

import pandas as pd

from twin.domain import Alert, Network
from twin.domain.demand_families import DEMAND_FAMILIES


def demand_outliers(net: Network, records: pd.DataFrame, until: dt.date, days: int,
                    threshold: float) -> list[Alert]:
    """Alerts for the series whose demand on the ``days`` days ending ``until`` lies more
    than ``threshold`` standard deviations from the network's demand model."""
    since = until - dt.timedelta(days=days - 1)
    window = [since + dt.timedelta(days=k) for k in range(days)]
    recorded: dict[tuple[str, str, str], float] = {}
    if len(records):
        dates = pd.to_datetime(records["date"]).dt.date
        inside = records[(dates >= since) & (dates <= until)]
        recorded = {k: float(v) for k, v in inside.groupby(
            ["hospital", "department", "item"])["quantity"].sum().items()}
    out = []
    for m in net.demand:
        family = DEMAND_FAMILIES[m.family]
        mu = sum(m.mean_on(d) for d in window)
        var = sum(family.variance(m.mean_on(d), m.dispersion) for d in window)
        y = recorded.get((m.hospital, m.department, m.item), 0.0)
        if var <= 0:
            continue
        z = (y - mu) / math.sqrt(var)
        if abs(z) > threshold:
            out.append(Alert.of(
                "demand_outlier", f"demand {m.hospital}/{m.department} {m.item} {since}…{until}",
                f"{y:,.0f} units issued in {days} days against {mu:,.1f} expected "
                f"(z = {z:+.1f}, threshold ±{threshold:g})",
                "kept in the history the forecast learns from", item=m.item))
    return out
