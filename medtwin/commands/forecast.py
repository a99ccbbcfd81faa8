"""``medtwin forecast``: backtest and forecast demand per department × item from history."""

import logging
from pathlib import Path

import click

from medtwin.errors import report_input_errors

log = logging.getLogger(__name__)


@click.command()
@click.argument("history", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--horizon", type=click.IntRange(1, 366), default=28, show_default=True,
              help="Days to forecast after the last day of history.")
@click.option("--holdout", type=click.IntRange(7, 366), default=56, show_default=True,
              help="Days held out for the MASE backtest.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write forecasts and backtest scores to this NetCDF file.")
@report_input_errors
def forecast(history: Path, horizon: int, holdout: int, out: Path | None) -> None:
    """Forecast daily demand per (hospital, department, item) from HISTORY.

    HISTORY is a CSV or Parquet file with columns date, hospital, department, item,
    quantity (e.g. history.csv from `medtwin erp pull`), or a simulated run's ledger
    (X.ledger.parquet from `medtwin simulate`: its issues). It needs two weeks before the
    hold-out. Intermittent series get Croston / SBA / TSB, smooth ones weekly-seasonal
    exponential smoothing (chosen per series by recent one-step error). The last
    --holdout days are held out first and scored by MASE against seasonal naive.
    """
    import numpy as np
    import pandas as pd
    import xarray as xr

    from solvers.forecast.history import read_history
    from solvers.forecast.selection import backtest, fit_forecast
    from twin.atomic import check_outputs, write_netcdf_atomic

    if out is not None:
        check_outputs(out)
    hist = read_history(history)
    try:
        bt = backtest(hist.units, holdout)
        fc = fit_forecast(hist.units, horizon)
    except ValueError as exc:  # e.g. too short a history for the hold-out
        from twin.problems import InputError, Problem

        raise InputError([Problem(str(history), "", str(exc))]) from None
    s = bt.summary()
    click.echo(f"{hist.records} records → {len(hist.keys)} series × {hist.units.shape[1]} days "
               f"({hist.dates[0].date()} … {hist.dates[-1].date()})")
    click.echo(f"backtest on the last {holdout} days, {int(s['scored'])} series scored: MASE "
               f"mean {s['mase_mean']:.3f} (seasonal naive {s['seasonal_naive_mase_mean']:.3f}),"
               f" median {s['mase_median']:.3f} (seasonal naive "
               f"{s['seasonal_naive_mase_median']:.3f})")
    methods, counts = np.unique(fc.method, return_counts=True)
    click.echo("methods: " + ", ".join(f"{m} {c}" for m, c in zip(methods, counts, strict=True)))
    if out is not None:
        days = pd.date_range(hist.dates[-1] + pd.Timedelta(days=1), periods=horizon, freq="D")
        ds = xr.Dataset(
            {"mean": (("series", "date"), fc.mean, {"units": "units/day",
                                                   "long_name": "forecast mean demand"}),
             "sigma": ("series", fc.sigma, {"units": "units/day",
                                            "long_name": "one-step forecast error sd"}),
             "method": ("series", fc.method.astype(str)),
             "category": ("series", fc.category.astype(str)),
             "mase": ("series", bt.mase, {"units": "1", "long_name": "backtest MASE"}),
             "mase_seasonal_naive": ("series", bt.mase_seasonal_naive, {"units": "1"})},
            coords={"date": days, **{c: ("series", hist.keys[c].to_numpy().astype(str))
                                     for c in hist.keys.columns}},
            attrs={"history": str(history), "holdout_days": holdout,
                   **{k: float(v) for k, v in s.items()}})
        write_netcdf_atomic(ds, out)
        click.echo(f"wrote {out}")
