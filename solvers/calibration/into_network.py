"""Which suppliers of a network a per-mode calibration updates, and with what.

A supplier whose ``mode`` matches a calibrated shipment mode of the history
(:data:`SCMS_MODES`) gets that mode's fitted on-time lead time on every offer and its
lateness (:meth:`~solvers.calibration.lead_times.ModeCalibration.network_fields`); a
supplier without a mode, or whose mode the history does not calibrate, is left as it is and
named with the reason.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from solvers.calibration.lead_times import ModeCalibration
from twin.domain import Distribution, Lateness, Network

SCMS_MODES = {"Air": "air", "Air Charter": "air_charter", "Ocean": "ocean", "Truck": "road"}
"""SCMS shipment mode → the network's :data:`~twin.domain.ShipMode`."""
DECIMALS = 2
"""Fitted days are written to the network rounded to this many decimals."""


@dataclass(frozen=True)
class SupplierUpdate:
    """The calibrated fields of one supplier: every offer's lead time and its lateness."""

    supplier: str
    mode: str
    lead_time: Distribution
    lateness: Lateness
    offers: int


def _rounded(dist: Distribution) -> Distribution:
    return dist.model_copy(update={"mean": round(dist.mean, DECIMALS),
                                   "spread": round(dist.spread, DECIMALS)})


def supplier_updates(net: Network, calibrations: Sequence[ModeCalibration]
                     ) -> tuple[list[SupplierUpdate], dict[str, str]]:
    """(the updates, supplier id → why it is left) for ``net`` from ``calibrations``."""
    fields = {SCMS_MODES[c.mode]: c.network_fields() for c in calibrations
              if c.mode in SCMS_MODES}
    updates, left = [], {}
    for sup in net.suppliers:
        if sup.mode is None:
            left[sup.id] = "it has no 'mode'"
        elif sup.mode not in fields:
            left[sup.id] = f"the history has no deliveries by {sup.mode!r}"
        elif fields[sup.mode] is None:
            left[sup.id] = f"too few dated deliveries by {sup.mode!r} to fit"
        else:
            lead, lateness = fields[sup.mode]
            if lateness.delay is not None:
                lateness = lateness.model_copy(update={"delay": _rounded(lateness.delay)})
            updates.append(SupplierUpdate(sup.id, sup.mode, _rounded(lead), lateness,
                                          len(sup.supplies)))
    return updates, left
