"""The twin with the compiled FEFO kernel against the twin with the numpy reference: whole
replications of random networks, policies and events, equal bit for bit."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from sim_strategies import runs

from twin.sim import kernel, simulate
from twin.sim.lots import LotTable, new_rows


def _run(monkeypatch: pytest.MonkeyPatch, kernel: str, net, days, events, policy, seed):
    monkeypatch.setenv("MEDTWIN_KERNEL", kernel)
    return simulate(net, days=days, seed=seed, policy=policy, events=events)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(runs())
def test_replications_are_identical_with_either_kernel(monkeypatch, run):
    net, days, events, policy, seed = run
    ref = _run(monkeypatch, "numpy", net, days, events, policy, seed)
    fast = _run(monkeypatch, "compiled", net, days, events, policy, seed)
    assert fast.to_dataset().identical(ref.to_dataset())
    assert fast.ledger.equals(ref.ledger)


def test_an_unknown_kernel_is_named_in_the_error(monkeypatch):
    monkeypatch.setenv("MEDTWIN_KERNEL", "fortran")
    table = LotTable(1, new_rows(*(np.zeros(1, dtype=int) for _ in range(4))))
    with pytest.raises(ValueError, match="MEDTWIN_KERNEL: 'fortran' is not one of compiled, numpy"):
        kernel.eligible_stock(table, np.zeros(1, dtype=int), np.zeros(1, dtype=int))
