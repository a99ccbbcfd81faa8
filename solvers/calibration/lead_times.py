"""Lead-time and lateness distributions per shipment mode from a shipment history.

A delivery's duration splits exactly into an on-time part and lateness: delivered − sent =
(min(delivered, promised) − sent) + max(delivered − promised, 0). The network takes the
two parts apart (:class:`twin.domain.Lateness`), so lateness is counted once: an offer's
``lead_time`` is the fit of the on-time part, its ``lateness`` the share of late deliveries
and the fit of their days late (:meth:`ModeCalibration.network_fields`).
"""

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from solvers.calibration.durations import (
    MIN_SAMPLES,
    FittedDuration,
    Lateness,
    fit_duration,
    summarise_lateness,
)
from twin.domain import Distribution
from twin.domain import Lateness as NetworkLateness

log = logging.getLogger(__name__)
UNKNOWN_MODE = "unknown"
MIN_LEAD_TIMES = 30
"""Fewer usable lead times than this (over all modes) and a calibration is refused: the fits
would be noise. A mode with fewer than ``MIN_SAMPLES`` gets no fit of its own."""


class ThinHistory(ValueError):
    """Too few usable records to calibrate from; the message says how many there were."""


@dataclass(frozen=True)
class ModeCalibration:
    """Calibrated durations of one shipment mode (days): the whole lead time (order sent →
    delivered), its on-time part (sent → promised or earlier delivery), the days late of
    late deliveries, and the lateness summary."""

    mode: str
    lead_time: FittedDuration | None
    lateness: Lateness
    zero_lead_times: int
    on_time: FittedDuration | None = None
    late_delay: FittedDuration | None = None
    late_share: float = 0.0   # late share of the fully dated deliveries (sent, promised and
    # delivered known; the on-time and late fits are made on those too)

    def network_fields(self) -> tuple[Distribution, NetworkLateness] | None:
        """(offer lead time, lateness) for a network, ``None`` when a part has too few
        samples to fit."""
        if self.on_time is None or (self.late_share > 0 and self.late_delay is None):
            return None
        delay = self.late_delay.distribution if self.late_share > 0 and self.late_delay else None
        return self.on_time.distribution, NetworkLateness(
            probability=round(self.late_share, 4) if delay else 0.0, delay=delay)


def usable_lead_times(lines: pd.DataFrame) -> int:
    """How many of ``lines`` have a positive, known lead time (what a fit can use)."""
    lead = lines["lead_time_days"].to_numpy(dtype=float)
    return int((np.isfinite(lead) & (lead > 0)).sum())


def calibrate_by_mode(lines: pd.DataFrame) -> list[ModeCalibration]:
    """One calibration per value of ``lines['mode']`` (missing mode → ``unknown``).

    ``lines`` needs ``lead_time_days`` (NaN where unknown) and ``lateness_days``. Zero
    lead times (same-day delivery of an order, a recording artefact) are counted and left
    out of the fit; a mode with fewer than the minimum positive samples gets no lead-time fit,
    and a mode with no line dated both scheduled and delivered is left out (logged). Fewer
    than :data:`MIN_LEAD_TIMES` usable lead times in all is a :class:`ThinHistory`.
    """
    usable = usable_lead_times(lines)
    if usable < MIN_LEAD_TIMES:
        raise ThinHistory(f"only {usable} of {len(lines)} lines have a usable lead time (order "
                          f"sent and delivered dates, delivered after sent); calibration "
                          f"needs at least {MIN_LEAD_TIMES}")
    modes = lines["mode"].fillna(UNKNOWN_MODE)
    out = []
    for mode in sorted(modes.unique()):
        rows = lines[modes == mode]
        if not np.isfinite(rows["lateness_days"].to_numpy(dtype=float)).any():
            log.warning("mode %r left out: none of its %d lines has both a scheduled and a "
                        "delivered date", mode, len(rows))
            continue
        lead = rows["lead_time_days"].to_numpy(dtype=float)
        late = rows["lateness_days"].to_numpy(dtype=float)
        on_time = rows["on_time_days"].to_numpy(dtype=float)
        dated = (lead > 0) & np.isfinite(on_time) & np.isfinite(late)
        out.append(ModeCalibration(
            str(mode), _fit(lead), summarise_lateness(late), int((lead == 0).sum()),
            on_time=_fit(on_time[dated]), late_delay=_fit(late[dated]),
            late_share=float(np.mean(late[dated] > 0)) if dated.any() else 0.0))
    return out


def _fit(days: np.ndarray) -> FittedDuration | None:
    """The fit of the positive, known ``days``; ``None`` with fewer than ``MIN_SAMPLES``."""
    positive = np.isfinite(days) & (days > 0)
    return fit_duration(days) if positive.sum() >= MIN_SAMPLES else None
