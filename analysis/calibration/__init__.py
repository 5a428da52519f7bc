"""Calibration of the model against Hong Kong's published figures.

Pattern-oriented modelling: several published patterns (yearly initial screenings and
identifications through the official mechanism, the NGO yield, prevalence among domestic
workers) must hold at once. Approximate Bayesian computation (rejection or ABC-SMC) on any
``concurrent.futures`` executor finds the parameter sets that reproduce them; the accepted sets
are written as a scenario ensemble that batches can use.

Modules:

* :mod:`analysis.calibration.published` — the published figures shipped with the project;
* :mod:`analysis.calibration.replay` — one replay run reduced to yearly official statistics;
* :mod:`analysis.calibration.patterns` — the patterns and their distances;
* :mod:`analysis.calibration.space` — uncertain parameters, their ranges and priors;
* :mod:`analysis.calibration.config` — the calibration YAML file;
* :mod:`analysis.calibration.abc` — ABC rejection and ABC-SMC;
* :mod:`analysis.calibration.ensemble` — the accepted sets as a scenario ensemble.
"""
