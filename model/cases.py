"""The open cases of migrants in the authorities' hands, as rows of a column store.

A case opens when a migrant is detained or identified as a victim and closes at removal or at
the end of victim support. Its record (route of encounter, week opened, whether an indicator
screening was held, whether the identified victim acts as a witness) lives in columns indexed
by slot, like the rest of a migrant's state in ``model.population`` (which also holds the
case's removal clock and end of support). The slots of the open cases are kept as one array in
the order the cases were opened, appended to when cases open and compacted when they close, so
custody's weekly bookkeeping and the policies read it without rebuilding it.

There is no Mesa agent per case. A case has no behaviour of its own (custody and the policy act
on it, a batch at a time), and in a detention-heavy world thousands open and close each week:
creating and removing a Mesa agent for each cost more than all the case arithmetic.
"""

from __future__ import annotations

import numpy as np

from model.arrays import repeats
from model.states import Route


class CaseTable:
    """Records of the open cases, indexed by slot, and the open slots in opening order.

    Columns hold a value for every slot of the population (first ``capacity`` used); a slot
    without an open case holds the defaults (route 0, week -1, not screened, no witness).

    Attributes:
        route: ``Route`` by which the migrant met the authorities (the case's first route).
        since_week: Week the case opened (-1 without a case).
        screened: Whether an indicator screening has been held in the case.
        witness: Whether the identified victim cooperates as a witness.
        is_open: Whether the slot has an open case.
    """

    def __init__(self, capacity: int = 1024) -> None:
        self.route = np.zeros(capacity, dtype=np.int8)
        self.since_week = np.full(capacity, -1, dtype=np.int32)
        self.screened = np.zeros(capacity, dtype=bool)
        self.witness = np.zeros(capacity, dtype=bool)
        self.is_open = np.zeros(capacity, dtype=bool)
        self._slots = _frozen(np.zeros(0, dtype=np.int64))

    @property
    def slots(self) -> np.ndarray:
        """Slots of the open cases, in the order the cases were opened (read-only).

        The array is never changed in place: opening or closing cases makes a new one, so an
        array read before stays as it was.
        """
        return self._slots

    def __len__(self) -> int:
        return len(self._slots)

    def __contains__(self, slot: object) -> bool:
        return (
            isinstance(slot, int | np.integer)
            and 0 <= slot < len(self.is_open)
            and bool(self.is_open[slot])
        )

    def open(self, slots: np.ndarray, route: Route, week: int) -> np.ndarray:
        """Open a case for each of ``slots`` that has none; the others keep theirs.

        Args:
            slots: Migrants entering the authorities' hands (a slot given twice opens once).
            route: How they met the authorities.
            week: Current week.

        Returns:
            The slots whose cases were opened, in the order given.
        """
        slots = np.asarray(slots, dtype=np.int64)
        if len(slots) == 0:
            return slots
        top = int(slots.max())
        if top >= len(self.is_open):
            self._grow(max(top + 1, 2 * len(self.is_open)))
        new = slots[~self.is_open[slots]]
        if repeats(new):
            _, first = np.unique(new, return_index=True)
            new = new[np.sort(first)]
        if len(new) == 0:
            return new
        self.is_open[new] = True
        self.route[new] = int(route)
        self.since_week[new] = week
        self.screened[new] = False
        self.witness[new] = False
        self._slots = _frozen(np.concatenate((self._slots, new)))
        return new

    def close(self, slots: np.ndarray) -> None:
        """Close the cases of ``slots`` (each must be open); the others keep their order.

        Raises:
            KeyError: If a slot has no open case.
        """
        slots = np.asarray(slots, dtype=np.int64)
        if len(slots) == 0:
            return
        if not self.is_open[slots].all():
            missing = slots[~self.is_open[slots]]
            raise KeyError(f"no open case for slot(s) {missing[:5].tolist()}")
        self.is_open[slots] = False
        self.route[slots] = 0
        self.since_week[slots] = -1
        self.screened[slots] = False
        self.witness[slots] = False
        self._slots = _frozen(self._slots[self.is_open[self._slots]])

    def _grow(self, capacity: int) -> None:
        for name in ("route", "since_week", "screened", "witness", "is_open"):
            old = getattr(self, name)
            grown = np.full(capacity, -1 if name == "since_week" else 0, dtype=old.dtype)
            grown[: len(old)] = old
            setattr(self, name, grown)


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array
