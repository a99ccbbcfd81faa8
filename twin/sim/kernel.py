"""The kernels the twin runs: compiled with numba (the default) or the numpy reference
(when the environment sets ``MEDTWIN_KERNEL=numpy``). Both give the same results bit for
bit; numba is imported on first use, so commands that do not simulate do not pay for it.

===========================  ==================================  ===========================
step                         compiled (module in ``twin.sim``)   numpy reference
===========================  ==================================  ===========================
FEFO allocation, eligible    ``compiled``                        ``lots``
stock, segment totals
return draw and its delays   ``compiled.return_draws``           ``randomness.return_draws``
serving the day's demand     ``compiled_serve``                  ``issue.serve``
the day's arrivals           ``compiled_arrivals``               ``lifecycle.arrive``
holds ending                 ``compiled_holds``                  ``lifecycle.release``
===========================  ==================================  ===========================

The first two are chosen here (:func:`allocate` …); the day's steps ask :func:`compiled`."""

import os
from collections.abc import Callable
from functools import cache
from typing import NamedTuple, Protocol

import numpy as np

from twin.problems import InputError, Problem
from twin.sim import lots, randomness
from twin.sim.index import Durations
from twin.sim.lots import Allocation, LotTable

KERNELS = ("compiled", "numpy")


class _Allocate(Protocol):
    def __call__(self, table: LotTable, pos: np.ndarray, min_expiry: np.ndarray,
                 qty: np.ndarray, lot: np.ndarray | None = None) -> Allocation: ...


class _Kernel(NamedTuple):
    allocate: _Allocate
    eligible_stock: Callable[[LotTable, np.ndarray, np.ndarray], np.ndarray]
    totals: Callable[[LotTable], tuple[np.ndarray, np.ndarray]]
    return_draws: Callable[[np.random.Generator, np.ndarray, np.ndarray, np.ndarray,
                            Durations, np.ndarray],
                           tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]


_NUMPY = _Kernel(lots.allocate, lots.eligible_stock, LotTable.totals, randomness.return_draws)


@cache
def _compiled() -> _Kernel:
    from twin.sim import compiled

    return _Kernel(compiled.allocate, compiled.eligible_stock, compiled.totals,
                   compiled.return_draws)


def _kernel() -> _Kernel:
    name = os.environ.get("MEDTWIN_KERNEL", "compiled")
    if name == "numpy":
        return _NUMPY
    if name == "compiled":
        return _compiled()
    raise InputError([Problem("environment variable MEDTWIN_KERNEL", "",
                              f"{name!r} is not one of {', '.join(KERNELS)}")])


def compiled() -> bool:
    """Whether the compiled kernel is chosen."""
    return _kernel() is not _NUMPY


def check() -> None:
    """Raise :class:`InputError` when ``MEDTWIN_KERNEL`` names no kernel (and load the chosen
    one): called before a run starts, so a wrong setting stops nothing half done."""
    _kernel()


def allocate(table: LotTable, pos: np.ndarray, min_expiry: np.ndarray, qty: np.ndarray,
             lot: np.ndarray | None = None) -> Allocation:
    """:func:`twin.sim.lots.allocate`, by the chosen kernel."""
    return _kernel().allocate(table, pos, min_expiry, qty, lot)


def eligible_stock(table: LotTable, pos: np.ndarray, min_expiry: np.ndarray) -> np.ndarray:
    """:func:`twin.sim.lots.eligible_stock`, by the chosen kernel."""
    return _kernel().eligible_stock(table, pos, min_expiry)


def totals(table: LotTable) -> tuple[np.ndarray, np.ndarray]:
    """:meth:`twin.sim.lots.LotTable.totals`, by the chosen kernel."""
    return _kernel().totals(table)


def return_draws(rng: np.random.Generator, issued: np.ndarray, share: np.ndarray,
                 split: np.ndarray, delays: Durations, first: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`twin.sim.randomness.return_draws`, by the chosen kernel."""
    return _kernel().return_draws(rng, issued, share, split, delays, first)
