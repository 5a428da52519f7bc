"""What happens to migrants in the authorities' hands: detention, removal, identification, support.

The policy decides *when* to screen and whom to detain; these operations carry the decisions
out, open and close the cases (rows of ``model.cases.CaseTable``, one per migrant detained or
supported, no Mesa agent) and count the outcomes, so that no policy can forget to count
something.

* **Detention** starts a removal clock (:func:`removal_days`: a minimum processing time plus
  a gamma-distributed wait, mean ``removal_days``). Each week the detainee is held adds 7
  detention days; the removal week adds the rest. A victim removed before identification is
  lost for good.
* **Identification** moves a migrant into victim support; the victim decides whether to act as
  a witness (which opens an investigation of their trafficker), and the trafficker, learning of
  it, threatens its other victims.
* **Support** ends after ``victim_support_weeks``; the person then stays (regularised, free of
  the trafficker) or leaves Hong Kong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model import after_removal, justice, learning
from model.cases import CaseTable
from model.dice import Decision, Dice
from model.population import NO_WEEK
from model.states import OFFENDER_ROUTES, Exploitation, Group, LegalStatus, Route, Stage
from model.trafficking import retaliate
from result_folder.outcomes import OUTCOME

if TYPE_CHECKING:
    from model.model import IdentificationModel
    from model.parameters import DetentionParameters

DAYS_PER_WEEK = 7


def removal_days(
    dice: Dice, person_ids: np.ndarray, week: int, detention: DetentionParameters
) -> np.ndarray:
    """Draw days from detention to removal for detainees ``person_ids`` detained in ``week``.

    The time is ``m + Gamma(shape, (mean - m) / shape)`` with ``m`` the minimum processing time
    (``detention.removal_min_days``, capped at the mean) and ``mean`` the mean time
    (``detention.removal_days``), so the mean is ``removal_days`` whatever the minimum and shape.
    With a minimum of 0 and shape 1 it is the exponential (memoryless) clock.

    Args:
        dice: The run's dice.
        person_ids: The detainees' identities.
        week: The week of detention.
        detention: Detention parameters.

    Returns:
        Days, one per detainee.
    """
    mean = detention.removal_days
    minimum = min(detention.removal_min_days, mean)
    if mean - minimum <= 0.0:
        return np.full(len(person_ids), mean, dtype=np.float64)
    shape = detention.removal_shape
    scale = (mean - minimum) / shape
    return minimum + dice.gammas(Decision.REMOVAL_DAYS, person_ids, shape, scale, week)


#: Who is identified (victims and false positives), by group: the flow of each group.
IDENTIFIED_BY_GROUP = {
    Group.DOMESTIC: OUTCOME.identified_workers,
    Group.OTHER: OUTCOME.identified_workers,
    Group.IRREGULAR: OUTCOME.identified_irregular,
    Group.SEX: OUTCOME.identified_sex_trade,
}


def count_by_group(model: IdentificationModel, slots: np.ndarray) -> None:
    """Count the people identified in ``slots`` by group (who is identified, not only how many).

    Domestic and other migrant workers (with an employer and a work visa) count as
    ``identified_workers``, the irregular group (non-refoulement claimants) as
    ``identified_irregular``, sex workers as ``identified_sex_trade``.
    """
    groups = model.population.group[slots]
    for group, flow in IDENTIFIED_BY_GROUP.items():
        model.outcomes.add(flow, int(np.count_nonzero(groups == group.value)))


class Custody:
    """Detention, removal, identification and support of migrants met by the authorities.

    Attributes:
        model: The model.
        cases: The open cases (one per migrant detained or supported), in opening order.
    """

    def __init__(self, model: IdentificationModel) -> None:
        self.model = model
        self.cases = CaseTable()

    # ------------------------------------------------------------------ entering custody
    def detain(self, slots: np.ndarray, route: Route) -> None:
        """Detain migrants ``slots`` and start their removal clocks."""
        if len(slots) == 0:
            return
        model = self.model
        pop = model.population
        ids = pop.person_id[slots]
        days = removal_days(model.dice, ids, model.week, model.params.detention)
        pop.stage[slots] = Stage.DETAINED
        pop.end_control(slots)
        pop.fear_punishment[slots] = model.params.behaviour.fear_punishment_offender
        self.cases.open(slots, route, model.week)
        pop.planned_days[slots] = days
        pop.booked_days[slots] = 0.0
        pop.removal_week[slots] = model.week + (days // DAYS_PER_WEEK).astype(np.int64)
        victims = int(np.count_nonzero(pop.is_victim(slots)))
        model.outcomes.add(OUTCOME.detained, len(slots))
        model.outcomes.add(OUTCOME.victims_detained, victims)

    def identify(self, slots: np.ndarray, route: Route) -> None:
        """Identify migrants ``slots`` as victims and move them into support."""
        if len(slots) == 0:
            return
        model = self.model
        pop = model.population
        victim = pop.is_victim(slots)
        model.outcomes.add(OUTCOME.victims_identified, int(np.count_nonzero(victim)))
        detained = pop.stage[slots] == Stage.DETAINED.value
        model.outcomes.add(
            OUTCOME.victims_identified_in_detention, int(np.count_nonzero(victim & detained))
        )
        model.outcomes.add(OUTCOME.false_positives, int(np.count_nonzero(~victim)))
        if route in OFFENDER_ROUTES:
            model.outcomes.add(OUTCOME.identified_offenders, len(slots))
        elif route == Route.NGO_REFERRAL:
            model.outcomes.add(OUTCOME.identified_ngo_referred, len(slots))
        count_by_group(model, slots)
        model.fates.met(slots, route)  # found on an investigation's evidence: met here
        model.fates.identified(slots[victim])
        self.cases.open(slots, route, model.week)  # a detainee's case stays open, its route kept
        pop.removal_week[slots] = NO_WEEK  # weeks already held were booked week by week
        pop.support_until[slots] = model.week + model.params.support.victim_support_weeks
        pop.stage[slots] = Stage.SUPPORTED
        pop.identified[slots] = True
        pop.end_control(slots)
        learning.witness(model, slots, learning.Fate.SUPPORTED)
        witnesses = justice.cooperation(model, slots) & victim
        model.outcomes.add(OUTCOME.witnesses_cooperating, int(np.count_nonzero(witnesses)))
        named = victim & (pop.trafficker[slots] >= 0)
        self.cases.witness[slots[named]] = witnesses[named]
        for slot, is_witness, is_named in zip(slots, witnesses, named, strict=True):
            if not is_named:
                continue
            trafficker = model.traffickers[int(pop.trafficker[slot])]
            retaliate(model, trafficker)
            if is_witness:
                justice.open_investigation(model, trafficker, witness=True)

    # ------------------------------------------------------------------ weekly
    def case_slots(self) -> np.ndarray:
        """Slots of the open cases, in the order the cases were opened (read-only)."""
        return self.cases.slots

    def detainees(self) -> np.ndarray:
        """Slots of the detainees whose removal is not due this week, in case-opening order."""
        slots = self.cases.slots
        return slots[self.model.population.removal_week[slots] > self.model.week]

    def remove_due(self) -> None:
        """Remove detainees whose removal clock has run out; book detention days.

        Every detainee is booked 7 days for the week, or the rest of its planned days in its
        removal week. The outcomes are summed case by case in the order the cases were opened
        (a cumulative sum), so the totals do not depend on how the days are added up.
        """
        model = self.model
        pop = model.population
        slots = self.case_slots()
        removal = pop.removal_week[slots]
        held = removal != NO_WEEK
        detained = slots[held]
        if len(detained) == 0:
            return
        due = removal[held] <= model.week
        days = np.where(due, pop.planned_days[detained] - pop.booked_days[detained], 7.0)
        days = np.maximum(days, 0.0)
        pop.booked_days[detained] += days
        cost_per_day = model.params.detention.cost_per_day_hkd
        self._add_in_order(OUTCOME.detention_days, days)
        self._add_in_order(OUTCOME.cost_hkd, days * cost_per_day)
        self._add_in_order(OUTCOME.victim_detention_days, days[pop.is_victim(detained)])
        removed = detained[due]
        if len(removed) == 0:
            return
        unidentified = pop.is_victim(removed) & ~pop.identified[removed]
        model.outcomes.add(OUTCOME.removed, len(removed))
        model.outcomes.add(OUTCOME.cost_hkd, len(removed) * model.params.costs.removal_hkd)
        model.outcomes.add(
            OUTCOME.victims_removed_unidentified, int(np.count_nonzero(unidentified))
        )
        after_removal.leave(model, removed[unidentified], identified=False)
        learning.witness(model, removed, learning.Fate.REMOVED)
        model.fates.removed(removed)
        self._close(removed)
        pop.release(removed)

    def end_support(self) -> None:
        """Identified victims whose support has ended stay regularised or leave."""
        model = self.model
        pop = model.population
        slots = self.case_slots()
        until = pop.support_until[slots]
        supported = until != NO_WEEK
        model.outcomes.add(
            OUTCOME.cost_hkd,
            int(np.count_nonzero(supported)) * model.params.costs.victim_support_week_hkd,
        )
        done = slots[supported & (until <= model.week)]
        if len(done) == 0:
            return
        stays = model.dice.bernoulli(
            Decision.STAYS_AFTER_SUPPORT,
            pop.person_id[done],
            model.params.support.identified_victims_stay_share,
            model.week,
        )
        leaving, staying = done[~stays], done[stays]
        self._close(done)
        model.outcomes.add(OUTCOME.support_departures, len(leaving))
        pop.stage[staying] = Stage.COMMUNITY
        pop.set_status(staying, Exploitation.NONE)
        pop.legal[staying] = LegalStatus.REGULAR
        pop.fear_punishment[staying] = model.params.behaviour.fear_punishment_regular
        pop.fear_retaliation[staying] = 0.0
        pop.postpone_departure(staying, model.week + 1)
        after_removal.leave(model, leaving, identified=True)
        pop.release(leaving)

    def release(self, slots: np.ndarray) -> None:
        """Let migrants ``slots`` go back to the community (no detention, no identification)."""
        self.model.population.stage[slots] = Stage.COMMUNITY

    # ------------------------------------------------------------------ internals
    def _add_in_order(self, name: str, amounts: np.ndarray) -> None:
        """Add ``amounts`` to this week's ``name`` one after another, as a loop would."""
        if len(amounts):
            week = self.model.outcomes.week
            week[name] = float(np.cumsum(np.concatenate(([week[name]], amounts)))[-1])

    def _close(self, slots: np.ndarray) -> None:
        pop = self.model.population
        pop.removal_week[slots] = NO_WEEK
        pop.support_until[slots] = NO_WEEK
        pop.planned_days[slots] = 0.0
        pop.booked_days[slots] = 0.0
        self.cases.close(slots)

    @property
    def detained_count(self) -> int:
        """Migrants in detention now."""
        weeks = self.model.population.removal_week[self.case_slots()]
        return int(np.count_nonzero(weeks != NO_WEEK))

    @property
    def supported_count(self) -> int:
        """Identified victims in support now."""
        weeks = self.model.population.support_until[self.case_slots()]
        return int(np.count_nonzero(weeks != NO_WEEK))
