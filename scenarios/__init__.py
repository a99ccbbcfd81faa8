"""What-if scenarios applied to a network, experiments (policies × scenarios × replications
with common random numbers), Dask execution, statistics and result files."""
