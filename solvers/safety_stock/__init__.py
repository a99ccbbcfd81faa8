"""Safety stock and reorder points by sample-average approximation (Pyomo, HiGHS)."""

from solvers.safety_stock.inputs import Replenishment, SafetyStockInputs, build_inputs
from solvers.safety_stock.model import SafetyStockResult, expected_on_hand, solve_safety_stock
from solvers.safety_stock.sampling import Upstream, sample_cycle_demand, sample_delays
from solvers.safety_stock.settings import SafetyStockSettings

__all__ = ["Replenishment", "SafetyStockInputs", "SafetyStockResult", "SafetyStockSettings",
           "Upstream", "build_inputs", "expected_on_hand", "sample_cycle_demand", "sample_delays",
           "solve_safety_stock"]
