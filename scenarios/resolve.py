"""Resolve a run once: world file + policy file + overrides -> a :class:`~model.RunSpec`.

This is where files become parameters for a run. The model takes the result as it is and reads
nothing; a batch hashes exactly what it hands its workers.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from model.parameters import Parameters
from model.run_spec import PolicyChoice, RunSpec, specify
from model.strategies import ScreeningStrategy, known_strategies
from scenarios.loader import load_scenario
from scenarios.policy_loader import PolicySpec, load_policy

#: What names a world: a scenario file path, a shipped scenario's name, or parameters.
World = Parameters | str | Path | None


def read_world(world: World) -> Parameters:
    """The parameters of a world given as a path, a shipped name, ``Parameters`` or ``None``."""
    if world is None:
        return Parameters()
    if isinstance(world, Parameters):
        return world
    return load_scenario(world)


def read_policy(policy: Any) -> PolicyChoice | PolicySpec | type[ScreeningStrategy]:
    """A policy as the model takes it; names of shipped policy files and paths are read here.

    Args:
        policy: A strategy class, a registry name, a shipped policy file's name, a policy file
            path, a :class:`~model.run_spec.PolicyChoice` or a policy already read.
    """
    if isinstance(policy, PolicyChoice | PolicySpec):
        return policy
    if isinstance(policy, type) and issubclass(policy, ScreeningStrategy):
        return policy
    if isinstance(policy, str) and policy in known_strategies():
        return policy  # a registered strategy with its lever defaults
    if isinstance(policy, str | Path):
        return load_policy(policy)
    return policy


def resolve_run(
    world: World = None,
    policy: Any = "detention_first",
    overrides: Mapping[str, Any] | None = None,
) -> RunSpec:
    """Read the world and the policy and combine them with overrides into one run.

    Precedence, lowest first: the world, the strategy's lever defaults, the policy file's
    levers, ``overrides`` (``section.field`` or ``section__field`` keys, or nested).

    Raises:
        scenarios.ScenarioError: A file is missing or invalid, or the policy is unknown.
        pydantic.ValidationError: An override names an unknown field or is out of range.
    """
    return specify(read_world(world), read_policy(policy), overrides)


def resolve_parameters(
    world: World = None,
    policy: Any = "detention_first",
    overrides: Mapping[str, Any] | None = None,
) -> Parameters:
    """The effective parameters of :func:`resolve_run` (what ``tipsim show`` prints)."""
    return resolve_run(world, policy, overrides).params


__all__ = ["read_policy", "read_world", "resolve_parameters", "resolve_run"]
