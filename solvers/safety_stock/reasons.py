"""The reason of a reorder-point line: how its figures were computed and what set them.

:func:`reorder_point_reason` turns one row of
:meth:`~solvers.safety_stock.model.SafetyStockResult.rows` into the sentence a planner
reads: the fill rate and how it was computed (exact periodic-review chain, its day
recursion simulated where the chain is too large, or the sample-average estimate — with
why the position is not exact —, or — where a plan has the
twin measure its lines — the twin's measurement with its interval, the estimate beside it),
the class target, the demand
over the protection interval (R + L − 1 days: from one review to the arrival of the next
review's order), the expected on-hand (exact, or the scenarios' estimate) and, where
exact, the cost and what binds; and the substitutes its departments take when the item is
short.
"""

from collections.abc import Mapping

from solvers.inventory_theory.simulated import SIM_DAYS


def _number(row: Mapping[str, object], key: str) -> float:
    value = row[key]
    if not isinstance(value, int | float):
        raise TypeError(f"{key} is not a number: {value!r}")
    return float(value)


def _interval(row: Mapping[str, object], key: str, fmt: str) -> str:
    """`` [low, high]`` of ``key`` (``key_low``, ``key_high``), or why there is none."""
    low, high = row.get(f"{key}_low"), row.get(f"{key}_high")
    if low is None or high is None:
        return " (no interval: fewer than 2 replications with demand)"
    return f" [{_number(row, f'{key}_low'):{fmt}}, {_number(row, f'{key}_high'):{fmt}}]"


def reorder_point_reason(row: Mapping[str, object]) -> str:
    """One sentence for a reorder-point line (see the module docstring), and what its
    departments take when the item is short (``row["substitutes"]``, where any)."""
    text = _figures(row)
    if row.get("return_share"):
        text += (f"; demand net of returns: {_number(row, 'return_share'):.1%} of the units "
                 "issued come back into stock (restocked or repaired)")
    subs = row.get("substitutes")
    if not subs:
        return text
    if row["fill_basis"] == "twin":
        return (f"{text}; relies on substitute(s) {subs} when short: the twin counts the "
                "units they cover as served")
    if row.get("pooled"):
        return (f"{text}; when short its departments take substitute(s) {subs}: the fill rate "
                "counts the units they cover (own demand first, then what the substitute has "
                "left, in preference order, as the twin serves) and the levels were planned "
                "with the substitutes' stock pooled")
    return (f"{text}; when short its departments take substitute(s) {subs}, not counted in "
            "this fill rate (the item's own stock only: no substitute is stocked here)")


def _figures(row: Mapping[str, object]) -> str:
    """The sentence of the line's own figures."""
    demand = (f"demand over the {_number(row, 'protection_days'):.0f}-day protection interval "
              f"{_number(row, 'protection_demand'):.1f} units")
    if row["fill_basis"] == "twin":
        fill = (f"fill rate {_number(row, 'fill_rate'):.2%}{_interval(row, 'fill_rate', '.2%')}"
                if row["fill_rate"] is not None else
                "no department of its own to serve (it replenishes other warehouses)")
        return (f"{fill} against the {_number(row, 'fill_rate_target'):.0%} target of the "
                f"{row['priority']} class served, and expected on-hand "
                f"{_number(row, 'expected_on_hand'):.1f} units"
                f"{_interval(row, 'expected_on_hand', '.1f')}: measured in the twin with these "
                f"levels ({row['measured']}; 95 % intervals), as no exact model applies: "
                f"{row['not_exact']}; {demand}; the sample-average model estimated fill "
                f"{_number(row, 'estimate_fill_rate'):.2%}, on-hand "
                f"{_number(row, 'estimate_on_hand'):.1f}")
    head = (f"fill rate {_number(row, 'fill_rate'):.2%} against the "
            f"{_number(row, 'fill_rate_target'):.0%} target of the {row['priority']} class "
            f"served")
    if row["fill_basis"] == "exact":
        lead = (f", its random lead time mixed over the whole-day law the twin samples "
                f"(orders cross with P = {_number(row, 'crossing_risk'):.1e})"
                if "crossing_risk" in row else "")
        return (f"{head} (exact: long-run mean of the periodic-review Markov chain the twin "
                f"runs{lead}); {demand} ± {_number(row, 'protection_demand_sd'):.1f}; expected "
                f"on-hand {_number(row, 'expected_on_hand'):.1f} units, cost "
                f"{_number(row, 'expected_cost_per_day'):.2f}/day; set by: {row['binds']}")
    if row["fill_basis"] == "simulated":
        return (f"{head} (estimate: long-run mean over {SIM_DAYS:,} simulated days of the "
                f"position's own day recursion on one fixed demand path, as the twin runs it; "
                f"not exact: {row['not_exact']}); {demand} ± "
                f"{_number(row, 'protection_demand_sd'):.1f}; expected on-hand "
                f"{_number(row, 'expected_on_hand'):.1f} units, cost "
                f"{_number(row, 'expected_cost_per_day'):.2f}/day; set by: {row['binds']}")
    return (f"{head} (estimate: sample average over demand scenarios, per-cycle formula "
            f"1 − E[(D − s)⁺]/Q; not exact: {row['not_exact']}); {demand}; expected on-hand "
            f"{_number(row, 'expected_on_hand'):.1f} units (estimate: E[(s − D)⁺] + (S − s)/2)")
