"""The outbound stream: Hong Kong residents trafficked abroad who return and are screened.

From 2022 Hong Kong residents lured abroad into scam compounds came back and were screened
by the police. They are residents, not migrants: they are not in the migrant population, do
not take officers' capacity for migrants and do not enter the model's detention, support or
justice pipeline. The stream is counted apart from the inbound pipeline (``outbound_screened``,
``outbound_identified``), so that official totals (inbound plus outbound, as officials report
them from 2022) and inbound counts can both be compared with published figures.

Each week a Poisson number of returnees with mean ``outbound_returnees_per_year / 52`` is
screened, and each is identified as a victim with ``outbound_identification_share``. The numbers
are keyed by the week and the returnee's number in it (``model.dice``), so turning the stream
on leaves every other mechanism's random numbers as they were.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.calendar import WEEKS_PER_YEAR
from model.dice import Decision
from result_folder.outcomes import OUTCOME

if TYPE_CHECKING:
    from model.model import IdentificationModel


def screen_returnees(model: IdentificationModel) -> None:
    """Screen this week's returnees and count those identified as victims."""
    e = model.params.encounters
    if e.outbound_returnees_per_year <= 0:
        return
    dice = model.dice
    mean = e.outbound_returnees_per_year / WEEKS_PER_YEAR
    screened = dice.poisson(Decision.RETURNEES, mean, week=model.week)
    returnees = np.arange(screened)  # the week's returnees, numbered
    share = e.outbound_identification_share
    identified = int(
        np.count_nonzero(dice.bernoulli(Decision.RETURNEE_IDENTIFIED, returnees, share, model.week))
    )
    model.outcomes.add(OUTCOME.outbound_screened, screened)
    model.outcomes.add(OUTCOME.outbound_identified, identified)
