"""Sex-trafficking investigations opened on intelligence: the police go after an operator.

Each week ``encounters.sex_trafficking_investigations_per_year`` / 52 investigations are
opened on average (a Poisson number). Each targets a sex-trade operator drawn at random from
those not already under investigation, and opens the case against it (no witness yet). The
police find the victims the operator controls who are at large. Each is identified on the
investigation's evidence with ``encounters.investigation_identification_probability``,
whatever the screening policy; the others are met as sex workers caught in a raid on vice
(``Route.INVESTIGATION``, an offender route), to be screened or detained as the policy does
with such contacts.

Nothing is drawn in a week in which no investigation is due, so a world without these
investigations draws exactly the random numbers it drew before they existed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from model import justice
from model.states import LegalState, Route, TraffickerKind

if TYPE_CHECKING:
    from model.model import IdentificationModel


def operators_free(model: IdentificationModel) -> np.ndarray:
    """Ids of the sex-trade operators at work and not under investigation, lowest first."""
    table = model.trafficker_table
    ids = table.ids_of_kind(TraffickerKind.OPERATOR)
    return ids[table.legal_state[ids] == LegalState.ACTIVE.value]


def investigate_operators(
    model: IdentificationModel, at_large: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """Open this week's sex-trafficking investigations and find the operators' victims.

    Victims identified on the evidence are moved into support here (``custody.identify``,
    counted in ``identified_in_investigations``).

    Args:
        model: The model.
        at_large: Maps slots to a mask of those that can be met this week (in the community
            and not met by another route).

    Returns:
        Slots of the victims found but not identified on the evidence, sorted: the week's
        ``Route.INVESTIGATION`` contacts.
    """
    e, rng = model.params.encounters, model.rng_encounter
    none = np.empty(0, dtype=np.int64)
    if e.sex_trafficking_investigations_per_year <= 0.0:
        return none
    due = int(rng.poisson(e.sex_trafficking_investigations_per_year / 52.0))
    if due == 0:
        return none
    free = operators_free(model)
    if len(free) == 0:
        return none
    targets = np.sort(rng.choice(free, size=min(due, len(free)), replace=False))
    pop = model.population
    found = [none]
    for index in targets:
        victims = pop.controlled_by(int(index))
        found.append(victims[at_large(victims)])
        justice.open_investigation(model, model.traffickers[int(index)], witness=False)
    victims = np.sort(np.concatenate(found))  # an operator's victims are its own: no repeats
    evidence = rng.random(len(victims)) < e.investigation_identification_probability
    model.outcomes.add("victims_found_in_investigations", len(victims))
    model.outcomes.add("identified_in_investigations", int(np.count_nonzero(evidence)))
    model.custody.identify(victims[evidence], Route.INVESTIGATION)
    return victims[~evidence]
