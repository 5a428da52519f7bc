"""Screening before detention (the reform the sources argue for).

Every migrant met by the authorities gets a tier-1 indicator screening at first contact. A
positive leads to a tier-2 in-depth screening over ``tier2_sessions`` sessions supported by a
lawyer, NGO advocate or counsellor (while support capacity lasts). Offenders are interviewed at
the arrest scene (``disclosure.at_arrest_scene``; a victim still controlled by the trafficker
with the trafficker present), before detention. Only offenders who are not
identified are detained. Offenders for whom no officer was free this week are detained
unscreened and, like detainees under detention-first, may be screened later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from model.strategies.base import ScreeningStrategy

if TYPE_CHECKING:
    from model.encounters import Contacts


class ScreeningBeforeDetention(ScreeningStrategy):
    """Screen at first contact, supported in-depth screening, detain only negatives."""

    name: ClassVar[str] = "screening_before_detention"
    summary: ClassVar[str] = "screen at contact, supported tier-2, detain only negatives"
    lever_defaults: ClassVar[dict[str, Any]] = {"tier2_support": True, "tier2_sessions": 2}

    def at_contact(self, contacts: Contacts) -> None:
        """Screen first; identify positives; detain offenders who are not identified."""
        if contacts.offender:
            self.screen_then_detain(contacts)
        else:
            self.screen_then_release(contacts)

    def in_detention(self, detainees: np.ndarray) -> None:
        """Detainees who could not be screened at contact may be screened later."""
        self.screen_some_detainees(detainees)
