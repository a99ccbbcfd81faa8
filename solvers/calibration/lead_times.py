"""Lead-time and lateness distributions per shipment mode from a shipment history."""

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

log = logging.getLogger(__name__)
UNKNOWN_MODE = "unknown"
MIN_LEAD_TIMES = 30
"""Fewer usable lead times than this (over all modes) and a calibration is refused: the fits
would be noise. A mode with fewer than ``MIN_SAMPLES`` gets no fit of its own."""


class ThinHistory(ValueError):
    """Too few usable records to calibrate from; the message says how many there were."""


@dataclass(frozen=True)
class ModeCalibration:
    """Calibrated lead time (order sent → delivered) and lateness for one shipment mode."""

    mode: str
    lead_time: FittedDuration | None
    lateness: Lateness
    zero_lead_times: int


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
        positive = np.isfinite(lead) & (lead > 0)
        fit = fit_duration(lead) if positive.sum() >= MIN_SAMPLES else None
        out.append(ModeCalibration(str(mode), fit,
                                   summarise_lateness(rows["lateness_days"].to_numpy()),
                                   int((lead == 0).sum())))
    return out
