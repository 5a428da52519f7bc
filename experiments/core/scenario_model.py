"""The model with plain keyword arguments, for Mesa tools and exploratory-modelling frameworks.

:class:`ScenarioModel` is :class:`model.IdentificationModel` taking scenario files and shipped
names; ``mesa.batch_run``, Mesa's ``SolaraViz`` and EMA Workbench drive it with plain keyword
arguments (``screening__tier1_sensitivity=0.8``). :func:`simulate` is one run as a function.
Both resolve the world and policy once (``scenarios.resolve.resolve_run``) and hand the model
the result.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from model.model import IdentificationModel
from model.parameters import Parameters
from model.run_spec import nested_overrides
from scenarios.resolve import resolve_run


class ScenarioModel(IdentificationModel):
    """The identification model built from a scenario and a policy given by file or name.

    Args:
        scenario: A scenario YAML path, a shipped scenario's name, ``Parameters``, or ``None``
            for the embedded Hong Kong baseline.
        policy: A strategy's registry name, a shipped policy file's name or a policy file path.
        rng: Seed (int), ``numpy.random.SeedSequence`` or ``None``.
        years: Stop after this many years; ``None`` runs until stopped.
        overrides: Parameter overrides, ``{"section.field": value}``.
        **kwargs: More overrides as ``section__field=value``; they win over ``overrides``.
    """

    def __init__(
        self,
        scenario: str | Path | Parameters | None = None,
        policy: Any = "detention_first",
        rng: Any = None,
        years: float | None = None,
        overrides: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        spec = resolve_run(scenario, policy, nested_overrides(overrides, kwargs))
        super().__init__(spec, rng=rng, years=years)


def simulate(
    scenario: str | Path | Parameters | None = None,
    policy: Any = "detention_first",
    seed: int | None = 0,
    years: float = 5.0,
    **overrides: Any,
) -> dict[str, Any]:
    """Run one simulation and return its one-row summary.

    Args:
        scenario: Scenario YAML path, shipped name, ``Parameters``, or ``None`` for the Hong
            Kong baseline.
        policy: Registry name of a screening strategy, name of a shipped policy file
            (``scenarios/policies/*.yaml``) or path of a policy file.
        seed: Root seed; the same seed gives the same world under every policy.
        years: Simulated years.
        **overrides: ``section__field=value`` parameter overrides.

    Returns:
        Mapping of outcome name to value (see ``model.outcomes``).
    """
    model = IdentificationModel(resolve_run(scenario, policy, overrides), rng=seed)
    return model.run(years)
