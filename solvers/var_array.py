"""Many variables held as arrays: bounds and solved values as numpy arrays.

A :class:`VarArray` is an indexed Pyomo ``Var`` over 0…n−1 to the rest of Pyomo
(``m.u[j]``, names, expressions, the LP writer), but an entry's ``VarData`` is made only
when something asks for it (Pyomo's ``dense=False``): :func:`solvers.highs_bridge.solve`
hands the bounds of all n entries to HiGHS as arrays and stores the solved values as one
array (:attr:`VarArray.solution`), so a family of many scenario variables costs numpy
time, not a Python object per variable. An entry that exists as a ``VarData`` is read
from it (its bounds, domain or fixing may have been changed since); one made after a
solve starts at its solved value. Changes to the whole component (``fix``, ``setlb``, a
new domain) apply to every entry.

:class:`VarSequence` chains whole :class:`VarArray` s and lists of ``VarData`` into the
column list of a :class:`~solvers.matrix_rows.MatrixRows` family or an
:class:`~solvers.array_objective.ArrayObjective` without making any entry.
"""

import bisect
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import pyomo.environ as pyo
from pyomo.common.collections import ComponentSet
from pyomo.common.modeling import NOTSET
from pyomo.core.base.var import IndexedVar, VarData


class VarArray(IndexedVar):
    """Variables v_j, j = 0…n−1, lower_j ≤ v_j ≤ upper_j within ``domain`` (bounds scalars
    or arrays of length n, ±inf where open); see the module docstring."""

    def __init__(self, size: int, domain: pyo.Set = pyo.Reals,
                 lower: float | np.ndarray = -np.inf, upper: float | np.ndarray = np.inf,
                 doc: str | None = None):
        self.lower_bounds = np.broadcast_to(np.asarray(lower, dtype=float), size).copy()
        self.upper_bounds = np.broadcast_to(np.asarray(upper, dtype=float), size).copy()
        self.common_domain = domain
        self.solution: np.ndarray | None = None  # solved values of all entries
        super().__init__(pyo.RangeSet(0, size - 1), domain=domain, bounds=self._bounds,
                         dense=False, doc=doc)

    @property
    def size(self) -> int:
        """Number of entries n (made or not)."""
        return len(self.lower_bounds)

    def _bounds(self, block: object, j: int) -> tuple[float | None, float | None]:
        lo, hi = float(self.lower_bounds[j]), float(self.upper_bounds[j])
        return (None if lo == -np.inf else lo), (None if hi == np.inf else hi)

    def _getitem_when_not_present(self, index: int) -> VarData:
        obj = super()._getitem_when_not_present(index)
        if self.solution is not None:
            obj.set_value(float(self.solution[index]), skip_validation=True)
        return obj

    def made(self) -> list[tuple[int, VarData]]:
        """The entries that exist as ``VarData``, by index."""
        return sorted(self._data.items())

    def make_all(self) -> None:
        """Make every entry's ``VarData`` (what component-wide changes need)."""
        for j in range(self.size):
            self[j]

    def setlb(self, val: float | None) -> None:
        self.lower_bounds[:] = -np.inf if val is None else val
        super().setlb(val)

    def setub(self, val: float | None) -> None:
        self.upper_bounds[:] = np.inf if val is None else val
        super().setub(val)

    def fix(self, value: object = NOTSET, skip_validation: bool = False) -> None:
        self.make_all()
        super().fix(value, skip_validation)

    def unfix(self) -> None:
        self.make_all()
        super().unfix()

    @IndexedVar.domain.setter
    def domain(self, domain: pyo.Set) -> None:
        self.make_all()
        self.common_domain = domain
        IndexedVar.domain.fset(self, domain)


class VarSequence(Sequence[VarData]):
    """Variables in column order, given as parts: whole :class:`VarArray` s (their entries
    are made only when read one by one) and iterables of ``VarData``."""

    def __init__(self, *parts: VarArray | Iterable[VarData]):
        self.parts = tuple(p if isinstance(p, VarArray) else tuple(p) for p in parts)
        self.starts = np.cumsum([0, *(p.size if isinstance(p, VarArray) else len(p)
                                      for p in self.parts)]).tolist()

    @classmethod
    def of(cls, columns: "VarSequence | Iterable[VarData]") -> "VarSequence":
        """``columns`` as a sequence (itself when it is one)."""
        return columns if isinstance(columns, VarSequence) else cls(columns)

    def __len__(self) -> int:
        return self.starts[-1]

    def __getitem__(self, i: int) -> VarData:
        i = int(i)
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        k = bisect.bisect_right(self.starts, i) - 1
        return self.parts[k][i - self.starts[k]]

    def __iter__(self) -> Iterator[VarData]:
        for part in self.parts:
            yield from (part[j] for j in range(part.size)) if isinstance(part, VarArray) \
                else part

    def arrays(self) -> ComponentSet:
        """The :class:`VarArray` parts."""
        return ComponentSet(p for p in self.parts if isinstance(p, VarArray))
