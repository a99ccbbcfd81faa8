"""The policy registry and the protocol's conversions."""

import pickle

import pytest

from twin.network_files import load_network
from twin.sim import BASE_POLICIES, FixedSS, NoAction, Policy, PolicyRegistry, simulate
from twin.sim.index import NetworkIndex


def test_base_registry_names_the_twins_policies_and_is_extended_explicitly(tiny_dir):
    assert set(BASE_POLICIES) == {"none", "fixed_ss", "fixed_ss_emergency"}
    index = NetworkIndex(load_network(tiny_dir))
    assert isinstance(BASE_POLICIES.make("none", index), NoAction)
    made = BASE_POLICIES.make("fixed_ss_emergency", index)
    assert isinstance(made, FixedSS) and made.emergency
    assert isinstance(made, Policy)
    with pytest.raises(KeyError, match=r"known: .*fixed_ss"):
        BASE_POLICIES.make("nope", index)

    class Lazy(NoAction):
        pass

    more = BASE_POLICIES.with_policies({"test_lazy": Lazy})
    assert "test_lazy" in more and "test_lazy" not in BASE_POLICIES  # immutable
    result = simulate(load_network(tiny_dir), days=3, seed=0, policy="test_lazy", policies=more)
    assert result.policy == "test_lazy"
    with pytest.raises(KeyError, match="test_lazy"):
        simulate(load_network(tiny_dir), days=3, seed=0, policy="test_lazy")


def test_registry_pickles_with_its_factories():
    again = pickle.loads(pickle.dumps(BASE_POLICIES))
    assert isinstance(again, PolicyRegistry) and set(again) == set(BASE_POLICIES)
    assert again["fixed_ss"] is FixedSS
