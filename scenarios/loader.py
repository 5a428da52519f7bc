"""Read scenario YAML files into validated ``Parameters``, with errors that help.

YAML is only ever read with ``yaml.safe_load``. Every problem in a file is reported at once,
each naming the file, the field path and what is allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from model.parameters import Parameters

SCENARIO_DIR = Path(__file__).resolve().parent
METADATA_KEYS = ("name", "description", "sources")
MAX_FILE_BYTES = 1_000_000


class ScenarioError(ValueError):
    """A scenario file that cannot be used; ``problems`` lists every reason."""

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        self.path = Path(path)
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{self.path}: {len(problems)} problem(s):\n{lines}")


def resolve_path(scenario: str | Path) -> Path:
    """Find a scenario file: a path as given, or a name in the shipped scenario library.

    Raises:
        ScenarioError: If no such file exists.
    """
    path = Path(scenario)
    if path.is_file():
        return path
    for candidate in (SCENARIO_DIR / path.name, SCENARIO_DIR / f"{path.name}.yaml"):
        if candidate.is_file():
            return candidate
    shipped = ", ".join(sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml")))
    raise ScenarioError(
        path, [f"no such file; give a path or one of the shipped scenarios: {shipped}"]
    )


def read_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML mapping safely.

    Raises:
        ScenarioError: If the file is too large, not YAML, or not a mapping.
    """
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ScenarioError(path, [f"file is {size} bytes; scenario files are limited to 1 MB"])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise ScenarioError(path, [f"{where}not valid YAML ({problem})"]) from None
    except UnicodeDecodeError:
        raise ScenarioError(path, ["not a UTF-8 text file"]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ScenarioError(path, ["the file must be a mapping of sections (key: value)"])
    return data


def validation_problems(err: ValidationError) -> list[str]:
    """Turn a pydantic error into one line per problem: field path and what is allowed."""
    problems = []
    for item in err.errors():
        field = ".".join(str(part) for part in item["loc"])
        kind = item["type"]
        ctx = item.get("ctx", {})
        if kind == "extra_forbidden":
            message = "unknown field"
        elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            message = f"{item['msg'].lower()} (got {item.get('input')!r})"
        else:
            message = f"{item['msg']} (got {item.get('input')!r})"
        if ctx.get("expected"):
            message += f"; allowed: {ctx['expected']}"
        problems.append(f"{field}: {message}")
    return problems


def parameters_from_mapping(data: dict[str, Any], path: Path | str) -> Parameters:
    """Validate a scenario mapping (metadata keys removed) into ``Parameters``.

    Raises:
        ScenarioError: Listing every invalid field.
    """
    body = {k: v for k, v in data.items() if k not in METADATA_KEYS}
    try:
        return Parameters.model_validate(body)
    except ValidationError as err:
        raise ScenarioError(path, validation_problems(err)) from None


def load_scenario(scenario: str | Path) -> Parameters:
    """Load a scenario file into validated parameters.

    Args:
        scenario: A path, or the name of a shipped scenario (e.g. ``hong_kong_baseline``).

    Returns:
        The parameters (defaults fill whatever the file does not set).

    Raises:
        ScenarioError: If the file is missing, unreadable or invalid.
    """
    path = resolve_path(scenario)
    return parameters_from_mapping(read_yaml(path), path)
