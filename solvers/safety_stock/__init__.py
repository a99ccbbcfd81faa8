"""Safety stock and reorder points by sample-average approximation (Pyomo, HiGHS)."""

from solvers.safety_stock.inputs import SafetyStockInputs, build_inputs, sample_cycle_demand
from solvers.safety_stock.model import SafetyStockResult, solve_safety_stock
from solvers.safety_stock.settings import SafetyStockSettings

__all__ = ["SafetyStockInputs", "SafetyStockResult", "SafetyStockSettings", "build_inputs",
           "sample_cycle_demand", "solve_safety_stock"]
