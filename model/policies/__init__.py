"""Screening policies as strategy objects, chosen by name.

The registry is the one place that lists them: to add a policy, write its module (a subclass of
:class:`~model.policies.base.ScreeningPolicy`) and add it to ``_POLICY_CLASSES``.
"""

from __future__ import annotations

import difflib

from model.policies.base import ScreeningOutcome, ScreeningPolicy
from model.policies.detention_first import DetentionFirst
from model.policies.screening_before_detention import ScreeningBeforeDetention

_POLICY_CLASSES: tuple[type[ScreeningPolicy], ...] = (DetentionFirst, ScreeningBeforeDetention)

POLICIES: dict[str, type[ScreeningPolicy]] = {cls.name: cls for cls in _POLICY_CLASSES}


class UnknownPolicyError(ValueError):
    """A policy name that is not in the registry."""


def get_policy(name: str) -> type[ScreeningPolicy]:
    """Look a policy class up by name.

    Args:
        name: Registry name, e.g. ``"detention_first"``.

    Returns:
        The policy class.

    Raises:
        UnknownPolicyError: With the known names and the closest match.
    """
    try:
        return POLICIES[name]
    except KeyError:
        close = difflib.get_close_matches(str(name), POLICIES, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise UnknownPolicyError(
            f"unknown policy '{name}'.{hint} Known policies: {', '.join(sorted(POLICIES))}."
        ) from None


__all__ = [
    "POLICIES",
    "DetentionFirst",
    "ScreeningBeforeDetention",
    "ScreeningOutcome",
    "ScreeningPolicy",
    "UnknownPolicyError",
    "get_policy",
]
