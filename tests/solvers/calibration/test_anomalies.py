"""Lead times far from the calibration: an open order's promised lead time against its
supplier offer's lead-time distribution, z computed by hand."""

import datetime as dt
from pathlib import Path

from solvers.calibration.anomalies import lead_time_outliers
from twin.network_files import load_network

TINY = Path(__file__).resolve().parents[2] / "data" / "tiny"


def test_an_order_promised_far_from_the_calibrated_lead_time_is_an_alert() -> None:
    net = load_network(TINY)
    snap = net.snapshot  # PO-1001-1: SUP-MED INF-SET-STD ordered 11-15, due 11-26: 11 days
    assert lead_time_outliers(net, snap, 4.0) == []  # normal 10 ± 3 days: z = +0.3
    late = snap.model_copy(update={"purchase_orders": [snap.purchase_orders[0].model_copy(
        update={"due": dt.date(2026, 12, 15)})]})  # 30 days: z = (30 − 10) / 3 = +6.7
    alerts = lead_time_outliers(net, late, 4.0)
    assert [(a.kind, a.severity, a.record, a.item, a.warehouse) for a in alerts] == [
        ("lead_time_outlier", "warning", "purchase order PO-1001-1", "INF-SET-STD", "WH-SH")]
    assert "promises 30 days" in alerts[0].message and "(z = +6.7," in alerts[0].message
    assert lead_time_outliers(net, late, 6.7) == []
