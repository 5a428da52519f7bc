"""Figures of a global sensitivity analysis of the policy difference.

The analysis itself (Morris elementary effects, then Sobol indices of the difference between
two policies run on common seeds) runs the model, so it lives in ``experiments.sensitivity``;
here are only its figures (:mod:`analysis.sensitivity.figures`).
"""
