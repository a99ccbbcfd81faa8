"""The twin with the compiled FEFO kernel against the twin with the numpy reference: whole
replications of random networks, policies and events, equal bit for bit."""

import pytest
from hypothesis import HealthCheck, given, settings
from sim_strategies import runs

from twin.problems import InputError
from twin.sim import simulate
from twin.synthetic import generate_network


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


def test_an_unknown_kernel_is_named_before_a_run_starts(monkeypatch):
    monkeypatch.setenv("MEDTWIN_KERNEL", "fortran")
    net = generate_network(warehouses=2, items=5, hospitals=1, seed=0)
    with pytest.raises(InputError, match="MEDTWIN_KERNEL: 'fortran' is not one of "
                                         "compiled, numpy"):
        simulate(net, days=3, seed=0, policy="fixed_ss")
