"""Policies for the twin built from the planning models: the factories ``heuristic``,
``optimised`` and ``optimised_rolling``. Importing this package registers nothing; the
registry of every shipped policy is :func:`solvers.registry.shipped_policies`."""

from solvers.policies.levels import (
    LevelsFactory,
    heuristic,
    heuristic_levels,
    investment,
    levels_for,
    optimised,
    optimised_levels,
)
from solvers.policies.levels_ss import Levels, LevelsSS
from solvers.policies.rolling import RollingSS, optimised_rolling

__all__ = ["Levels", "LevelsFactory", "LevelsSS", "RollingSS", "heuristic", "heuristic_levels",
           "investment", "levels_for", "optimised", "optimised_levels", "optimised_rolling"]
