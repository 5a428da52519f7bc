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
columns over slots with the ``person_id`` each change belongs to, and the list of slots
holding one (a slot whose person has left is dropped).
Nothing is random. Off, nothing is stored and every hook returns its input unchanged.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from model import ties
from model.arrays import SlotColumns
from model.states import Stage

if TYPE_CHECKING:
    from model.model import IdentificationModel

#: A learnt change smaller than this is forgotten (its slot leaves the list).
NEGLIGIBLE = 1e-3


class Fate(IntEnum):
    """What happened to a contact."""

    REMOVED = 0
    SUPPORTED = 1


def smooth(values: np.ndarray, signal: float, rate: float, times: np.ndarray) -> np.ndarray:
    """``values`` after ``times`` steps of exponential smoothing towards ``signal``."""
    keep = (1.0 - min(max(rate, 0.0), 1.0)) ** times
    return signal + (values - signal) * keep


class Learnt(SlotColumns):
    """The learnt changes of fear of punishment and trust, by slot.

    Dense columns over slots (with the ``person_id`` each change belongs to, so a reused slot
    starts afresh) and the list of slots that hold a change (each once).
    """

    COLUMNS: ClassVar[dict[str, tuple[Any, Any]]] = {
        "fear": (np.float64, 0.0),
        "trust": (np.float64, 0.0),
        "person": (np.int64, -1),
        "listed": (bool, False),
    }
    fear: np.ndarray
    trust: np.ndarray
    person: np.ndarray
    listed: np.ndarray

    def __init__(self, capacity: int) -> None:
        super().__init__(capacity)
        self.slots = np.zeros(0, dtype=np.int64)

    def record(self, slots, person, fear, trust) -> None:
        """Add changes for distinct ``slots`` (to their earlier ones if the same person)."""
        stale = self.person[slots] != person
        self.fear[slots[stale]] = 0.0
        self.trust[slots[stale]] = 0.0
        self.fear[slots] += fear
        self.trust[slots] += trust
        self.person[slots] = person
        new = slots[~self.listed[slots]]
        self.listed[new] = True
        self.slots = np.concatenate([self.slots, new])

    def settle(self, person_id: np.ndarray, stage: np.ndarray) -> None:
        """Forget the changes of people who left or are in custody or support.

        In custody or support their own experience sets their fear and trust.
        """
        slots = self.slots
        here = (self.person[slots] == person_id[slots]) & (stage[slots] == Stage.COMMUNITY)
        self.drop(slots[~here])
        self.slots = slots[here]

    def drop(self, slots: np.ndarray) -> None:
        """Forget the changes of ``slots``."""
        self.fear[slots] = 0.0
        self.trust[slots] = 0.0
        self.person[slots] = -1
        self.listed[slots] = False

    def fear_of(self, slots: np.ndarray, person_id: np.ndarray) -> np.ndarray:
        """Learnt change of fear of punishment of ``slots`` (0 for those with none)."""
        return np.where(self.person[slots] == person_id[slots], self.fear[slots], 0.0)


def learnt(model: IdentificationModel) -> Learnt | None:
    """The model's learnt changes, or ``None`` when learning is off."""
    return Learnt.of(model, "learnt", model.params.learning.enabled)


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
    state.record(
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
    state.settle(pop.person_id, pop.stage)
    share = 1.0 - 0.5 ** (1.0 / model.params.learning.half_life_weeks)
    slots = state.slots
    fear_step, trust_step = state.fear[slots] * share, state.trust[slots] * share
    pop.fear_punishment[slots] = np.clip(pop.fear_punishment[slots] - fear_step, 0.0, 1.0)
    pop.trust[slots] = np.clip(pop.trust[slots] - trust_step, 0.0, 1.0)
    state.fear[slots] -= fear_step
    state.trust[slots] -= trust_step
    negligible = (np.abs(state.fear[slots]) < NEGLIGIBLE) & (
        np.abs(state.trust[slots]) < NEGLIGIBLE
    )
    state.drop(slots[negligible])
    state.slots = slots[~negligible]


def help_seeking(model: IdentificationModel, slots: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Complaint and self-referral factor ``base`` of ``slots``, lowered by learnt fear."""
    state = learnt(model)
    if state is None or len(state.slots) == 0:
        return base
    rise = state.fear_of(slots, model.population.person_id)
    weight = model.params.learning.help_seeking_fear_weight
    return base * np.maximum(0.0, 1.0 - weight * rise)
