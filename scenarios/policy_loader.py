"""Read policy files: a named screening strategy with the levers it sets.

A policy file lives in ``scenarios/policies/<name>.yaml``::

    name: screening_before_detention_plus
    description: ...
    sources: [...]
    strategy: screening_before_detention     # a registry name (model.strategies)
    screening:
      non_punishment: true

Levers take, lowest first: the schema defaults, the world, the strategy's ``lever_defaults``,
the file's ``screening`` levers, then the user's overrides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.strategies import known_strategies
from scenarios.compose import compose
from scenarios.files import POLICY
from scenarios.problems import closest
from scenarios.yaml_io import ScenarioError

POLICY_DIR = Path(__file__).resolve().parent / "policies"


@dataclass(frozen=True)
class PolicySpec:
    """A policy read from a file (or a bare strategy).

    Attributes:
        name: The policy's own name (the summary's ``policy`` column).
        strategy: Registry name of the screening strategy.
        levers: ``screening`` levers the file sets, typed through the schema.
        description: What the policy is.
        sources: Where its levers come from.
        path: The file (``None`` for a bare strategy).
    """

    name: str
    strategy: str
    levers: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    sources: tuple[str, ...] = ()
    path: Path | None = None


def shipped_policies() -> list[str]:
    """Names of the policy files shipped in ``scenarios/policies/``."""
    return sorted(p.stem for p in POLICY_DIR.glob("*.yaml"))


def resolve_policy_path(policy: str | Path) -> Path:
    """Find a policy file: a path as given, or the name of a shipped policy file.

    Raises:
        ScenarioError: If there is no such file, naming the closest known policy.
    """
    path = Path(policy)
    if path.is_file():
        return path
    candidate = POLICY_DIR / f"{path.name.removesuffix('.yaml')}.yaml"
    if candidate.is_file():
        return candidate
    known = sorted({*shipped_policies(), *known_strategies()})
    hint = closest(path.stem, known)
    did_you_mean = f" Did you mean '{hint}'?" if hint else ""
    raise ScenarioError(
        path,
        [
            f"unknown policy '{policy}'.{did_you_mean} Give a policy file path, a shipped policy "
            f"({', '.join(shipped_policies())}) or a strategy ({', '.join(known_strategies())})."
        ],
    )


def load_policy(policy: str | Path) -> PolicySpec:
    """Read a policy: a shipped policy file's name, a policy file path, or a strategy name.

    A bare strategy name (e.g. ``detention_first``) is the strategy with its lever defaults,
    except where a shipped policy file of that name exists: then the file is read.

    Raises:
        ScenarioError: If the policy is unknown or its file is invalid.
    """
    path = Path(policy)
    bare = str(policy) in known_strategies() and str(policy) not in shipped_policies()
    if not path.is_file() and bare:
        return PolicySpec(name=str(policy), strategy=str(policy))
    composed = compose(resolve_policy_path(policy), POLICY)
    return PolicySpec(
        name=composed.name,
        strategy=composed.body["strategy"],
        levers=dict(composed.body.get("screening", {})),
        description=composed.description,
        sources=composed.sources,
        path=composed.path,
    )
