"""Parameter overrides from the command line: ``--set section.field=value``."""

from __future__ import annotations

from typing import Any

import yaml

from experiments.core.errors import UserError


def parse_assignments(assignments: list[str] | None) -> dict[str, Any]:
    """Parse ``section.field=value`` strings; values are read as YAML scalars.

    Returns:
        Flat mapping of dotted field path to value (typed later through the schema).

    Raises:
        UserError: If an assignment has no ``=`` or no field path.
    """
    parsed: dict[str, Any] = {}
    for text in assignments or []:
        path, sep, raw = text.partition("=")
        path = path.strip()
        if not sep or not path or "." not in path:
            raise UserError(
                f"--set {text!r}: expected section.field=value, "
                "e.g. --set screening.tier1_sensitivity=0.8"
            )
        try:
            value = yaml.safe_load(raw) if raw.strip() else raw
        except yaml.YAMLError:
            value = raw
        parsed[path] = value
    return parsed
