"""The departure calendar: which migrants' stays end this week, without a scan of every slot.

A migrant's departure week is set at arrival (and pushed later when an identified victim stays
on after support). Finding the week's departures by comparing every slot's week with the
current one reads the whole column (400,000+ slots) every week, and numpy's selection of a few
thousand slots out of it costs more than the rest of the departures. The calendar instead lists
the slots due within the next :data:`HORIZON_WEEKS`, sorted by week, from one scan of the column
at the start of each such window; a week then reads only its own entries, the slots still
overdue (in custody when their stay ended) and the slots given a departure week since the scan.

Entries are not removed when a slot is freed or its week changes: each candidate is checked
against the column, so a stale entry costs a check and nothing else. The result is exactly the
set of slots whose departure week has come, in ascending order.
"""

from __future__ import annotations

import numpy as np

from model.arrays import sorted_unique

#: Weeks the calendar looks ahead between two scans of every slot.
HORIZON_WEEKS = 26


class DepartureCalendar:
    """The slots whose departure week falls before a horizon, for a ``departure_week`` column.

    Every slot whose departure week is before :attr:`until` is listed (in the scanned
    ``_slots``/``_weeks``, sorted by week, at or after ``_next``; in ``_added``; or among the
    ``_overdue`` of the last week). Callers must :meth:`add` every slot whose departure week
    they set.

    Attributes:
        until: Horizon: first week not covered (a scan is due when it is reached).
    """

    def __init__(self) -> None:
        self.until = np.iinfo(np.int64).min
        empty = np.zeros(0, dtype=np.int64)
        self._slots, self._weeks, self._next = empty, empty, 0
        self._added_slots, self._added_weeks = empty, empty
        self._overdue = empty

    def add(self, slots: np.ndarray, weeks: np.ndarray) -> None:
        """Note that ``slots`` now leave in ``weeks`` (the column's new values)."""
        soon = weeks < self.until
        if soon.any():
            self._added_slots = np.concatenate((self._added_slots, slots[soon]))
            self._added_weeks = np.concatenate((self._added_weeks, weeks[soon]))

    def due(self, departure_week: np.ndarray, week: int) -> np.ndarray:
        """Slots whose ``departure_week`` is ``week`` or earlier, ascending (any stage).

        Args:
            departure_week: The population's column of departure weeks.
            week: The current week (weeks only move forwards between calls).

        Returns:
            The slots, each once.
        """
        if week >= self.until:
            self._scan(departure_week, week)
            candidates = self._overdue_and_added(week)
        else:
            end = int(np.searchsorted(self._weeks, week, side="right"))
            scanned = self._slots[self._next : end]
            self._next = end
            candidates = np.concatenate((self._overdue_and_added(week), scanned))
        due = sorted_unique(candidates[departure_week[candidates] <= week])
        self._overdue = due
        return due

    def _overdue_and_added(self, week: int) -> np.ndarray:
        """Last week's due slots and the added slots due by ``week`` (taken off the list)."""
        now = self._added_weeks <= week
        if not now.any():
            return self._overdue
        taken = self._added_slots[now]
        self._added_slots, self._added_weeks = self._added_slots[~now], self._added_weeks[~now]
        return np.concatenate((self._overdue, taken))

    def _scan(self, departure_week: np.ndarray, week: int) -> None:
        """List every slot due before ``week + HORIZON_WEEKS``; the first ``week`` is read."""
        self.until = week + HORIZON_WEEKS
        slots = np.flatnonzero(departure_week < self.until)
        weeks = departure_week[slots].astype(np.int64)
        order = np.argsort(weeks)  # the order within a week does not matter: due() sorts
        self._slots, self._weeks = slots[order], weeks[order]
        self._next = int(np.searchsorted(self._weeks, week, side="right"))
        # The scan lists every slot due so far; the older lists are covered by it.
        self._overdue = self._slots[: self._next]
        empty = np.zeros(0, dtype=np.int64)
        self._added_slots, self._added_weeks = empty, empty

    def covers(self, departure_week: np.ndarray) -> bool:
        """Whether every slot due before the horizon is listed (for ``model.invariants``)."""
        due = np.flatnonzero(departure_week < self.until)
        listed = np.concatenate((self._slots[self._next :], self._added_slots, self._overdue))
        return bool(np.isin(due, listed).all())
