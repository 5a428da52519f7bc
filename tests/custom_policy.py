"""A tiny custom screening strategy, named in a policy file ``tests.custom_policy:NoDetention``."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from model.strategies import ScreeningStrategy


class NoDetention(ScreeningStrategy):
    """Screen everyone at contact, offenders too, and detain no one."""

    name: ClassVar[str] = "no_detention"
    summary: ClassVar[str] = "everyone screened at contact and released; no detention"
    lever_defaults: ClassVar[dict[str, Any]] = {"tier2_support": True, "tier2_sessions": 2}

    def at_contact(self, contacts) -> None:
        """Screen and release, whatever the route."""
        self.screen_then_release(contacts)

    def in_detention(self, detainees: np.ndarray) -> None:
        """No one is detained, so there is nothing to do (``detainees`` is always empty)."""
