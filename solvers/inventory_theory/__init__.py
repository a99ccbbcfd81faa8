"""Exact inventory theory for one item at one location: the long-run performance of a
periodic-review (s, S) policy as the twin runs it, and optimal policies."""

from solvers.inventory_theory.demand import DailyDemand, Series
from solvers.inventory_theory.evaluation import evaluate
from solvers.inventory_theory.optimize import (
    grid_optimum,
    least_reorder_point,
    local_optimum,
    optimal_policy,
    zheng_federgruen,
)
from solvers.inventory_theory.periodic import Performance, Position

__all__ = ["DailyDemand", "Performance", "Position", "Series", "evaluate", "grid_optimum",
           "least_reorder_point", "local_optimum", "optimal_policy", "zheng_federgruen"]
