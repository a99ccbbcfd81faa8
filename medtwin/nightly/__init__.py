"""The nightly pipeline: pull → forecast → plan → stress-test → gate → publish → summary."""
