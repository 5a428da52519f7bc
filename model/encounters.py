"""Encounters: the routes by which migrants meet the authorities each week.

Routes, in the order they are drawn (a migrant met by an earlier route is not drawn again in
the same week):

* ``INVESTIGATION`` — the police investigate sex-trade operators on intelligence
  (``sex_trafficking_investigations_per_year``) and find the victims they control; some are
  identified on the evidence, the others are met as sex workers caught in a raid on vice
  (``model.investigations``).
* ``RAID`` — enforcement raids on illegal work and vice catch migrants working illegally;
  trafficked migrants are over-represented (``raid_victim_relative_risk``). Sex workers are
  caught by the police in raids on vice (``Contacts.vice``), the others by the Immigration
  Department.
* ``OVERSTAY`` — overstayers (many of them victims who escaped) are caught.
* ``ARREST`` — the police arrest migrants for offences other than immigration offences (and
  screen them, in all districts from 2018); victims are over-represented
  (``arrest_victim_relative_risk``).
* ``COMPLAINT`` — migrants in forced labour or trafficked complain (Labour Department, police);
  the yearly rate is scaled by trust x (1 - fear of retaliation).
* ``SELF_REFERRAL`` — aware victims seek help through hotlines, scaled the same way.
* ``NON_REFOULEMENT_CLAIM`` — non-refoulement claimants (the irregular group) are screened at
  an Immigration Department claim interview.
* ``VISA_APPLICATION`` — routine screening of domestic workers' visa applications (from 2021).
* ``NGO_REFERRAL`` — NGOs screen their clients (victims over-represented), identify victims in
  supported interviews, and refer those who consent. While outreach is disrupted
  (``ngo.outreach_disrupted``), NGOs screen ``ngo.disrupted_outreach_share`` of the usual.

Investigations, raids, overstay and arrests are offender routes
(``model.states.OFFENDER_ROUTES``); the rest are not. While raids on vice are disrupted
(``vice_raids_disrupted``), they run at ``disrupted_vice_raid_share`` of their usual rate.
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


def victim_weighted_slots(
    model: IdentificationModel,
    event: Decision,
    p_victim: float,
    p_other: float,
    eligible: Callable[[np.ndarray], np.ndarray],
    scale: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """Select eligible migrants, victims with probability ``p_victim`` and others ``p_other``.

    Args:
        model: The model (population and candidate clocks, ``model.hazards``).
        event: The route's event; its bound (:func:`encounter_bounds`) is at least both
            probabilities (they are capped at it).
        p_victim: Weekly probability for a trafficked migrant.
        p_other: Weekly probability for any other migrant.
        eligible: Maps candidate slots to a mask of those that may be selected.
        scale: Maps eligible slots to a factor (0-1) on their probability; none if omitted.

    Returns:
        Selected slots, sorted.
    """
    pop = model.population

    def probability(s: np.ndarray) -> np.ndarray:
        p = np.where(pop.status[s] >= FIRST_TRAFFICKED, p_victim, p_other)
        return p if scale is None else p * scale(s)

    return model.hazards.select(event, eligible, probability)


def _raid_probabilities(e) -> tuple[float, float]:
    """Weekly probabilities of a raid for a victim and for another illegal worker."""
    p_other = weekly_probability(e.raid_rate_per_year)
    return weekly_probability(e.raid_rate_per_year * e.raid_victim_relative_risk), p_other


def _arrest_probabilities(e) -> tuple[float, float]:
    """Weekly probabilities of an arrest for a victim and for another migrant."""
    p_other = weekly_probability(e.arrest_rate_per_year)
    return weekly_probability(e.arrest_rate_per_year * e.arrest_victim_relative_risk), p_other


def encounter_bounds(params: Parameters) -> dict[Decision, float]:
    """The largest weekly probability of each route's encounter (``model.hazards``).

    From the parameters alone, so that runs making the same changes keep the same clocks. The
    NGOs' rate depends on how many domestic workers there are: its bound is the victims' rate
    at the initial number of domestic workers, with room for that number to fall by a fifth.
    """
    e, ngo = params.encounters, params.ngo
    per_year = ngo.screenings_per_year * (
        ngo.disrupted_outreach_share if ngo.outreach_disrupted else 1.0
    )
    domestic = max(params.population.domestic_workers, 1)
    p_visa = weekly_probability(e.visa_applications_per_year) * e.routine_screening_coverage
    p_ngo = min(1.0, per_year / 52.0 / (0.8 * domestic) * ngo.victim_relative_contact)
    return {
        # Only sex workers and irregular migrants work illegally (from arrival).
        Decision.RAID: only(Group.SEX, Group.IRREGULAR, bound=max(_raid_probabilities(e))),
        Decision.OVERSTAY_CHECK: weekly_probability(e.overstayer_detection_rate_per_year),
        Decision.ARREST: max(_arrest_probabilities(e)),
        Decision.COMPLAINT: weekly_probability(e.complaint_rate_per_year),
        Decision.SELF_REFERRAL: weekly_probability(e.self_referral_rate_per_year),
        Decision.CLAIM: only(
            Group.IRREGULAR, bound=weekly_probability(e.claimant_screening_rate_per_year)
        ),
        Decision.VISA: only(Group.DOMESTIC, bound=p_visa if e.routine_visa_screening else 0.0),
        Decision.NGO_CONTACT: only(Group.DOMESTIC, bound=p_ngo),
    }


def _help_seeking(model: IdentificationModel, slots: np.ndarray) -> np.ndarray:
    pop = model.population
    return learning.help_seeking(
        model, slots, pop.trust[slots] * (1.0 - pop.fear_retaliation[slots])
    )


def draw_encounters(model: IdentificationModel) -> list[Contacts]:
    """Draw this week's encounters by route.

    Returns:
        One ``Contacts`` batch per route and agency, possibly empty.
    """
    pop, params, hazards = model.population, model.params, model.hazards
    e = params.encounters
    taken = np.zeros(pop.capacity, dtype=bool)  # met by an earlier route this week
    batches: list[Contacts] = []

    def community(s: np.ndarray) -> np.ndarray:
        return (pop.stage[s] == Stage.COMMUNITY.value) & ~taken[s]

    def add(route: Route, slots: np.ndarray, agency: Agency, *, vice: bool = False) -> None:
        batches.append(Contacts(route, slots, agency, vice))
        taken[slots] = True

    found = investigate_operators(model, community)
    if len(found):  # an empty batch would still draw officers' places (as every route does)
        add(Route.INVESTIGATION, found, Agency.POLICE, vice=True)

    # While raids on vice are disrupted they run at a share of their usual rate (raids on
    # illegal work follow their own published volumes).
    vice_share = e.disrupted_vice_raid_share if e.vice_raids_disrupted else 1.0

    def vice_scale(s: np.ndarray) -> np.ndarray:
        return np.where(pop.group[s] == Group.SEX.value, vice_share, 1.0)

    # Raids on illegal work and vice.
    raided = victim_weighted_slots(
        model,
        Decision.RAID,
        *_raid_probabilities(e),
        lambda s: (
            community(s)
            & (pop.legal[s] == LegalStatus.ILLEGAL_WORKER.value)
            & adaptation.exposed(model, s)
        ),
        None if vice_share == 1.0 else vice_scale,
    )
    sex = pop.group[raided] == Group.SEX.value
    add(Route.RAID, raided[sex], Agency.POLICE, vice=True)
    add(Route.RAID, raided[~sex], Agency.IMMIGRATION)

    caught = hazards.select(
        Decision.OVERSTAY_CHECK,
        lambda s: community(s) & (pop.legal[s] == LegalStatus.OVERSTAYER.value),
    )
    add(Route.OVERSTAY, caught, Agency.IMMIGRATION)

    # Arrests by the police for offences other than immigration offences.
    arrested = victim_weighted_slots(model, Decision.ARREST, *_arrest_probabilities(e), community)
    add(Route.ARREST, arrested, Agency.POLICE)

    p_complaint = hazards.bound(Decision.COMPLAINT)
    complaints = hazards.select(
        Decision.COMPLAINT,
        lambda s: (
            community(s)
            & (pop.status[s] >= Exploitation.FORCED_LABOUR.value)
            & (pop.legal[s] == LegalStatus.REGULAR.value)
        ),
        lambda s: p_complaint * _help_seeking(model, s),
    )
    add(Route.COMPLAINT, complaints, Agency.LABOUR)

    p_referral = hazards.bound(Decision.SELF_REFERRAL)
    referrals = hazards.select(
        Decision.SELF_REFERRAL,
        lambda s: community(s) & (pop.status[s] >= FIRST_TRAFFICKED) & pop.aware[s],
        lambda s: p_referral * _help_seeking(model, s),
    )
    add(Route.SELF_REFERRAL, referrals, Agency.POLICE)

    claimants = hazards.select(
        Decision.CLAIM, lambda s: community(s) & (pop.group[s] == Group.IRREGULAR.value)
    )
    add(Route.NON_REFOULEMENT_CLAIM, claimants, Agency.IMMIGRATION)

    if e.routine_visa_screening:
        applicants = hazards.select(
            Decision.VISA,
            lambda s: (
                community(s)
                & (pop.group[s] == Group.DOMESTIC.value)
                & (pop.legal[s] == LegalStatus.REGULAR.value)
            ),
        )
        add(Route.VISA_APPLICATION, applicants, Agency.IMMIGRATION)

    add(Route.NGO_REFERRAL, ngo_outreach(model, community), Agency.POLICE)
    return batches


def ngo_outreach(model: IdentificationModel, community) -> np.ndarray:
    """NGOs screen domestic workers, identify victims, and return those referred onwards."""
    pop, params, dice = model.population, model.params, model.dice
    ngo = params.ngo
    domestic = int(pop.group_count[Group.DOMESTIC])
    victims = model.domestic_victims
    weight_total = domestic + (ngo.victim_relative_contact - 1.0) * victims
    # While outreach is disrupted (protests, gathering bans) NGOs screen a share of the usual.
    per_year = ngo.screenings_per_year * (
        ngo.disrupted_outreach_share if ngo.outreach_disrupted else 1.0
    )
    if weight_total <= 0 or per_year <= 0:
        p_other = p_victim = 0.0
    else:
        p_other = min(1.0, per_year / 52.0 / weight_total)
        p_victim = min(1.0, p_other * ngo.victim_relative_contact)
    clients = victim_weighted_slots(
        model,
        Decision.NGO_CONTACT,
        p_victim,
        p_other,
        lambda s: community(s) & (pop.group[s] == Group.DOMESTIC.value),
    )
    model.outcomes.add("ngo_screened", len(clients))
    victim_clients = clients[pop.status[clients] >= FIRST_TRAFFICKED]
    setting = InterviewSetting(
        supported=True, quality=params.officers.interview_quality_trained, place=Place.NGO
    )
    p = disclosure_probability(victim_factors(model, victim_clients), setting, params)
    ids = pop.person_id[victim_clients]
    identified = victim_clients[dice.bernoulli(Decision.NGO_DISCLOSURE, ids, p, model.week)]
    model.outcomes.add("ngo_victims_identified", len(identified))
    consent = min(1.0, ngo.referral_consent * params.screening.ngo_referral_share)
    ids = pop.person_id[identified]
    referred = identified[dice.bernoulli(Decision.NGO_CONSENT, ids, consent, model.week)]
    model.outcomes.add("ngo_referrals", len(referred))
    return referred
