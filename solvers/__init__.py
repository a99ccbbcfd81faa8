"""Pyomo models solved by HiGHS (safety stock, transfers, replenishment), heuristic baseline
policies, forecasting and calibration. Imports only the ``twin`` domain."""
