"""Screening: officers' tier-1 indicator screening and the tier-2 in-depth interview.

* **Tier 1**: an officer of the agency that met the migrant (or, when that agency has no spare
  capacity this week, of any agency) applies the indicator checklist. A trained officer flags a
  victim with ``tier1_sensitivity``; an untrained one with that times
  ``sensitivity_untrained_factor``. Non-victims are flagged with 1 - specificity.
* **Rationing**: when the week's contacts screened at contact outnumber the officers' spare
  places, a uniformly random set of them keeps the places, whatever their route: those with
  the lowest numbers of the week (:meth:`ScreeningService.ration_contacts`); returnees and
  detainees get what is left. Which officer screens whom is shared out by each migrant's own
  numbers too (``model.rationing.Ring``), so that one contact more or fewer moves no
  other contact's officer but its neighbours'.
* **Tier 2**: a flagged migrant is interviewed over ``tier2_sessions`` sessions. A victim
  discloses at each session with the probability of the disclosure model; a supported session
  draws one place from the week's support capacity. A flagged non-victim is wrongly identified
  with ``tier2_false_positive_rate``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.dice import Decision
from model.disclosure import InterviewSetting, Place, VictimFactors, disclosure_probability
from model.rationing import Ring, epoch, kept_by_priority
from model.states import Agency
from result_folder.outcomes import OUTCOME

if TYPE_CHECKING:
    from model.encounters import Contacts
    from model.model import IdentificationModel


#: Places of one officer in a week are named ``row * this + number`` (``assign_officers``).
PLACES_PER_OFFICER = 1 << 16
#: Dice draw counters of one occasion's tier-2 sessions (``ScreeningService.tier2``).
SESSION_DRAWS = 64


@dataclass
class Tier1Result:
    """Outcome of indicator screening for a batch of migrants (aligned with the input slots)."""

    screened: np.ndarray
    flagged: np.ndarray
    quality: np.ndarray


def victim_factors(model: IdentificationModel, slots: np.ndarray) -> VictimFactors:
    """Read the disclosure factors of migrants ``slots`` from the column store."""
    pop = model.population
    return VictimFactors(
        trust=pop.trust[slots],
        fear_retaliation=pop.fear_retaliation[slots],
        fear_punishment=pop.fear_punishment[slots],
        debt_months=pop.current_debt(
            slots, model.week, model.params.prevalence.debt_repaid_months_per_month
        ),
        ptsd=pop.ptsd[slots],
        aware=pop.aware[slots],
    )


class ScreeningService:
    """The officers and support places of one week, and the two tiers of screening."""

    def __init__(self, model: IdentificationModel) -> None:
        self.model = model
        self.support_left = 0
        self._serving: list | None = None
        self._serving_rows = np.zeros(0, dtype=np.int64)
        self._turned_away: np.ndarray | None = None  # sorted slots without a place at contact
        self._ring_key: tuple | None = None
        self._ring_staff: list | None = None
        self._ring_cache: tuple = ()

    def start_week(self) -> None:
        """Reset officers' caseloads and the support places of the week."""
        self.model.officer_table.caseload[:] = 0
        self.support_left = self.model.params.support.weekly_sessions

    def _rows(self) -> np.ndarray:
        """Table rows of the serving officers, in the order of ``model.officers``.

        Cached until ``model.officers`` is replaced by another list (as
        ``model.timeline.staff_officers`` does); change the staff by assigning a new list, not
        by changing the list in place (``model.invariants`` checks the cache).
        """
        officers = self.model.officers
        if self._serving is not officers:  # the timeline replaces the list when it staffs
            self._serving = officers
            self._serving_rows = np.array([o.row for o in officers], dtype=np.int64)
        return self._serving_rows

    def _spare(self) -> np.ndarray:
        """Screenings each serving officer (as ``_rows``) can still carry out this week."""
        table, rows = self.model.officer_table, self._rows()
        return np.maximum(table.capacity[rows] - table.caseload[rows], 0)

    def spare_places(self) -> int:
        """Screenings the serving officers can still carry out this week."""
        return int(self._spare().sum())

    def ration_contacts(
        self, batches: Sequence[Contacts], screened_at_contact: Callable[[Contacts], bool]
    ) -> None:
        """Share the week's screening places at random among the contacts screened at contact.

        When the contacts to be screened at contact outnumber the spare places, a uniformly
        random set of them, as many as there are places, keeps a place, whatever their route;
        the others are turned away (not screened at contact) until :meth:`end_contacts`. So
        no route is served before another when demand exceeds capacity. Nothing is drawn
        when the places suffice.

        Args:
            batches: The week's contacts, one batch per route and agency.
            screened_at_contact: The policy's choice of the batches it screens at contact.
        """
        self._turned_away = None
        wanted = [b.slots for b in batches if len(b.slots) and screened_at_contact(b)]
        if not wanted:
            return
        demand = np.concatenate(wanted)
        places = self.spare_places()
        if len(demand) <= places:
            return
        model = self.model
        ids = model.population.person_id[demand]
        kept = kept_by_priority(model.dice, Decision.SCREENING_PRIORITY, ids, places, model.week)
        self._turned_away = np.sort(demand[~kept])

    def end_contacts(self) -> None:
        """End the contact phase: the places left are open to anyone (detainees, returnees)."""
        self._turned_away = None

    def _ring(self) -> tuple[Ring, np.ndarray, np.ndarray]:
        """The serving officers' places on a ring, with each place's officer row and number.

        Rebuilt each ring epoch (``model.rationing.epoch``) and when the staff or a capacity
        changes.
        """
        model = self.model
        rows = self._rows()
        capacity = model.officer_table.capacity[rows]
        key = (epoch(model.week), capacity.tobytes())
        if self._ring_key != key or self._ring_staff is not self._serving:
            owner = np.repeat(rows, capacity)
            number = np.arange(len(owner)) - np.repeat(np.cumsum(capacity) - capacity, capacity)
            names = owner * PLACES_PER_OFFICER + number
            ring = Ring(model.dice, Decision.OFFICER_PLACE, names, model.week)
            self._ring_cache = (ring, owner, number)
            self._ring_key, self._ring_staff = key, self._serving
        return self._ring_cache

    def assign_officers(self, person_ids: np.ndarray, agency: Agency) -> np.ndarray:
        """Assign the screenings of migrants ``person_ids`` to officers with spare capacity.

        Officers of ``agency`` go first, then officers of other agencies: the migrants with
        the lowest priority numbers of the week get the own agency's places. In each group
        every spare screening place is equally likely for each migrant, and places are shared
        out by the migrants' own numbers (``model.rationing.Ring``; an officer's places are
        numbered, those below its caseload taken).

        Returns:
            Officer-table row for each screening; -1 where no officer was free this week.
        """
        model = self.model
        table = model.officer_table
        ring, owner, number = self._ring()
        free = number >= table.caseload[owner]
        own = table.agency[owner] == agency
        assigned = np.full(len(person_ids), -1, dtype=np.int64)
        waiting = np.arange(len(person_ids))
        for pool in (own, ~own):
            if len(waiting) == 0:
                break
            place = ring.assign(person_ids[waiting], free & pool, model.week)
            got = place >= 0
            chosen = owner[place[got]]
            table.caseload += np.bincount(chosen, minlength=len(table.caseload))
            assigned[waiting[got]] = chosen
            waiting = waiting[~got]
        return assigned

    def tier1(self, slots: np.ndarray, agency: Agency, draw: int = 0) -> Tier1Result:
        """Indicator screening of migrants ``slots`` by officers of ``agency`` (or others).

        Args:
            slots: The migrants.
            agency: The agency that met them.
            draw: Dice draw counter of the screening (one per occasion a migrant may be
                screened in a week: at contact, in detention).
        """
        model, levers = self.model, self.model.params.screening
        officers_params = model.params.officers
        ids = model.population.person_id[slots]
        if self._turned_away is None:
            officers = self.assign_officers(ids, agency)
        else:  # the contact phase of a week whose demand exceeds the places
            admitted = ~np.isin(slots, self._turned_away, assume_unique=True)
            officers = np.full(len(slots), -1, dtype=np.int64)
            officers[admitted] = self.assign_officers(ids[admitted], agency)
        screened = officers >= 0
        trained = screened & model.officer_table.trained[np.maximum(officers, 0)]
        sensitivity = np.where(
            trained,
            levers.tier1_sensitivity,
            levers.tier1_sensitivity * officers_params.sensitivity_untrained_factor,
        )
        specificity = np.where(
            trained, levers.tier1_specificity, officers_params.specificity_untrained
        )
        quality = np.where(
            trained,
            officers_params.interview_quality_trained,
            officers_params.interview_quality_untrained,
        )
        if levers.trauma_informed:
            quality = np.minimum(1.0, quality + levers.trauma_informed_quality)
        victim = model.population.is_victim(slots)
        u = model.dice.uniforms(Decision.TIER1, ids, model.week, draw)
        flagged = screened & np.where(victim, u < sensitivity, u >= specificity)
        n_screened = int(np.count_nonzero(screened))
        model.outcomes.add(OUTCOME.initial_screenings, n_screened)
        model.outcomes.add(OUTCOME.victims_screened, int(np.count_nonzero(screened & victim)))
        model.outcomes.add(OUTCOME.flagged, int(np.count_nonzero(flagged)))
        model.outcomes.add(OUTCOME.cost_hkd, n_screened * model.params.costs.tier1_screening_hkd)
        return Tier1Result(screened=screened, flagged=flagged, quality=quality)

    def tier2(
        self,
        slots: np.ndarray,
        quality: np.ndarray,
        supported: bool,
        place: Place = Place.OFFICE,
        trafficker_present: np.ndarray | bool = False,
        draw: int = 0,
    ) -> np.ndarray:
        """In-depth screening of flagged migrants ``slots``; returns who is identified.

        Args:
            slots: Flagged migrants.
            quality: Interview quality for each.
            supported: Whether the policy asks for support; each supported session uses one
                place of the week's support capacity, and runs unsupported when none is left.
            place: Where the interviews are held (the policy's choice).
            trafficker_present: Per migrant, whether the trafficker is present.
            draw: Dice draw counter of the occasion (as for :meth:`tier1`); session ``k``
                draws ``draw * SESSION_DRAWS + k``.

        Returns:
            Boolean mask over ``slots``: identified as a victim (true or false positive).
        """
        model = self.model
        params, levers = model.params, model.params.screening
        dice, week = model.dice, model.week
        n = len(slots)
        identified = np.zeros(n, dtype=bool)
        if n == 0:
            return identified
        ids = model.population.person_id[slots]
        # Every number of the interviews in one pass: the support priority (the lowest numbers
        # of the week get the places), one disclosure draw per session, the false positive.
        sessions = levers.tier2_sessions
        numbers = dice.uniform_rows(
            (
                Decision.SUPPORT_PRIORITY,
                *(Decision.DISCLOSURE,) * sessions,
                Decision.FALSE_POSITIVE,
            ),
            ids,
            week,
            (0, *(draw * SESSION_DRAWS + k for k in range(sessions)), draw),
        )
        by_priority = np.argsort(numbers[0], kind="stable")
        victim = model.population.is_victim(slots)
        factors = victim_factors(model, slots)
        supported_before = np.zeros(n, dtype=np.int64)
        for session in range(sessions):
            waiting = ~identified
            n_waiting = int(np.count_nonzero(waiting))
            if n_waiting == 0:
                break
            with_support = np.zeros(n, dtype=bool)
            if supported:
                places = min(self.support_left, n_waiting)
                with_support[by_priority[waiting[by_priority]][:places]] = True
                self.support_left -= places
            setting = InterviewSetting(
                supported=with_support,
                quality=quality,
                sessions_before=supported_before,
                place=place,
                trafficker_present=trafficker_present,
            )
            probability = disclosure_probability(factors, setting, params)
            discloses = waiting & victim & (numbers[1 + session] < probability)
            identified |= discloses
            supported_before += with_support
            model.outcomes.add(OUTCOME.tier2_sessions, n_waiting)
            model.outcomes.add(OUTCOME.supported_sessions, int(np.count_nonzero(with_support)))
            model.outcomes.add(OUTCOME.cost_hkd, n_waiting * params.costs.tier2_session_hkd)
        false_positive = ~victim & (numbers[-1] < levers.tier2_false_positive_rate)
        identified |= false_positive
        model.outcomes.add(OUTCOME.tier2_screenings, n)
        return identified
