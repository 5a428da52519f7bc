"""Screening policies as strategy objects, chosen by name.

The registry is the one place that lists them: to add a policy, write its module (a subclass of
:class:`~model.policies.base.ScreeningPolicy`) and add it to ``_POLICY_CLASSES``, or register it
from an installed package under the ``tipsim.strategies`` entry-point group. A policy file's
``module:Class`` is loaded only where the user allowed code (:mod:`model.policies.code`).
"""

from __future__ import annotations

import difflib

from model.policies.base import ScreeningOutcome, ScreeningPolicy
from model.policies.code import (
    StrategyCodeError,
    allow_code,
    allowed_code,
    entry_point_names,
    load_entry_point,
    load_strategy_class,
)
from model.policies.detention_first import DetentionFirst
from model.policies.screening_before_detention import ScreeningBeforeDetention

_POLICY_CLASSES: tuple[type[ScreeningPolicy], ...] = (DetentionFirst, ScreeningBeforeDetention)

POLICIES: dict[str, type[ScreeningPolicy]] = {cls.name: cls for cls in _POLICY_CLASSES}


class UnknownPolicyError(ValueError):
    """A policy name that is not in the registry, or user code that cannot be a strategy."""


def known_strategies() -> list[str]:
    """Names of the built-in strategies and of those installed packages register."""
    return sorted({*POLICIES, *entry_point_names()})


def get_policy(name: str) -> type[ScreeningPolicy]:
    """Look a strategy class up by name; load a custom one only if the user allowed it.

    Args:
        name: Registry name, e.g. ``"detention_first"`` (built in, or registered by an
            installed package under the ``tipsim.strategies`` entry-point group), or
            ``"package.module:ClassName"``, loaded only if allowed (:mod:`model.policies.code`).

    Returns:
        The policy class.

    Raises:
        UnknownPolicyError: With the known names and the closest match, or saying why a custom
            class cannot be used.
    """
    name = str(name)
    try:
        if ":" in name:
            return load_strategy_class(name, ScreeningPolicy)
        if name in POLICIES:
            return POLICIES[name]
        installed = load_entry_point(name, ScreeningPolicy)
    except StrategyCodeError as err:
        raise UnknownPolicyError(str(err)) from None
    if installed is not None:
        return installed
    known = known_strategies()
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise UnknownPolicyError(f"unknown policy '{name}'.{hint} Known policies: {', '.join(known)}.")


__all__ = [
    "POLICIES",
    "DetentionFirst",
    "ScreeningBeforeDetention",
    "ScreeningOutcome",
    "ScreeningPolicy",
    "StrategyCodeError",
    "UnknownPolicyError",
    "allow_code",
    "allowed_code",
    "get_policy",
    "known_strategies",
]
