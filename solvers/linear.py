"""Building linear Pyomo expressions without Pyomo's operator overhead.

``sum(coef * var …)`` creates one intermediate expression per term; a
``LinearExpression`` built from lists is one object, and the standard-form compiler
reads it directly. Building the big constraint families this way is what keeps the
Pyomo route close to writing matrix rows by hand (see bench/bench_solvers.py).
"""

from collections.abc import Sequence

from pyomo.core.expr.numeric_expr import LinearExpression


def linear(variables: Sequence[object], coefs: Sequence[float] | float = 1.0,
           constant: float = 0.0) -> LinearExpression:
    """Σ coefs[i]·variables[i] + constant (a scalar ``coefs`` applies to every term)."""
    cs = [float(coefs)] * len(variables) if isinstance(coefs, int | float) else \
        [float(c) for c in coefs]
    return LinearExpression(constant=float(constant), linear_coefs=cs,
                            linear_vars=list(variables))
