"""The outbound stream: Hong Kong residents trafficked abroad who return and are screened.

From 2022 Hong Kong residents lured abroad into scam compounds came back and were screened
by the police. They are residents, not migrants: they are not in the migrant population, do
not take officers' capacity for migrants and do not enter the model's detention, support or
justice pipeline. The stream is counted apart from the inbound pipeline (``outbound_screened``,
``outbound_identified``), so that official totals (inbound plus outbound, as officials report
them from 2022) and inbound counts can both be compared with published figures.

Each week a Poisson number of returnees with mean ``outbound_returnees_per_year / 52`` is
screened, and each is identified as a victim with ``outbound_identification_share``. The draws
come from the model's own ``outbound`` stream, so turning the stream on leaves every other
mechanism's random numbers as they were.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.calendar import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from model.model import IdentificationModel


def screen_returnees(model: IdentificationModel) -> None:
    """Screen this week's returnees and count those identified as victims."""
    e = model.params.encounters
    if e.outbound_returnees_per_year <= 0:
        return
    rng = model.rng_outbound
    screened = int(rng.poisson(e.outbound_returnees_per_year / WEEKS_PER_YEAR))
    identified = int(rng.binomial(screened, e.outbound_identification_share))
    model.outcomes.add("outbound_screened", screened)
    model.outcomes.add("outbound_identified", identified)
