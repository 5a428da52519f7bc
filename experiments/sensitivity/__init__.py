"""Global sensitivity analysis of the policy difference (SALib): Morris, then Sobol.

Modules: :mod:`experiments.sensitivity.config` (the YAML file),
:mod:`experiments.sensitivity.methods` (Morris and Sobol around any evaluation function),
:mod:`experiments.sensitivity.runs` (the model evaluated on an executor, policies on common
seeds) and :mod:`experiments.sensitivity.pipeline` (:func:`run_sensitivity`, what
``tipsim sensitivity`` runs). Figures are in ``analysis.sensitivity``.
"""
