"""What-if scenarios and Monte Carlo experiments.

- :mod:`scenarios.spec` / :mod:`scenarios.library`: scenario files (``configs/scenarios``),
  composed by ``include``, validated against a network;
- :mod:`scenarios.experiment`: policies × scenarios × replications with common random
  numbers, one xarray Dataset per experiment;
- :mod:`scenarios.execution`: serial or Dask execution with identical results;
- :mod:`scenarios.stats`: means with confidence intervals, paired differences, adaptive
  replications;
- :mod:`scenarios.stress`: the stress test of a plan (:func:`scenarios.stress.stress_plan`);
- :mod:`scenarios.evidence`: its evidence, typed (:class:`scenarios.evidence.StressEvidence`);
- :mod:`scenarios.results`: result files.
"""
