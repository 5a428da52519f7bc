"""Calibration: fitting the model's uncertain world parameters to Hong Kong's published figures.

Modules: :mod:`experiments.calibration.config` (the calibration YAML file),
:mod:`experiments.calibration.abc` (ABC-SMC on any executor),
:mod:`experiments.core.ensemble` (the accepted sets as a scenario ensemble) and
:mod:`experiments.calibration.pipeline` (:func:`run_calibration`, what ``tipsim calibrate``
runs). The patterns, the published figures and the fit tables are read-only analysis
(``analysis.calibration``).
"""
