"""Running the model: single runs, scenario batches, calibration, sensitivity, and the CLI.

Every driver that builds and steps the model lives here; ``analysis`` only reads what they
write. ``ScenarioModel`` and ``simulate`` are loaded on first use, so that the command line
starts without importing Mesa.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ScenarioModel", "simulate"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from experiments.core import scenario_model

        return getattr(scenario_model, name)
    raise AttributeError(f"module 'experiments' has no attribute {name!r}")
