"""The replenishment policies the command line offers.

Policies register themselves in :data:`twin.sim.policies.POLICIES` when their modules are
imported (the twin's own, then ``solvers.policies``' optimised ones), which takes numpy, the
domain model and Pyomo. Help texts and choices need only the names, so they are listed here;
``tests/medtwin/test_cli_help.py`` checks that they are exactly the registered ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from twin.sim.policy import PolicyFactory

POLICY_NAMES = ("fixed_ss", "fixed_ss_emergency", "heuristic", "none", "optimised",
                "optimised_rolling")
"""Names of the registered policies, sorted."""


def load_policies() -> dict[str, PolicyFactory]:
    """Import every policy, so that it is registered, and return the registry."""
    import solvers.policies  # noqa: F401  (registers the heuristic and optimised policies)
    from twin.sim.policies import POLICIES

    return POLICIES
