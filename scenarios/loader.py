"""Read scenario (world) files into validated ``Parameters``, with errors that help.

YAML is only ever read with PyYAML's safe loader (see :mod:`scenarios.yaml_io`). Every problem
in a file, and in the files it ``extends``, is reported at once, each naming the file, the line,
the field path and what is allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from model.parameters import Parameters
from scenarios.compose import Composed, compose
from scenarios.files import METADATA_KEYS, WORLD
from scenarios.problems import closest, problems_from
from scenarios.yaml_io import MAX_FILE_BYTES, ScenarioError, read_document

SCENARIO_DIR = Path(__file__).resolve().parent

__all__ = [
    "MAX_FILE_BYTES",
    "METADATA_KEYS",
    "SCENARIO_DIR",
    "ScenarioError",
    "load_scenario",
    "load_world",
    "parameters_from_mapping",
    "read_yaml",
    "resolve_path",
    "shipped_scenarios",
    "validation_problems",
]


def shipped_scenarios() -> list[str]:
    """Names of the scenario (world) files shipped in ``scenarios/``."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


def resolve_path(scenario: str | Path) -> Path:
    """Find a scenario file: a path as given, or a name in the shipped scenario library.

    Raises:
        ScenarioError: If no such file exists (naming the closest shipped scenario).
    """
    path = Path(scenario)
    if path.is_file():
        return path
    for candidate in (SCENARIO_DIR / path.name, SCENARIO_DIR / f"{path.name}.yaml"):
        if candidate.is_file():
            return candidate
    shipped = shipped_scenarios()
    hint = closest(path.stem, shipped)
    did_you_mean = f"did you mean {hint!r}? " if hint else ""
    raise ScenarioError(
        path,
        [f"no such file; {did_you_mean}give a path or a shipped scenario: {', '.join(shipped)}"],
    )


def read_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML mapping safely (hostile and oversized files are refused).

    Raises:
        ScenarioError: If the file is too large, not YAML, unsafe, or not a mapping.
    """
    return read_document(Path(path)).data


def validation_problems(err: ValidationError) -> list[str]:
    """One line per problem in ``err``: field path, what is wrong and what is allowed."""
    root = Parameters if err.title == "Parameters" else None
    return problems_from(err, root)


def parameters_from_mapping(data: dict[str, Any], path: Path | str) -> Parameters:
    """Validate a scenario mapping (metadata keys removed) into ``Parameters``.

    Raises:
        ScenarioError: Listing every invalid field.
    """
    body = {k: v for k, v in data.items() if k not in METADATA_KEYS}
    try:
        return Parameters.model_validate(body)
    except ValidationError as err:
        raise ScenarioError(path, problems_from(err, Parameters)) from None


def load_world(scenario: str | Path) -> Composed:
    """Read a world file with everything it extends, validated.

    Args:
        scenario: A path, or the name of a shipped scenario (e.g. ``hong_kong_baseline``).

    Raises:
        ScenarioError: If the file is missing, unreadable, hostile or invalid.
    """
    return compose(resolve_path(scenario), WORLD)


def load_scenario(scenario: str | Path) -> Parameters:
    """Load a scenario file into validated parameters.

    Args:
        scenario: A path, or the name of a shipped scenario (e.g. ``hong_kong_baseline``).

    Returns:
        The parameters (defaults fill whatever the files do not set).

    Raises:
        ScenarioError: If the file is missing, unreadable or invalid.
    """
    world = load_world(scenario)
    return parameters_from_mapping(world.body, world.path)
