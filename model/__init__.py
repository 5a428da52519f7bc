"""The simulation: a Mesa model of how trafficking victims are identified under a screening policy.

Typical use::

    from model import IdentificationModel, simulate

    summary = simulate(policy="screening_before_detention", seed=1, years=5)
"""

from model.model import IdentificationModel, resolve_parameters
from model.parameters import Parameters
from model.policies import POLICIES, UnknownPolicyError, get_policy
from model.simulate import simulate

__all__ = [
    "POLICIES",
    "IdentificationModel",
    "Parameters",
    "UnknownPolicyError",
    "get_policy",
    "resolve_parameters",
    "simulate",
]
