"""QC dispositions: restock, repair or scrap each lot of returned units in quarantine.

A returned lot r (:class:`twin.domain.ReturnedLot`: q units of lot ℓ of item i at warehouse
w, returned for reason ρ, received on ``received``) can leave quarantine on

    date = max(as_of, received + qc_hold_days(i)).

**Use before expiry.** The FEFO fluid issue at mean demand
(:func:`solvers.expiry.fluid.used_before_expiry`) of the warehouse's own stock of the item —
available lots on hand and shipments in transit (:func:`solvers.expiry.alerts.position_stock`),
units due back from repair (``Snapshot.repairs``) and the returned units earlier lines
restock or repair — plus the candidate units, available from day a (``date`` for a restock,
the repair due date for a repair). Returned lots are decided earliest expiry first, and the
candidate ranks after own stock of the same expiry, so under FEFO a later decision never
takes demand from an earlier one. For the candidate:

    u            = units of r used before expiry with all q units available from day a
    n            = ⌊u⌋ units restocked (or repaired), q − n scrapped
    displaced    = own units the n units leave to expire unused
    units_saved  = n − displaced        (the position's extra units used before expiry)
    value_saved  = units_saved × unit_cost   (− n × repair_cost for a repair)

**Rules by reason.**

* recalled — scrap every unit: the lot is recalled, its units are never released.
* expired by ``date`` — scrap every unit.
* unused, near_expiry — restock n, scrap q − n.
* defective — repair n (to the item's preferred supplier, :func:`preferred_supplier`, due
  back on date + ⌈mean repair_days⌉) and scrap q − n when QC's rule repairs the item
  (``net.handling("defective", i).repair > 0``), a repairer exists, repair_cost < unit_cost
  (else buying new is cheaper), n ≥ 1 and value_saved > 0; otherwise scrap all, the line
  saying which condition failed.

The shares of QC's rules are what the twin draws for returns it simulates; the plan decides
each returned lot by its expected use instead. The window replayed runs from the snapshot to
the latest expiry of the returned lots and of the stock they join. Not modelled: random
demand (the figures are the mean-demand estimate), replenishment during the window (new lots
FEFO issues after older ones), substitutes, and returns not yet received.
"""

import datetime as dt
import math
from collections import defaultdict

import numpy as np

from solvers.expiry.alerts import position_stock
from solvers.expiry.fluid import NetworkDemand, Position, Stock, used_before_expiry
from twin.domain import DispositionAction, Network, ReturnedLot
from twin.domain.plan import Evidence, action_key
from twin.domain.returns import Decision

CANDIDATE = "\U0010ffff"
"""Prefix of a candidate's stock name: FEFO ranks it after any own lot of the same expiry."""


def preferred_supplier(net: Network, warehouse: str, item: str) -> str | None:
    """The supplier that replenishes ``item`` at ``warehouse``, as the twin orders: the stock
    policy's source when it is a supplier, else the first supplier (network order) offering
    the item and delivering to the warehouse, else the first offering the item at all."""
    for pol in net.stock_policies:
        if (pol.warehouse, pol.item) == (warehouse, item) and pol.source in net.supplier_by_id:
            return pol.source
    offering = [s for s in net.suppliers if any(o.item == item for o in s.supplies)]
    delivering = [s for s in offering if warehouse in s.delivers_to]
    found = delivering or offering
    return found[0].id if found else None


class _Pool:
    """One warehouse × item: its stock as decided so far and the demand it serves."""

    def __init__(self, stock: list[Stock], demand: Position):
        self.stock, self.demand = stock, demand
        self._used = used_before_expiry(stock, demand)

    def add(self, c: Stock) -> None:
        """Put ``c`` into the stock (a decided restock or repair)."""
        self.stock.append(c)
        self._used = used_before_expiry(self.stock, self.demand)

    def try_adding(self, c: Stock) -> tuple[float, float]:
        """(units of ``c`` used before expiry, own units that ``c`` leaves unused)."""
        after = used_before_expiry([*self.stock, c], self.demand)
        return float(after[-1]), max(float(np.sum(self._used - after[:-1])), 0.0)


class Dispositions:
    """Disposition lines for the returned lots of a network's snapshot (see the module
    docstring)."""

    def __init__(self, net: Network):
        self.net = net
        self.as_of = net.snapshot.as_of
        own = position_stock(net)
        for rp in net.snapshot.repairs:
            if rp.expiry > self.as_of:
                own[(rp.warehouse, rp.item)].append(Stock(
                    rp.lot, (rp.expiry - self.as_of).days, float(rp.quantity),
                    max((rp.due - self.as_of).days, 0)))
        self._own = own
        returns = net.snapshot.returns
        joined = [s.expiry_day for r in returns for s in own.get((r.warehouse, r.item), [])]
        self.window = max([(r.expiry - self.as_of).days for r in returns] + joined + [1])
        self.demand = NetworkDemand(net, self.window)

    def actions(self) -> list[DispositionAction]:
        """Every returned lot's lines, by warehouse, item, expiry, lot."""
        by_position: dict[tuple[str, str], list[ReturnedLot]] = defaultdict(list)
        for r in self.net.snapshot.returns:
            by_position[(r.warehouse, r.item)].append(r)
        out: list[DispositionAction] = []
        for (w, i), lots in sorted(by_position.items()):
            pool = _Pool(list(self._own.get((w, i), [])), self.demand.at(w, i))
            order = sorted(lots, key=lambda r: (r.expiry, r.lot, r.reason, r.received,
                                                r.hospital or ""))
            for k, r in enumerate(order):
                out += self._decide(r, pool, f"{CANDIDATE}{k:06d}")
        return out

    def qc_date(self, r: ReturnedLot) -> dt.date:
        """First day QC may act: max(as_of, received + qc_hold_days)."""
        hold = self.net.item_by_code[r.item].qc_hold_days
        return max(self.as_of, r.received + dt.timedelta(days=hold))

    def _decide(self, r: ReturnedLot, pool: _Pool, name: str) -> list[DispositionAction]:
        date = self.qc_date(r)
        unit_cost = self.net.item_by_code[r.item].unit_cost
        facts: Evidence = {"units_returned": r.quantity, "qc_date": date.isoformat(),
                           "expiry": r.expiry.isoformat(), "received": r.received.isoformat(),
                           "hospital": r.hospital, "unit_cost": unit_cost}
        if r.reason == "recalled":
            return [self._scrap(r, date, r.quantity, facts,
                                f"lot {r.lot} is recalled: its units are never released")]
        if r.expiry <= date:
            return [self._scrap(r, date, r.quantity, facts, f"the lot expires on {r.expiry}, "
                                f"before QC can release it on {date}")]
        if r.reason in ("unused", "near_expiry"):
            return self._keep(r, date, date, "restock", pool, name, facts)
        return self._defective(r, date, pool, name, facts)

    def _defective(self, r: ReturnedLot, date: dt.date, pool: _Pool, name: str,
                   facts: Evidence) -> list[DispositionAction]:
        rule = self.net.handling("defective", r.item)
        unit_cost = self.net.item_by_code[r.item].unit_cost
        repairer = preferred_supplier(self.net, r.warehouse, r.item)
        if rule.repair <= 0 or rule.repair_days is None:
            why = f"QC's rule does not repair defective {r.item} (repair share 0)"
        elif repairer is None:
            why = f"no supplier offers {r.item} to repair it"
        elif rule.repair_cost >= unit_cost:
            why = (f"a repair costs {rule.repair_cost:,.2f} ≥ the unit cost {unit_cost:,.2f}: "
                   f"buying new is cheaper")
        else:
            due = date + dt.timedelta(days=math.ceil(rule.repair_days.mean))
            facts = {**facts, "repair_cost": rule.repair_cost,
                     "repair_days_mean": rule.repair_days.mean}
            return self._keep(r, date, due, "repair", pool, name, facts, repairer,
                              rule.repair_cost)
        return [self._scrap(r, date, r.quantity, facts, f"defective and not repaired: {why}")]

    def _keep(self, r: ReturnedLot, date: dt.date, available: dt.date, decision: Decision,
              pool: _Pool, name: str, facts: Evidence, repairer: str | None = None,
              repair_cost: float = 0.0) -> list[DispositionAction]:
        """Restock or repair the units used before expiry (available from ``available``),
        scrap the rest."""
        unit_cost = self.net.item_by_code[r.item].unit_cost
        expiry_day, arrives = (r.expiry - self.as_of).days, (available - self.as_of).days
        u, _ = pool.try_adding(Stock(name, expiry_day, float(r.quantity), arrives))
        n = math.floor(u + 1e-9)
        kept = Stock(name, expiry_day, float(n), arrives)
        used_n, displaced = pool.try_adding(kept) if n else (0.0, 0.0)
        saved = used_n - displaced
        value = saved * unit_cost - n * repair_cost
        facts = {**facts, "units_used": round(u, 3), "own_units_displaced": round(displaced, 3),
                 "units_saved": round(saved, 3), "value_saved": round(value, 2)}
        use = (f"{u:.1f} of {r.quantity} units expected used before expiry on {r.expiry} at "
               f"current mean demand (FEFO with the warehouse's own stock"
               + (f", back from repair on {available}" if decision == "repair" else "") + ")")
        shelf = pool.demand.min_shelf
        if len(shelf) and expiry_day - arrives < max(int(shelf.min()), 1):
            use += (f"; too short-dated for every department the warehouse serves (they "
                    f"accept ≥ {int(shelf.min())} days left)")
        if n == 0 or value <= 0:
            why = use + ("" if n == 0 else
                         f"; to {decision} {n} saves {saved:.1f} units net of the own units "
                         f"they leave to expire, worth {value:,.2f}"
                         + (f" net of {n} × {repair_cost:,.2f} repair" if repair_cost else ""))
            return [self._scrap(r, date, r.quantity, facts, why)]
        pool.add(kept)
        effect = (f"{use}; saves {saved:.1f} units worth {value:,.2f}"
                  + (f" net of {n} × {repair_cost:,.2f} repair" if decision == "repair" else "")
                  + (f" ({displaced:.1f} own units then expire unused)" if displaced >= 0.05
                     else ""))
        line = DispositionAction(
            key=action_key("disposition", r.warehouse, r.item, r.lot, r.reason, r.received,
                           r.hospital, decision),
            reason=r.reason, warehouse=r.warehouse, item=r.item, lot=r.lot, quantity=n,
            decision=decision, date=date, repairer=repairer,
            repair_due=available if decision == "repair" else None,
            why=f"{decision} {n} returned {r.reason} units: {effect}", evidence=facts)
        rest = r.quantity - n
        return [line] + ([self._scrap(r, date, rest, facts, f"{use}: the other {rest} expire "
                                                              f"unused")] if rest else [])

    def _scrap(self, r: ReturnedLot, date: dt.date, quantity: int, facts: Evidence,
               why: str) -> DispositionAction:
        value = round(quantity * self.net.item_by_code[r.item].unit_cost, 2)
        return DispositionAction(
            key=action_key("disposition", r.warehouse, r.item, r.lot, r.reason, r.received,
                           r.hospital, "scrap"),
            reason=r.reason, warehouse=r.warehouse, item=r.item, lot=r.lot, quantity=quantity,
            decision="scrap", date=date, why=f"scrap {quantity} returned {r.reason} units: {why}",
            evidence={**facts, "value_scrapped": value})


def disposition_actions(net: Network) -> list[DispositionAction]:
    """The disposition lines of ``net``'s returned lots (:class:`Dispositions`)."""
    return Dispositions(net).actions()

