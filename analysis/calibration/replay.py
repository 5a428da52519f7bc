"""One replay run reduced to yearly official statistics.

A replay runs a scenario under one policy and seed, with parameter values set on top, and sums
the weekly series by calendar year into the views official statistics report: initial
screenings, victims identified through the mechanism (true and false positives: officials do
not know which is which), investigations, prosecutions, the NGO yield, and prevalence.

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

from model import IdentificationModel
from model.parameters import Parameters, nest_dotted
from model.states import Group

WEEKS_PER_YEAR = 52

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
)

#: Weekly flows summed by year in the official-statistics view.
YEARLY_FLOWS: tuple[str, ...] = (
    "encountered",
    "offenders_encountered",
    "victims_encountered",
    "initial_screenings",
    "victims_screened",
    "victims_identified",
    "false_positives",
    "victims_detained",
    "victims_removed_unidentified",
    "witnesses_cooperating",
    "investigations",
    "prosecutions",
    "convictions",
    "ngo_screened",
    "ngo_victims_identified",
    "ngo_referrals",
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


def official_statistics(weekly: pd.DataFrame, scale: float = 1.0) -> pd.DataFrame:
    """Sum a run's weekly series by calendar year into official-statistics views.

    Args:
        weekly: The model's weekly series (``model.weekly()``), with a ``year`` column.
        scale: Population scale of the run; counts are divided by it.

    Returns:
        Indexed by ``year``: the yearly flows of :data:`YEARLY_FLOWS` (rescaled), then
        ``identified_mechanism`` (true plus false positives), ``ngo_yield`` (NGO-identified
        victims per migrant screened by NGOs), ``victims_present`` and ``population`` (yearly
        means, rescaled) and ``prevalence`` (victims present per migrant present).
    """
    flows = weekly.groupby("year")[list(YEARLY_FLOWS)].sum() / scale
    stocks = weekly.groupby("year")[["victims_present", "population_size"]].mean() / scale
    table = flows.copy()
    table["identified_mechanism"] = flows["victims_identified"] + flows["false_positives"]
    table["ngo_yield"] = (flows["ngo_victims_identified"] / flows["ngo_screened"]).fillna(0.0)
    table["victims_present"] = stocks["victims_present"]
    table["population"] = stocks["population_size"]
    table["prevalence"] = stocks["victims_present"] / stocks["population_size"]
    table.index = table.index.astype(int)
    return table


def _keywords(levers: Mapping[str, Any]) -> dict[str, Any]:
    return {key.replace(".", "__"): value for key, value in levers.items()}
