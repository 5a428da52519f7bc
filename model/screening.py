"""Screening: officers' tier-1 indicator screening and the tier-2 in-depth interview.

* **Tier 1**: an officer of the agency that met the migrant (or, when that agency has no spare
  capacity this week, of any agency) applies the indicator checklist. A trained officer flags a
  victim with ``tier1_sensitivity``; an untrained one with that times
  ``sensitivity_untrained_factor``. Non-victims are flagged with 1 - specificity.
* **Rationing**: when the week's contacts screened at contact outnumber the officers' spare
  places, a uniformly random set of them keeps the places, whatever their route
  (:meth:`ScreeningService.ration_contacts`); returnees and detainees get what is left.
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

from model.disclosure import InterviewSetting, Place, VictimFactors, disclosure_probability
from model.states import Agency

if TYPE_CHECKING:
    from model.encounters import Contacts
    from model.model import IdentificationModel


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
        self._serving_agency: dict[Agency, np.ndarray] = {}
        self._turned_away: np.ndarray | None = None  # sorted slots without a place at contact

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
            self._serving_agency = {}
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
        kept = self.model.rng_screening.choice(len(demand), size=places, replace=False)
        away = np.ones(len(demand), dtype=bool)
        away[kept] = False
        self._turned_away = np.sort(demand[away])

    def end_contacts(self) -> None:
        """End the contact phase: the places left are open to anyone (detainees, returnees)."""
        self._turned_away = None

    def _of_agency(self, agency: Agency) -> np.ndarray:
        """Which serving officers (as ``_rows``) belong to ``agency`` (cached with the rows)."""
        rows = self._rows()
        own = self._serving_agency.get(agency)
        if own is None:
            own = self._serving_agency[agency] = self.model.officer_table.agency[rows] == agency
        return own

    def assign_officers(self, count: int, agency: Agency) -> np.ndarray:
        """Assign up to ``count`` screenings to officers with spare capacity.

        Officers of ``agency`` go first, then officers of other agencies. In each group every
        spare screening place is equally likely (a random permutation of the places).

        Returns:
            Officer-table row for each of the ``count`` screenings; -1 where no officer was
            free this week.
        """
        rng = self.model.rng_screening
        table = self.model.officer_table
        rows = self._rows()
        spare = self._spare()
        own = self._of_agency(agency)
        assigned = np.full(count, -1, dtype=np.int64)
        done = 0
        for pool in (own & (spare > 0), ~own & (spare > 0)):
            places = np.repeat(rows[pool], spare[pool])
            if len(places) == 0:
                continue
            chosen = places[rng.permutation(len(places))[: count - done]]
            table.caseload += np.bincount(chosen, minlength=len(table.caseload))
            assigned[done : done + len(chosen)] = chosen
            done += len(chosen)
            if done == count:
                break
        return assigned

    def tier1(self, slots: np.ndarray, agency: Agency) -> Tier1Result:
        """Indicator screening of migrants ``slots`` by officers of ``agency`` (or others)."""
        model, levers = self.model, self.model.params.screening
        officers_params = model.params.officers
        if self._turned_away is None:
            officers = self.assign_officers(len(slots), agency)
        else:  # the contact phase of a week whose demand exceeds the places
            admitted = ~np.isin(slots, self._turned_away, assume_unique=True)
            officers = np.full(len(slots), -1, dtype=np.int64)
            officers[admitted] = self.assign_officers(int(np.count_nonzero(admitted)), agency)
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
        draw = model.rng_screening.random(len(slots))
        flagged = screened & np.where(victim, draw < sensitivity, draw >= specificity)
        n_screened = int(np.count_nonzero(screened))
        model.outcomes.add("initial_screenings", n_screened)
        model.outcomes.add("victims_screened", int(np.count_nonzero(screened & victim)))
        model.outcomes.add("flagged", int(np.count_nonzero(flagged)))
        model.outcomes.add("cost_hkd", n_screened * model.params.costs.tier1_screening_hkd)
        return Tier1Result(screened=screened, flagged=flagged, quality=quality)

    def tier2(
        self,
        slots: np.ndarray,
        quality: np.ndarray,
        supported: bool,
        place: Place = Place.OFFICE,
        trafficker_present: np.ndarray | bool = False,
    ) -> np.ndarray:
        """In-depth screening of flagged migrants ``slots``; returns who is identified.

        Args:
            slots: Flagged migrants.
            quality: Interview quality for each.
            supported: Whether the policy asks for support; each supported session uses one
                place of the week's support capacity, and runs unsupported when none is left.
            place: Where the interviews are held (the policy's choice).
            trafficker_present: Per migrant, whether the trafficker is present.

        Returns:
            Boolean mask over ``slots``: identified as a victim (true or false positive).
        """
        model = self.model
        params, levers = model.params, model.params.screening
        rng = model.rng_screening
        n = len(slots)
        identified = np.zeros(n, dtype=bool)
        if n == 0:
            return identified
        victim = model.population.is_victim(slots)
        factors = victim_factors(model, slots)
        supported_before = np.zeros(n, dtype=np.int64)
        for _ in range(levers.tier2_sessions):
            waiting = ~identified
            n_waiting = int(np.count_nonzero(waiting))
            if n_waiting == 0:
                break
            with_support = np.zeros(n, dtype=bool)
            if supported:
                places = min(self.support_left, n_waiting)
                with_support[np.flatnonzero(waiting)[:places]] = True
                self.support_left -= places
            setting = InterviewSetting(
                supported=with_support,
                quality=quality,
                sessions_before=supported_before,
                place=place,
                trafficker_present=trafficker_present,
            )
            probability = disclosure_probability(factors, setting, params)
            draw = rng.random(n)
            discloses = waiting & victim & (draw < probability)
            identified |= discloses
            supported_before += with_support
            model.outcomes.add("tier2_sessions", n_waiting)
            model.outcomes.add("supported_sessions", int(np.count_nonzero(with_support)))
            model.outcomes.add("cost_hkd", n_waiting * params.costs.tier2_session_hkd)
        false_positive = ~victim & (rng.random(n) < levers.tier2_false_positive_rate)
        identified |= false_positive
        model.outcomes.add("tier2_screenings", n)
        return identified
