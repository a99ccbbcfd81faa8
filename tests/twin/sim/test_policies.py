"""The policy registry and the protocol's conversions."""

import pytest

from twin.network_files import load_network
from twin.sim import POLICIES, FixedSS, NoAction, Policy, register_policy, simulate
from twin.sim.index import NetworkIndex
from twin.sim.policies import make_policy


def test_registry_names_the_shipped_policies_and_accepts_new_ones(tiny_dir):
    assert {"none", "fixed_ss", "fixed_ss_emergency"} <= set(POLICIES)
    index = NetworkIndex(load_network(tiny_dir))
    assert isinstance(make_policy("none", index), NoAction)
    made = make_policy("fixed_ss_emergency", index)
    assert isinstance(made, FixedSS) and made.emergency
    assert isinstance(made, Policy)
    with pytest.raises(KeyError, match=r"known: .*fixed_ss"):
        make_policy("nope", index)

    @register_policy("test_lazy")
    class Lazy(NoAction):
        pass

    try:
        result = simulate(load_network(tiny_dir), days=3, seed=0, policy="test_lazy")
        assert result.policy == "test_lazy"
    finally:
        del POLICIES["test_lazy"]
