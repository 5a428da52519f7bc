"""Sex-trafficking investigations opened on intelligence: the police go after an operator.

Each week ``encounters.sex_trafficking_investigations_per_year`` / 52 investigations are
opened on average (a Poisson number, the same in every run sharing a seed). They target the
sex-trade operators not already under investigation with the lowest numbers of the week
(``model.rationing.kept_by_priority``), and each opens the case against one (no witness yet). The
police find the victims the operator controls who are at large. Each is identified on the
investigation's evidence with ``encounters.investigation_identification_probability``,
whatever the screening policy; the others are met as sex workers caught in a raid on vice
(``Route.INVESTIGATION``, an offender route), to be screened or detained as the policy does
with such contacts.

Every number is keyed by the operator or victim and the week (``model.dice``), so these
investigations change no other mechanism's random numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from model import justice
from model.dice import Decision
from model.rationing import kept_by_priority
from model.states import LegalState, Route, TraffickerKind
from result_folder.outcomes import OUTCOME

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
    e, dice, week = model.params.encounters, model.dice, model.week
    none = np.empty(0, dtype=np.int64)
    if e.sex_trafficking_investigations_per_year <= 0.0:
        return none
    due = dice.poisson(
        Decision.INVESTIGATIONS_DUE, e.sex_trafficking_investigations_per_year / 52.0, week=week
    )
    if due == 0:
        return none
    free = operators_free(model)
    if len(free) == 0:
        return none
    # The operators with the lowest numbers of the week: one more or fewer free operator
    # changes the week's targets only if it is among them.
    uids = model.trafficker_table.uid[free]
    targets = free[kept_by_priority(dice, Decision.INVESTIGATION_TARGET, uids, due, week)]

    pop = model.population
    found = [none]
    for index in targets:
        victims = pop.controlled_by(int(index))
        found.append(victims[at_large(victims)])
        justice.open_investigation(model, model.traffickers[int(index)], witness=False)
    victims = np.sort(np.concatenate(found))  # an operator's victims are its own: no repeats
    evidence = dice.bernoulli(
        Decision.EVIDENCE,
        pop.person_id[victims],
        e.investigation_identification_probability,
        week,
    )
    model.outcomes.add(OUTCOME.victims_found_in_investigations, len(victims))
    model.outcomes.add(OUTCOME.identified_in_investigations, int(np.count_nonzero(evidence)))
    model.custody.identify(victims[evidence], Route.INVESTIGATION)
    return victims[~evidence]
