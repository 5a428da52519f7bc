"""Traffickers adapt to screening at contact: coaching and threats, moving victims out of reach.

Today traffickers in the model answer only investigations and identifications (a higher
threat, ``model.trafficking.retaliate``; less recruiting while investigated). Screening at
first contact tells a trafficker that the authorities now question the people they meet. With
this mechanism (``adaptation.enabled``), whenever one of a trafficker's victims is screened
at contact (at the arrest scene, or at an office or visa interview and let go; not in
detention), the trafficker notices with ``adaptation.notice_probability`` and then:

* **coaches and threatens** its victims: each victim it controls fears retaliation more by
  ``adaptation.coaching_fear`` (capped at 1), which lowers disclosure and help-seeking (Nigerian
  victims' oaths never to report; scripted accounts given to Immigration by agency-run rings);
* with ``adaptation.move_probability`` **moves them out of exposed settings** (street sex
  work, raided venues) for ``adaptation.hide_weeks``: while hidden, a victim cannot be caught
  in a raid (displacement after enforcement is large: Cyprus after the artiste visa, the move
  back to the street after FOSTA).

Convicted traffickers are replaced with ``traffickers.replacement_probability`` (already in
the model, ``model.justice``). Every draw is keyed by the trafficker's id and the week
(``model.dice``). Off, nothing is drawn or stored and the raid eligibility is unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from model.arrays import SlotColumns
from model.dice import Decision
from model.states import Stage
from result_folder.outcomes import OUTCOME

if TYPE_CHECKING:
    from model.model import IdentificationModel


class Hiding(SlotColumns):
    """Victims moved out of exposed settings: until which week, by slot (person-checked)."""

    COLUMNS: ClassVar[dict[str, tuple[Any, Any]]] = {
        "until": (np.int32, -1),
        "person": (np.int64, -1),
    }
    until: np.ndarray
    person: np.ndarray


def hiding(model: IdentificationModel) -> Hiding | None:
    """The model's hidden victims, or ``None`` when adaptation is off."""
    return Hiding.of(model, "hiding", model.params.adaptation.enabled)


def screened_at_contact(model: IdentificationModel, slots: np.ndarray) -> None:
    """Migrants ``slots`` were screened at contact: their traffickers may adapt."""
    table = hiding(model)
    if table is None or len(slots) == 0:
        return
    pop, params = model.population, model.params.adaptation
    owners = pop.trafficker[slots[pop.controlled[slots]]]
    owners = np.unique(owners[owners >= 0])
    if len(owners) == 0:
        return
    noticed = owners[
        model.dice.bernoulli(
            Decision.TRAFFICKER_NOTICES, owners, params.notice_probability, model.week
        )
    ]
    moving = model.dice.bernoulli(
        Decision.TRAFFICKER_MOVES, noticed, params.move_probability, model.week
    )
    for owner, moves in zip(noticed, moving, strict=True):
        victims = pop.controlled_by(int(owner))
        victims = victims[pop.stage[victims] == Stage.COMMUNITY]
        pop.fear_retaliation[victims] = np.minimum(
            1.0, pop.fear_retaliation[victims] + params.coaching_fear
        )
        model.outcomes.add(OUTCOME.victims_coached, len(victims))
        if moves:
            table.until[victims] = model.week + round(params.hide_weeks)
            table.person[victims] = pop.person_id[victims]
            model.outcomes.add(OUTCOME.victims_moved, len(victims))


def exposed(model: IdentificationModel, slots: np.ndarray) -> np.ndarray | bool:
    """Whether migrants ``slots`` can be caught in a raid (``True`` when adaptation is off)."""
    table = hiding(model)
    if table is None:
        return True
    pop = model.population
    hidden = (table.until[slots] > model.week) & (table.person[slots] == pop.person_id[slots])
    return ~hidden
