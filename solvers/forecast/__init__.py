"""Demand forecasts from history, suited to intermittent device demand, with error spread."""
