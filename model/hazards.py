"""Weekly chances of events for each migrant, drawn only for the migrants they may befall.

Each weekly event about a migrant (an encounter by one route, escape, awareness, ...) befalls
each eligible migrant with a weekly probability ``p_i`` at most the event's **bound** ``b_e``
for the migrant's group (0 for a group the event never befalls), a function of the parameters
only (``bounds``). Every migrant has one **candidate clock**: a Bernoulli process with weekly
probability ``B = sum_e b_e`` (its group's), kept as its next candidate week
(``next_week``). In its candidate week the migrant is a candidate for one event,
event ``e`` with probability ``b_e / B`` (a uniform of the week), and the event befalls it with
``p_i / b_e`` (a uniform of the event's :class:`~model.dice.Decision`) if it is eligible then.
So each event befalls a migrant in a week with exactly ``p_i``, at a cost proportional to the
candidates, not to the population (thinning, Lewis & Shedler 1979), and a migrant is a
candidate for at most one event a week (two events in one week, each of probability below
1 %, are ruled out; the encounter routes are exclusive within a week anyway).

The gap to a migrant's next candidate week is geometric, drawn from the dice keyed by the
person and the week of its last candidate week (or the week before its arrival), and the
choice of event from the dice keyed by the person and the candidate week: every migrant's
candidate weeks and events are a function of its identity alone. Two runs that share a seed
give the same person the same candidates whatever else differs between them (common random
numbers, ``model.dice``). When ``B`` changes (a dated change of a rate), every present
migrant's clock is drawn afresh from that week (the process is memoryless), the same way in
every run that makes the same change.

A week's candidates are the slots whose ``next_week`` is the week: one comparison of the
column a week (0.2-0.3 ms at full scale), and no list of future weeks to keep.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from model.dice import Decision
from model.states import Group, Stage

if TYPE_CHECKING:
    from model.model import IdentificationModel
    from model.parameters import Parameters

#: ``next_week`` of a free slot or of a clock that never rings (all bounds 0).
NEVER = np.iinfo(np.int32).max
#: Draw counter of the gaps between candidate weeks (the choice of event is draw 0).
GAP_DRAW = 1
_S32 = np.uint64(32)
_LOW_32 = np.uint64(0xFFFFFFFF)
_TO_UNIT_32 = 2.0**-32
#: Longest gap drawn (weeks); a clock that would ring later never rings in practice.
MAX_GAP = 1 << 28

#: Maps the parameters to each event's bound: one weekly probability per ``Group`` (or one for
#: every group).
Bounds = Callable[["Parameters"], dict[Decision, "np.ndarray | float"]]


def only(*groups: Group, bound: float) -> np.ndarray:
    """A bound for the given groups, 0 for the others (an event that never befalls them)."""
    per_group = np.zeros(len(Group))
    per_group[list(groups)] = bound
    return per_group


class Hazards:
    """The candidate clocks of every migrant slot and the candidates of the current week.

    Args:
        model: The model (population, dice, week, parameters).
        bounds: Maps the parameters to each event's bound per group.

    Attributes:
        next_week: Per slot, the next candidate week (``NEVER`` for a free slot).
    """

    def __init__(self, model: IdentificationModel, bounds: Bounds) -> None:
        self.model = model
        self.bounds = bounds
        self.next_week = np.full(0, NEVER, dtype=np.int32)
        self._events: tuple[Decision, ...] = ()
        self._bound = np.zeros((len(Group), 0))  # group x event
        self._total = np.zeros(len(Group))  # per group
        self._per_log = np.full(len(Group), -np.inf)  # 1 / log(1 - total); -inf: never rings
        self._week: int | None = None
        self._given: tuple = ()
        self._candidates: dict[Decision, np.ndarray] = {}

    # ------------------------------------------------------------------ clocks
    def _fit(self) -> None:
        """Grow ``next_week`` with the population's slots."""
        capacity = self.model.population.capacity
        if len(self.next_week) < capacity:
            grown = np.full(capacity, NEVER, dtype=np.int32)
            grown[: len(self.next_week)] = self.next_week
            self.next_week = grown

    def _schedule(self, slots: np.ndarray, after: int) -> np.ndarray:
        """Set the next candidate week of ``slots`` from week ``after`` (exclusive).

        One 64-bit number per migrant (keyed by the person and ``after``): its high 32 bits
        make the geometric gap, 1 + floor(log(1 - u) / log(1 - B)) for the group's B; its low
        32 bits are returned as a second uniform (the event of a candidate week ``after``).
        """
        pop = self.model.population
        if len(slots) == 0:
            return np.zeros(0)
        bits = self.model.dice.bits(Decision.CANDIDATE, pop.person_id[slots], after, GAP_DRAW)
        u = (bits >> _S32).astype(np.float64) * _TO_UNIT_32
        with np.errstate(divide="ignore", invalid="ignore"):  # no rate: an infinite (nan) gap
            gap = np.floor(np.log1p(-u) * self._per_log[pop.group[slots]])
        self.next_week[slots] = np.where(gap < MAX_GAP, after + 1 + np.minimum(gap, MAX_GAP), NEVER)
        return (bits & _LOW_32).astype(np.float64) * _TO_UNIT_32

    def start(self, slots: np.ndarray, week: int) -> None:
        """Start the clocks of migrants arriving in ``week`` (a candidate week may be ``week``)."""
        self._fit()
        if len(slots):
            self._schedule(slots, week - 1)

    def _set_bounds(self, week: int) -> None:
        """Read the bounds; when a group's total changed, draw its clocks afresh from ``week``."""
        given = self.bounds(self.model.params)
        key = tuple((e, np.asarray(b).tobytes()) for e, b in sorted(given.items()))
        if key == self._given:
            return
        self._given = key
        self._events = tuple(sorted(given))
        bound = np.zeros((len(Group), len(self._events)))
        for k, event in enumerate(self._events):
            bound[:, k] = np.clip(given[event], 0.0, 1.0)
        self._bound = bound
        total = np.minimum(bound.sum(axis=1), 1.0)
        if not np.array_equal(total, self._total):
            self._total = total
            with np.errstate(divide="ignore"):
                self._per_log = np.where(total > 0.0, 1.0 / np.log1p(-total), -np.inf)
            pop = self.model.population
            present = np.flatnonzero(pop.stage != Stage.ABSENT.value)
            self.next_week[:] = NEVER
            self._schedule(present, week - 1)

    def _draw_week(self, week: int) -> None:
        """The candidates of ``week`` by event, their clocks moved on."""
        self._fit()
        self._set_bounds(week)
        self._week = week
        pop = self.model.population
        slots = np.flatnonzero(self.next_week == week)
        slots = slots[pop.stage[slots] != Stage.ABSENT.value]  # freed since the clock started
        choice = self._schedule(slots, week)
        self._candidates = {}
        if len(slots) == 0:
            return
        groups = pop.group[slots]
        edges = np.cumsum(self._bound, axis=1)[groups]  # per candidate: its group's edges
        choice *= edges[:, -1]
        event = np.minimum((choice[:, np.newaxis] >= edges).sum(axis=1), len(self._events) - 1)
        order = np.argsort(event, kind="stable")  # slots stay ascending within an event
        starts = np.searchsorted(event[order], np.arange(len(self._events) + 1))
        for k, name in enumerate(self._events):
            self._candidates[name] = slots[order[starts[k] : starts[k + 1]]]

    # ------------------------------------------------------------------ events
    def bound(self, event: Decision) -> float:
        """The largest bound of ``event`` over the groups this week."""
        if self._week != self.model.week:
            self._draw_week(self.model.week)
        if event not in self._events:
            return 0.0
        return float(self._bound[:, self._events.index(event)].max())

    def select(
        self,
        event: Decision,
        eligible: Callable[[np.ndarray], np.ndarray],
        probability: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> np.ndarray:
        """This week's migrants befallen by ``event`` (slots, ascending).

        Args:
            event: The event (a key of the bounds).
            eligible: Maps candidate slots to a mask of those the event may befall now.
            probability: Maps eligible slots to their weekly probability, at most the event's
                bound for their group (the bound if omitted; a larger one is capped at it).
        """
        model = self.model
        self.bound(event)
        slots = self._candidates.get(event, np.empty(0, dtype=np.int64))
        if len(slots) == 0:
            return slots
        slots = slots[eligible(slots)]
        if probability is None or len(slots) == 0:
            return slots
        pop = model.population
        bound = self._bound[pop.group[slots], self._events.index(event)]
        u = model.dice.uniforms(event, pop.person_id[slots], model.week)
        return slots[u * bound < probability(slots)]
