"""A constraint family given as a sparse matrix: lower ≤ A·v ≤ upper over Pyomo variables v.

The rows are ordinary Pyomo constraints to the rest of Pyomo (``body``, ``lower``,
``upper``, names, the LP writer, the standard-form compiler), but no expression is built
until something asks for one: :func:`solvers.highs_bridge.solve` hands the CSR arrays to
HiGHS as they are, so a family of many rows costs numpy time, not one Python expression
object per term; its variables may be a :class:`~solvers.var_array.VarSequence`, whose
arrays' entries are made only when a row's expression is. Built on Pyomo's own
``MatrixConstraint``, which Pyomo 6.10 cannot compile as shipped: its ``values()``
refuses the ``sort`` argument block iteration passes and its rows lack
``to_bounded_expression`` and ``expr``; :class:`MatrixRows` adds them.
"""

import weakref
from collections.abc import Iterator, Sequence

import numpy as np
from pyomo.core.base.matrix_constraint import MatrixConstraint, _MatrixConstraintData
from pyomo.core.base.var import VarData
from pyomo.core.expr.relational_expr import RelationalExpression, inequality
from scipy import sparse

from solvers.var_array import VarSequence


class _Row(_MatrixConstraintData):
    """Row i of a :class:`MatrixRows` family."""

    __slots__ = ()

    def index(self) -> object:
        labels = self.parent_component().labels
        return self._index if labels is None else labels[self._index]

    def to_bounded_expression(self, evaluate_bounds: bool = False) -> tuple:
        return self.lower, self.body, self.upper

    @property
    def expr(self) -> RelationalExpression:
        lower, body, upper = self.to_bounded_expression()
        if self.equality:
            return body == upper
        if lower is None or upper is None:
            return body <= upper if lower is None else lower <= body
        return inequality(lower, body, upper)


class MatrixRows(MatrixConstraint):
    """Rows lower_i ≤ Σ_j A_ij v_j ≤ upper_i, indexed by ``labels`` (0…n−1 without), see
    the module docstring."""

    def __init__(self, matrix: sparse.csr_array, lower: np.ndarray, upper: np.ndarray,
                 columns: VarSequence | Sequence[VarData], doc: str = "",
                 labels: Sequence | None = None):
        self.matrix = matrix  # CSR, one column per entry of ``columns``
        self.labels = labels
        self._position: dict | None = None  # label → row, made on first use
        self.row_lower = np.asarray(lower, dtype=float)  # −inf where unbounded
        self.row_upper = np.asarray(upper, dtype=float)  # +inf where unbounded
        super().__init__(matrix.data, matrix.indices, matrix.indptr, _sides(self.row_lower),
                         _sides(self.row_upper), ())
        self._x = VarSequence.of(columns)  # entries of a VarArray are made when read
        self.doc = doc

    def construct(self, data: object = None) -> None:
        self._constructed = True
        self._data = None  # rows are made on first use (see :meth:`_rows`)

    def _rows(self) -> tuple[_Row, ...]:
        if self._data is None:
            ref = weakref.ref(self)
            self._data = tuple(_Row(i, ref) for i in range(len(self._lower)))
        return self._data

    def row(self, i: int) -> _Row:
        """Row number ``i`` (0…n−1, whatever the labels)."""
        return self._rows()[i]

    def __getitem__(self, key: object) -> _Row:
        if self.labels is None:
            return self.row(key)
        if self._position is None:
            self._position = {label: i for i, label in enumerate(self.labels)}
        return self.row(self._position[key])

    def __len__(self) -> int:
        return len(self._lower)

    def keys(self, sort: object = False) -> Iterator:
        return iter(range(len(self)) if self.labels is None else self.labels)

    def values(self, sort: object = False) -> Iterator[_Row]:
        return iter(self._rows())

    def items(self, sort: object = False) -> Iterator[tuple[object, _Row]]:
        return zip(self.keys(), self._rows(), strict=True)

    def activate(self) -> None:
        """The family's rows are active together (no row object is made)."""
        self._active = True

    def deactivate(self) -> None:
        """The family's rows are inactive together (no row object is made)."""
        self._active = False

    @property
    def columns(self) -> VarSequence:
        """The variables, in the matrix's column order."""
        return self._x


def _sides(bound: np.ndarray) -> np.ndarray:
    """Row bounds as Pyomo reads them, row by row: a float, or None where open (±inf)."""
    out = bound.astype(object)
    out[~np.isfinite(bound)] = None
    return out


def matrix_rows(columns: VarSequence | Sequence[VarData], row: np.ndarray, col: np.ndarray,
                coef: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                doc: str = "", labels: Sequence | None = None) -> MatrixRows:
    """The family with entries A[row, col] = coef (repeated entries add up, zeros are
    dropped) over ``columns``; ``lower``/``upper`` per row, ±inf where a side is open;
    ``labels`` name the rows (else 0…n−1)."""
    a = sparse.csr_array((np.asarray(coef, dtype=float), (row, col)),
                         shape=(len(lower), len(columns)))
    a.sum_duplicates()
    a.eliminate_zeros()
    return MatrixRows(a, lower, upper, columns, doc, labels)
