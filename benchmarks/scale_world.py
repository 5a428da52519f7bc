"""Multiply a world's counts of people and capacity by a factor (also above 1), for benchmarks.

The calibration's ``experiments.core.replay.scale_world`` only shrinks (factor <= 1); the
benchmarks also grow the world (e.g. 1.6 million migrants) to show how cost grows with the
population. The same parameters are scaled: ``SCALED_COUNTS``, in the world and its timeline.
"""

from __future__ import annotations

from experiments.core.replay import SCALED_COUNTS
from model.parameters import Parameters


def scaled_world(params: Parameters, factor: float) -> Parameters:
    """Return ``params`` with every count of people and capacity multiplied by ``factor``."""
    if factor <= 0:
        raise ValueError(f"factor {factor}: must be > 0")
    data = params.model_dump(mode="json")

    def scaled(value, section):
        if not isinstance(value, int):
            return value * factor
        new = round(value * factor)
        return max(1, new) if value > 0 and section != "population" else new

    for path in SCALED_COUNTS:
        section, field = path.split(".")
        data[section][field] = scaled(data[section][field], section)
    for entry in data.get("timeline", []):
        for path in entry["set"]:
            if path in SCALED_COUNTS:
                entry["set"][path] = scaled(entry["set"][path], path.split(".")[0])
    return Parameters.model_validate(data)
