"""Detention first (Hong Kong's status quo).

Migrants met as offenders (raids, overstay, arrests) are detained at once and their removal
clock starts. While detained, each week an unscreened detainee is given an indicator screening
with ``offender_screening_probability``, interviewed in detention (``disclosure.in_detention``);
in-depth screening is unsupported unless ``tier2_support`` is set. A victim removed before
identification is lost for good. Migrants met by other routes (complaints, self-referral,
non-refoulement claims, visa applications, NGO referrals) are screened at contact, at an office
or with the NGO. Where the police screen everyone found in prostitution at the scene
(``encounters.vice_screening_at_scene``, Hong Kong from July 2018), sex workers caught in raids
on vice are screened at the arrest scene, unsupported, and detained only if not identified.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from model.strategies.base import ScreeningStrategy

if TYPE_CHECKING:
    from model.encounters import Contacts


class DetentionFirst(ScreeningStrategy):
    """Detain offenders first; screen some of them later, without support."""

    name: ClassVar[str] = "detention_first"
    summary: ClassVar[str] = "offenders detained at once; late, unsupported screening in detention"
    lever_defaults: ClassVar[dict[str, Any]] = {"tier2_support": False, "tier2_sessions": 1}

    def at_contact(self, contacts: Contacts) -> None:
        """Detain offenders; screen everyone else at contact (and vice raids, if so set)."""
        if not contacts.offender:
            self.screen_then_release(contacts)
        elif self._vice_screened_at_scene(contacts):
            self.screen_then_detain(contacts)
        else:
            self.model.custody.detain(contacts.slots, contacts.route)

    def screens_at_contact(self, contacts: Contacts) -> bool:
        """Offenders are detained unscreened (but vice contacts, if so set); others are screened."""
        return not contacts.offender or self._vice_screened_at_scene(contacts)

    def _vice_screened_at_scene(self, contacts: Contacts) -> bool:
        return contacts.vice and self.model.params.encounters.vice_screening_at_scene

    def in_detention(self, detainees: np.ndarray) -> None:
        """Screen some unscreened detainees before their removal."""
        self.screen_some_detainees(detainees)
