"""Solve a linear Pyomo model with HiGHS through one ``passModel`` call.

Pyomo's ``LinearStandardFormCompiler`` turns the model into sparse matrices (mixed form:
each row is ``==``, ``≤`` or ``≥``), highspy solves them, and the solution is written
back into the Pyomo variables. This is the fastest robust Pyomo → HiGHS route measured
(see ../shared/DESIGN.md). When HiGHS says infeasible, :func:`solve` finds which
constraint families (Pyomo ``Constraint`` components) cannot hold together by dropping
giving every row an elastic slack and minimising the total slack, and raises
:class:`Infeasible` naming the constraint families (Pyomo ``Constraint`` components) and
the rows whose slack is needed.
"""

import logging
import math
import os
import sys
from dataclasses import dataclass

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler
from scipy import sparse

log = logging.getLogger(__name__)
INF = highspy.kHighsInf


@dataclass(frozen=True)
class Violation:
    """A constraint family that cannot hold: how many rows and by how much in all."""

    family: str
    doc: str
    rows: list[str]
    total: float
    against: list[str]  # families of binding rows sharing variables with the failing rows


class Infeasible(Exception):
    """The model has no solution; ``violations`` name the families that must give way."""

    def __init__(self, model_name: str, violations: list[Violation]):
        self.violations = violations
        self.families = [(v.family, v.doc) for v in violations] + sorted(
            {(f, "") for v in violations for f in v.against})
        parts = [f"{v.family} ({v.doc}) fails on {len(v.rows)} row(s), e.g. "
                 f"{', '.join(v.rows[:3])}, by {v.total:.4g} in all"
                 + (f", against {', '.join(v.against)}" if v.against else "")
                 for v in violations]
        super().__init__(f"{model_name} is infeasible: the constraints that cannot all hold "
                         f"are {'; '.join(parts) or 'not identified'}")


class SolverFailed(Exception):
    """HiGHS stopped without an optimal solution for a reason other than infeasibility."""


@dataclass(frozen=True)
class Solution:
    """Objective value and HiGHS's run information."""

    objective: float
    status: str
    iterations: int
    seconds: float
    gap: float  # relative MIP gap (0 for an LP or a proven optimum)


def _highs_lp(model: pyo.ConcreteModel
              ) -> tuple[highspy.HighsLp, list, float, list, sparse.csc_array]:
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
    return lp, info.columns, offset, [con for con, _ in info.rows], A


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


def _configured(options: dict[str, object]) -> highspy.Highs:
    h = _quiet_highs()
    h.setOptionValue("output_flag", False)
    for key, value in options.items():
        h.setOptionValue(key, value)
    return h


def option_problems(options: dict[str, object]) -> list[tuple[str, str]]:
    """``(option, why)`` for each of ``options`` HiGHS refuses (unknown name, a value of the
    wrong type or out of range, e.g. ``solver: gurobi``) or that is not a finite number."""
    h = _configured({})
    found = []
    for key, value in options.items():
        if isinstance(value, float) and not math.isfinite(value):
            found.append((key, f"must be a finite number, got {value}"))
        elif h.setOptionValue(key, value) != highspy.HighsStatus.kOk:
            found.append((key, f"HiGHS refuses option {key!r} = {value!r} (unknown option, or a "
                               "value of the wrong type or out of range)"))
    return found


_INFEASIBLE = {highspy.HighsModelStatus.kInfeasible,
               highspy.HighsModelStatus.kUnboundedOrInfeasible}
_LIMITS = {highspy.HighsModelStatus.kTimeLimit, highspy.HighsModelStatus.kIterationLimit,
           highspy.HighsModelStatus.kSolutionLimit, highspy.HighsModelStatus.kInterrupt}


def solve(model: pyo.ConcreteModel, *, options: dict[str, object] | None = None) -> Solution:
    """Solve ``model`` (linear, one objective) and load the solution into its variables.

    ``options`` are HiGHS options (e.g. ``{"solver": "ipm", "time_limit": 60.0}``).
    Raises :class:`Infeasible` naming the binding constraint families, or
    :class:`SolverFailed` for any other non-optimal end.
    """
    options = {"random_seed": 0, **(options or {})}
    lp, columns, offset, rows, matrix = _highs_lp(model)
    h = _configured(options)
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    if status in _INFEASIBLE:
        raise Infeasible(model.name, _elastic_diagnosis(lp, rows, matrix, options))
    info = h.getInfo()
    feasible = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if status != highspy.HighsModelStatus.kOptimal and not (status in _LIMITS and feasible):
        raise SolverFailed(f"{model.name}: HiGHS ended with {h.modelStatusToString(status)}")
    gap = float(info.mip_gap) if lp.integrality_ and np.isfinite(info.mip_gap) else 0.0
    if status != highspy.HighsModelStatus.kOptimal:
        log.warning("%s: %s; using the best solution found (gap %.2f%%)", model.name,
                    h.modelStatusToString(status), 100 * gap)
    values = h.getSolution().col_value
    for var, value in zip(columns, values, strict=True):
        var.set_value(value, skip_validation=True)
    return Solution(info.objective_function_value + offset, h.modelStatusToString(status),
                    int(info.simplex_iteration_count + info.ipm_iteration_count),
                    float(h.getRunTime()), gap)


def _conflicting(row: int, csr: sparse.csr_array, csc: sparse.csc_array, binding: np.ndarray,
                 hops: int = 3) -> set[int]:
    """Binding rows reachable from ``row`` through shared variables, up to ``hops`` steps."""
    seen_rows, cols = {row}, set(csr.indices[csr.indptr[row]:csr.indptr[row + 1]].tolist())
    found: set[int] = set()
    for _ in range(hops):
        nxt = {int(r) for c in cols for r in csc.indices[csc.indptr[c]:csc.indptr[c + 1]]
               if binding[r] and r not in seen_rows}
        if not nxt:
            break
        found |= nxt
        seen_rows |= nxt
        cols = {int(c) for r in nxt for c in csr.indices[csr.indptr[r]:csr.indptr[r + 1]]}
    return found


def _elastic_diagnosis(lp: highspy.HighsLp, rows: list, matrix: sparse.csc_array,
                       options: dict[str, object], tol: float = 1e-6) -> list[Violation]:
    """Relax integrality, give each row r slacks s⁺_r, s⁻_r ≥ 0 (row + s⁺ − s⁻), minimise
    Σ(s⁺ + s⁻): the rows that keep a positive slack are where the model cannot hold, and
    the binding rows that share a variable with them are what they conflict with."""
    lower, upper = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
    n_rows, n_cols = lp.num_row_, lp.num_col_
    lp.integrality_ = []
    lp.col_cost_ = np.zeros(n_cols)
    h = _configured({k: v for k, v in options.items() if k in ("random_seed", "time_limit")})
    h.passModel(lp)
    r = np.arange(n_rows, dtype=np.int32)
    for sign in (1.0, -1.0):
        h.addCols(n_rows, np.ones(n_rows), np.zeros(n_rows), np.full(n_rows, INF), n_rows,
                  r, r, np.full(n_rows, sign))
    h.run()
    values = np.asarray(h.getSolution().col_value)
    slack = values[n_cols:n_cols + n_rows] + values[n_cols + n_rows:]
    failing = slack > tol
    activity = matrix @ values[:n_cols]
    binding = ~failing & ((np.abs(activity - upper) <= tol) | (np.abs(activity - lower) <= tol))
    csr = matrix.tocsr()
    found: dict[str, list[tuple[str, float]]] = {}
    against: dict[str, set[str]] = {}
    docs: dict[str, str] = {}
    for k in np.flatnonzero(failing):
        con = rows[k]
        family = con.parent_component()
        found.setdefault(family.name, []).append((con.name, float(slack[k])))
        docs[family.name] = (family.doc or "").strip()
        against.setdefault(family.name, set()).update(
            rows[j].parent_component().name for j in _conflicting(k, csr, matrix, binding))
    out = [Violation(name, docs[name], [n for n, _ in hits], sum(v for _, v in hits),
                     sorted(against[name] - {name}))
           for name, hits in found.items()]
    log.info("infeasibility diagnosis: %s", out)
    return out
