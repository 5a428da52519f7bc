"""Detention first (Hong Kong's status quo).

Migrants met as offenders (raids, overstay, arrests) are detained at once and their removal
clock starts. While detained, each week an unscreened detainee is given an indicator screening
with ``offender_screening_probability``, interviewed in detention (``disclosure.in_detention``);
in-depth screening is unsupported unless ``tier2_support`` is set. A victim removed before
identification is lost for good. Migrants met by other routes (complaints, self-referral,
non-refoulement claims, visa applications, NGO referrals) are screened at contact, at an office
or with the NGO.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from model.policies.base import ScreeningPolicy

if TYPE_CHECKING:
    from model.encounters import Contacts


class DetentionFirst(ScreeningPolicy):
    """Detain offenders first; screen some of them later, without support."""

    name: ClassVar[str] = "detention_first"
    summary: ClassVar[str] = "offenders detained at once; late, unsupported screening in detention"
    lever_defaults: ClassVar[dict[str, Any]] = {"tier2_support": False, "tier2_sessions": 1}

    def at_contact(self, contacts: Contacts) -> None:
        """Detain offenders; screen everyone else at contact."""
        if contacts.offender:
            self.model.custody.detain(contacts.slots, contacts.route)
        else:
            self.screen_then_release(contacts)

    def screens_at_contact(self, contacts: Contacts) -> bool:
        """Offenders are detained unscreened; every other route is screened at contact."""
        return not contacts.offender

    def in_detention(self, detainees: np.ndarray) -> None:
        """Screen some unscreened detainees before their removal."""
        self.screen_some_detainees(detainees)
