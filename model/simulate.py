"""A plain function around the model for exploratory-modelling tools (EMA Workbench and alike)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from model.model import IdentificationModel
from model.parameters import Parameters


def simulate(
    scenario: str | Path | Parameters | None = None,
    policy: Any = "detention_first",
    seed: int | None = 0,
    years: float = 5.0,
    **overrides: Any,
) -> dict[str, Any]:
    """Run one simulation and return its one-row summary.

    Args:
        scenario: Scenario YAML path, ``Parameters``, or ``None`` for the Hong Kong baseline.
        policy: Registry name of a screening strategy, name of a shipped policy file
            (``scenarios/policies/*.yaml``) or path of a policy file.
        seed: Root seed; the same seed gives the same world under every policy.
        years: Simulated years.
        **overrides: ``section__field=value`` parameter overrides.

    Returns:
        Mapping of outcome name to value (see ``model.outcomes``).
    """
    model = IdentificationModel(scenario=scenario, policy=policy, rng=seed, **overrides)
    return model.run(years)
