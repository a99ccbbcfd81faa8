"""Solve a linear Pyomo model with HiGHS through one ``passModel`` call.

Pyomo's ``LinearStandardFormCompiler`` turns the model into sparse matrices (mixed form:
each row is ``==``, ``≤`` or ``≥``), except for the constraint families written as
:class:`~solvers.matrix_rows.MatrixRows` and a ``LinearExpression`` objective, which are
read as the arrays they are; highspy solves them, and the solution is written back into
the Pyomo variables. This is the fastest robust Pyomo → HiGHS route measured
(see ../shared/DESIGN.md). When HiGHS says infeasible, :func:`solve` finds which
constraint families (Pyomo ``Constraint`` components) cannot hold together by dropping
giving every row an elastic slack and minimising the total slack, and raises
:class:`Infeasible` naming the constraint families (Pyomo ``Constraint`` components) and
the rows whose slack is needed.
"""

import bisect
import logging
import math
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.common.numeric_types import native_numeric_types
from pyomo.core.base.constraint import ConstraintData
from pyomo.core.base.indexed_component import IndexedComponent
from pyomo.core.base.objective import ObjectiveData
from pyomo.core.expr.numeric_expr import LinearExpression
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler
from scipy import sparse

from solvers.matrix_rows import MatrixRows

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
              ) -> tuple[highspy.HighsLp, list, float, "_Rows", sparse.csc_array]:
    """The model as one HiGHS LP: (lp, columns, objective offset, row constraints, A).

    Constraints other than :class:`~solvers.matrix_rows.MatrixRows` families go through
    Pyomo's ``LinearStandardFormCompiler`` (mixed form); the families join as their CSR
    arrays, and a minimised ``LinearExpression`` objective as its coefficient lists, so
    neither is walked term by term. Columns: the compiler's, then the other variables of
    the families and the objective in the model's order (a fixed one with both bounds at
    its value).
    """
    families = [c for c in model.component_objects(pyo.Constraint, active=True,
                                                   descend_into=True)
                if isinstance(c, MatrixRows)]
    objective = _linear_objective(model)
    aside = [*families, *([objective] if objective is not None else [])]
    for component in aside:
        component.deactivate()
    try:
        info = LinearStandardFormCompiler().write(model, mixed_form=True)
    finally:
        for component in aside:
            component.activate()
    columns = list(info.columns)
    col = {id(v): j for j, v in enumerate(columns)}
    expr = objective.expr if objective is not None else None
    lists = {id(f.columns): f.columns for f in families}  # families often share one list
    if expr is not None:
        lists[0] = expr.linear_vars
    used = {id(v) for variables in lists.values() for v in variables}.difference(col)
    columns += [v for v in model.component_data_objects(pyo.Var, descend_into=True)
                if id(v) in used]
    col.update((id(v), j) for j, v in enumerate(columns))
    where = {key: np.fromiter(map(col.__getitem__, map(id, variables)), dtype=np.int64,
                              count=len(variables)) for key, variables in lists.items()}
    n_cols = len(columns)
    compiled = info.A.tocoo()
    first = np.fromiter((col[id(v)] for v in info.columns), dtype=np.int64,
                        count=len(info.columns))
    blocks = [sparse.csr_array((compiled.data, (compiled.row, first[compiled.col])),
                               shape=(compiled.shape[0], n_cols))]
    mult = np.array([m for _, m in info.rows], dtype=int)
    rhs = np.asarray(info.rhs, dtype=float)
    lower, upper = [np.where(mult == 1, -INF, rhs)], [np.where(mult == -1, INF, rhs)]
    rows = _Rows([con for con, _ in info.rows])
    for f in families:
        a = f.matrix
        blocks.append(sparse.csr_array((a.data, where[id(f.columns)][a.indices], a.indptr),
                                       shape=(a.shape[0], n_cols)))
        lower.append(np.where(np.isfinite(f.row_lower), f.row_lower, -INF))
        upper.append(np.where(np.isfinite(f.row_upper), f.row_upper, INF))
        rows.add(f)
    A = sparse.vstack(blocks, format="csc")
    cost = np.zeros(n_cols)
    if info.c.shape[0]:
        c = info.c.tocoo()
        np.add.at(cost, first[c.col], c.data)
    offset = float(info.c_offset[0]) if len(info.c_offset) else 0.0
    if expr is not None:
        np.add.at(cost, where[0], np.asarray(expr.linear_coefs, dtype=float))
        offset += float(pyo.value(expr.constant))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_cols, A.shape[0]
    lp.col_cost_ = cost
    lp.col_lower_, lp.col_upper_, integer = _column_data(columns)
    lp.row_lower_, lp.row_upper_ = np.concatenate(lower), np.concatenate(upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr
    lp.a_matrix_.index_ = A.indices
    lp.a_matrix_.value_ = A.data
    if integer.any():
        lp.integrality_ = np.where(integer, highspy.HighsVarType.kInteger,
                                   highspy.HighsVarType.kContinuous).tolist()
    return lp, columns, offset, rows, A


def _column_data(columns: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lower and upper bounds (±inf when open; a fixed variable's value for both) and
    integrality of each column; integrality is looked up once per domain."""
    domains = {id(v.domain): v for v in columns}
    integer = {key: v.is_integer() or v.is_binary() for key, v in domains.items()}
    bounds = [(v.value, v.value) if v.fixed else v.bounds for v in columns]
    lower = np.array([lb for lb, _ in bounds], dtype=float)  # None → nan
    upper = np.array([ub for _, ub in bounds], dtype=float)
    return (np.where(np.isnan(lower), -INF, lower), np.where(np.isnan(upper), INF, upper),
            np.array([integer[id(v.domain)] for v in columns], dtype=bool))


class _Rows:
    """The Pyomo constraint of each LP row, by row number: compiled rows as a list, each
    :class:`MatrixRows` family as itself (its row objects are made only if asked for)."""

    def __init__(self, first: Sequence):
        self.parts, self.starts = [first], [0]

    def add(self, part: Sequence) -> None:
        self.starts.append(self.starts[-1] + len(self.parts[-1]))
        self.parts.append(part)

    def __getitem__(self, k: int) -> ConstraintData:
        i = bisect.bisect_right(self.starts, k) - 1
        part, j = self.parts[i], k - self.starts[i]
        return part.row(j) if isinstance(part, MatrixRows) else part[j]


def _linear_objective(model: pyo.ConcreteModel) -> ObjectiveData | None:
    """The model's objective when it is one minimised ``LinearExpression`` with numeric
    coefficients (read as arrays by :func:`_highs_lp`), else None."""
    objectives = list(model.component_data_objects(pyo.Objective, active=True,
                                                   descend_into=True))
    if len(objectives) != 1:
        return None
    obj = objectives[0]
    expr = obj.expr
    if (type(expr) is not LinearExpression or obj.sense != pyo.minimize
            or not all(type(c) in native_numeric_types for c in expr.linear_coefs)):
        return None
    return obj


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


def solve(model: pyo.ConcreteModel, *, options: dict[str, object] | None = None,
          load: Sequence[IndexedComponent] | None = None) -> Solution:
    """Solve ``model`` (linear, one objective) and load the solution into its variables
    (only into the variables of the ``load`` components when given: writing back values
    nobody reads costs a Python call per variable).

    ``options`` are HiGHS options (e.g. ``{"solver": "ipm", "time_limit": 60.0}``).
    Raises :class:`Infeasible` naming the binding constraint families, or
    :class:`SolverFailed` for any other non-optimal end.
    """
    options = {"random_seed": 0, **(options or {})}
    with PauseGC():  # compiling makes many short-lived objects beside the model's many
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
    wanted = None if load is None else {id(v) for c in load for v in c.values()}
    for var, value in zip(columns, values, strict=True):
        if wanted is None or id(var) in wanted:
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


def _elastic_diagnosis(lp: highspy.HighsLp, rows: "_Rows", matrix: sparse.csc_array,
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
