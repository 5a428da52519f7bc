"""The screening-policy interface and the building blocks policies are made of.

A policy decides, for each batch of migrants the authorities meet, whether to screen them now,
whether to detain them, and whether detainees are screened later. It acts only through the
building blocks here (which screen, detain and identify through ``model.screening`` and
``model.custody``, counting every outcome), so a new policy is one small module plus one line in
the registry.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from model import adaptation
from model.arrays import codes_present
from model.dice import Decision
from model.disclosure import Place
from model.parameters import ScreeningLevers
from model.states import Agency, Route

if TYPE_CHECKING:
    from model.encounters import Contacts
    from model.model import IdentificationModel


#: Dice draw counter of a screening in detention (0 at contact).
DETENTION_DRAW = 1


@dataclass(frozen=True)
class ScreeningOutcome:
    """Result of screening a batch (masks aligned with the batch's slots)."""

    screened: np.ndarray
    identified: np.ndarray


class ScreeningStrategy(ABC):
    """Base class of screening policies.

    Class attributes:
        name: Registry name, used in YAML and on the command line.
        summary: One line on what the policy does.
        lever_defaults: Values of ``screening`` levers this policy sets unless the user does.
    """

    name: ClassVar[str]
    summary: ClassVar[str]
    lever_defaults: ClassVar[dict[str, Any]] = {}

    def __init__(self, model: IdentificationModel) -> None:
        self.model = model

    @property
    def levers(self) -> ScreeningLevers:
        """The policy's current lever settings."""
        return self.model.params.screening

    # ----------------------------------------------------------------- decisions
    @abstractmethod
    def at_contact(self, contacts: Contacts) -> None:
        """Handle migrants just met by the authorities (screen, detain, identify or release)."""

    def screens_at_contact(self, contacts: Contacts) -> bool:
        """Whether this policy screens ``contacts`` at contact (not later, in detention).

        The week's screening places are shared at random among the contacts the policy
        screens at contact (:meth:`ScreeningService.ration_contacts`). Override it when
        :meth:`at_contact` leaves a route unscreened. With the default, every route, no place
        is lost (places kept for contacts the policy does not screen at contact stay free for
        returnees and detainees), but the contacts it does screen share fewer places.
        """
        return True

    @abstractmethod
    def in_detention(self, detainees: np.ndarray) -> None:
        """Handle detainees whose removal is not due this week.

        Args:
            detainees: Their slots (int64, read-only), in the order their cases were opened.
                Each case's record is in the columns of ``self.model.custody.cases``
                (``route``, ``since_week``, ``screened``, ``witness``, indexed by slot), the
                rest of the migrant's state in ``self.model.population``.
        """

    # ----------------------------------------------------------------- building blocks
    def screen(
        self,
        slots: np.ndarray,
        agency: Agency,
        *,
        supported: bool,
        place: Place,
        ngo_accompanied: bool = False,
    ) -> ScreeningOutcome:
        """Tier-1 indicator screening, then tier-2 in-depth screening of those flagged.

        The policy chooses the setting of the interviews (where, whether support is asked
        for); the disclosure model holds what each setting does. At the arrest scene a victim
        still under the trafficker's control is interviewed with the trafficker present.

        Args:
            slots: Migrants to screen.
            agency: Agency whose officers screen first.
            supported: Whether tier-2 sessions draw on support capacity.
            place: Where the interviews are held.
            ngo_accompanied: Whether a referring NGO accompanies them (the interview is held
                with the NGO, and counts as support).

        Returns:
            Who was screened (an officer was free) and who was identified.
        """
        service = self.model.screening
        where = Place.NGO if ngo_accompanied else place
        # In detention a migrant may be screened in the week it was met: other numbers.
        draw = DETENTION_DRAW if where == Place.DETENTION else 0
        tier1 = service.tier1(slots, agency, draw)
        if place != Place.DETENTION:
            adaptation.screened_at_contact(self.model, slots[tier1.screened])
        identified = np.zeros(len(slots), dtype=bool)
        flagged = slots[tier1.flagged]
        present = (
            self.model.population.controlled[flagged] if where == Place.ARREST_SCENE else False
        )
        identified[tier1.flagged] = service.tier2(
            flagged,
            tier1.quality[tier1.flagged],
            supported or ngo_accompanied,
            where,
            present,
            draw,
        )
        return ScreeningOutcome(screened=tier1.screened, identified=identified)

    def screen_then_release(self, contacts: Contacts) -> None:
        """Screen non-offenders at contact; identify the positives and let the others go."""
        outcome = self.screen(
            contacts.slots,
            contacts.agency,
            supported=self.levers.tier2_support,
            place=Place.ARREST_SCENE if contacts.offender else Place.OFFICE,
            ngo_accompanied=contacts.ngo_accompanied,
        )
        custody = self.model.custody
        custody.identify(contacts.slots[outcome.identified], contacts.route)
        custody.release(contacts.slots[~outcome.identified])

    def screen_then_detain(self, contacts: Contacts) -> None:
        """Screen offenders at the arrest scene; identify the positives and detain the others.

        Offenders for whom no officer was free are detained unscreened (and may be screened
        later, in detention).
        """
        outcome = self.screen(
            contacts.slots,
            contacts.agency,
            supported=self.levers.tier2_support,
            place=Place.ARREST_SCENE,
        )
        custody = self.model.custody
        custody.identify(contacts.slots[outcome.identified], contacts.route)
        negative = ~outcome.identified
        custody.detain(contacts.slots[negative], contacts.route)
        custody.cases.screened[contacts.slots[negative]] = outcome.screened[negative]

    def screen_some_detainees(self, detainees: np.ndarray) -> None:
        """Give unscreened detainees an indicator screening with the weekly probability.

        One uniform per unscreened detainee, keyed by the person and week (``model.dice``);
        those identified are moved into support a route at a time (lowest ``Route`` first).

        Args:
            detainees: Slots of detainees, in case-opening order (as ``in_detention`` gets them).
        """
        cases = self.model.custody.cases
        detainees = np.asarray(detainees, dtype=np.int64)
        waiting = detainees[~cases.screened[detainees]]
        if len(waiting) == 0:
            return
        model = self.model
        chosen = model.dice.bernoulli(
            Decision.DETAINEE_SCREENING,
            model.population.person_id[waiting],
            self.levers.offender_screening_probability,
            model.week,
        )
        slots = waiting[chosen]
        if len(slots) == 0:
            return
        outcome = self.screen(
            slots, Agency.IMMIGRATION, supported=self.levers.tier2_support, place=Place.DETENTION
        )
        cases.screened[slots] = outcome.screened
        routes = cases.route[slots]
        for route in codes_present(routes):
            identified = slots[outcome.identified & (routes == route)]
            self.model.custody.identify(identified, Route(int(route)))
