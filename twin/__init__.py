"""The medtwin domain model, validation and the SimPy digital twin.

``twin`` knows nothing of solvers, scenarios, ERPs or dashboards; they import it.
"""
