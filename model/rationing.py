"""Limited places shared out by each individual's own random numbers, not by shuffling.

Under common random numbers (``model.dice``) a place must not depend on how many others asked
before: a shuffle of everyone moves every assignment when one claimant is added. So:

* **Who gets a place** when claimants outnumber places: those with the lowest priority numbers
  (:func:`kept_by_priority`), each its own uniform keyed by decision, identity and week. A
  claimant added or removed displaces at most one other.
* **Which place** (an officer, a trafficker's free place): places and claimants sit on a
  circle at positions hashed from their identities and the week (consistent hashing, Karger et
  al. 1997); each claimant takes the first free place clockwise from its own position, and when
  two want the same place the one with the lower priority number keeps it and the other moves
  on (:class:`Ring`). A place added or removed changes only the claimants next to it. For a
  while a place's chance is the arc before it; the positions are drawn afresh every
  :data:`RING_WEEKS` weeks (a ring's **epoch**), so over the run each place is equally likely
  for each claimant, at the cost of one ring a quarter.
"""

from __future__ import annotations

import numpy as np

from model.dice import Decision, Dice

#: Draw counters of a claimant's position, a claimant's priority and a place's position.
POSITION_DRAW, PRIORITY_DRAW, PLACE_DRAW = 0, 1, 2
#: Weeks a ring's place positions last (its epoch): drawn afresh every quarter.
RING_WEEKS = 13


def epoch(week: int) -> int:
    """The ring epoch of ``week`` (places keep their positions within it)."""
    return week // RING_WEEKS


def kept_by_priority(
    dice: Dice, decision: Decision, ids: np.ndarray, places: int, week: int
) -> np.ndarray:
    """Mask of the ``places`` claimants ``ids`` with the lowest priority numbers."""
    keep = np.zeros(len(ids), dtype=bool)
    if places >= len(ids):
        keep[:] = True
    elif places > 0:
        priority = dice.uniforms(decision, ids, week, PRIORITY_DRAW)
        keep[np.argsort(priority, kind="stable")[:places]] = True
    return keep


class Ring:
    """Places on a circle at positions hashed from their names and the ring's epoch.

    Args:
        dice: The run's dice.
        decision: The decision code of the assignment.
        names: Identities of the places (int64, distinct).
        week: A week of the epoch whose positions these are (:func:`epoch`).
    """

    def __init__(self, dice: Dice, decision: Decision, names: np.ndarray, week: int) -> None:
        self.dice = dice
        self.decision = decision
        self.epoch = epoch(week)
        self.names = np.asarray(names, dtype=np.int64)
        at = dice.uniforms(decision, self.names, self.epoch, PLACE_DRAW)
        self.order = np.argsort(at, kind="stable")  # places in clockwise order
        self.positions = at[self.order]

    def assign(self, claimants: np.ndarray, free: np.ndarray, week: int) -> np.ndarray:
        """Give each claimant a distinct free place (the first free one clockwise of it).

        When two claimants want the same place, the one with the lower priority number keeps
        it and the other moves on clockwise; when claimants outnumber the free places, those
        with the highest priority numbers go without.

        Args:
            claimants: Identities of the claimants (int64, distinct).
            free: Mask over ``names`` of the places free now.
            week: The current week (claimants' positions and priorities are the week's).

        Returns:
            Per claimant, the index into ``names`` of its place, or -1.
        """
        n = len(claimants)
        taken_by = np.full(n, -1, dtype=np.int64)
        free = free[self.order]  # clockwise, and a copy: places are taken below
        count = int(np.count_nonzero(free))
        if n == 0 or count == 0:
            return taken_by
        dice, decision = self.dice, self.decision
        position, priority = dice.uniform_rows(
            (decision, decision), claimants, week, (POSITION_DRAW, PRIORITY_DRAW)
        )
        if n > count:
            pending = np.sort(np.argsort(priority, kind="stable")[:count])
        else:
            pending = np.arange(n)
        while len(pending):
            free_at = np.flatnonzero(free)
            step = np.searchsorted(self.positions[free_at], position[pending]) % len(free_at)
            wanted = free_at[step]
            by_place = np.lexsort((priority[pending], wanted))
            first = np.ones(len(by_place), dtype=bool)
            first[1:] = wanted[by_place][1:] != wanted[by_place][:-1]
            won = wanted[by_place[first]]
            taken_by[pending[by_place[first]]] = self.order[won]
            free[won] = False
            pending = np.sort(pending[by_place[~first]])
        return taken_by
