"""The migrant population as a column store of numpy arrays.

Most migrants never meet an officer in a given week, so their state is bulk data: one array per
attribute, one slot per migrant. Slots of departed migrants are reused by arrivals; a slot's
``stage`` is ``Stage.ABSENT`` while it is free. Mechanisms touch the arrays with vectorised
operations and draw random numbers only for the migrants they affect.

A week's departures are read off a calendar (``model.departures``) instead of a scan of every
slot: write ``departure_week`` only through :meth:`Population.settle` and
:meth:`Population.postpone_departure`, which keep it; ``model.invariants`` checks it.

The victims each trafficker controls are found through a list of the slots put under control
(:meth:`Population.controlled_by`), not a scan of every slot.

Two derived counts are kept up to date as the columns change, so that no weekly step has to
scan every slot for them: the victims present by group (:meth:`Population.set_status`) and the
victims each trafficker controls (:meth:`Population.take_control`,
:meth:`Population.end_control`). Write ``status`` and ``controlled`` only through these methods;
``model.invariants`` checks the counts against a recount.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from model.arrays import GrowingArray, sorted_unique
from model.calendar import WEEKS_PER_YEAR
from model.departures import DepartureCalendar
from model.dice import Decision, Dice, beta_from_uniforms
from model.parameters import Parameters
from model.states import FIRST_TRAFFICKED, Exploitation, Group, LegalStatus, Stage

#: Departure week of a free slot (never due).
NEVER = np.iinfo(np.int32).max
#: "No date" in a week column that holds dates of the past too: weeks before the first reported
#: week are negative (a warm-up runs at weeks -W*52 .. -1), so -1 cannot mean "none".
NO_WEEK = np.iinfo(np.int32).min
#: Entries beyond twice the controlled victims after which the control list is rebuilt.
CONTROL_LIST_SLACK = 4096
#: Array attributes of ``Population`` filled with -1 (no trafficker, no person, never a victim).
_MINUS_ONE = frozenset({"trafficker", "person_id", "victim_since"})
#: Week columns filled with :data:`NO_WEEK`.
_NO_WEEK = frozenset({"removal_week", "support_until"})
_NOT_SLOTS = frozenset({"group_count", "victims_by_group", "held", "_free"})


@dataclass
class Arrivals:
    """Traits drawn for a batch of new migrants (before trafficking status is decided)."""

    group: np.ndarray
    first_contract: np.ndarray
    young: np.ndarray
    debt_months: np.ndarray
    documents_confiscated: np.ndarray
    trust: np.ndarray

    def __len__(self) -> int:
        return len(self.group)


@dataclass
class Population:
    """Column store of migrant attributes, indexed by slot.

    Attributes:
        stage: ``Stage`` of each slot (ABSENT for free slots).
        group: ``Group`` of the migrant.
        first_contract, young, documents_confiscated: risk traits.
        debt_months: recruitment debt at arrival, in months of salary.
        status: ``Exploitation`` status.
        trafficker: id of the trafficker who trafficked the migrant (-1 if none); kept after
            escape so that a witness can name them.
        controlled: whether the trafficker still controls the migrant.
        aware: whether a victim knows they are trafficked.
        fear_retaliation, fear_punishment, trust: 0-1 scales.
        ptsd: post-traumatic stress disorder.
        legal: ``LegalStatus``.
        departure_week: week in which the migrant leaves unless something happens first
            (``NEVER`` for a free slot, so that a week's departures are a short list).
        arrival_week: week the migrant arrived (negative for the initial population).
        person_id: identity of the person in the slot (:func:`arrival_ids`; never reused, the
            same person under every policy).
        victim_since: week the migrant became a victim (-1 if never).
        identified: whether the migrant was ever identified as a victim.
        removal_week: week of removal of a detained migrant (``NO_WEEK`` unless detained).
        planned_days: days of detention until removal, drawn at detention.
        booked_days: detention days already counted in the outcomes.
        support_until: last week of victim support (``NO_WEEK`` unless identified and
            supported).
        group_count: migrants present per ``Group``.
        victims_by_group: victims present per ``Group`` (kept by :meth:`set_status`).
        held: victims each trafficker controls now, by trafficker id (kept by
            :meth:`take_control` and :meth:`end_control`; may be shorter than the number of
            traffickers, missing ids hold none).
        departures: The slots due to leave soon (``model.departures``), kept by
            :meth:`settle` and :meth:`postpone_departure`.
    """

    capacity: int
    stage: np.ndarray = field(init=False)
    group: np.ndarray = field(init=False)
    first_contract: np.ndarray = field(init=False)
    young: np.ndarray = field(init=False)
    documents_confiscated: np.ndarray = field(init=False)
    debt_months: np.ndarray = field(init=False)
    status: np.ndarray = field(init=False)
    trafficker: np.ndarray = field(init=False)
    controlled: np.ndarray = field(init=False)
    aware: np.ndarray = field(init=False)
    fear_retaliation: np.ndarray = field(init=False)
    fear_punishment: np.ndarray = field(init=False)
    trust: np.ndarray = field(init=False)
    ptsd: np.ndarray = field(init=False)
    legal: np.ndarray = field(init=False)
    departure_week: np.ndarray = field(init=False)
    arrival_week: np.ndarray = field(init=False)
    person_id: np.ndarray = field(init=False)
    victim_since: np.ndarray = field(init=False)
    identified: np.ndarray = field(init=False)
    removal_week: np.ndarray = field(init=False)
    planned_days: np.ndarray = field(init=False)
    booked_days: np.ndarray = field(init=False)
    support_until: np.ndarray = field(init=False)
    group_count: np.ndarray = field(init=False)
    victims_by_group: np.ndarray = field(init=False)
    held: np.ndarray = field(init=False)
    # Free slots as a stack: the next slot handed out is ``_free[_n_free - 1]``.
    _free: np.ndarray = field(init=False)
    _n_free: int = 0
    departures: DepartureCalendar = field(init=False)
    # Every controlled slot is listed here with its trafficker, from when it came under control
    # (the list may also hold slots freed since, or a slot twice; see ``controlled_by``).
    _control_slots: GrowingArray = field(init=False)
    _control_owner: GrowingArray = field(init=False)

    def __post_init__(self) -> None:
        n = self.capacity
        self.stage = np.zeros(n, dtype=np.int8)
        self.group = np.zeros(n, dtype=np.int8)
        self.first_contract = np.zeros(n, dtype=bool)
        self.young = np.zeros(n, dtype=bool)
        self.documents_confiscated = np.zeros(n, dtype=bool)
        self.debt_months = np.zeros(n, dtype=np.float32)
        self.status = np.zeros(n, dtype=np.int8)
        self.trafficker = np.full(n, -1, dtype=np.int32)
        self.controlled = np.zeros(n, dtype=bool)
        self.aware = np.zeros(n, dtype=bool)
        self.fear_retaliation = np.zeros(n, dtype=np.float32)
        self.fear_punishment = np.zeros(n, dtype=np.float32)
        self.trust = np.zeros(n, dtype=np.float32)
        self.ptsd = np.zeros(n, dtype=bool)
        self.legal = np.zeros(n, dtype=np.int8)
        self.departure_week = np.full(n, NEVER, dtype=np.int32)
        self.arrival_week = np.zeros(n, dtype=np.int32)
        self.person_id = np.full(n, -1, dtype=np.int64)
        self.victim_since = np.full(n, -1, dtype=np.int32)
        self.identified = np.zeros(n, dtype=bool)
        self.removal_week = np.full(n, NO_WEEK, dtype=np.int32)
        self.planned_days = np.zeros(n, dtype=np.float64)
        self.booked_days = np.zeros(n, dtype=np.float64)
        self.support_until = np.full(n, NO_WEEK, dtype=np.int32)
        self.group_count = np.zeros(len(Group), dtype=np.int64)
        self.victims_by_group = np.zeros(len(Group), dtype=np.int64)
        self.held = np.zeros(0, dtype=np.int64)
        self._free = np.arange(n - 1, -1, -1, dtype=np.int64)
        self._n_free = n
        self.departures = DepartureCalendar()
        self._control_slots = GrowingArray(np.int64)
        self._control_owner = GrowingArray(np.int64)

    # ---------------------------------------------------------------- views
    @property
    def present(self) -> np.ndarray:
        """Boolean mask of occupied slots."""
        return self.stage != Stage.ABSENT.value

    @property
    def size(self) -> int:
        """Number of migrants present."""
        return self.capacity - self._n_free

    def victims_mask(self) -> np.ndarray:
        """Boolean mask of present migrants who are trafficked."""
        return (self.status >= FIRST_TRAFFICKED) & (self.stage != Stage.ABSENT.value)

    @property
    def victims_present(self) -> int:
        """Number of victims present."""
        return int(self.victims_by_group.sum())

    # ---------------------------------------------------------------- status and control
    def set_status(self, idx: np.ndarray, status: np.ndarray | int) -> None:
        """Set the ``Exploitation`` status of migrants ``idx`` (distinct slots), keeping counts.

        Args:
            idx: Occupied slots, each at most once.
            status: New status, one per slot or one for all.
        """
        groups = self.group[idx]
        was = self.status[idx] >= FIRST_TRAFFICKED
        new = np.asarray(status, dtype=np.int8)
        now = new >= FIRST_TRAFFICKED
        n = len(Group)
        if now.ndim:
            gained = np.bincount(groups[now], minlength=n)
        else:  # one status for all
            gained = np.bincount(groups, minlength=n) if now else 0
        self.victims_by_group += gained - np.bincount(groups[was], minlength=n)
        self.status[idx] = new

    def take_control(self, idx: np.ndarray, trafficker_ids: np.ndarray) -> None:
        """Put migrants ``idx`` (distinct, not controlled) under traffickers ``trafficker_ids``."""
        self.trafficker[idx] = trafficker_ids
        self.controlled[idx] = True
        if len(idx) == 0:
            return
        top = int(np.max(trafficker_ids)) + 1
        if top > len(self.held):
            self.held = np.concatenate([self.held, np.zeros(top - len(self.held), np.int64)])
        self.held += np.bincount(trafficker_ids, minlength=len(self.held))
        self._list_control(idx, trafficker_ids)

    def _list_control(self, idx: np.ndarray, trafficker_ids: np.ndarray) -> None:
        """Add slots ``idx`` under ``trafficker_ids`` to the control list (rebuilt when long)."""
        if len(self._control_slots) > 2 * int(self.held.sum()) + CONTROL_LIST_SLACK:
            # Mostly stale: list the controlled slots afresh (one scan of every slot).
            slots = np.flatnonzero(self.controlled)
            self._control_slots.replace(slots)
            self._control_owner.replace(self.trafficker[slots])
            return
        self._control_slots.extend(idx)
        self._control_owner.extend(trafficker_ids)

    def end_control(self, idx: np.ndarray) -> None:
        """Free migrants ``idx`` (distinct slots) from their trafficker's control, if any."""
        idx = np.asarray(idx)
        controlled = idx[self.controlled[idx]]
        if len(controlled):
            self.held -= np.bincount(self.trafficker[controlled], minlength=len(self.held))
            self.controlled[controlled] = False

    def held_by(self, count: int) -> np.ndarray:
        """Victims controlled by each of traffickers ``0 .. count - 1`` (a new array)."""
        held = np.zeros(count, dtype=np.int64)
        n = min(count, len(self.held))
        held[:n] = self.held[:n]
        return held

    def controlled_by(self, trafficker_id: int) -> np.ndarray:
        """Slots of the victims trafficker ``trafficker_id`` controls now, ascending.

        Reads the control list instead of every slot: entries of slots freed or taken over
        since are ruled out by the columns, and a slot listed twice is returned once.
        """
        listed = self._control_slots.values[self._control_owner.values == trafficker_id]
        listed = listed[self.controlled[listed] & (self.trafficker[listed] == trafficker_id)]
        return sorted_unique(listed)

    def current_debt(self, idx: np.ndarray, week: int, repaid_per_month: float) -> np.ndarray:
        """Recruitment debt still owed, in months of salary (repaid from arrival on)."""
        months_worked = (week - self.arrival_week[idx]) * (12.0 / 52.0)
        return np.maximum(self.debt_months[idx] - repaid_per_month * months_worked, 0.0)

    def is_victim(self, idx: np.ndarray) -> np.ndarray:
        """Whether each migrant in ``idx`` is trafficked."""
        return self.status[idx] >= FIRST_TRAFFICKED

    # ---------------------------------------------------------------- departures
    def due_to_leave(self, week: int) -> np.ndarray:
        """Slots whose departure week is ``week`` or earlier, lowest first (any stage)."""
        return self.departures.due(self.departure_week, week)

    def postpone_departure(self, idx: np.ndarray, week: int) -> None:
        """Make migrants ``idx`` leave no earlier than ``week`` (their stay may end later)."""
        self.departure_week[idx] = np.maximum(self.departure_week[idx], week)
        self.departures.add(idx, self.departure_week[idx])

    # ---------------------------------------------------------------- slots
    def allocate(self, count: int) -> np.ndarray:
        """Take ``count`` free slots, growing the arrays if needed.

        Args:
            count: Number of slots wanted.

        Returns:
            Slot indices, lowest first.
        """
        if count > self._n_free:
            self._grow(max(count - self._n_free, self.capacity // 4))
        top = self._n_free
        self._n_free = top - count
        return self._free[top - count : top][::-1].copy()

    def release(self, idx: np.ndarray) -> None:
        """Free the slots ``idx`` (distinct; the migrants have left Hong Kong)."""
        idx = np.asarray(idx, dtype=np.int64)
        self.group_count -= np.bincount(self.group[idx], minlength=len(Group))
        self.end_control(idx)
        self.set_status(idx, Exploitation.NONE)
        self.stage[idx] = Stage.ABSENT
        self.trafficker[idx] = -1
        self.person_id[idx] = -1
        self.victim_since[idx] = -1
        self.identified[idx] = False
        self.departure_week[idx] = NEVER
        # Pushed highest first, so the lowest released slot is handed out next.
        top = self._n_free
        self._free[top : top + len(idx)] = np.sort(idx)[::-1]
        self._n_free = top + len(idx)

    def _grow(self, extra: int) -> None:
        old = self.capacity
        self.capacity = old + extra
        for name, value in vars(self).items():
            if isinstance(value, np.ndarray) and name not in _NOT_SLOTS:
                fill = (
                    NEVER
                    if name == "departure_week"
                    else NO_WEEK
                    if name in _NO_WEEK
                    else -1
                    if name in _MINUS_ONE
                    else 0
                )
                grown = np.full(self.capacity, fill, dtype=value.dtype)
                grown[:old] = value
                setattr(self, name, grown)
        # New slots go to the bottom of the stack: the ones already free are handed out first.
        free = np.empty(self.capacity, dtype=np.int64)
        free[:extra] = np.arange(self.capacity - 1, old - 1, -1)
        free[extra : extra + self._n_free] = self._free[: self._n_free]
        self._free = free
        self._n_free += extra

    # ---------------------------------------------------------------- arrivals
    def settle(
        self, arrivals: Arrivals, week: int, stay_weeks: np.ndarray, person_ids: np.ndarray
    ) -> np.ndarray:
        """Put a batch of arrivals into free slots as community members.

        Args:
            arrivals: Their traits.
            week: Current week.
            stay_weeks: Weeks each will stay (drawn by the caller).
            person_ids: Their identities (:func:`arrival_ids`).

        Returns:
            The slots they occupy.
        """
        idx = self.allocate(len(arrivals))
        # A free slot already holds status NONE, no trafficker, no control, no victim date and
        # no identification (``release`` and ``_grow`` see to it; ``model.invariants`` checks),
        # so those columns and the counts derived from them need no writing here.
        self.stage[idx] = Stage.COMMUNITY
        self.group[idx] = arrivals.group
        self.first_contract[idx] = arrivals.first_contract
        self.young[idx] = arrivals.young
        self.debt_months[idx] = arrivals.debt_months
        self.documents_confiscated[idx] = arrivals.documents_confiscated
        self.trust[idx] = arrivals.trust
        self.aware[idx] = False
        self.fear_retaliation[idx] = 0.0
        self.ptsd[idx] = False
        self.legal[idx] = np.where(
            offender_group(arrivals.group),
            LegalStatus.ILLEGAL_WORKER.value,
            LegalStatus.REGULAR.value,
        )
        self.departure_week[idx] = week + stay_weeks
        self.departures.add(idx, self.departure_week[idx])
        self.arrival_week[idx] = week
        self.person_id[idx] = person_ids
        self.group_count += np.bincount(arrivals.group, minlength=len(Group))
        return idx


def offender_group(groups: np.ndarray) -> np.ndarray:
    """Whether each ``Group`` code is one whose work is illegal (sex workers, irregular)."""
    return (groups == Group.SEX.value) | (groups == Group.IRREGULAR.value)


def group_sizes(params: Parameters) -> np.ndarray:
    """Initial number of migrants per ``Group``, in the enumeration's order."""
    p = params.population
    return np.array([p.domestic_workers, p.other_workers, p.sex_workers, p.irregular])


def mean_stay_weeks(params: Parameters) -> np.ndarray:
    """Mean stay in weeks per ``Group``."""
    p = params.population
    years = np.array(
        [
            p.mean_stay_years_domestic,
            p.mean_stay_years_other,
            p.mean_stay_years_sex,
            p.mean_stay_years_irregular,
        ]
    )
    return years * WEEKS_PER_YEAR


#: Bits of an arrival's identity: its number within its group's arrivals of the week, its group,
#: whether it belongs to the initial population, and the week (offset to be positive).
_NUMBER_BITS, _GROUP_BITS = 21, 2
_WEEK_OFFSET = 1 << 20


def arrival_ids(week: int, groups: np.ndarray, initial: bool = False) -> np.ndarray:
    """Identities of a batch of migrants arriving in ``week`` (``groups`` ascending).

    The k-th arrival of a group in a week is the same person in every run that shares a seed,
    whatever the policy: a policy that removes more migrants brings more arrivals, who are
    added after the others, and a policy that removes fewer brings fewer, dropping the last.
    So a person's traits, drawn from the dice keyed by this identity, are the same under every
    policy. The identity packs the week, an initial-population flag, the group and the
    number k into one int64.
    """
    groups = np.asarray(groups, dtype=np.int64)
    counts = np.bincount(groups, minlength=len(Group))
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    number = np.arange(len(groups)) - starts[groups]
    if len(groups) and int(counts.max()) >= 1 << _NUMBER_BITS:
        raise ValueError(f"more than {1 << _NUMBER_BITS} arrivals of a group in one week")
    high = ((week + _WEEK_OFFSET) << 1) | int(initial)
    return (((high << _GROUP_BITS) | groups) << _NUMBER_BITS) | number


#: Arrivals whose traits are hashed in one pass (a larger batch goes a chunk at a time).
_TRAITS_CHUNK = 1 << 16
#: The traits drawn at arrival (``draw_arrivals``), one decision each.
_TRAITS = (
    Decision.INDEBTED,
    Decision.DEBT,
    Decision.FIRST_CONTRACT,
    Decision.YOUNG,
    Decision.DOCUMENTS,
    Decision.TRUST,
)


def draw_arrivals(
    dice: Dice, person_ids: np.ndarray, groups: np.ndarray, params: Parameters
) -> Arrivals:
    """Draw the risk traits and trust of new migrants of the given groups.

    Args:
        dice: The run's dice (keyed by each person, week 0: traits are the person's own).
        person_ids: Their identities.
        groups: ``Group`` code of each arrival.
        params: Parameters.

    Returns:
        Their traits.
    """
    if len(person_ids) > _TRAITS_CHUNK:  # the initial population: a chunk at a time (memory)
        parts = [
            draw_arrivals(
                dice, person_ids[i : i + _TRAITS_CHUNK], groups[i : i + _TRAITS_CHUNK], params
            )
            for i in range(0, len(person_ids), _TRAITS_CHUNK)
        ]
        return Arrivals(
            **{
                f.name: np.concatenate([getattr(part, f.name) for part in parts])
                for f in fields(Arrivals)
            }
        )
    p = params.population
    # One uniform per trait (the same numbers as one dice call each, hashed in one pass).
    indebted, debt, first, young, documents, trust = dice.uniform_rows(_TRAITS, person_ids)
    debt_mean = max(p.debt_months_mean, 1e-9)
    debt = np.where(indebted < p.indebted_share, -np.log1p(-debt) * debt_mean, 0.0)
    trust_mean = params.behaviour.trust_mean
    concentration = 4.0
    a = max(trust_mean * concentration, 1e-3)
    b = max((1 - trust_mean) * concentration, 1e-3)
    return Arrivals(
        group=groups.astype(np.int8),
        first_contract=first < p.first_contract_share,
        young=young < p.young_share,
        debt_months=debt.astype(np.float32),
        documents_confiscated=documents < p.documents_confiscated_share,
        trust=beta_from_uniforms(trust, a, b).astype(np.float32),
    )


def draw_stay_weeks(
    dice: Dice, person_ids: np.ndarray, groups: np.ndarray, params: Parameters
) -> np.ndarray:
    """Draw how many weeks each migrant stays (geometric, mean from the group's stay)."""
    mean = mean_stay_weeks(params)[groups]
    p = np.minimum(1.0, 1.0 / np.maximum(mean, 1.0))
    return np.minimum(dice.geometric(Decision.STAY, person_ids, p), NEVER // 2).astype(np.int32)
