"""Global sensitivity analysis of the policy difference (SALib).

Morris elementary effects screen every uncertain parameter; Sobol indices (first order and
total) are then estimated for the parameters that matter most. The outputs are differences
between two policies run on the same seed (common random numbers), e.g. victims identified
and prosecutions under screening-before-detention minus detention-first.

Modules: :mod:`analysis.sensitivity.config` (the YAML file), :mod:`analysis.sensitivity.methods`
(Morris and Sobol around any evaluation function), :mod:`analysis.sensitivity.runs` (the model
evaluation on an executor), :mod:`analysis.sensitivity.figures`.
"""
