"""Solve a linear Pyomo model with HiGHS through one ``passModel`` call.

Pyomo's ``LinearStandardFormCompiler`` turns the model into sparse matrices (mixed form:
each row is ``==``, ``≤`` or ``≥``), except for the constraint families written as
:class:`~solvers.matrix_rows.MatrixRows` and an
:class:`~solvers.array_objective.ArrayObjective` or ``LinearExpression`` objective, which
are read as the arrays they are, as are the bounds and values of a
:class:`~solvers.var_array.VarArray`'s entries; highspy solves them, and the solution is
written back into the Pyomo variables. This is the fastest robust Pyomo → HiGHS route
measured (see ../shared/DESIGN.md). When HiGHS says infeasible, :func:`solve` finds which
constraint families (Pyomo ``Constraint`` components) cannot hold together by giving
every row an elastic slack and minimising the total slack, and raises
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
from pyomo.common.collections import ComponentSet
from pyomo.common.gc_manager import PauseGC
from pyomo.common.numeric_types import native_numeric_types
from pyomo.core.base.constraint import ConstraintData
from pyomo.core.base.indexed_component import IndexedComponent
from pyomo.core.base.objective import ObjectiveData
from pyomo.core.base.var import VarData
from pyomo.core.expr.numeric_expr import LinearExpression
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler
from scipy import sparse

from solvers.array_objective import ArrayObjective
from solvers.matrix_rows import MatrixRows
from solvers.var_array import VarArray, VarSequence

log = logging.getLogger(__name__)
INF = highspy.kHighsInf
Terms = tuple[VarSequence, np.ndarray, float]
"""A linear objective as (variables, coefficients, constant)."""


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
              ) -> tuple[highspy.HighsLp, "_Columns", float, "_Rows", sparse.csc_array]:
    """The model as one HiGHS LP: (lp, columns, objective offset, row constraints, A).

    Constraints other than :class:`~solvers.matrix_rows.MatrixRows` families go through
    Pyomo's ``LinearStandardFormCompiler`` (mixed form); the families join as their CSR
    arrays, and a minimised :class:`~solvers.array_objective.ArrayObjective` or
    ``LinearExpression`` objective as its coefficients, so neither is walked term by
    term. Columns: see :class:`_Columns`.
    """
    families = [c for c in model.component_objects(pyo.Constraint, active=True,
                                                   descend_into=True)
                if isinstance(c, MatrixRows)]
    objective, terms = _linear_objective(model)
    aside = [*families, *([objective] if objective is not None else [])]
    for component in aside:
        component.deactivate()
    try:
        info = LinearStandardFormCompiler().write(model, mixed_form=True)
    finally:
        for component in aside:
            component.activate()
    sequences = [f.columns for f in families] + ([terms[0]] if terms is not None else [])
    columns = _Columns(model, info.columns, sequences)
    n_cols = columns.count
    compiled = info.A.tocoo()
    first = columns.index(VarSequence(info.columns))
    blocks = [sparse.csr_array((compiled.data, (compiled.row, first[compiled.col])),
                               shape=(compiled.shape[0], n_cols))]
    mult = np.array([m for _, m in info.rows], dtype=int)
    rhs = np.asarray(info.rhs, dtype=float)
    lower, upper = [np.where(mult == 1, -INF, rhs)], [np.where(mult == -1, INF, rhs)]
    rows = _Rows([con for con, _ in info.rows])
    for f in families:
        a = f.matrix
        blocks.append(sparse.csr_array((a.data, columns.index(f.columns)[a.indices],
                                        a.indptr), shape=(a.shape[0], n_cols)))
        lower.append(np.where(np.isfinite(f.row_lower), f.row_lower, -INF))
        upper.append(np.where(np.isfinite(f.row_upper), f.row_upper, INF))
        rows.add(f)
    A = sparse.vstack(blocks, format="csc")
    cost = np.zeros(n_cols)
    if info.c.shape[0]:
        c = info.c.tocoo()
        np.add.at(cost, first[c.col], c.data)
    offset = float(info.c_offset[0]) if len(info.c_offset) else 0.0
    if terms is not None:
        variables, coefs, constant = terms
        np.add.at(cost, columns.index(variables), coefs)
        offset += constant
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_cols, A.shape[0]
    lp.col_cost_ = cost
    lp.col_lower_, lp.col_upper_, integer = columns.bounds()
    lp.row_lower_, lp.row_upper_ = np.concatenate(lower), np.concatenate(upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr
    lp.a_matrix_.index_ = A.indices
    lp.a_matrix_.value_ = A.data
    if integer.any():
        lp.integrality_ = np.where(integer, highspy.HighsVarType.kInteger,
                                   highspy.HighsVarType.kContinuous).tolist()
    return lp, columns, offset, rows, A


class _Columns:
    """HiGHS's columns: the compiler's variables, then the other variables the families
    and the objective use, in the order the model declares them; each
    :class:`~solvers.var_array.VarArray` among them is one block of consecutive columns
    (all its entries; one the compiler met is read in its block)."""

    def __init__(self, model: pyo.ConcreteModel, compiled: Sequence[VarData],
                 sequences: Sequence[VarSequence]):
        self.single: list[VarData] = []  # variables outside arrays, with their columns
        self.single_col: list[int] = []
        self.col: dict[int, int] = {}  # id(VarData) → column
        self.start: dict[int, int] = {}  # id(VarArray) → its first column
        self.arrays: list[VarArray] = []
        self.count = 0
        used_arrays = ComponentSet(a for s in sequences for a in s.arrays())
        for v in compiled:
            parent = v.parent_component()
            if isinstance(parent, VarArray):
                used_arrays.add(parent)
            else:
                self._add(v)
        used = {id(v) for s in sequences for part in s.parts if not isinstance(part, VarArray)
                for v in part}.difference(self.col)
        for var in model.component_objects(pyo.Var, descend_into=True):
            if isinstance(var, VarArray):
                if var in used_arrays:
                    self.start[id(var)] = self.count
                    self.arrays.append(var)
                    self.count += var.size
            elif used:
                for v in var.values():
                    if id(v) in used:
                        self._add(v)
        self._part_cols: dict[int, np.ndarray] = {}

    def _add(self, v: VarData) -> None:
        self.col[id(v)] = self.count
        self.single.append(v)
        self.single_col.append(self.count)
        self.count += 1

    def _columns_of(self, part: VarArray | tuple[VarData, ...]) -> np.ndarray:
        if isinstance(part, VarArray):
            return self.start[id(part)] + np.arange(part.size)
        try:
            return np.fromiter(map(self.col.__getitem__, map(id, part)), dtype=np.int64,
                               count=len(part))
        except KeyError:  # an entry of an array, met by the compiler
            return np.fromiter(map(self._of, part), dtype=np.int64, count=len(part))

    def _of(self, v: VarData) -> int:
        parent = v.parent_component()
        if isinstance(parent, VarArray):
            return self.start[id(parent)] + v.index()
        return self.col[id(v)]

    def index(self, variables: VarSequence) -> np.ndarray:
        """The column of each of ``variables``."""
        parts = []
        for part in variables.parts:
            if id(part) not in self._part_cols:  # families often share a part
                self._part_cols[id(part)] = self._columns_of(part)
            parts.append(self._part_cols[id(part)])
        return np.concatenate([np.zeros(0, dtype=np.int64), *parts])

    def bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Lower and upper bounds (±inf when open; a fixed variable's value for both) and
        integrality of each column: a ``VarData`` read one by one (integrality looked up
        once per domain), an array's entries not made as ``VarData`` as arrays within its
        domain."""
        lower, upper = np.full(self.count, -INF), np.full(self.count, INF)
        integer = np.zeros(self.count, dtype=bool)
        for var in self.arrays:
            block = slice(self.start[id(var)], self.start[id(var)] + var.size)
            lo, hi = var.common_domain.bounds()
            lower[block] = np.maximum(var.lower_bounds, -INF if lo is None else lo)
            upper[block] = np.minimum(var.upper_bounds, INF if hi is None else hi)
            integer[block] = _is_integer(var.common_domain)
        made = [(self.start[id(var)] + j, v) for var in self.arrays for j, v in var.made()]
        cols = np.array(self.single_col + [j for j, _ in made], dtype=np.int64)
        variables = self.single + [v for _, v in made]
        domains = {id(v.domain): v.domain for v in variables}
        kind = {key: _is_integer(domain) for key, domain in domains.items()}
        bounds = [(v.value, v.value) if v.fixed else v.bounds for v in variables]
        lo = np.array([b for b, _ in bounds], dtype=float)  # None → nan
        hi = np.array([b for _, b in bounds], dtype=float)
        lower[cols] = np.where(np.isnan(lo), -INF, lo)
        upper[cols] = np.where(np.isnan(hi), INF, hi)
        integer[cols] = [kind[id(v.domain)] for v in variables]
        return lower, upper, integer

    def load(self, values: np.ndarray, load: Sequence[IndexedComponent] | None) -> None:
        """Write the solved ``values`` into the variables (only those of the ``load``
        components when given): an array's as its :attr:`~VarArray.solution` and into
        its entries made as ``VarData``."""
        wanted = None if load is None else ComponentSet(load)
        for var in self.arrays:
            if wanted is None or var in wanted:
                start = self.start[id(var)]
                var.solution = values[start:start + var.size].copy()
                for j, v in var.made():
                    v.set_value(float(var.solution[j]), skip_validation=True)
        if wanted is None:
            chosen = zip(self.single, self.single_col, strict=True)
        else:
            chosen = ((v, self.col[id(v)]) for c in load if not isinstance(c, VarArray)
                      for v in c.values() if id(v) in self.col)
        for v, j in chosen:
            v.set_value(float(values[j]), skip_validation=True)


def _is_integer(domain: pyo.Set) -> bool:
    """Whether ``domain`` is a range of integers (as ``VarData.is_integer``; binary too)."""
    interval = domain.get_interval()
    if interval is None:
        return False
    start, stop, step = interval
    return step == 1 and all(end is None or int(end) == end for end in (start, stop))


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


def _linear_objective(model: pyo.ConcreteModel
                      ) -> tuple[ObjectiveData | None, Terms | None]:
    """The model's objective and its (variables, coefficients, constant) when it is one
    minimised :class:`~solvers.array_objective.ArrayObjective` or ``LinearExpression``
    with numeric coefficients (read as arrays by :func:`_highs_lp`), else (None, None)."""
    objectives = list(model.component_data_objects(pyo.Objective, active=True,
                                                   descend_into=True))
    if len(objectives) != 1 or objectives[0].sense != pyo.minimize:
        return None, None
    obj = objectives[0]
    if isinstance(obj, ArrayObjective) and obj.columns is not None:
        return obj, (obj.columns, obj.coefs, obj.constant)
    expr = obj.expr
    if (type(expr) is not LinearExpression
            or not all(type(c) in native_numeric_types for c in expr.linear_coefs)):
        return None, None
    return obj, (VarSequence(expr.linear_vars), np.asarray(expr.linear_coefs, dtype=float),
                 float(pyo.value(expr.constant)))


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
    nobody reads costs a Python call per variable; a
    :class:`~solvers.var_array.VarArray` gets its values as one array).

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
    columns.load(np.asarray(h.getSolution().col_value), load)
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
