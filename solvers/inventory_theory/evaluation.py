"""One entry for every exact evaluator: the backorder renewal tables, the lost-sales chain on
on-hand (L ≤ R) and the lost-sales chain with open orders (L > R)."""

from solvers.inventory_theory.periodic import (
    BackorderTables,
    LostSalesChain,
    Performance,
    Position,
)
from solvers.inventory_theory.pipeline import PipelineChain


def lost_sales_chain(pos: Position, upto: int) -> LostSalesChain | PipelineChain:
    """The exact chain of a lost-sales position for levels 0…``upto``: on on-hand when
    L ≤ R, with the open orders in the state when L > R."""
    if pos.lead_days > pos.review_days:
        return PipelineChain(pos, upto)
    return LostSalesChain(pos, upto)


def evaluate(pos: Position, s: int, S: int) -> Performance:
    """The exact long-run performance of (s, S) at ``pos`` (units and currency per day);
    :class:`~solvers.inventory_theory.pipeline.TooLarge` for a lost-sales chain beyond its
    state limit."""
    if pos.backorder:
        return BackorderTables(pos, S).evaluate(s, S)
    return lost_sales_chain(pos, S).evaluate(s, S)
