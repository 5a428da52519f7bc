"""Learning from others' fates: fear and trust move when a contact is removed or supported.

The case for screening before detention is that treating victims as criminals leaves them
reluctant to come forward. Without this mechanism trust and fear are set from outside. With it
(``learning.enabled``, acting through the community ties of ``model/ties.py``), each migrant
tied to someone who meets a **fate** learns from it:

* a contact **removed** from Hong Kong (detained and deported, unidentified) is bad news: fear
  of punishment moves towards 1 and trust in the authorities towards 0;
* a contact **identified and supported** (shelter, support, a visa extension or change of
  employer for those who stay) is good news: fear of punishment moves towards 0 and trust
  towards 1.

The rule is exponential smoothing towards the signal: ``x <- x + a (signal - x)`` for each
fate witnessed, with ``a = learning.rate`` for good news and ``a = rate x negativity`` (capped
at 1) for bad news (vicarious bad experiences weigh more: Rosenbaum et al. 2005). Several fates
in one week apply in turn, bad news first (``x <- signal + (x - signal)(1 - a)^n``). What was
learnt fades: each week every learnt change of fear and trust decays towards the migrant's own
level (as other mechanisms set it) with a half-life of ``learning.half_life_weeks`` (effects of
events on trust in police are short-lived: Nägel & Nivette 2022).

Fear and trust then act where the model already uses them: trust scales complaints and
self-referral and enters disclosure (to officers and to NGOs) and witness cooperation; fear of
punishment enters disclosure. With learning on, a learnt rise of fear of punishment ``d`` also
scales complaints and self-referral by ``max(0, 1 - help_seeking_fear_weight x d)``.

State: the learnt changes (``fear``, ``trust``) of the migrants who learnt something recently,
a sparse list of slots with their ``person_id`` (a slot whose person has left is dropped).
Nothing is random. Off, nothing is stored and every hook returns its input unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np

from model import ties
from model.states import Stage

if TYPE_CHECKING:
    from model.model import IdentificationModel

#: A learnt change smaller than this is forgotten (its slot leaves the list).
NEGLIGIBLE = 1e-4


class Fate(IntEnum):
    """What happened to a contact."""

    REMOVED = 0
    SUPPORTED = 1


def smooth(values: np.ndarray, signal: float, rate: float, times: np.ndarray) -> np.ndarray:
    """``values`` after ``times`` steps of exponential smoothing towards ``signal``."""
    keep = (1.0 - min(max(rate, 0.0), 1.0)) ** times
    return signal + (values - signal) * keep


@dataclass
class Learnt:
    """The learnt changes of fear of punishment and trust, by slot (sparse)."""

    slots: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    person: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    fear: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float64))
    trust: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float64))

    def add(self, slots, person, fear, trust) -> None:
        """Add changes for ``slots`` (merged with their earlier ones)."""
        slots = np.concatenate([self.slots, slots])
        person = np.concatenate([self.person, person])
        fear = np.concatenate([self.fear, fear])
        trust = np.concatenate([self.trust, trust])
        # The same person twice: their changes add up (a slot reused by someone else was
        # dropped by ``current`` before).
        unique, first, inverse = np.unique(slots, return_index=True, return_inverse=True)
        self.slots = unique
        self.person = person[first]
        self.fear = np.bincount(inverse, weights=fear, minlength=len(unique))
        self.trust = np.bincount(inverse, weights=trust, minlength=len(unique))

    def current(self, person_id: np.ndarray, stage: np.ndarray) -> None:
        """Drop the changes of people who left or are in the authorities' hands.

        A left person's slot is free or reused; in custody or support their own experience
        sets their fear and trust.
        """
        here = (person_id[self.slots] == self.person) & (stage[self.slots] == Stage.COMMUNITY)
        if not here.all():
            self.keep(here)

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the rows of ``mask``."""
        self.slots, self.person = self.slots[mask], self.person[mask]
        self.fear, self.trust = self.fear[mask], self.trust[mask]

    def fear_of(self, slots: np.ndarray, person_id: np.ndarray) -> np.ndarray:
        """Learnt change of fear of punishment of ``slots`` (0 for those with none)."""
        out = np.zeros(len(slots))
        if len(self.slots) == 0 or len(slots) == 0:
            return out
        where = np.minimum(np.searchsorted(self.slots, slots), len(self.slots) - 1)
        hit = (self.slots[where] == slots) & (self.person[where] == person_id[slots])
        out[hit] = self.fear[where[hit]]
        return out


def learnt(model: IdentificationModel) -> Learnt | None:
    """The model's learnt changes, or ``None`` when learning is off."""
    if not model.params.learning.enabled:
        return None
    if getattr(model, "learnt", None) is None:
        model.learnt = Learnt()
    return model.learnt


def witness(model: IdentificationModel, slots: np.ndarray, fate: Fate) -> None:
    """The contacts of migrants ``slots`` learn of their ``fate`` (nothing when off)."""
    state = learnt(model)
    if state is None or len(slots) == 0:
        return
    _, contact = ties.contacts(model, slots)
    learn(model, contact, fate)


def learn(model: IdentificationModel, contacts: np.ndarray, fate: Fate) -> None:
    """Migrants ``contacts`` (a slot once per fate witnessed) learn of a ``fate``."""
    state = learnt(model)
    if state is None or len(contacts) == 0:
        return
    params = model.params.learning
    pop = model.population
    slots, times = np.unique(contacts, return_counts=True)
    slots, times = (
        slots[pop.stage[slots] == Stage.COMMUNITY],
        times[pop.stage[slots] == Stage.COMMUNITY],
    )
    bad = fate == Fate.REMOVED
    rate = min(1.0, params.rate * (params.negativity if bad else 1.0))
    fear_before = pop.fear_punishment[slots].astype(np.float64)
    trust_before = pop.trust[slots].astype(np.float64)
    fear_after = smooth(fear_before, 1.0 if bad else 0.0, rate, times)
    trust_after = smooth(trust_before, 0.0 if bad else 1.0, rate, times)
    pop.fear_punishment[slots] = fear_after
    pop.trust[slots] = trust_after
    state.current(pop.person_id, pop.stage)
    state.add(
        slots,
        pop.person_id[slots],
        pop.fear_punishment[slots] - fear_before,
        pop.trust[slots] - trust_before,
    )


def forget(model: IdentificationModel) -> None:
    """A week passes: learnt changes decay by the half-life (nothing when off)."""
    state = learnt(model)
    if state is None or len(state.slots) == 0:
        return
    pop = model.population
    state.current(pop.person_id, pop.stage)
    share = 1.0 - 0.5 ** (1.0 / model.params.learning.half_life_weeks)
    slots = state.slots
    fear_step, trust_step = state.fear * share, state.trust * share
    pop.fear_punishment[slots] = np.clip(pop.fear_punishment[slots] - fear_step, 0.0, 1.0)
    pop.trust[slots] = np.clip(pop.trust[slots] - trust_step, 0.0, 1.0)
    state.fear -= fear_step
    state.trust -= trust_step
    state.keep((np.abs(state.fear) >= NEGLIGIBLE) | (np.abs(state.trust) >= NEGLIGIBLE))


def help_seeking(model: IdentificationModel, slots: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Complaint and self-referral factor ``base`` of ``slots``, lowered by learnt fear."""
    state = learnt(model)
    if state is None or len(state.slots) == 0:
        return base
    rise = state.fear_of(slots, model.population.person_id)
    weight = model.params.learning.help_seeking_fear_weight
    return base * np.maximum(0.0, 1.0 - weight * rise)
