"""Choosing a method per series, forecasting ahead and backtesting against seasonal naive.

Series are classified by the Syntetos–Boylan scheme: average demand interval
ADI = days / demand days and squared coefficient of variation CV² of the non-zero sizes;
ADI > 1.32 is intermittent (candidates Croston, SBA, TSB), otherwise smooth (seasonal
exponential smoothing, SBA). Each series takes the candidate with the lowest one-step
MAE over the last ``selection_days`` of its history; its one-step residual RMSE there is
the forecast-error standard deviation (units/day) that safety stock needs.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from solvers.forecast.methods import WEEK, croston, seasonal_es, seasonal_naive_ahead, tsb

ADI_CUT, CV2_CUT = 1.32, 0.49
Method = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
METHODS: dict[str, Method] = {
    "croston": croston,
    "sba": lambda y: croston(y, sba=True),
    "tsb": tsb,
    "seasonal_es": seasonal_es,
}
INTERMITTENT = ("croston", "sba", "tsb")
SMOOTH = ("seasonal_es", "sba")


@dataclass(frozen=True)
class Forecast:
    """Per-series forecasts: ``mean`` (n, horizon) units/day, ``sigma`` (n,) units/day."""

    method: np.ndarray
    category: np.ndarray
    mean: np.ndarray
    sigma: np.ndarray


def classify(y: np.ndarray) -> np.ndarray:
    """'smooth', 'erratic', 'intermittent' or 'lumpy' per series (Syntetos–Boylan)."""
    demand_days = (y > 0).sum(axis=1)
    adi = y.shape[1] / np.maximum(demand_days, 1)
    nz = np.where(y > 0, y, np.nan)
    count = np.maximum(demand_days, 1)
    size_mean = np.nansum(nz, axis=1) / count
    size_var = np.nansum((nz - size_mean[:, None]) ** 2, axis=1) / count
    cv2 = np.where(size_mean > 0, size_var / np.maximum(size_mean, 1e-12) ** 2, 0.0)
    intermittent = adi > ADI_CUT
    return np.where(intermittent, np.where(cv2 > CV2_CUT, "lumpy", "intermittent"),
                    np.where(cv2 > CV2_CUT, "erratic", "smooth"))


def _ahead(name: str, final: np.ndarray, t_len: int, horizon: int) -> np.ndarray:
    if name == "seasonal_es":
        return final[:, (t_len + np.arange(horizon)) % WEEK]
    return np.repeat(final[:, None], horizon, axis=1)


def fit_forecast(y: np.ndarray, horizon: int, selection_days: int = 56) -> Forecast:
    """Forecast ``horizon`` days after ``y`` (n, T) with a method chosen per series."""
    y = np.asarray(y, dtype=float)
    n, t_len = y.shape
    window = slice(max(t_len - selection_days, WEEK), t_len)
    category = classify(y)
    intermittent = np.isin(category, ("intermittent", "lumpy"))
    best_mae = np.full(n, np.inf)
    method = np.empty(n, dtype=object)
    mean = np.zeros((n, horizon))
    sigma = np.zeros(n)
    for name, fn in METHODS.items():
        allowed = np.where(intermittent, name in INTERMITTENT, name in SMOOTH)
        if not allowed.any():
            continue
        fitted, final = fn(y)
        err = y[:, window] - fitted[:, window]
        mae = np.abs(err).mean(axis=1)
        better = allowed & (mae < best_mae)
        best_mae[better] = mae[better]
        method[better] = name
        mean[better] = _ahead(name, final, t_len, horizon)[better]
        sigma[better] = np.sqrt((err[better] ** 2).mean(axis=1))
    return Forecast(method.astype(str), category, mean, sigma)


@dataclass(frozen=True)
class Backtest:
    """Out-of-sample MASE per series of the chosen method and of seasonal naive."""

    mase: np.ndarray
    mase_seasonal_naive: np.ndarray
    forecast: Forecast

    @property
    def scored(self) -> np.ndarray:
        """Series whose in-sample seasonal-naive MAE is positive (MASE is defined)."""
        return np.isfinite(self.mase)

    def summary(self) -> dict[str, float]:
        """Mean and median MASE of both, over the scored series."""
        ok = self.scored
        return {"series": float(len(ok)), "scored": float(ok.sum()),
                "mase_mean": float(np.mean(self.mase[ok])),
                "mase_median": float(np.median(self.mase[ok])),
                "seasonal_naive_mase_mean": float(np.mean(self.mase_seasonal_naive[ok])),
                "seasonal_naive_mase_median": float(np.median(self.mase_seasonal_naive[ok]))}


def backtest(y: np.ndarray, holdout: int, selection_days: int = 56) -> Backtest:
    """Fit on all but the last ``holdout`` days, forecast them, score by MASE.

    MASE = mean |actual − forecast| over the hold-out / mean |y_t − y_{t−7}| in-sample.
    """
    y = np.asarray(y, dtype=float)
    if holdout < 1 or y.shape[1] - holdout < 2 * WEEK:
        raise ValueError(f"need at least two weeks of history before a hold-out of {holdout} "
                         f"days, got {y.shape[1]} days")
    train, test = y[:, :-holdout], y[:, -holdout:]
    fc = fit_forecast(train, holdout, selection_days)
    scale = np.abs(train[:, WEEK:] - train[:, :-WEEK]).mean(axis=1)
    naive = seasonal_naive_ahead(train, holdout)
    with np.errstate(divide="ignore", invalid="ignore"):
        mase = np.where(scale > 0, np.abs(test - fc.mean).mean(axis=1) / scale, np.nan)
        mase_naive = np.where(scale > 0, np.abs(test - naive).mean(axis=1) / scale, np.nan)
    return Backtest(mase, mase_naive, fc)
