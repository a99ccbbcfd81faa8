"""The tiny network with return rates, QC rules and returned lots in its snapshot: what the
returns tests seed into a real Tryton."""

import datetime as dt

from twin.domain import Distribution, Network
from twin.domain.returns import InRepair, ReturnedLot, ReturnHandling, ReturnRate

RATES = {
    ("H-RJ", "WARD", "INF-SET-STD"): [
        ReturnRate(reason="unused", rate=0.06,
                   delay_days=Distribution(family="gamma", mean=4, spread=1.5)),
        ReturnRate(reason="defective", rate=0.03,
                   delay_days=Distribution(family="fixed", mean=2))],
    ("H-ZS", "LAB", "IVD-TROP-100"): [
        ReturnRate(reason="near_expiry", rate=0.2,
                   delay_days=Distribution(family="normal", mean=3, spread=1))],
}
"""Return rates by (hospital, department, item)."""


def returns_network(tiny: Network) -> Network:
    """``tiny`` with :data:`RATES`, a QC rule that restocks half the unused infusion sets,
    two returned lots awaiting QC at WH-SH on the snapshot date (one from H-RJ, one from no
    known hospital) and a stent out for repair."""
    day = tiny.snapshot.as_of - dt.timedelta(days=1)
    demand = [d.model_copy(update={"returns": RATES.get((d.hospital, d.department, d.item),
                                                        [])}) for d in tiny.demand]
    returned = [
        ReturnedLot(warehouse="WH-SH", item="INF-SET-STD", lot="INF2601",
                    expiry=dt.date(2028, 12, 31), quantity=7, reason="unused", received=day,
                    hospital="H-RJ"),
        ReturnedLot(warehouse="WH-SH", item="IVD-TROP-100", lot="TROP2610A",
                    expiry=dt.date(2027, 5, 31), quantity=2, reason="defective",
                    received=day - dt.timedelta(days=1))]
    repairs = [InRepair(warehouse="WH-SH", item="STENT-DES-30", lot="SN100900",
                        expiry=dt.date(2028, 3, 31), quantity=1, sent=day - dt.timedelta(days=4),
                        due=day + dt.timedelta(days=10))]
    snap = tiny.snapshot.model_copy(update={"returns": returned, "repairs": repairs})
    handling = [ReturnHandling(reason="unused", item="INF-SET-STD", restock=0.5)]
    return tiny.model_copy(update={"name": "tiny-returns", "demand": demand,
                                   "snapshot": snap, "return_handling": handling})
