"""Lead times far from the calibration: each open purchase order's promised lead time
(due − ordered, days) against its supplier offer's lead-time distribution in the network
(the calibrated one, see :mod:`solvers.calibration.into_network`).

``z = (due − ordered − mean) / max(spread, 1 day)`` (a fixed lead time has no spread: one
day, the resolution of the dates, stands in). An order with ``|z| > threshold`` is an alert
(``lead_time_outlier``, warning): the plan keeps expecting it on its due date — the alert
asks a buyer to check the date, or the calibration.
"""

from twin.domain import Alert, Network, Snapshot

MIN_SPREAD_DAYS = 1.0


def lead_time_outliers(net: Network, snapshot: Snapshot, threshold: float) -> list[Alert]:
    """Alerts for the open purchase orders of ``snapshot`` whose promised lead time lies
    more than ``threshold`` spreads from their supplier offer's mean."""
    out = []
    for po in snapshot.purchase_orders:
        supplier = net.supplier_by_id.get(po.supplier)
        offers = supplier.supplies if supplier is not None else []
        offer = next((o for o in offers if o.item == po.item), None)
        if offer is None:
            continue
        days = (po.due - po.ordered).days
        lead = offer.lead_time
        z = (days - lead.mean) / max(lead.spread, MIN_SPREAD_DAYS)
        if abs(z) > threshold:
            out.append(Alert.of(
                "lead_time_outlier", f"purchase order {po.id}",
                f"{po.supplier} promises {days} days (ordered {po.ordered}, due {po.due}); "
                f"the calibration says {lead.mean:g} ± {lead.spread:g} days (z = {z:+.1f}, "
                f"threshold ±{threshold:g})",
                "kept: the plan expects it on its due date", item=po.item,
                warehouse=po.warehouse))
    return out
