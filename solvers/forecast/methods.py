"""Forecasting methods, vectorised over many daily series (rows of a 2-D array).

Every method takes ``y`` of shape (n_series, n_days) and returns the one-step-ahead
fitted values ``f`` of the same shape (``f[:, t]`` uses ``y[:, :t]`` only) and the level
after the last day, which is the flat forecast for the days ahead (per day, units).

* Croston: smooth non-zero sizes z and intervals p separately with α; forecast z/p.
* SBA (Syntetos–Boylan approximation): Croston × (1 − α/2), removing Croston's bias.
* TSB (Teunter–Syntetos–Babai): smooth the demand probability π every day (β) and the
  size z on demand days (α); forecast π·z. Reacts to obsolescence.
* Seasonal exponential smoothing (additive weekly seasonality, no trend): level
  ℓ_t = α(y_t − s_{t−7}) + (1 − α)ℓ_{t−1}, season s_t = γ(y_t − ℓ_t) + (1 − γ)s_{t−7};
  forecast ℓ + s for the matching weekday.
* Seasonal naive: the last observed week repeated.
"""

import numpy as np

WEEK = 7


def croston(y: np.ndarray, alpha: float = 0.1, sba: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Croston's method (or SBA when ``sba``): fitted (n, T) and final per-day forecast (n,)."""
    n, t_len = y.shape
    first = np.argmax(y > 0, axis=1)
    has = (y > 0).any(axis=1)
    z = np.where(has, y[np.arange(n), first], 0.0).astype(float)
    p = np.where(has, first + 1.0, 1.0)
    since = np.zeros(n)
    fitted = np.zeros((n, t_len))
    factor = 1 - alpha / 2 if sba else 1.0
    for t in range(t_len):
        fitted[:, t] = factor * z / p
        since += 1
        demand = y[:, t] > 0
        z = np.where(demand, z + alpha * (y[:, t] - z), z)
        p = np.where(demand, p + alpha * (since - p), p)
        since = np.where(demand, 0, since)
    return fitted, factor * z / p


def tsb(y: np.ndarray, alpha: float = 0.1, beta: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Teunter–Syntetos–Babai: fitted (n, T) and final per-day forecast (n,)."""
    n, t_len = y.shape
    demand = y > 0
    head, head_demand = y[:, : 4 * WEEK], demand[:, : 4 * WEEK]
    prob = head_demand.mean(axis=1)
    z = head.sum(axis=1) / np.maximum(head_demand.sum(axis=1), 1)  # mean non-zero size
    fitted = np.zeros((n, t_len))
    for t in range(t_len):
        fitted[:, t] = prob * z
        d = demand[:, t]
        prob = prob + beta * (d - prob)
        z = np.where(d, z + alpha * (y[:, t] - z), z)
    return fitted, prob * z


def seasonal_es(y: np.ndarray, alpha: float = 0.1,
                gamma: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Weekly-seasonal exponential smoothing: fitted (n, T) and next-week forecast (n, 7).

    The forecast for day T + h (h ≥ 0) is ``ahead[:, (T + h) % 7]``.
    """
    n, t_len = y.shape
    init = y[:, : min(t_len, 4 * WEEK)].astype(float)
    level = init.mean(axis=1)
    season = np.zeros((n, WEEK))
    for d in range(WEEK):
        cols = init[:, d::WEEK]
        if cols.shape[1]:
            season[:, d] = cols.mean(axis=1) - level
    fitted = np.zeros((n, t_len))
    for t in range(t_len):
        s = season[:, t % WEEK]
        fitted[:, t] = np.maximum(level + s, 0)
        new_level = level + alpha * (y[:, t] - s - level)
        season[:, t % WEEK] = s + gamma * (y[:, t] - new_level - s)
        level = new_level
    return fitted, np.maximum(level[:, None] + season, 0)


def seasonal_naive_ahead(y: np.ndarray, horizon: int) -> np.ndarray:
    """Forecast of day T + h as y_{T − 7 + (h mod 7)}: the last week repeated, (n, horizon)."""
    return y[:, -WEEK:][:, np.arange(horizon) % WEEK]
