"""The registry of every policy medtwin ships, assembled in one explicit place.

:func:`shipped_policies` knows both layers: the twin's own policies
(:data:`twin.api.BASE_POLICIES`: ``none``, ``fixed_ss``, ``fixed_ss_emergency``) and the
planning policies of :mod:`solvers.policies` (``heuristic``, ``optimised``,
``optimised_rolling``). Callers — experiments (also on Dask workers, where the registry
travels with the experiment), the CLI, the dashboards — take their policies from it;
nothing registers a policy by being imported.
"""

import functools
from types import MappingProxyType

from solvers.policies import heuristic, optimised, optimised_rolling
from twin.api import BASE_POLICIES, PolicyRegistry

SOLVER_POLICIES = MappingProxyType({
    "heuristic": heuristic,
    "optimised": optimised,
    "optimised_rolling": optimised_rolling,
})
"""The planning policies of :mod:`solvers.policies`, by name."""


@functools.cache
def shipped_policies() -> PolicyRegistry:
    """Every shipped policy: the twin's own plus the planning policies (see the module
    docstring). The registry is immutable; extend it with
    :meth:`~twin.api.PolicyRegistry.with_policies`."""
    return BASE_POLICIES.with_policies(SOLVER_POLICIES)
