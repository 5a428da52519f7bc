"""The simulation: a Mesa model of how trafficking victims are identified under a screening policy.

The model reads no files; it takes ``Parameters`` (or a resolved ``RunSpec``). Typical use::

    from model import IdentificationModel, Parameters

    model = IdentificationModel(Parameters(), "screening_before_detention", rng=1, years=5)
    while model.running:
        model.step()

Scenario files and shipped names are read above the model: ``experiments.ScenarioModel`` and
``experiments.simulate`` take them.
"""

from model.model import IdentificationModel
from model.parameters import Parameters
from model.run_spec import PolicyChoice, RunSpec, specify
from model.strategies import STRATEGIES, UnknownStrategyError, get_strategy

__all__ = [
    "STRATEGIES",
    "IdentificationModel",
    "Parameters",
    "PolicyChoice",
    "RunSpec",
    "UnknownStrategyError",
    "get_strategy",
    "specify",
]
