"""Python's cyclic garbage collector around medtwin's large, long-lived inputs.

Loading a network builds one container object (a pydantic model, its dicts and lists) per
row and field: about 660,000 for the generated 20 × 2,000 × 100 network. The collector runs
a full pass over every tracked object each time the long-lived ones grow by a quarter, so
while they are being built it traverses them again and again (9 full passes, 1.6 s of a
3.4 s load), and afterwards once more whenever the run's own objects have grown enough
(0.3–0.4 s a pass). None of it finds garbage: a network holds no reference cycles.

- Loading runs with the collector :func:`paused`; a cycle that becomes garbage meanwhile is
  collected by the first pass after it.
- In a :func:`batch` run (a command of the ``medtwin`` CLI) the objects alive once a
  network is :func:`loaded` are frozen (:func:`gc.freeze`): no pass traverses them again.
  A long-running server (the dashboard) stops freezing (:func:`serving`): there a frozen
  object that later joins a garbage cycle would never be collected.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_freezing = False
"""Whether :func:`loaded` freezes (inside :func:`batch`, until :func:`serving`)."""


@contextmanager
def paused() -> Iterator[None]:
    """Run the block with the cyclic collector off; on exit it is on again if it was on
    (reference counting frees objects as usual throughout)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


@contextmanager
def batch() -> Iterator[None]:
    """A batch run: networks loaded in the block are frozen once loaded; on exit whatever
    was frozen is handed back to the collector (:func:`gc.unfreeze`)."""
    global _freezing
    _freezing = True
    try:
        yield
    finally:
        _freezing = False
        gc.unfreeze()


def serving() -> None:
    """From now on, until the batch run ends, loading freezes nothing (for a server that
    loads networks while it runs)."""
    global _freezing
    _freezing = False


def loaded() -> None:
    """Called once a network is loaded: in a batch run, freeze every object alive now."""
    if _freezing:
        gc.freeze()
