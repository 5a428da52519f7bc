"""What one run is, resolved: the effective parameters, the screening strategy and its name.

A run specification is made once, above the model (``scenarios.resolve`` reads the world and
policy files and calls :func:`specify`), hashed by the batch, and handed to
:class:`model.model.IdentificationModel` as it is: the model reads no file and re-resolves
nothing, so what runs is what was hashed.

Levers take, lowest first: the world's parameters, the strategy's ``lever_defaults``, the
policy file's ``screening`` levers, then user overrides. The world's timeline entries dated at
or before the first week are folded into the world first (:func:`model.timeline.settle`), so
overrides win over them; later entries still change their fields at their week.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, NamedTuple

from model.parameters import Parameters, deep_merge, nest_dotted
from model.strategies import ScreeningStrategy, get_strategy
from model.strategies.code import class_from_file, file_reference
from model.timeline import settle


class PolicyChoice(NamedTuple):
    """A resolved policy: its name, its strategy class and the levers its file sets."""

    name: str
    strategy: type[ScreeningStrategy]
    levers: dict[str, Any]


@dataclass(frozen=True)
class RunSpec:
    """Everything that decides a run but its seed and length (plain data, picklable).

    Attributes:
        params: The effective parameters (timeline entries due at the start folded in).
        strategy: The screening strategy class.
        policy_name: The name results record (a policy file's own ``name``).
    """

    params: Parameters
    strategy: type[ScreeningStrategy]
    policy_name: str

    def digest(self) -> str:
        """SHA-256 of the effective parameters (what a batch hashes to notice a change)."""
        return hashlib.sha256(self.params.model_dump_json().encode()).hexdigest()

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle a strategy loaded from a ``--strategy-module`` file by its file and hash.

        A worker process cannot import such a module by name; it loads the same file, checked
        against the hash its parent loaded.
        """
        reference = file_reference(self.strategy)
        if reference is None:
            return (RunSpec, (self.params, self.strategy, self.policy_name))
        return (_from_file, (self.params, reference, self.policy_name))


def _from_file(params: Parameters, reference: tuple[str, ...], policy_name: str) -> RunSpec:
    """A run specification whose strategy a worker loads from its parent's module file."""
    return RunSpec(params, class_from_file(*reference), policy_name)


def choose_policy(policy: Any) -> PolicyChoice:
    """A policy given as a strategy class, a registry name or a policy-like object.

    A policy-like object has ``name``, ``strategy`` (registry name or class) and ``levers``
    (e.g. ``scenarios.policy_loader.PolicySpec``, a policy file already read).

    Raises:
        model.strategies.UnknownStrategyError: For a name that is not a registered strategy (a
            policy *file* is read by ``scenarios.resolve``, not here).
    """
    if isinstance(policy, PolicyChoice):
        return policy
    if isinstance(policy, type) and issubclass(policy, ScreeningStrategy):
        return PolicyChoice(policy.name, policy, {})
    if isinstance(policy, str):
        return PolicyChoice(policy, get_strategy(policy), {})
    if isinstance(policy, PurePath):
        raise TypeError(
            f"the model reads no files: got the policy file {policy}; read it with "
            "scenarios.resolve.resolve_run, or use experiments.ScenarioModel"
        )
    strategy = policy.strategy
    if not (isinstance(strategy, type) and issubclass(strategy, ScreeningStrategy)):
        strategy = get_strategy(strategy)
    return PolicyChoice(str(policy.name), strategy, dict(policy.levers))


def nested_overrides(*layers: Mapping[str, Any] | None) -> dict[str, Any]:
    """Overrides as one nested mapping; later layers win, key by key.

    Each layer may be nested (``{"screening": {"tier1_sensitivity": 0.8}}``) or flat, keyed
    ``section.field`` or ``section__field``; no layer is modified.
    """
    merged: dict[str, Any] = {}
    for layer in layers:
        flat = {key.replace("__", "."): value for key, value in (layer or {}).items()}
        merged = deep_merge(merged, nest_dotted(copy.deepcopy(flat)))
    return merged


def specify(
    world: Parameters | None,
    policy: Any = "detention_first",
    overrides: Mapping[str, Any] | None = None,
) -> RunSpec:
    """Combine a world, a policy and user overrides into one run specification.

    Args:
        world: The world's parameters (``None`` for the Hong Kong baseline defaults).
        policy: A strategy class, a registry name, a :class:`PolicyChoice` or a policy read
            from a file.
        overrides: ``section.field`` (or ``section__field``) -> value; nested mappings are
            accepted too.

    Raises:
        pydantic.ValidationError: If an override names an unknown field or is out of range.
    """
    choice = choose_policy(policy)
    base = world if world is not None else Parameters()
    params = settle(base).updated(
        {"screening": {**choice.strategy.lever_defaults, **choice.levers}}
    )
    if overrides:
        params = params.updated(nested_overrides(overrides))
    return RunSpec(settle(params), choice.strategy, choice.name)
