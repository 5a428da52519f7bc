"""What happens to migrants in the authorities' hands: detention, removal, identification, support.

The policy decides *when* to screen and whom to detain; these operations carry the decisions
out, keep the column store and the ``Migrant`` agents in step, and count the outcomes, so that
no policy can forget to count something.

* **Detention** starts a removal clock (exponential, mean ``removal_days``). Each week the
  detainee is held adds 7 detention days; the removal week adds the rest. A victim removed
  before identification is lost for good.
* **Identification** moves a migrant into victim support; the victim decides whether to act as
  a witness (which opens an investigation of their trafficker), and the trafficker, learning of
  it, threatens its other victims.
* **Support** ends after ``victim_support_weeks``; the person then stays (regularised, free of
  the trafficker) or leaves Hong Kong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model import justice
from model.agents import Migrant
from model.states import Exploitation, LegalStatus, Route, Stage
from model.trafficking import retaliate

if TYPE_CHECKING:
    from model.model import IdentificationModel

DAYS_PER_WEEK = 7


class Custody:
    """Detention, removal, identification and support of migrants met by the authorities."""

    def __init__(self, model: IdentificationModel) -> None:
        self.model = model
        self.cases: dict[int, Migrant] = {}

    # ------------------------------------------------------------------ entering custody
    def _case(self, slot: int, route: Route) -> Migrant:
        case = self.cases.get(slot)
        if case is None:
            case = Migrant(self.model, slot, route)
            self.cases[slot] = case
        return case

    def detain(self, slots: np.ndarray, route: Route) -> None:
        """Detain migrants ``slots`` and start their removal clocks."""
        if len(slots) == 0:
            return
        model = self.model
        pop = model.population
        mean_days = model.params.detention.removal_days
        days = (
            model.rng_screening.exponential(mean_days, len(slots))
            if mean_days > 0
            else np.zeros(len(slots))
        )
        pop.stage[slots] = Stage.DETAINED
        pop.end_control(slots)
        pop.fear_punishment[slots] = model.params.behaviour.fear_punishment_offender
        for slot, planned in zip(slots, days, strict=True):
            case = self._case(int(slot), route)
            case.planned_days = float(planned)
            case.booked_days = 0.0
            case.removal_week = model.week + int(planned // DAYS_PER_WEEK)
        victims = int(pop.is_victim(slots).sum())
        model.outcomes.add("detained", len(slots))
        model.outcomes.add("victims_detained", victims)

    def identify(self, slots: np.ndarray, route: Route) -> None:
        """Identify migrants ``slots`` as victims and move them into support."""
        if len(slots) == 0:
            return
        model = self.model
        pop = model.population
        victim = pop.is_victim(slots)
        model.outcomes.add("victims_identified", int(victim.sum()))
        detained = pop.stage[slots] == Stage.DETAINED
        model.outcomes.add("victims_identified_in_detention", int((victim & detained).sum()))
        model.outcomes.add("false_positives", int((~victim).sum()))
        for slot in slots:
            case = self._case(int(slot), route)
            case.removal_week = None  # weeks already held were booked week by week
            case.support_until = model.week + model.params.support.victim_support_weeks
        pop.stage[slots] = Stage.SUPPORTED
        pop.identified[slots] = True
        pop.end_control(slots)
        witnesses = justice.cooperation(model, slots) & victim
        model.outcomes.add("witnesses_cooperating", int(witnesses.sum()))
        for slot, is_witness, is_victim in zip(slots, witnesses, victim, strict=True):
            trafficker_id = int(pop.trafficker[slot])
            if not is_victim or trafficker_id < 0:
                continue
            trafficker = model.traffickers[trafficker_id]
            self.cases[int(slot)].witness = bool(is_witness)
            retaliate(model, trafficker)
            if is_witness:
                justice.open_investigation(model, trafficker, witness=True)

    # ------------------------------------------------------------------ weekly
    def detainees(self) -> list[Migrant]:
        """Detained cases whose removal is not due this week."""
        week = self.model.week
        return [
            c for c in self.cases.values() if c.removal_week is not None and c.removal_week > week
        ]

    def remove_due(self) -> None:
        """Remove detainees whose removal clock has run out; book detention days."""
        model = self.model
        pop = model.population
        removed = []
        for case in list(self.cases.values()):
            if case.removal_week is None:
                continue
            if case.removal_week > model.week:
                self._book_detention(case, DAYS_PER_WEEK)
                continue
            self._book_detention(case, case.planned_days - case.booked_days)
            removed.append(case.slot)
        if not removed:
            return
        slots = np.asarray(removed, dtype=np.int64)
        unidentified = pop.is_victim(slots) & ~pop.identified[slots]
        model.outcomes.add("removed", len(slots))
        model.outcomes.add("victims_removed_unidentified", int(unidentified.sum()))
        self._close(slots)
        pop.release(slots)

    def end_support(self) -> None:
        """Identified victims whose support has ended stay regularised or leave."""
        model = self.model
        pop = model.population
        supported = [c for c in self.cases.values() if c.support_until is not None]
        model.outcomes.add("cost_hkd", len(supported) * model.params.costs.victim_support_week_hkd)
        done = np.asarray(
            [c.slot for c in supported if c.support_until <= model.week], dtype=np.int64
        )
        if len(done) == 0:
            return
        stays = model.rng_screening.random(len(done)) < (
            model.params.support.identified_victims_stay_share
        )
        leaving, staying = done[~stays], done[stays]
        self._close(done)
        model.outcomes.add("support_departures", len(leaving))
        pop.stage[staying] = Stage.COMMUNITY
        pop.set_status(staying, Exploitation.NONE)
        pop.legal[staying] = LegalStatus.REGULAR
        pop.fear_punishment[staying] = model.params.behaviour.fear_punishment_regular
        pop.fear_retaliation[staying] = 0.0
        pop.departure_week[staying] = np.maximum(pop.departure_week[staying], model.week + 1)
        pop.release(leaving)

    def release(self, slots: np.ndarray) -> None:
        """Let migrants ``slots`` go back to the community (no detention, no identification)."""
        self.model.population.stage[slots] = Stage.COMMUNITY

    # ------------------------------------------------------------------ internals
    def _book_detention(self, case: Migrant, days: float) -> None:
        days = max(days, 0.0)
        case.booked_days += days
        self.model.outcomes.add("detention_days", days)
        self.model.outcomes.add("cost_hkd", days * self.model.params.detention.cost_per_day_hkd)
        if case.is_victim:
            self.model.outcomes.add("victim_detention_days", days)

    def _close(self, slots: np.ndarray) -> None:
        for slot in slots:
            case = self.cases.pop(int(slot))
            case.remove()

    @property
    def detained_count(self) -> int:
        """Migrants in detention now."""
        return sum(1 for c in self.cases.values() if c.removal_week is not None)

    @property
    def supported_count(self) -> int:
        """Identified victims in support now."""
        return sum(1 for c in self.cases.values() if c.support_until is not None)
