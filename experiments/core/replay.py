"""Replays: a world run under one policy and seed, reduced to yearly official statistics.

A replay runs a scenario under one policy and seed, with parameter values set on top, and sums
the weekly series by calendar year into the views official statistics report
(:func:`analysis.calibration.official.official_statistics`): initial screenings, victims
identified through the mechanism (true and false positives: officials do not know which is
which), investigations, prosecutions, the NGO yield, and prevalence. Calibration, sensitivity
analysis, the scale check and ``tipsim replay`` all run the model through here.

**Population scale.** Calibration and sensitivity analysis need hundreds of runs; a run at
``scale`` < 1 shrinks every count of people and capacity (migrants, officers, NGO screenings,
support sessions) by that factor and divides the counted flows by it again. Rates, shares and
probabilities are unchanged, so expected counts are (up to rounding of officer numbers) the
same; what is lost is precision: the Poisson noise of a rescaled count grows by
``1/sqrt(scale)`` (a single-digit yearly count such as official identifications is noisier at
scale 0.25 by a factor of two), and rare events (a prosecution) are coarser.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from analysis.calibration.official import official_statistics
from model import IdentificationModel
from model.calendar import WEEKS_PER_YEAR
from model.parameters import Parameters, nest_dotted
from model.states import Group

#: Parameters that count people or capacity, rescaled by the population scale.
SCALED_COUNTS: tuple[str, ...] = (
    "population.domestic_workers",
    "population.other_workers",
    "population.sex_workers",
    "population.irregular",
    "officers.immigration",
    "officers.police",
    "officers.labour",
    "officers.customs",
    "ngo.screenings_per_year",
    "support.weekly_sessions",
    "encounters.outbound_returnees_per_year",
)

def scale_world(params: Parameters, scale: float) -> Parameters:
    """Shrink every count of people and capacity by ``scale`` (rates are unchanged).

    Counts set by a dated timeline entry are scaled alike.

    Args:
        params: Parameters at full scale.
        scale: Factor in (0, 1]; 1 returns ``params`` unchanged.

    Returns:
        The scaled parameters; integer counts are rounded, and officers and support places
        keep at least 1 where there was at least 1.

    Raises:
        ValueError: If ``scale`` is not in (0, 1].
    """
    if not 0 < scale <= 1:
        raise ValueError(f"scale {scale}: must be > 0 and at most 1")
    if scale == 1:
        return params
    data = params.model_dump(mode="json")
    for path in SCALED_COUNTS:
        section, field = path.split(".")
        data[section][field] = _scaled(data[section][field], scale, section)
    for entry in data.get("timeline", []):
        for path in entry["set"]:
            if path in SCALED_COUNTS:
                entry["set"][path] = _scaled(entry["set"][path], scale, path.split(".")[0])
    return Parameters.model_validate(data)


def _scaled(full: float, scale: float, section: str) -> float:
    if not isinstance(full, int):
        return full * scale
    scaled = round(full * scale)
    return max(1, scaled) if full > 0 and section != "population" else scaled


def split_overrides(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Separate world parameters (``section.field``) from policy levers (``screening.*``)."""
    world = {k: v for k, v in values.items() if not k.startswith("screening.")}
    levers = {k: v for k, v in values.items() if k.startswith("screening.")}
    return world, levers


def replay(
    world: Parameters,
    *,
    policy: str = "detention_first",
    seed: Any = 0,
    years: int = 5,
    scale: float = 1.0,
    values: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Run a world under a policy and return its yearly official statistics.

    Args:
        world: The scenario's parameters at full scale.
        policy: Registry name of the screening policy.
        seed: Root seed (int or ``SeedSequence``); the same seed gives every policy the same
            world.
        years: Whole simulated years.
        scale: Population scale (see the module docstring); counts are rescaled to full scale.
        values: Parameter values set on top of the world, ``{"section.field": value}``. World
            values are set before scaling (so counts are scaled); ``screening.*`` levers are set
            last, over the policy's own defaults.

    Returns:
        One row per calendar year (see :func:`official_statistics`).
    """
    world_values, levers = split_overrides(dict(values or {}))
    params = world.updated(nest_dotted(world_values)) if world_values else world
    params = scale_world(params, scale)
    model = IdentificationModel(params, policy, rng=seed, **_keywords(levers))
    snapshots = []
    for year in range(int(years)):
        for _ in range(WEEKS_PER_YEAR):
            model.step()
        domestic = int(model.population.group_count[Group.DOMESTIC])
        snapshots.append(
            {
                "year": model.params.time.start_year + year,
                "domestic_prevalence": model.domestic_victims / domestic if domestic else 0.0,
            }
        )
    table = official_statistics(model.weekly(), scale)
    ends = pd.DataFrame(snapshots).set_index("year")
    return table.join(ends, how="left")


def _keywords(levers: Mapping[str, Any]) -> dict[str, Any]:
    return {key.replace(".", "__"): value for key, value in levers.items()}
