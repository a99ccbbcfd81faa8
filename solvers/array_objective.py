"""A linear objective given as arrays: constant + Σ_j c_j v_j over a :class:`VarSequence`.

To Pyomo it is an ordinary scalar ``Objective`` whose expression is one
``LinearExpression`` (the LP writer, the standard-form compiler and ``pyo.value`` read
it), but the expression — and with it a ``VarData`` for every entry of a
:class:`~solvers.var_array.VarArray` among the variables — is made only when something
asks for it: :func:`solvers.highs_bridge.solve` reads the coefficient array as it is.
Setting another expression makes it an ordinary objective (the arrays are dropped).
"""

from collections.abc import Iterable

import numpy as np
import pyomo.environ as pyo
from pyomo.core.base.objective import ScalarObjective
from pyomo.core.base.var import VarData
from pyomo.core.expr.numeric_expr import LinearExpression

from solvers.var_array import VarSequence


class ArrayObjective(ScalarObjective):
    """``sense`` constant + Σ_j coefs_j · columns_j, see the module docstring."""

    def __init__(self, columns: VarSequence | Iterable[VarData], coefs: np.ndarray,
                 constant: float = 0.0, sense: int = pyo.minimize, doc: str | None = None):
        self.columns: VarSequence | None = VarSequence.of(columns)
        self.coefs = np.asarray(coefs, dtype=float)
        self.constant = float(constant)
        if len(self.coefs) != len(self.columns):
            raise ValueError(f"{len(self.coefs)} coefficients for {len(self.columns)} "
                             "variables")
        self._expression: tuple | None = None
        super().__init__(sense=sense, doc=doc)

    def construct(self, data: object = None) -> None:
        super().construct(data)
        self.set_sense(self._init_sense(self.parent_block(), None))  # registers the objective

    @property
    def _args_(self) -> tuple:
        """The expression, made on first use (Pyomo reads it through ``_args_``)."""
        if self.columns is not None and (self._expression is None
                                         or self._expression[0] is None):
            self._expression = (LinearExpression(
                constant=self.constant, linear_coefs=self.coefs.tolist(),
                linear_vars=list(self.columns)),)
        return self._expression

    @_args_.setter
    def _args_(self, value: tuple) -> None:
        if value[0] is not None:
            self.columns = None  # another expression: no longer the arrays
        self._expression = value
