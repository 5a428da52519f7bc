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
    """Look a policy class up by name, or import a custom one.

    Args:
        name: Registry name, e.g. ``"detention_first"``, or the import path of a custom
            :class:`ScreeningPolicy` subclass, ``"package.module:ClassName"``.

    Returns:
        The policy class.

    Raises:
        UnknownPolicyError: With the known names and the closest match, or saying why a custom
            class cannot be used.
    """
    if ":" in str(name):
        return _import_policy(str(name))
    try:
        return POLICIES[name]
    except KeyError:
        close = difflib.get_close_matches(str(name), POLICIES, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise UnknownPolicyError(
            f"unknown policy '{name}'.{hint} Known policies: {', '.join(sorted(POLICIES))}."
        ) from None


def _import_policy(path: str) -> type[ScreeningPolicy]:
    """Import ``package.module:ClassName`` and check it is a screening policy."""
    import importlib

    module_name, _, class_name = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise UnknownPolicyError(
            f"strategy '{path}': cannot import module '{module_name}' ({err}); is it on the "
            "Python path (installed, or in the folder you run from)?"
        ) from None
    cls = getattr(module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, ScreeningPolicy)):
        what = "has no class" if cls is None else "has no ScreeningPolicy subclass named"
        raise UnknownPolicyError(
            f"strategy '{path}': module '{module_name}' {what} '{class_name}'; a custom "
            "strategy is a subclass of model.policies.ScreeningPolicy"
        )
    return cls


__all__ = [
    "POLICIES",
    "DetentionFirst",
    "ScreeningBeforeDetention",
    "ScreeningOutcome",
    "ScreeningPolicy",
    "UnknownPolicyError",
    "get_policy",
]
