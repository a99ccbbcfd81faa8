"""Calibration of the twin's stochastic inputs from recorded history."""
