"""Demand far outside the forecast: the z score of the last days' units against the
demand model, computed by hand."""

import datetime as dt
import math
from pathlib import Path

import pandas as pd

from solvers.forecast.anomalies import demand_outliers
from twin.network_files import load_network

TINY = Path(__file__).resolve().parents[2] / "data" / "tiny"
UNTIL = dt.date(2026, 11, 22)


def _records(net, extra: int) -> pd.DataFrame:
    """Every series at its expected demand for 7 days (rounded), ``extra`` units more on
    the ward's infusion sets on the last day."""
    rows = []
    for m in net.demand:
        for k in range(7):
            day = UNTIL - dt.timedelta(days=k)
            qty = round(m.mean_on(day)) + (extra if k == 0 and m.item == "INF-SET-STD" else 0)
            rows.append({"date": day, "hospital": m.hospital, "department": m.department,
                         "item": m.item, "quantity": qty})
    return pd.DataFrame(rows)


def test_a_spike_far_outside_the_model_is_an_alert_and_normal_demand_is_not() -> None:
    net = load_network(TINY)
    assert demand_outliers(net, _records(net, 0), UNTIL, 7, 5.0) == []
    alerts = demand_outliers(net, _records(net, 200), UNTIL, 7, 5.0)
    assert [(a.kind, a.severity, a.item) for a in alerts] == [
        ("demand_outlier", "warning", "INF-SET-STD")]
    ward = next(m for m in net.demand if m.item == "INF-SET-STD")
    days = [UNTIL - dt.timedelta(days=k) for k in range(7)]
    mu = sum(ward.mean_on(d) for d in days)
    y = sum(round(ward.mean_on(d)) for d in days) + 200
    z = (y - mu) / math.sqrt(mu)  # Poisson: variance = mean
    assert f"(z = {z:+.1f}, threshold ±5)" in alerts[0].message
    assert alerts[0].record == "demand H-RJ/WARD INF-SET-STD 2026-11-16…2026-11-22"
    assert demand_outliers(net, _records(net, 200), UNTIL, 7, z + 0.1) == []
