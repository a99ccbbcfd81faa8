"""Expiry alerts: lots that will expire before they are used at current demand, and what
would save them.

For every warehouse × item, the available lots on hand and the lots travelling to it are
issued FEFO at mean demand (:func:`solvers.expiry.fluid.used_before_expiry`) over
``within_days`` days. A lot on hand expiring within that window with ``units_at_risk ≥ 1``
expected units unused is an alert, with ``value_at_risk = units_at_risk × unit cost``.

What would save them:

* the plan's own transfer lines that ship units of the lot (``planned``);
* for what is still at risk, ``n = ⌊units_at_risk − planned⌋`` units shipped today on each
  lane out of the warehouse the item may travel on (:meth:`twin.domain.Network.can_ship`),
  arriving after the lane's mean transit rounded up. Shipping ``n ≤ units_at_risk`` units
  costs the origin nothing (FEFO would not have used them); at the destination the same
  fluid issue is run with and without them, and ``units_saved`` = the extra units the
  destination uses before expiry minus any of its own units that now expire unused within
  the window. The lane with the largest ``value_saved − cost`` is suggested if positive.

Not modelled: replenishment during the window (purchase orders bring lots that FEFO issues
after older ones, so they matter only when they expire earlier), emergency shipments,
substitutes (units another item's shortfall would take from these lots; the figures are
then an upper bound) and random demand (the figures are the mean-demand estimate).
"""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from solvers.expiry.fluid import NetworkDemand, Stock, used_before_expiry
from twin.domain import ExpiryAlert, Lane, Network, Rescue, TransferAction

MIN_UNITS_AT_RISK = 1.0
"""Expected units unused below which a lot is not an alert (units)."""


def position_stock(net: Network) -> dict[tuple[str, str], list[Stock]]:
    """Available lots on hand (serial units of one expiry pooled, lots joined by ';') and
    shipments in transit without an excursion, per (warehouse, item)."""
    as_of = net.snapshot.as_of
    pooled: dict[tuple[str, str, int], list[str]] = defaultdict(list)
    qty: dict[tuple[str, str, int], int] = defaultdict(int)
    out: dict[tuple[str, str], list[Stock]] = defaultdict(list)
    for lp in net.snapshot.lots:
        if lp.status == "available" and lp.expiry > as_of:
            key = (lp.warehouse, lp.item, (lp.expiry - as_of).days)
            pooled[key].append(lp.lot)
            qty[key] += lp.quantity
    for (w, i, e), lots in sorted(pooled.items()):
        out[(w, i)].append(Stock(";".join(sorted(lots)), e, float(qty[(w, i, e)])))
    for t in net.snapshot.in_transit:
        if t.temperature == "ok" and t.expiry > as_of:
            out[(t.target, t.item)].append(Stock(t.lot, (t.expiry - as_of).days,
                                                 float(t.quantity), max((t.eta - as_of).days, 0)))
    return out


def _wasted(stock: list[Stock], used: Sequence[float]) -> float:
    """Units of ``stock`` expiring unused."""
    return sum(s.quantity - u for s, u in zip(stock, used, strict=True))


def _planned(transfers: Sequence[TransferAction], warehouse: str, item: str,
             lots: set[str]) -> dict[str, int]:
    """Units each transfer line ships of ``lots`` out of ``warehouse`` (by line key)."""
    out: dict[str, int] = {}
    for a in transfers:
        if a.source == warehouse and a.item == item and a.lot is not None:
            shared = lots & set(a.lot.split(";"))
            if shared:
                out[a.key] = min(a.quantity, len(shared)) if ";" in a.lot else a.quantity
    return out


class ExpiryAlerts:
    """Expiry alerts of a network as of its snapshot (see the module docstring)."""

    def __init__(self, net: Network, within_days: int = 180):
        self.net, self.within_days = net, within_days
        self.demand = NetworkDemand(net, within_days)
        self.stock = {key: [s for s in stock if s.expiry_day <= within_days]
                      for key, stock in position_stock(net).items()}
        self._lanes: dict[str, list[Lane]] = defaultdict(list)
        for lane in net.lanes:
            self._lanes[lane.source].append(lane)
        self._used: dict[tuple[str, str], np.ndarray] = {}

    def used(self, w: str, i: str) -> np.ndarray:
        """Units of each of ``self.stock[(w, i)]`` used before expiry, as it stands
        (computed once per position: alerts and rescues into it share it)."""
        if (w, i) not in self._used:
            self._used[(w, i)] = used_before_expiry(self.stock.get((w, i), []),
                                                    self.demand.at(w, i))
        return self._used[(w, i)]

    def alerts(self, transfers: Sequence[TransferAction] = ()) -> list[ExpiryAlert]:
        """Every lot at risk, largest value at risk first (ties: warehouse, item, lot)."""
        out = []
        cost = {i.code: i.unit_cost for i in self.net.items}
        for (w, i), stock in sorted(self.stock.items()):
            if not any(s.arrives == 0 for s in stock):
                continue
            for s, u in zip(stock, self.used(w, i), strict=True):
                risk = s.quantity - u
                if s.arrives == 0 and risk >= MIN_UNITS_AT_RISK:
                    out.append(self._alert(w, i, s, risk, cost[i], transfers))
        return sorted(out, key=lambda a: (-a.value_at_risk, a.warehouse, a.item, a.lot))

    def _alert(self, w: str, i: str, s: Stock, risk: float, unit_cost: float,
               transfers: Sequence[TransferAction]) -> ExpiryAlert:
        expiry = self.net.snapshot.as_of + dt.timedelta(days=s.expiry_day)
        planned = _planned(transfers, w, i, set(s.lot.split(";")))
        left = risk - sum(planned.values())
        rescue = self.rescue(w, i, s, math.floor(left)) if left >= 1 else None
        reason = (f"{risk:.1f} of {s.quantity:.0f} units expire unused on {expiry} at current "
                  f"mean demand (FEFO, no replenishment): {risk * unit_cost:,.2f} at risk")
        shelf = self.demand.at(w, i).min_shelf
        if len(shelf) and s.expiry_day < max(int(shelf.min()), 1):
            reason += (f"; already too short-dated for every department this warehouse serves "
                       f"(they accept ≥ {int(shelf.min())} days left)")
        if planned:
            shipped = sum(planned.values())
            reason += (f"; the plan ships {shipped} units of the lot"
                       + (", more than are at risk" if shipped >= risk else
                          f", {risk - shipped:.1f} stay at risk"))
        if rescue is not None:
            reason += (f"; shipping {rescue.quantity} to {rescue.target} by "
                       f"{rescue.ship_date} saves {rescue.units_saved:.1f} units "
                       f"({rescue.value_saved:,.2f}) for {rescue.cost:,.2f}")
        elif left >= 1:
            reason += "; no lane out of the warehouse saves more than it costs"
        return ExpiryAlert(warehouse=w, item=i, lot=s.lot, expiry=expiry,
                           quantity=int(s.quantity), units_at_risk=round(risk, 3),
                           value_at_risk=round(risk * unit_cost, 2), planned=planned,
                           rescue=rescue, reason=reason)

    def rescue(self, w: str, i: str, s: Stock, units: int) -> Rescue | None:
        """The lane out of ``w`` on which shipping ``units`` of ``s`` today saves the most
        value net of its cost (None if none saves more than it costs)."""
        as_of, unit_cost = self.net.snapshot.as_of, self.net.item_by_code[i].unit_cost
        best: tuple[float, Rescue] | None = None
        for lane in self._lanes[w]:
            if not self.net.can_ship(lane, i):
                continue
            transit = math.ceil(lane.transit_time.mean)
            if transit >= s.expiry_day:
                continue
            here = self.stock.get((lane.target, i), [])
            before = _wasted(here, self.used(lane.target, i))
            moved = Stock(s.lot, s.expiry_day, float(units), transit)
            after_used = used_before_expiry([*here, moved], self.demand.at(lane.target, i))
            gained = after_used[-1] - (_wasted(here, after_used[:-1]) - before)
            cost = lane.cost_per_unit * units + lane.cost_per_shipment
            net = gained * unit_cost - cost
            if gained > 0 and net > 0 and (best is None or net > best[0]):
                best = (net, Rescue(to=lane.target, mode=lane.mode, ship_date=as_of,
                                    arrival=as_of + dt.timedelta(days=transit),
                                    quantity=units, units_saved=round(gained, 3),
                                    value_saved=round(gained * unit_cost, 2),
                                    cost=round(cost, 2)))
        return None if best is None else best[1]
