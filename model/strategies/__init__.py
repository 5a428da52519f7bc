"""Screening strategies: the classes that take a policy's decisions, chosen by name.

Two words, kept apart everywhere: a **policy** is what a user chooses (a shipped name or a
policy file under ``scenarios/policies/``: a strategy plus its levers); a **strategy** is the
class that carries out its decisions (``strategy:`` in a policy file). The registry is the one
place that lists the strategies: to add one, write its module (a subclass of
:class:`~model.strategies.base.ScreeningStrategy`) and add it to ``_STRATEGY_CLASSES``, or
register it from an installed package under the ``tipsim.strategies`` entry-point group. A
policy file's ``module:Class`` is loaded only where the user allowed code
(:mod:`model.strategies.code`).
"""

from __future__ import annotations

import difflib

from model.strategies.base import ScreeningOutcome, ScreeningStrategy
from model.strategies.code import (
    StrategyCodeError,
    allow_code,
    allowed_code,
    entry_point_names,
    load_entry_point,
    load_strategy_class,
)
from model.strategies.detention_first import DetentionFirst
from model.strategies.screening_before_detention import ScreeningBeforeDetention

_STRATEGY_CLASSES: tuple[type[ScreeningStrategy], ...] = (DetentionFirst, ScreeningBeforeDetention)

STRATEGIES: dict[str, type[ScreeningStrategy]] = {cls.name: cls for cls in _STRATEGY_CLASSES}


class UnknownStrategyError(ValueError):
    """A policy name that is not in the registry, or user code that cannot be a strategy."""


def known_strategies() -> list[str]:
    """Names of the built-in strategies and of those installed packages register."""
    return sorted({*STRATEGIES, *entry_point_names()})


def get_strategy(name: str) -> type[ScreeningStrategy]:
    """Look a strategy class up by name; load a custom one only if the user allowed it.

    Args:
        name: Registry name, e.g. ``"detention_first"`` (built in, or registered by an
            installed package under the ``tipsim.strategies`` entry-point group), or
            ``"package.module:ClassName"``, loaded only if allowed (:mod:`model.strategies.code`).

    Returns:
        The policy class.

    Raises:
        UnknownStrategyError: With the known names and the closest match, or saying why a custom
            class cannot be used.
    """
    name = str(name)
    try:
        if ":" in name:
            return load_strategy_class(name, ScreeningStrategy)
        if name in STRATEGIES:
            return STRATEGIES[name]
        installed = load_entry_point(name, ScreeningStrategy)
    except StrategyCodeError as err:
        raise UnknownStrategyError(str(err)) from None
    if installed is not None:
        return installed
    known = known_strategies()
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise UnknownStrategyError(
        f"unknown policy '{name}'.{hint} Known policies: {', '.join(known)}."
    )


__all__ = [
    "STRATEGIES",
    "DetentionFirst",
    "ScreeningBeforeDetention",
    "ScreeningOutcome",
    "ScreeningStrategy",
    "StrategyCodeError",
    "UnknownStrategyError",
    "allow_code",
    "allowed_code",
    "get_strategy",
    "known_strategies",
]
