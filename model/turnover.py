"""Population turnover: departures at the end of a stay, and arrivals that replace them.

Each migrant's stay is drawn at arrival (geometric, mean from the group), so a week's departures
are read off the ``departure_week`` column instead of drawn. Migrants in custody or support do
not leave this way; they leave when their case ends. Arrivals bring each group back to its
target size, which grows by ``growth_per_year``; traffickers recruit among them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.population import draw_arrivals, draw_stay_weeks, group_sizes, offender_group
from model.states import Group, Stage
from model.trafficking import recruit

if TYPE_CHECKING:
    from model.model import IdentificationModel


def depart(model: IdentificationModel) -> None:
    """Migrants in the community whose stay has ended leave Hong Kong."""
    pop = model.population
    # Stays that have ended (free slots are never due), then who is in the community.
    due = np.flatnonzero(pop.departure_week <= model.week)
    leaving = due[pop.stage[due] == Stage.COMMUNITY]
    model.outcomes.add("departures", len(leaving))
    pop.release(leaving)


def target_sizes(model: IdentificationModel) -> np.ndarray:
    """Target number of migrants per group this week."""
    growth = (1.0 + model.params.population.growth_per_year) ** (model.week / 52.0)
    return np.rint(group_sizes(model.params) * growth).astype(np.int64)


def arrive(model: IdentificationModel) -> None:
    """New migrants arrive to bring each group to its target size; traffickers recruit."""
    pop, params, rng = model.population, model.params, model.rng_world
    missing = np.maximum(target_sizes(model) - pop.group_count, 0)
    if missing.sum() == 0:
        return
    groups = np.repeat(np.arange(len(Group), dtype=np.int8), missing)
    arrivals = draw_arrivals(rng, groups, params)
    idx = pop.settle(arrivals, model.week, draw_stay_weeks(rng, groups, params))
    pop.fear_punishment[idx] = np.where(
        offender_group(groups),
        params.behaviour.fear_punishment_offender,
        params.behaviour.fear_punishment_regular,
    )
    pop.ptsd[idx] = rng.random(len(idx)) < params.behaviour.non_victims_ptsd_share
    model.outcomes.add("arrivals", len(idx))
    recruit(model, idx)


def count_victims(model: IdentificationModel) -> tuple[int, int]:
    """Victims present, and victims among domestic workers present."""
    counts = model.population.victims_by_group
    return int(counts.sum()), int(counts[Group.DOMESTIC])
