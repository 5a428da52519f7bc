"""Encounters: the routes by which migrants meet the authorities each week.

The routes are the rows of :data:`ROUTES` (an :class:`EncounterRoute` each), drawn in the
table's order by :func:`draw_encounters`: a migrant met by an earlier route is not met again in
the same week. Each row says which agency meets whom, at which yearly rate (a parameter of
``EncounterParameters``, victims at a rate ratio), or names the route's own sampling:

* ``INVESTIGATION`` — the police investigate sex-trade operators on intelligence and find the
  victims they control; some are identified on the evidence, the others are met as sex workers
  caught in a raid on vice (``model.investigations``).
* ``RAID`` — raids on illegal work (the Immigration Department) and on vice (the police, in a
  batch of their own, ``Contacts.vice``; at ``disrupted_vice_raid_share`` of their rate while
  ``vice_raids_disrupted``) catch illegal workers, victims over-represented.
* ``OVERSTAY`` — overstayers (many of them victims who escaped) are caught.
* ``ARREST`` — the police arrest migrants for offences other than immigration offences (and
  screen them, in all districts from 2018); victims over-represented.
* ``COMPLAINT`` and ``SELF_REFERRAL`` — migrants in forced labour complain (Labour
  Department), aware victims call hotlines (police), at a rate scaled by trust x (1 - fear of
  retaliation).
* ``NON_REFOULEMENT_CLAIM`` — irregular migrants screened at a claim interview.
* ``VISA_APPLICATION`` — routine screening of domestic workers' visa applications (from 2021).
* ``NGO_REFERRAL`` — NGOs screen their clients (victims over-represented), identify victims in
  supported interviews, and refer those who consent (:func:`ngo_outreach`).

Investigations, raids, overstay and arrests are offender routes
(``model.states.OFFENDER_ROUTES``); the rest are not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model import adaptation, learning
from model.dice import Decision
from model.disclosure import InterviewSetting, Place, disclosure_probability
from model.hazards import only
from model.investigations import investigate_operators
from model.sampling import weekly_probability
from model.screening import victim_factors
from model.states import (
    FIRST_TRAFFICKED,
    OFFENDER_ROUTES,
    Agency,
    Exploitation,
    Group,
    LegalStatus,
    Route,
    Stage,
)
from result_folder.outcomes import OUTCOME

if TYPE_CHECKING:
    from model.model import IdentificationModel
    from model.parameters import Parameters


@dataclass(frozen=True)
class Contacts:
    """Migrants met by one route in one week, and who meets them."""

    route: Route
    slots: np.ndarray
    agency: Agency
    vice: bool = False
    """Whether they are sex workers caught in a raid on vice (by the police)."""

    @property
    def offender(self) -> bool:
        """Whether the route treats them as offenders."""
        return self.route in OFFENDER_ROUTES

    @property
    def ngo_accompanied(self) -> bool:
        """Whether an NGO accompanies them (an NGO referral)."""
        return self.route == Route.NGO_REFERRAL


#: Maps the model and some slots to a mask of them, or to a weekly probability for each.
OfSlots = Callable[["IdentificationModel", np.ndarray], np.ndarray]
#: Maps the model and a mask of the migrants who can be met this week to the slots met.
Drawer = Callable[["IdentificationModel", Callable[[np.ndarray], np.ndarray]], np.ndarray]


def anyone(model: IdentificationModel, slots: np.ndarray) -> np.ndarray:
    """Every migrant at large may be met."""
    return np.ones(len(slots), dtype=bool)


def always(params: Parameters) -> bool:
    """A route that runs every week."""
    return True


@dataclass(frozen=True)
class EncounterRoute:
    """One row of the table of routes (:data:`ROUTES`): who may be met, how often, by whom.

    A route meets migrants in the community not met by an earlier route this week. By default
    it is a weekly event of the candidate clocks (``model.hazards``): ``event`` befalls each
    ``eligible`` migrant of ``groups`` at the yearly ``rate``, victims at ``rate`` x
    ``victim_risk``. A route with its own sampling names its ``drawer`` instead.

    Attributes:
        route: The route (``Route``; whether those met are offenders: ``OFFENDER_ROUTES``).
        agency: The agency that meets them.
        event: The route's weekly event (the ``Decision`` of its random numbers); none for a
            route drawn without a candidate clock.
        rate: Name of the yearly rate in ``EncounterParameters``.
        victim_risk: Name of the rate ratio of victims in ``EncounterParameters``; none if
            victims are met at ``rate`` like anyone.
        groups: The groups that may be met (every group if none).
        eligible: Who may be met, among the migrants at large of those groups.
        scale: Maps eligible migrants to a factor (0-1) on their weekly probability.
        bound: Maps the parameters to the event's bound, in place of the one from ``rate``
            (one weekly probability, or one per ``Group``: ``model.hazards.only``).
        drawer: The route's own sampling, in place of the event's: given the mask of the
            migrants at large, returns the slots met (it may still draw on ``event``).
        vice: Whether those met are sex workers caught in a raid on vice (``Contacts.vice``).
        vice_workers: Maps the slots met to a mask of the sex workers among them, met by the
            police in a raid on vice, in a batch of their own before the others.
        runs: Whether the route runs under the parameters (if not: no draw and no batch).
        empty_batch: Whether a week with nobody met still gives a batch (an empty batch
            still draws officers' places, ``ScreeningService.ration_contacts``).
    """

    route: Route
    agency: Agency
    event: Decision | None = None
    rate: str | None = None
    victim_risk: str | None = None
    groups: tuple[Group, ...] = ()
    eligible: OfSlots = anyone
    scale: OfSlots | None = None
    bound: Callable[[Parameters], float | np.ndarray] | None = None
    drawer: Drawer | None = None
    vice: bool = False
    vice_workers: OfSlots | None = None
    runs: Callable[[Parameters], bool] = always
    empty_batch: bool = True

    def victim_and_other(self, params: Parameters) -> tuple[float, float]:
        """Weekly probabilities of the event for a victim and for another migrant."""
        e = params.encounters
        rate = getattr(e, self.rate)
        risk = 1.0 if self.victim_risk is None else getattr(e, self.victim_risk)
        return weekly_probability(rate * risk), weekly_probability(rate)

    def event_bound(self, params: Parameters) -> float | np.ndarray:
        """The event's bound: its largest weekly probability (``model.hazards``)."""
        if self.bound is not None:
            return self.bound(params)
        bound = max(self.victim_and_other(params))
        return only(*self.groups, bound=bound) if self.groups else bound

    def meet(
        self, model: IdentificationModel, at_large: Callable[[np.ndarray], np.ndarray]
    ) -> np.ndarray:
        """The slots this route meets this week, sorted."""
        if self.drawer is not None:
            return self.drawer(model, at_large)
        return model.hazards.select(
            self.event,
            lambda s: at_large(s) & self.eligible(model, s),
            self.probability(model),
        )

    def probability(self, model: IdentificationModel) -> Callable[[np.ndarray], np.ndarray] | None:
        """Maps eligible slots to their weekly probability (none: the bound, for everyone)."""
        if self.victim_risk is None and self.scale is None:
            return None

        def probability(slots: np.ndarray) -> np.ndarray:
            if self.victim_risk is None:
                p = model.hazards.bound(self.event)
            else:
                p = by_victim_status(model, slots, *self.victim_and_other(model.params))
            return p if self.scale is None else p * self.scale(model, slots)

        return probability

    def contacts(self, model: IdentificationModel, met: np.ndarray) -> list[Contacts]:
        """The batches of the migrants met: one, or the raid on vice's and the others'."""
        if self.vice_workers is None:
            return [Contacts(self.route, met, self.agency, self.vice)]
        vice = self.vice_workers(model, met)
        return [
            Contacts(self.route, met[vice], Agency.POLICE, vice=True),
            Contacts(self.route, met[~vice], self.agency, self.vice),
        ]


def draw_encounters(model: IdentificationModel) -> list[Contacts]:
    """Draw this week's encounters, route by route in the order of :data:`ROUTES`.

    Returns:
        The batches of contacts, in the table's order.
    """
    pop = model.population
    taken = np.zeros(pop.capacity, dtype=bool)  # met by an earlier route this week

    def at_large(s: np.ndarray) -> np.ndarray:
        return (pop.stage[s] == Stage.COMMUNITY.value) & ~taken[s]

    batches: list[Contacts] = []
    for row in ROUTES:
        if not row.runs(model.params):
            continue
        met = row.meet(model, at_large)
        if len(met) or row.empty_batch:
            batches.extend(row.contacts(model, met))
            taken[met] = True
    return batches


def encounter_bounds(params: Parameters) -> dict[Decision, float | np.ndarray]:
    """The bound of each route's event (``model.hazards``), from the parameters alone.

    From the parameters alone, so that runs making the same changes keep the same clocks.
    """
    return {row.event: row.event_bound(params) for row in ROUTES if row.event is not None}


def by_victim_status(
    model: IdentificationModel, slots: np.ndarray, p_victim: float, p_other: float
) -> np.ndarray:
    """Weekly probabilities: ``p_victim`` for the trafficked migrants, ``p_other`` for others."""
    return np.where(model.population.status[slots] >= FIRST_TRAFFICKED, p_victim, p_other)


def _works_illegally(model: IdentificationModel, slots: np.ndarray) -> np.ndarray:
    """Illegal workers not hiding from raids (``model.adaptation``)."""
    legal = model.population.legal[slots] == LegalStatus.ILLEGAL_WORKER.value
    return legal & adaptation.exposed(model, slots)


def _vice_raids(model: IdentificationModel, slots: np.ndarray) -> np.ndarray:
    """While raids on vice are disrupted, sex workers are raided at a share of the usual.

    Raids on illegal work follow their own published volumes and are not disrupted.
    """
    e = model.params.encounters
    share = e.disrupted_vice_raid_share if e.vice_raids_disrupted else 1.0
    return np.where(model.population.group[slots] == Group.SEX.value, share, 1.0)


def _sex_workers(model: IdentificationModel, slots: np.ndarray) -> np.ndarray:
    return model.population.group[slots] == Group.SEX.value


def _overstays(model: IdentificationModel, slots: np.ndarray) -> np.ndarray:
    return model.population.legal[slots] == LegalStatus.OVERSTAYER.value


def _regular(model: IdentificationModel, slots: np.ndarray) -> np.ndarray:
    return model.population.legal[slots] == LegalStatus.REGULAR.value


def _in_forced_labour(model: IdentificationModel, slots: np.ndarray) -> np.ndarray:
    """Regular migrants in forced labour or trafficked."""
    return (model.population.status[slots] >= Exploitation.FORCED_LABOUR.value) & _regular(
        model, slots
    )


def _aware_victim(model: IdentificationModel, slots: np.ndarray) -> np.ndarray:
    pop = model.population
    return (pop.status[slots] >= FIRST_TRAFFICKED) & pop.aware[slots]


def _seeking_help(model: IdentificationModel, slots: np.ndarray) -> np.ndarray:
    """Trust x (1 - fear of retaliation), lowered by learnt fear (``model.learning``)."""
    pop = model.population
    trust = pop.trust[slots] * (1.0 - pop.fear_retaliation[slots])
    return learning.help_seeking(model, slots, trust)


def _visa_bound(params: Parameters) -> np.ndarray:
    """Regular domestic workers' applications x coverage, while routine screening runs."""
    e = params.encounters
    p_visa = weekly_probability(e.visa_applications_per_year) * e.routine_screening_coverage
    return only(Group.DOMESTIC, bound=p_visa if e.routine_visa_screening else 0.0)


def _ngo_screenings_per_year(ngo) -> float:
    """While outreach is disrupted (protests, gathering bans) NGOs screen a share of the usual."""
    return ngo.screenings_per_year * (
        ngo.disrupted_outreach_share if ngo.outreach_disrupted else 1.0
    )


def _ngo_bound(params: Parameters) -> np.ndarray:
    """The victims' rate at the initial number of domestic workers, with room for a fifth less.

    The NGOs' rate depends on how many domestic workers there are; the bound may not.
    """
    ngo = params.ngo
    domestic = max(params.population.domestic_workers, 1)
    per_year = _ngo_screenings_per_year(ngo)
    p_ngo = min(1.0, per_year / 52.0 / (0.8 * domestic) * ngo.victim_relative_contact)
    return only(Group.DOMESTIC, bound=p_ngo)


def ngo_outreach(
    model: IdentificationModel, at_large: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """NGOs screen domestic workers, identify victims, and return those referred onwards."""
    pop, params, dice = model.population, model.params, model.dice
    ngo = params.ngo
    domestic = int(pop.group_count[Group.DOMESTIC])
    victims = model.domestic_victims
    weight_total = domestic + (ngo.victim_relative_contact - 1.0) * victims
    per_year = _ngo_screenings_per_year(ngo)
    if weight_total <= 0 or per_year <= 0:
        p_other = p_victim = 0.0
    else:
        p_other = min(1.0, per_year / 52.0 / weight_total)
        p_victim = min(1.0, p_other * ngo.victim_relative_contact)
    clients = model.hazards.select(
        Decision.NGO_CONTACT,
        lambda s: at_large(s) & (pop.group[s] == Group.DOMESTIC.value),
        lambda s: by_victim_status(model, s, p_victim, p_other),
    )
    model.outcomes.add(OUTCOME.ngo_screened, len(clients))
    victim_clients = clients[pop.status[clients] >= FIRST_TRAFFICKED]
    setting = InterviewSetting(
        supported=True, quality=params.officers.interview_quality_trained, place=Place.NGO
    )
    p = disclosure_probability(victim_factors(model, victim_clients), setting, params)
    ids = pop.person_id[victim_clients]
    identified = victim_clients[dice.bernoulli(Decision.NGO_DISCLOSURE, ids, p, model.week)]
    model.outcomes.add(OUTCOME.ngo_victims_identified, len(identified))
    consent = min(1.0, ngo.referral_consent * params.screening.ngo_referral_share)
    ids = pop.person_id[identified]
    referred = identified[dice.bernoulli(Decision.NGO_CONSENT, ids, consent, model.week)]
    model.outcomes.add(OUTCOME.ngo_referrals, len(referred))
    return referred


#: The routes of encounter, in the order they are drawn each week (a migrant met by an earlier
#: route is not met again that week). Adding a route is a row here plus its parameters.
ROUTES: tuple[EncounterRoute, ...] = (
    EncounterRoute(
        Route.INVESTIGATION,
        Agency.POLICE,
        drawer=investigate_operators,  # on intelligence, an operator's victims
        vice=True,
        empty_batch=False,
    ),
    EncounterRoute(
        Route.RAID,
        Agency.IMMIGRATION,  # illegal work; vice: the police
        Decision.RAID,
        "raid_rate_per_year",
        "raid_victim_relative_risk",
        groups=(Group.SEX, Group.IRREGULAR),  # they alone work illegally (from arrival)
        eligible=_works_illegally,
        scale=_vice_raids,
        vice_workers=_sex_workers,
    ),
    EncounterRoute(
        Route.OVERSTAY,
        Agency.IMMIGRATION,
        Decision.OVERSTAY_CHECK,
        "overstayer_detection_rate_per_year",
        eligible=_overstays,
    ),
    EncounterRoute(
        Route.ARREST,  # for offences other than immigration offences
        Agency.POLICE,
        Decision.ARREST,
        "arrest_rate_per_year",
        "arrest_victim_relative_risk",
    ),
    EncounterRoute(
        Route.COMPLAINT,
        Agency.LABOUR,
        Decision.COMPLAINT,
        "complaint_rate_per_year",
        eligible=_in_forced_labour,
        scale=_seeking_help,
    ),
    EncounterRoute(
        Route.SELF_REFERRAL,  # hotlines
        Agency.POLICE,
        Decision.SELF_REFERRAL,
        "self_referral_rate_per_year",
        eligible=_aware_victim,
        scale=_seeking_help,
    ),
    EncounterRoute(
        Route.NON_REFOULEMENT_CLAIM,  # a claim interview
        Agency.IMMIGRATION,
        Decision.CLAIM,
        "claimant_screening_rate_per_year",
        groups=(Group.IRREGULAR,),  # the model's claimants
    ),
    EncounterRoute(
        Route.VISA_APPLICATION,
        Agency.IMMIGRATION,
        Decision.VISA,
        eligible=_regular,
        bound=_visa_bound,
        runs=lambda params: params.encounters.routine_visa_screening,
    ),
    EncounterRoute(
        Route.NGO_REFERRAL,
        Agency.POLICE,
        Decision.NGO_CONTACT,
        bound=_ngo_bound,
        drawer=ngo_outreach,
    ),
)
