"""Lot-level transfer routing between warehouses (Pyomo MILP solved by HiGHS)."""

from solvers.transfers.inputs import TransferInputs, build_transfer_inputs
from solvers.transfers.model import TransferPlan, solve_transfers
from solvers.transfers.settings import TransferSettings

__all__ = ["TransferInputs", "TransferPlan", "TransferSettings", "build_transfer_inputs",
           "solve_transfers"]
