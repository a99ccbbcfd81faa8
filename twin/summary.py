"""A short summary of a network: counts and stock value by org and by status."""

from collections import defaultdict
from dataclasses import dataclass, field

from twin.domain import Network


@dataclass(frozen=True)
class NetworkSummary:
    """Counts of each record kind and stock value (network currency) by org × status."""

    name: str
    as_of: str
    currency: str
    counts: dict[str, int]
    value: dict[str, dict[str, float]] = field(default_factory=dict)
    units: dict[str, int] = field(default_factory=dict)


STATUS_COLUMNS = ("available", "quarantine", "reserved", "in_transit")


def summarise(net: Network) -> NetworkSummary:
    """Counts and stock value; in-transit stock belongs to the destination's org."""
    items, whs = net.item_by_code, net.warehouse_by_id
    value: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(STATUS_COLUMNS, 0.0))
    units = dict.fromkeys(STATUS_COLUMNS, 0)
    for lp in net.snapshot.lots:
        value[whs[lp.warehouse].org][lp.status] += lp.quantity * items[lp.item].unit_cost
        units[lp.status] += lp.quantity
    for t in net.snapshot.in_transit:
        value[whs[t.target].org]["in_transit"] += t.quantity * items[t.item].unit_cost
        units["in_transit"] += t.quantity
    counts = {
        "orgs": len(net.orgs), "warehouses": len(net.warehouses),
        "cold-chain warehouses": sum(w.cold_chain for w in net.warehouses),
        "items": len(net.items), "cold-chain items": sum(i.cold_chain for i in net.items),
        "suppliers": len(net.suppliers), "hospitals": len(net.hospitals),
        "departments": sum(len(h.departments) for h in net.hospitals),
        "lanes": len(net.lanes), "demand models": len(net.demand),
        "substitute rules": len(net.substitutes),
        "demand models with returns": sum(1 for d in net.demand if d.returns),
        "QC rules for returns": len(net.return_handling),
        "lots": len({(lp.item, lp.lot) for lp in net.snapshot.lots}),
        "lot positions": len(net.snapshot.lots),
        "shipments in transit": len(net.snapshot.in_transit),
        "open purchase orders": len(net.snapshot.purchase_orders),
        "returned lots awaiting QC": len(net.snapshot.returns),
        "lots out for repair": len(net.snapshot.repairs),
    }
    ordered = {o.id: value[o.id] for o in net.orgs if o.id in value}
    return NetworkSummary(net.name, net.snapshot.as_of.isoformat(), net.settings.currency, counts,
                          ordered, units)


def format_summary(s: NetworkSummary) -> str:
    """Plain-text rendering of a :class:`NetworkSummary`."""
    lines = [f"network {s.name!r} is valid (snapshot as of {s.as_of})", ""]
    width = max(map(len, s.counts))
    lines += [f"  {k:<{width}}  {v:>8,}" for k, v in s.counts.items()]
    head = f"  {'stock value (' + s.currency + ')':<22}" + "".join(f"{c:>14}" for c in
                                                             (*STATUS_COLUMNS, "total"))
    lines += ["", head]
    totals = dict.fromkeys(STATUS_COLUMNS, 0.0)
    for org, row in s.value.items():
        for c in STATUS_COLUMNS:
            totals[c] += row[c]
        lines.append(f"  {org:<22}" + "".join(f"{row[c]:>14,.0f}" for c in STATUS_COLUMNS)
                     + f"{sum(row.values()):>14,.0f}")
    lines.append(f"  {'all orgs':<22}" + "".join(f"{totals[c]:>14,.0f}" for c in STATUS_COLUMNS)
                 + f"{sum(totals.values()):>14,.0f}")
    lines.append(f"  {'units':<22}" + "".join(f"{s.units[c]:>14,}" for c in STATUS_COLUMNS)
                 + f"{sum(s.units.values()):>14,}")
    return "\n".join(lines)
