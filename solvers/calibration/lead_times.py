"""Lead-time and lateness distributions per shipment mode from a shipment history."""

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

UNKNOWN_MODE = "unknown"


@dataclass(frozen=True)
class ModeCalibration:
    """Calibrated lead time (order sent → delivered) and lateness for one shipment mode."""

    mode: str
    lead_time: FittedDuration | None
    lateness: Lateness
    zero_lead_times: int


def calibrate_by_mode(lines: pd.DataFrame) -> list[ModeCalibration]:
    """One calibration per value of ``lines['mode']`` (missing mode → ``unknown``).

    ``lines`` needs ``lead_time_days`` (NaN where unknown) and ``lateness_days``. Zero
    lead times (same-day delivery of an order, a recording artefact) are counted and left
    out of the fit; a mode with fewer than the minimum positive samples gets no lead-time fit.
    """
    modes = lines["mode"].fillna(UNKNOWN_MODE)
    out = []
    for mode in sorted(modes.unique()):
        rows = lines[modes == mode]
        lead = rows["lead_time_days"].to_numpy(dtype=float)
        positive = np.isfinite(lead) & (lead > 0)
        fit = fit_duration(lead) if positive.sum() >= MIN_SAMPLES else None
        out.append(ModeCalibration(str(mode), fit,
                                   summarise_lateness(rows["lateness_days"].to_numpy()),
                                   int((lead == 0).sum())))
    return out
