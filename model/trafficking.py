"""Traffickers and their victims: recruitment with risk traits, control, threats and escape.

* At arrival a migrant is trafficked with a probability from a logistic model of risk traits
  (first contract, age under 30, debt, confiscated documents). The intercept of each group is
  solved at initialisation so that the share trafficked matches the sourced prevalence; the odds
  ratios then decide *who* is trafficked.
* A new victim needs a trafficker of the right kind with spare recruiting capacity; traffickers
  under investigation withdraw part of their capacity (displacement). Without capacity the
  migrant is not trafficked.
* Victims become aware of their situation, may escape (falling out of status), and fear their
  trafficker's threat, which rises when the trafficker is investigated or a victim identified.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.agents import Trafficker
from model.arrays import codes_present
from model.dice import Decision, Dice
from model.hazards import only
from model.parameters import Parameters
from model.population import Population
from model.rationing import Ring, epoch
from model.sampling import weekly_probability
from model.states import (
    FIRST_TRAFFICKED,
    Exploitation,
    Group,
    LegalStatus,
    Stage,
    TraffickerKind,
)
from result_folder.outcomes import OUTCOME

if TYPE_CHECKING:
    from model.model import IdentificationModel

DEBT_SCALE_MONTHS = 7.0
#: Places of one trafficker in ``assign_traffickers`` are named ``uid * this + number``.
PLACES_PER_TRAFFICKER = 1 << 12


# ----------------------------------------------------------------------------- risk model
def risk_log_odds(pop: Population, idx: np.ndarray, params: Parameters) -> np.ndarray:
    """Log-odds contribution of risk traits (without the group intercept)."""
    p = params.prevalence
    return (
        np.log(p.odds_ratio_first_contract) * pop.first_contract[idx]
        + np.log(p.odds_ratio_young) * pop.young[idx]
        + np.log(p.odds_ratio_debt_per_7_months) * pop.debt_months[idx] / DEBT_SCALE_MONTHS
        + np.log(p.odds_ratio_documents_confiscated) * pop.documents_confiscated[idx]
    )


def solve_intercept(risk: np.ndarray, target: float, iterations: int = 60) -> float:
    """Intercept ``a`` such that ``mean(logistic(a + risk)) == target`` (bisection).

    Args:
        risk: Log-odds contributions of a representative sample.
        target: Wanted mean probability, 0-1.
        iterations: Bisection steps.

    Returns:
        The intercept; ``-inf`` for a target of 0 and ``inf`` for 1.
    """
    if target <= 0.0 or len(risk) == 0:
        return -np.inf
    if target >= 1.0:
        return np.inf
    low, high = -40.0, 40.0
    for _ in range(iterations):
        mid = 0.5 * (low + high)
        if np.mean(1.0 / (1.0 + np.exp(-(mid + risk)))) < target:
            low = mid
        else:
            high = mid
    return 0.5 * (low + high)


def group_targets(params: Parameters) -> np.ndarray:
    """Target trafficked share per ``Group``."""
    p = params.prevalence
    return np.array(
        [
            p.trafficked_share_domestic,
            p.trafficked_share_other,
            p.trafficked_share_sex,
            p.trafficked_share_irregular,
        ]
    )


def solve_intercepts(pop: Population, idx: np.ndarray, params: Parameters) -> np.ndarray:
    """Solve one intercept per group on the migrants ``idx`` (a representative sample)."""
    targets = group_targets(params)
    intercepts = np.full(len(Group), -np.inf)
    groups = pop.group[idx]
    for g in Group:
        members = idx[groups == g]
        intercepts[g] = solve_intercept(risk_log_odds(pop, members[:50_000], params), targets[g])
    return intercepts


def draw_trafficked(
    dice: Dice,
    pop: Population,
    idx: np.ndarray,
    intercepts: np.ndarray,
    params: Parameters,
) -> np.ndarray:
    """Decide which of ``idx`` are targeted for trafficking (before capacity is checked)."""
    log_odds = intercepts[pop.group[idx]] + risk_log_odds(pop, idx, params)
    with np.errstate(over="ignore"):
        probability = 1.0 / (1.0 + np.exp(-log_odds))
    return dice.bernoulli(Decision.TARGETED, pop.person_id[idx], probability)


def draw_kinds(dice: Dice, pop: Population, idx: np.ndarray, params: Parameters) -> np.ndarray:
    """Kind of trafficker who would control each of migrants ``idx`` as a new victim."""
    groups = pop.group[idx]
    agency = dice.bernoulli(
        Decision.KIND, pop.person_id[idx], params.traffickers.agency_share_labour
    )
    kind_of_group = np.array(
        [
            TraffickerKind.EMPLOYER,
            TraffickerKind.AGENCY,
            TraffickerKind.OPERATOR,
            TraffickerKind.SYNDICATE,
        ]
    )
    kinds = kind_of_group[groups]
    return np.where((groups == Group.DOMESTIC.value) & agency, TraffickerKind.AGENCY.value, kinds)


def exploitation_of(
    dice: Dice, pop: Population, idx: np.ndarray, params: Parameters, week: int
) -> np.ndarray:
    """Form of trafficking of migrants ``idx`` becoming victims in ``week``."""
    groups = pop.group[idx]
    share = params.prevalence.criminality_share_irregular
    crime = dice.bernoulli(Decision.EXPLOITATION, pop.person_id[idx], share, week)
    status = np.full(len(groups), Exploitation.TRAFFICKED_LABOUR.value, dtype=np.int8)
    status[groups == Group.SEX.value] = Exploitation.TRAFFICKED_SEX.value
    status[(groups == Group.IRREGULAR.value) & crime] = Exploitation.TRAFFICKED_CRIMINALITY.value
    return status


def mean_victims_per_kind(params: Parameters) -> np.ndarray:
    """Mean victims per trafficker of each kind."""
    t = params.traffickers
    return np.array(
        [
            t.victims_per_agency,
            t.victims_per_employer,
            t.victims_per_operator,
            t.victims_per_syndicate,
        ]
    )


def draw_threat(dice: Dice, params: Parameters, uids: np.ndarray) -> np.ndarray:
    """Threat levels of new traffickers ``uids`` (beta, mean = share of victims threatened)."""
    mean = min(max(params.behaviour.victims_threatened_share, 1e-3), 1 - 1e-3)
    return dice.betas(Decision.TRAFFICKER_THREAT, uids, 4 * mean, 4 * (1 - mean))


# ----------------------------------------------------------------------------- making victims
#: What a new victim is given (``make_victims``), one decision each.
_VICTIM_TRAITS = (
    Decision.AWARE_AT_START,
    Decision.THREATENED,
    Decision.FEAR,
    Decision.VICTIM_PTSD,
)


def make_victims(model: IdentificationModel, idx: np.ndarray, trafficker_ids: np.ndarray) -> None:
    """Turn migrants ``idx`` into victims controlled by ``trafficker_ids``."""
    if len(idx) == 0:
        return
    pop, dice, params, week = model.population, model.dice, model.params, model.week
    behaviour = params.behaviour
    ids = pop.person_id[idx]
    pop.set_status(idx, exploitation_of(dice, pop, idx, params, week))
    pop.take_control(idx, trafficker_ids)
    pop.victim_since[idx] = model.week
    aware, threatened, fear, ptsd = dice.uniform_rows(_VICTIM_TRAITS, ids, week)
    pop.aware[idx] = aware < behaviour.victims_aware_share
    threatened = threatened < model.trafficker_table.threat[trafficker_ids]
    pop.fear_retaliation[idx] = np.where(threatened, 0.6 + 0.4 * fear, 0.3 * fear)
    pop.ptsd[idx] = ptsd < behaviour.victims_ptsd_share


def recruiting_capacities(model: IdentificationModel) -> np.ndarray:
    """Victims each trafficker is willing to control now (0 once convicted), by id.

    Cached between changes: ``traffickers_changed`` must be called whenever a trafficker is
    created or its capacity or legal state changes; a change of the displacement parameter
    (e.g. by a timeline) is noticed by itself.
    """
    displacement = model.params.traffickers.displacement
    cached = model.trafficker_capacity_cache
    if cached is None or cached[0] != displacement:
        capacity = model.trafficker_table.recruiting_capacities(displacement)
        model.trafficker_capacity_cache = cached = (displacement, capacity)
    return cached[1]


def traffickers_changed(model: IdentificationModel) -> None:
    """Forget cached trafficker capacities after a trafficker was created or changed state."""
    model.trafficker_capacity_cache = None


def assign_traffickers(
    model: IdentificationModel, kinds: np.ndarray, person_ids: np.ndarray
) -> np.ndarray:
    """Find a trafficker with spare capacity for each wanted victim of the given kinds.

    Each place of a trafficker is a place of a ``model.rationing.Ring`` of its kind, named by
    the trafficker's identity and the place's number (free while the number is below the
    trafficker's free places), so each place is equally likely for each
    victim (traffickers in proportion to their free places), no place is taken twice, and a
    victim's trafficker depends on its own numbers, not on the other victims of the week.

    Args:
        model: The model.
        kinds: ``TraffickerKind`` wanted for each new victim.
        person_ids: The new victims' identities.

    Returns:
        Trafficker id per victim, -1 where no trafficker had room.
    """
    chosen = np.full(len(kinds), -1, dtype=np.int64)
    if len(kinds) == 0 or not model.traffickers:
        return chosen
    capacity = recruiting_capacities(model)
    held = model.population.held_by(len(model.traffickers))
    free = np.maximum(np.floor(capacity - held), 0).astype(np.int64)
    for kind in codes_present(kinds):
        wanted = np.flatnonzero(kinds == kind)
        # Ids of the kind, lowest first (convicted ones have no free places).
        ids = model.trafficker_table.ids_of_kind(kind)
        if len(ids) == 0:
            continue
        ring, owner, number = _places_ring(model, kind)
        place = ring.assign(person_ids[wanted], number < free[owner], model.week)
        got = place >= 0
        chosen[wanted[got]] = owner[place[got]]
    return chosen


def _places_ring(model: IdentificationModel, kind: int) -> tuple[Ring, np.ndarray, np.ndarray]:
    """The places of the traffickers of ``kind`` on a ring, with each place's owner and number.

    Every place up to a trafficker's capacity is on the ring (positions by name and ring
    epoch); a place is free while its number is below the trafficker's free places. Rebuilt
    each ring epoch (``model.rationing.epoch``) and when traffickers are created.
    """
    table = model.trafficker_table
    cache = model.trafficker_rings
    key = (int(kind), table.count, epoch(model.week))
    if key not in cache:
        ids = table.ids_of_kind(kind)
        capacity = np.maximum(table.capacity[ids], 0)
        owner = np.repeat(ids, capacity)
        number = np.arange(len(owner)) - np.repeat(np.cumsum(capacity) - capacity, capacity)
        names = table.uid[owner] * PLACES_PER_TRAFFICKER + number
        for stale in [k for k in cache if k[0] == int(kind)]:
            del cache[stale]
        ring = Ring(model.dice, Decision.TRAFFICKER_PLACE, names, model.week)
        cache[key] = (ring, owner, number)
    return cache[key]


def recruit(model: IdentificationModel, idx: np.ndarray) -> None:
    """Traffickers recruit among newly arrived migrants ``idx``."""
    pop, params, dice = model.population, model.params, model.dice
    targeted = draw_trafficked(dice, pop, idx, model.risk_intercepts, params)
    _assign_forced_labour(model, idx[~targeted])
    new = idx[targeted]
    if len(new) == 0:
        return
    kinds = draw_kinds(dice, pop, new, params)
    traffickers = assign_traffickers(model, kinds, pop.person_id[new])
    placed = traffickers >= 0
    make_victims(model, new[placed], traffickers[placed])
    model.outcomes.add(OUTCOME.victims_new, int(np.count_nonzero(placed)))


def _assign_forced_labour(model: IdentificationModel, idx: np.ndarray) -> None:
    """Domestic workers who are not trafficked may still be in forced labour."""
    p = model.params.prevalence
    share = max(p.forced_labour_share_domestic - p.trafficked_share_domestic, 0.0)
    share /= max(1.0 - p.trafficked_share_domestic, 1e-9)
    pop = model.population
    domestic = idx[pop.group[idx] == Group.DOMESTIC.value]
    forced = domestic[model.dice.bernoulli(Decision.FORCED_LABOUR, pop.person_id[domestic], share)]
    pop.set_status(forced, Exploitation.FORCED_LABOUR)


def create_traffickers(
    model: IdentificationModel, kind: TraffickerKind, uids: np.ndarray
) -> list[int]:
    """Create traffickers of ``kind`` with identities ``uids``, capacity around the kind's mean.

    A capacity is the mean rounded down or up with probability given by its fraction.
    """
    params, dice = model.params, model.dice
    uids = np.asarray(uids, dtype=np.int64)
    wanted = mean_victims_per_kind(params)[kind] * (1 + params.traffickers.spare_capacity)
    up = dice.bernoulli(Decision.TRAFFICKER_CAPACITY, uids, wanted - np.floor(wanted))
    capacities = np.maximum(1, np.floor(wanted) + up).astype(np.int64)
    threats = draw_threat(dice, params, uids)
    ids = []
    for uid, capacity, threat in zip(uids, capacities, threats, strict=True):
        index = len(model.traffickers)
        trafficker = Trafficker(model, index, kind, int(capacity), float(threat), int(uid))
        model.traffickers.append(trafficker)
        model.traffickers_by_kind[int(kind)].append(index)
        ids.append(index)
    traffickers_changed(model)
    return ids


def seed_initial_victims(model: IdentificationModel, idx: np.ndarray) -> None:
    """Give the initial population its victims and create the traffickers controlling them."""
    pop, params, dice = model.population, model.params, model.dice
    targeted = draw_trafficked(dice, pop, idx, model.risk_intercepts, params)
    _assign_forced_labour(model, idx[~targeted])
    victims = idx[targeted]
    person_ids = pop.person_id[victims]
    kinds = draw_kinds(dice, pop, victims, params)
    means = mean_victims_per_kind(params)
    owner = np.full(len(victims), -1, dtype=np.int64)
    # Each victim's rank among the kind's victims by its own number, dealt round the traffickers.
    rank_key = dice.uniforms(Decision.INITIAL_OWNER, person_ids)
    for kind in TraffickerKind:
        members = np.flatnonzero(kinds == kind)
        if len(members) == 0:
            continue
        count = max(1, round(len(members) / means[kind]))
        uids = np.arange(len(model.traffickers), len(model.traffickers) + count)
        ids = np.asarray(create_traffickers(model, kind, uids))
        rank = np.empty(len(members), dtype=np.int64)
        rank[np.argsort(rank_key[members], kind="stable")] = np.arange(len(members))
        owner[members] = ids[rank % count]
    table = model.trafficker_table
    held = np.bincount(owner, minlength=table.count)
    table.capacity[: table.count] = np.maximum(table.capacity[: table.count], held)
    traffickers_changed(model)
    make_victims(model, victims, owner)
    # Victims already in Hong Kong have been trafficked for a while.
    pop.victim_since[victims] = -dice.integers(Decision.VICTIM_SINCE, person_ids, 0, 104)


# ----------------------------------------------------------------------------- weekly dynamics
def dynamics_bounds(params: Parameters) -> dict[Decision, float]:
    """Weekly probabilities of escalation, awareness, escape and overstaying (``model.hazards``)."""
    behaviour = params.behaviour
    return {
        # Only domestic workers are in forced labour (``_assign_forced_labour``).
        Decision.ESCALATION: only(
            Group.DOMESTIC, bound=weekly_probability(params.prevalence.escalation_rate_per_year)
        ),
        Decision.AWARENESS: weekly_probability(behaviour.awareness_rate_per_year),
        Decision.ESCAPE: weekly_probability(behaviour.absconding_rate_per_year),
        Decision.OVERSTAYING: weekly_probability(behaviour.overstay_rate_per_year),
    }


def escalate(model: IdentificationModel) -> None:
    """Migrants in forced labour come under a trafficker's control."""
    pop, params = model.population, model.params
    idx = model.hazards.select(
        Decision.ESCALATION,
        lambda s: (
            (pop.status[s] == Exploitation.FORCED_LABOUR.value)
            & (pop.stage[s] == Stage.COMMUNITY.value)
        ),
    )
    if len(idx) == 0:
        return
    kinds = draw_kinds(model.dice, pop, idx, params)
    traffickers = assign_traffickers(model, kinds, pop.person_id[idx])
    placed = traffickers >= 0
    make_victims(model, idx[placed], traffickers[placed])
    model.outcomes.add(OUTCOME.victims_new, int(np.count_nonzero(placed)))


def victim_dynamics(model: IdentificationModel) -> None:
    """Weekly awareness, escape from control, and overstaying."""
    pop, params, hazards = model.population, model.params, model.hazards
    behaviour = params.behaviour
    community = Stage.COMMUNITY.value

    aware = hazards.select(
        Decision.AWARENESS,
        lambda s: (pop.status[s] >= FIRST_TRAFFICKED) & ~pop.aware[s] & (pop.stage[s] == community),
    )
    pop.aware[aware] = True

    escaped = hazards.select(
        Decision.ESCAPE,
        lambda s: pop.controlled[s] & (pop.stage[s] == community),
    )
    pop.end_control(escaped)
    regular = escaped[pop.legal[escaped] == LegalStatus.REGULAR.value]
    pop.legal[regular] = LegalStatus.OVERSTAYER
    pop.fear_punishment[escaped] = behaviour.fear_punishment_offender
    model.outcomes.add(OUTCOME.victims_absconded, len(escaped))

    overstay = hazards.select(
        Decision.OVERSTAYING,
        lambda s: (
            (pop.status[s] < FIRST_TRAFFICKED)
            & (pop.legal[s] == LegalStatus.REGULAR.value)
            & (pop.stage[s] == community)
        ),
    )
    pop.legal[overstay] = LegalStatus.OVERSTAYER
    pop.fear_punishment[overstay] = behaviour.fear_punishment_offender


def retaliate(model: IdentificationModel, trafficker: Trafficker) -> None:
    """A trafficker under pressure raises its threat, and its victims' fear rises with it."""
    amount = model.params.traffickers.threat_escalation
    trafficker.escalate_threat(amount)
    pop = model.population
    victims = pop.controlled_by(trafficker.index)
    pop.fear_retaliation[victims] = np.minimum(1.0, pop.fear_retaliation[victims] + amount)


def free_victims(model: IdentificationModel, trafficker: Trafficker) -> int:
    """Release every victim a convicted trafficker controls; returns how many."""
    pop = model.population
    victims = pop.controlled_by(trafficker.index)
    pop.end_control(victims)
    pop.set_status(victims, Exploitation.NONE)
    pop.fear_retaliation[victims] = 0.0
    return len(victims)
