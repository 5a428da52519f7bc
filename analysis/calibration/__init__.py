"""Calibration results read against Hong Kong's published figures (no model is run here).

Pattern-oriented modelling: several published patterns (yearly initial screenings and
identifications through the official mechanism, the NGO yield, prevalence among domestic
workers) must hold at once. The fitting itself runs the model and lives in
``experiments.calibration``; here are the pieces that only read tables:

* :mod:`analysis.calibration.published` — the published figures shipped with the project;
* :mod:`analysis.calibration.official` — a run's weekly series as yearly official statistics;
* :mod:`analysis.calibration.patterns` — the patterns and their distances;
* :mod:`analysis.calibration.fit` — fit tables of accepted runs against the published figures;
* :mod:`analysis.calibration.figures` — the fit figure;
* :mod:`analysis.calibration.ranking` — how often a ranking of policies holds over an ensemble.
"""
