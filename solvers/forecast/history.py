"""Demand history files: one row per (date, hospital, department, item) with units demanded.

CSV or Parquet with columns ``date, hospital, department, item, quantity`` (the same
shape the twin replays as trace-driven demand and the ERP adapters pull), or a simulated
run's lot ledger (``X.ledger.parquet`` from ``medtwin simulate``), whose ``issue`` rows —
what the twin issued to each ``hospital/department`` — are taken as the history. Loaded
into a dense (series × day) array with missing days as zero demand.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from twin.csv_tables import check_shape
from twin.domain.fields import MAX_UNITS
from twin.problems import InputError, Problem

COLUMNS = ("date", "hospital", "department", "item", "quantity")
EARLIEST, LATEST = pd.Timestamp("1900-01-01"), pd.Timestamp("2200-12-31")
"""Dates a history may hold."""
MAX_HISTORY_DAYS = 3_660
"""Longest history read (about ten years of days): forecasts use the recent past."""
SERIES = ("hospital", "department", "item")


@dataclass(frozen=True)
class DemandHistory:
    """Daily demand (n_series, n_days) in units, the series keys, the first date and how
    many records (rows of the file) it was built from."""

    keys: pd.DataFrame
    start: pd.Timestamp
    units: np.ndarray
    records: int

    @property
    def dates(self) -> pd.DatetimeIndex:
        """One date per column of ``units``."""
        return pd.date_range(self.start, periods=self.units.shape[1], freq="D")


def read_history(path: str | Path) -> DemandHistory:
    """Read and check a history file; every problem names the file, the column and the row."""
    path = Path(path)
    try:
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:
            check_shape(path)
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise InputError([Problem(str(path), "", "file not found")]) from None
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise InputError([Problem(str(path), "", f"cannot read: {why}")]) from None
    if {"kind", "counterpart"} <= set(frame.columns) and "hospital" not in frame.columns:
        frame = _ledger_issues(frame)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise InputError([Problem(str(path), "", f"missing column(s) {missing}; expected "
                                                 f"{list(COLUMNS)}")])
    line = 2 if path.suffix != ".parquet" else 1
    dates = pd.to_datetime(frame["date"], errors="coerce", format="ISO8601")
    qty = pd.to_numeric(frame["quantity"], errors="coerce")
    bad_date = ~dates.between(EARLIEST, LATEST)  # NaT (not a date) is not between
    problems = [Problem(str(path), f"date (row {i + line})", f"not a date from {EARLIEST.date()} "
                                                             f"to {LATEST.date()}: "
                                                             f"{frame['date'][i]!r}")
                for i in np.flatnonzero(bad_date)[:20]]
    bad_qty = ~((qty >= 0) & (qty <= MAX_UNITS)) | (qty != np.floor(qty))
    problems += [Problem(str(path), f"quantity (row {i + line})",
                         f"must be a whole number from 0 to {MAX_UNITS:,}, got "
                         f"{frame['quantity'][i]!r}")
                 for i in np.flatnonzero(bad_qty)[:20]]
    if problems:
        raise InputError(problems)
    if frame.empty:
        raise InputError([Problem(str(path), "", "no rows")])
    frame = frame.assign(date=dates.dt.normalize(), quantity=qty.astype(np.int64))
    daily = frame.groupby([*SERIES, "date"], sort=True)["quantity"].sum()
    start, end = daily.index.get_level_values("date").min(), daily.index.get_level_values(
        "date").max()
    if (end - start).days >= MAX_HISTORY_DAYS:
        raise InputError([Problem(str(path), "date", f"the history spans {(end - start).days + 1:,}"
                                  f" days ({start.date()} … {end.date()}); at most "
                                  f"{MAX_HISTORY_DAYS:,} are read: cut it to the recent years")])
    keys = daily.index.droplevel("date").unique().to_frame(index=False)
    series_no = pd.Series(np.arange(len(keys)), index=pd.MultiIndex.from_frame(keys))
    units = np.zeros((len(keys), (end - start).days + 1))
    rows = series_no.loc[daily.index.droplevel("date")].to_numpy()
    cols = (daily.index.get_level_values("date") - start).days.to_numpy()
    units[rows, cols] = daily.to_numpy()
    return DemandHistory(keys, start, units, len(frame))


def _ledger_issues(ledger: pd.DataFrame) -> pd.DataFrame:
    """The issue rows of a twin ledger as history rows (counterpart ``HOSPITAL/DEPARTMENT``)."""
    issues = ledger[ledger["kind"] == "issue"].reset_index(drop=True)
    where = issues["counterpart"].astype(str).str.split("/", n=1, expand=True)
    where = where.reindex(columns=[0, 1])
    return pd.DataFrame({"date": issues["date"], "hospital": where[0], "department": where[1],
                         "item": issues["item"], "quantity": issues["quantity"]})
