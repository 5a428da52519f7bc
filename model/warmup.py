"""The warm-up: weeks simulated before the first reported week, so stocks start near equilibrium.

The model starts with every migrant in the community: no overstayers caught yet, nobody in
detention or support, no open case. With ``time.warmup_years`` > 0 the model first runs that
many years at negative week numbers (the initial population is stamped as arriving before the
warm-up), under the start-of-run world (timeline entries dated after the start fire at their
own week, after the warm-up; growth starts at week 0) and the run's own policy, with the run's
dice (``model.dice``; warm-up weeks are negative, so their numbers are their own). Then the
counts start afresh: the summary, the weekly series and the victims met (``model.fates``)
cover weeks 0 onwards only, and the victims present at week 0 are the run's initial victims.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mesa import DataCollector

from model.fates import Fates
from model.outcomes import Outcomes
from model.population import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from model.model import IdentificationModel
    from model.parameters import Parameters


def warmup_weeks(params: Parameters) -> int:
    """Number of warm-up weeks: ``time.warmup_years`` x 52, rounded."""
    return round(params.time.warmup_years * WEEKS_PER_YEAR)


def warm_up(model: IdentificationModel) -> None:
    """Run the warm-up weeks (``model.week`` < 0), then reset the counts at week 0."""
    if model.week >= 0:
        return
    while model.week < 0:
        model.step()
    model.outcomes = Outcomes()
    model.fates = Fates(model)
    model.victims_initial = model.victims_present
    model.datacollector = DataCollector(model_reporters=model.outcomes.reporters())
    model.steps = 0
