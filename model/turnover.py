"""Population turnover: departures at the end of a stay, and arrivals that replace them.

Each migrant's stay is drawn at arrival (geometric, mean from the group), so a week's departures
are read off the ``departure_week`` column (through the population's departure calendar)
instead of drawn. Migrants in custody or support do not leave this way; they leave when their
case ends. Arrivals bring each group back to its target size, which grows by ``growth_per_year``
compounded from the date of each change (see :class:`TargetSizes`); traffickers recruit among
them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model import ties
from model.calendar import WEEKS_PER_YEAR
from model.dice import Decision
from model.population import (
    arrival_ids,
    draw_arrivals,
    draw_stay_weeks,
    group_sizes,
    offender_group,
)
from model.states import Group, Stage
from model.trafficking import recruit
from result_folder.outcomes import OUTCOME

if TYPE_CHECKING:
    from model.model import IdentificationModel
    from model.parameters import Parameters


@dataclass
class TargetSizes:
    """Target size of each group, grown from the date of each change of the growth rate.

    Each group's target is ``size x anchor_factor x (1 + g) ** ((week - anchor_week) / 52)``
    with ``g`` the growth rate in effect. When a timeline changes ``g`` at week ``w``, the
    factor reached at ``w`` under the old rate becomes the new anchor, so growth compounds
    piecewise: 2 years at 6.5% then 1 at 3.7% give ``1.065 ** 2 * 1.037``. When a timeline sets
    a group's size directly, that group's target is the new size at that week (anchor factor 1).

    Attributes:
        sizes: The group sizes last given by the parameters.
        growth: The growth rate in effect (share per year).
        anchor_week: Per group, the week from which ``growth`` compounds.
        anchor_factor: Per group, the growth factor reached at ``anchor_week``.
    """

    sizes: np.ndarray
    growth: float
    anchor_week: np.ndarray
    anchor_factor: np.ndarray

    @classmethod
    def start(cls, params: Parameters) -> TargetSizes:
        """Targets at week 0: the initial sizes."""
        sizes = group_sizes(params)
        count = len(sizes)
        return cls(
            sizes=sizes,
            growth=params.population.growth_per_year,
            anchor_week=np.zeros(count),
            anchor_factor=np.ones(count),
        )

    def factor(self, week: int) -> np.ndarray:
        """Growth factor of each group at ``week`` under the rate now in effect."""
        return self.anchor_factor * (1.0 + self.growth) ** (
            (week - self.anchor_week) / WEEKS_PER_YEAR
        )

    def at(self, params: Parameters, week: int) -> np.ndarray:
        """Target number of migrants per group at ``week`` (re-anchored on any change)."""
        growth = params.population.growth_per_year
        if growth != self.growth:
            self.anchor_factor = self.factor(week)
            self.anchor_week = np.full(len(self.sizes), float(week))
            self.growth = growth
        sizes = group_sizes(params)
        reset = sizes != self.sizes
        if reset.any():
            self.anchor_factor = np.where(reset, 1.0, self.anchor_factor)
            self.anchor_week = np.where(reset, float(week), self.anchor_week)
            self.sizes = sizes
        return np.rint(sizes * self.factor(week)).astype(np.int64)


def depart(model: IdentificationModel) -> None:
    """Migrants in the community whose stay has ended leave Hong Kong."""
    pop = model.population
    # Stays that have ended (free slots are never due), then who is in the community.
    due = pop.due_to_leave(model.week)
    leaving = due[pop.stage[due] == Stage.COMMUNITY.value]
    model.outcomes.add(OUTCOME.departures, len(leaving))
    model.fates.left(leaving)
    pop.release(leaving)


def target_sizes(model: IdentificationModel) -> np.ndarray:
    """Target number of migrants per group this week (growth compounded from each change)."""
    if getattr(model, "population_targets", None) is None:
        model.population_targets = TargetSizes.start(model.params)
    # Growth starts at week 0: during a warm-up (negative weeks) targets are the initial sizes.
    return model.population_targets.at(model.params, max(model.week, 0))


def settle_arrivals(model: IdentificationModel, groups: np.ndarray, initial: bool = False):
    """Settle migrants of ``groups`` (ascending) arriving this week; returns their slots.

    Each person's identity (``population.arrival_ids``) keys the dice of its traits, stay and
    weekly events, so the same person arrives with the same traits under every policy.
    """
    pop, params, dice = model.population, model.params, model.dice
    ids = arrival_ids(model.week, groups, initial)
    arrivals = draw_arrivals(dice, ids, groups, params)
    idx = pop.settle(arrivals, model.week, draw_stay_weeks(dice, ids, groups, params), ids)
    pop.fear_punishment[idx] = np.where(
        offender_group(groups),
        params.behaviour.fear_punishment_offender,
        params.behaviour.fear_punishment_regular,
    )
    pop.ptsd[idx] = dice.bernoulli(Decision.PTSD, ids, params.behaviour.non_victims_ptsd_share)
    model.hazards.start(idx, model.week)
    return idx


def arrive(model: IdentificationModel) -> None:
    """New migrants arrive to bring each group to its target size; traffickers recruit."""
    pop = model.population
    missing = np.maximum(target_sizes(model) - pop.group_count, 0)
    if missing.sum() == 0:
        return
    groups = np.repeat(np.arange(len(Group), dtype=np.int8), missing)
    idx = settle_arrivals(model, groups)
    model.outcomes.add(OUTCOME.arrivals, len(idx))
    recruit(model, idx)
    ties.join(model, idx)


def count_victims(model: IdentificationModel) -> tuple[int, int]:
    """Victims present, and victims among domestic workers present."""
    counts = model.population.victims_by_group
    return int(counts.sum()), int(counts[Group.DOMESTIC])
