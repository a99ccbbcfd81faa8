"""Solve a linear Pyomo model with HiGHS through one ``passModel`` call.

Pyomo's ``LinearStandardFormCompiler`` turns the model into sparse matrices (mixed form:
each row is ``==``, ``≤`` or ``≥``), highspy solves them, and the solution is written
back into the Pyomo variables. This is the fastest robust Pyomo → HiGHS route measured
(see ../shared/DESIGN.md). When HiGHS says infeasible, :func:`solve` finds which
constraint families (Pyomo ``Constraint`` components) cannot hold together by dropping
one family at a time, and raises :class:`Infeasible` naming them.
"""

import logging
import os
import sys
from dataclasses import dataclass

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

log = logging.getLogger(__name__)
INF = highspy.kHighsInf


class Infeasible(Exception):
    """The model has no solution; ``families`` are the constraint families that bind."""

    def __init__(self, model_name: str, families: list[tuple[str, str]]):
        self.families = families
        names = "; ".join(f"{name} ({doc})" if doc else name for name, doc in families) \
            or "no single constraint family explains it"
        super().__init__(f"{model_name} is infeasible: it becomes feasible only without: {names}")


class SolverFailed(Exception):
    """HiGHS stopped without an optimal solution for a reason other than infeasibility."""


@dataclass(frozen=True)
class Solution:
    """Objective value and HiGHS's run information."""

    objective: float
    status: str
    iterations: int
    seconds: float


def _highs_lp(model: pyo.ConcreteModel) -> tuple[highspy.HighsLp, list, float]:
    info = LinearStandardFormCompiler().write(model, mixed_form=True)
    A = info.A.tocsc()
    n_rows, n_cols = A.shape
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_cols, n_rows
    lp.col_cost_ = np.asarray(info.c.toarray()).ravel() if n_cols else np.zeros(0)
    lp.col_lower_ = np.array([-INF if v.lb is None else v.lb for v in info.columns], dtype=float)
    lp.col_upper_ = np.array([INF if v.ub is None else v.ub for v in info.columns], dtype=float)
    mult = np.array([m for _, m in info.rows], dtype=int)
    rhs = np.asarray(info.rhs, dtype=float)
    lp.row_lower_ = np.where(mult == 1, -INF, rhs)
    lp.row_upper_ = np.where(mult == -1, INF, rhs)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr
    lp.a_matrix_.index_ = A.indices
    lp.a_matrix_.value_ = A.data
    integer = [v.is_integer() or v.is_binary() for v in info.columns]
    if any(integer):
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                           for i in integer]
    offset = float(info.c_offset[0]) if len(info.c_offset) else 0.0
    return lp, info.columns, offset


def _quiet_highs() -> highspy.Highs:
    """A ``Highs`` instance; the copyright banner HiGHS writes to fd 1 on the first one is
    kept off standard output (it would corrupt a CLI's machine-readable output)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            return highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _run(model: pyo.ConcreteModel, options: dict[str, object]) -> tuple[highspy.Highs, list, float]:
    lp, columns, offset = _highs_lp(model)
    h = _quiet_highs()
    h.setOptionValue("output_flag", False)
    for key, value in options.items():
        h.setOptionValue(key, value)
    h.passModel(lp)
    h.run()
    return h, columns, offset


_INFEASIBLE = {highspy.HighsModelStatus.kInfeasible,
               highspy.HighsModelStatus.kUnboundedOrInfeasible}


def solve(model: pyo.ConcreteModel, *, options: dict[str, object] | None = None) -> Solution:
    """Solve ``model`` (linear, one objective) and load the solution into its variables.

    ``options`` are HiGHS options (e.g. ``{"solver": "ipm", "time_limit": 60.0}``).
    Raises :class:`Infeasible` naming the binding constraint families, or
    :class:`SolverFailed` for any other non-optimal end.
    """
    options = {"random_seed": 0, **(options or {})}
    h, columns, offset = _run(model, options)
    status = h.getModelStatus()
    if status in _INFEASIBLE:
        raise Infeasible(model.name, _binding_families(model, options))
    if status != highspy.HighsModelStatus.kOptimal:
        raise SolverFailed(f"{model.name}: HiGHS ended with {h.modelStatusToString(status)}")
    values = h.getSolution().col_value
    for var, value in zip(columns, values, strict=True):
        var.set_value(value, skip_validation=True)
    info = h.getInfo()
    return Solution(info.objective_function_value + offset, h.modelStatusToString(status),
                    int(info.simplex_iteration_count + info.ipm_iteration_count),
                    float(h.getRunTime()))


def _binding_families(model: pyo.ConcreteModel,
                      options: dict[str, object]) -> list[tuple[str, str]]:
    """Constraint families whose removal alone makes the model feasible."""
    binding = []
    for family in model.component_objects(pyo.Constraint, active=True, descend_into=True):
        family.deactivate()
        try:
            h, _, _ = _run(model, options)
            if h.getModelStatus() not in _INFEASIBLE:
                binding.append((family.name, (family.doc or "").strip()))
        finally:
            family.activate()
    log.info("infeasibility diagnosis for %s: %s", model.name, binding)
    return binding
