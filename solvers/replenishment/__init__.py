"""Purchase orders per supplier with MOQ, order cost and supplier capacity (Pyomo, HiGHS)."""
