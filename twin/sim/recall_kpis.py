"""Recall response (召回时效): run-level KPIs of how fast a run's recalls were located and
their units recovered.

Over the recalls of a run of ``days`` days (units summed over recalls, days the worst
recall's; a recall of day r counts what came back by day min(r + n, days − 1), so a recall
near the run's end shows only what returned within the run):

- ``recall_days_to_locate``: days until every recalled unit is located (on hand and issued
  at once through the ledger, travelling units on arrival);
- ``recall_units_to_recover``: units on hand, in transit and issued, less those used on
  patients;
- ``recall_recovered_<n>d``: share of the units to recover back under control within n days
  of the recall, n in :data:`~twin.sim.kpis.RECOVERY_WINDOWS` (1);
- ``recall_days_to_recover``: days until every unit to recover is back (nan when some was
  not back by the run's end);
- ``recall_units_not_recovered``: units never back within the run — used on patients or not
  yet returned.

Each is nan when the run had no recall (shares also when nothing was to recover).
"""

from collections.abc import Sequence

import numpy as np

from twin.sim.kpis import RECALL_KPIS, RECOVERY_WINDOWS
from twin.sim.state import RecallReport


def recall_summary(recalls: Sequence[RecallReport], days: int) -> dict[str, float]:
    """The :data:`~twin.sim.kpis.RECALL_KPIS` of a run of ``days`` days with ``recalls``."""
    if not recalls:
        return dict.fromkeys(RECALL_KPIS, np.nan)
    last = days - 1
    to_recover = sum(r.units_to_recover for r in recalls)
    back = sum(r.recovered_by(last) for r in recalls)
    out = {"recall_days_to_locate": float(max(r.days_to_identify for r in recalls)),
           "recall_units_to_recover": float(to_recover)}
    for n in RECOVERY_WINDOWS:
        within = sum(r.recovered_by(min(r.day + n, last)) for r in recalls)
        out[f"recall_recovered_{n}d"] = within / to_recover if to_recover else np.nan
    done = all(r.recovered_by(last) == r.units_to_recover for r in recalls)
    out["recall_days_to_recover"] = float(max(
        max((d - r.day for d, _ in r.recovered), default=0) for r in recalls)) if done \
        else np.nan
    out["recall_units_not_recovered"] = float(
        sum(r.units_used for r in recalls) + to_recover - back)
    return out
