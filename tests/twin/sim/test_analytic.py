"""Analytic checks: Little's law on the supplier pipeline and the base-stock fill rate.

Single warehouse, single item, Poisson(λ) daily demand, backorders, a daily review with
(s, S) = (S − 1, S) (a base-stock policy) and lead time L days. An order placed after day
t's demand arrives before day t + L's demand, so when day t's demand D is served the net
stock is S − X with X ~ Poisson(λ(L − 1)) (the demand of the L − 1 days still on order),
and the fill rate is E[min(D, (S − X)⁺)] / λ.
"""

import numpy as np
from scipy import stats
from sim_builders import department, hospital, item, lot, network, warehouse

from twin.sim import simulate

LAM, S = 4.0, 24
DAYS, WARMUP, BATCHES = 4000, 50, 20


def _base_stock(lead_time: dict) -> object:
    sup = {"id": "SUP", "name": "SUP", "delivers_to": ["A"],
           "supplies": [{"item": "X", "lead_time": lead_time}]}
    return network(warehouses=[warehouse("A")],
                   items=[item("X", unmet_demand="backorder", shelf_life_days=20_000)],
                   hospitals=[hospital("H", ["A"], [department("WARD")])], suppliers=[sup],
                   demand=[{"hospital": "H", "department": "WARD", "item": "X",
                            "mean_per_day": LAM}],
                   stock_policies=[{"warehouse": "A", "item": "X", "reorder_point": S - 1,
                                    "order_up_to": S, "source": "SUP"}],
                   lots=[lot("A", "X", "L0", 19_000, S)])


def _batch_ci(values: np.ndarray, weights: np.ndarray | None = None) -> tuple[float, float]:
    """Mean and standard error from batch means."""
    v = np.array_split(values, BATCHES)
    w = np.array_split(np.ones_like(values) if weights is None else weights, BATCHES)
    means = np.array([x.sum() / y.sum() for x, y in zip(v, w, strict=True)])
    return means.mean(), means.std(ddof=1) / np.sqrt(BATCHES)


def test_base_stock_fill_rate_matches_the_closed_form():
    lead = 5
    ds = simulate(_base_stock({"family": "fixed", "mean": lead}), days=DAYS, seed=11,
                  policy="fixed_ss").to_dataset().isel(time=slice(WARMUP, None))
    demand = ds["demand_units"].sum(("priority", "org")).values.astype(float)
    on_time = ds["served_on_time_units"].sum(("priority", "org")).values.astype(float)
    sim, se = _batch_ci(on_time, demand)
    d = np.arange(0, 60)
    x = np.arange(0, 80)
    pd_, px = stats.poisson.pmf(d, LAM), stats.poisson.pmf(x, LAM * (lead - 1))
    served = np.minimum(d[:, None], np.maximum(S - x[None, :], 0))
    exact = float((pd_[:, None] * px[None, :] * served).sum() / LAM)
    assert 0.8 < exact < 0.95  # a regime where shortages matter
    assert abs(sim - exact) < 3 * se + 0.003, (sim, exact, se)


def test_pipeline_stock_is_demand_rate_times_lead_time():
    """Little's law: mean units on order = throughput × mean realised lead time."""
    result = simulate(_base_stock({"family": "gamma", "mean": 6.0, "spread": 2.0}), days=DAYS,
                      seed=5, policy="fixed_ss")
    ds = result.to_dataset()
    on_order = ds["on_order_units"].sum("item").values[WARMUP:].astype(float)
    mean, se = _batch_ci(on_order)
    led = result.ledger
    receipts = led[(led["kind"] == "receipt") & (led["day"] >= WARMUP)]
    ordered = receipts["expiry"] - np.timedelta64(20_000, "D")  # made (ordered) on that day
    lead = (receipts["date"] - ordered).dt.days
    realised = float((lead * receipts["quantity"]).sum() / receipts["quantity"].sum())
    assert 5.5 < realised < 6.6
    assert abs(mean - LAM * realised) < 3 * se + 0.05 * LAM, (mean, LAM * realised, se)
