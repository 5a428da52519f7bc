"""Witness cooperation, investigation, prosecution and conviction of traffickers.

An identified victim cooperates as a witness with a logistic probability (support, trust, fear
of retaliation, a witness visa). A cooperating witness, or with a small chance a raid that
catches a controlled victim, opens an investigation. After ``investigation_weeks`` the case is
prosecuted with a probability that depends on the form of exploitation and the legal regime
(today labour trafficking can only be charged as lesser offences); without a witness the chance
is scaled by ``no_witness_factor``. After ``trial_weeks`` the trafficker is convicted or
acquitted. A convicted trafficker stops, its victims are freed, and with
``replacement_probability`` a new trafficker of the same kind takes its place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.agents import REPLACEMENT_UID_STEP, Trafficker
from model.dice import Decision
from model.parameters import LegalRegime
from model.states import LegalState, TraffickerKind
from model.trafficking import (
    create_traffickers,
    free_victims,
    retaliate,
    traffickers_changed,
)
from result_folder.outcomes import OUTCOME

if TYPE_CHECKING:
    from model.model import IdentificationModel


def cooperation(model: IdentificationModel, slots: np.ndarray) -> np.ndarray:
    """Decide which identified migrants ``slots`` cooperate as witnesses."""
    j = model.params.justice
    pop = model.population
    log_odds = (
        j.cooperation_intercept
        + j.cooperation_support
        + j.cooperation_trust * pop.trust[slots]
        + j.cooperation_fear * pop.fear_retaliation[slots]
        + j.cooperation_witness_visa * float(model.params.screening.witness_visa)
    )
    probability = 1.0 / (1.0 + np.exp(-log_odds))
    # Keyed by the person alone: the same victim identified a few weeks apart under two
    # policies makes the same choice where the probability is the same.
    return model.dice.bernoulli(Decision.COOPERATION, pop.person_id[slots], probability)


def open_investigation(model: IdentificationModel, trafficker: Trafficker, witness: bool) -> None:
    """Open an investigation of ``trafficker`` (or add a witness to an open one)."""
    if not trafficker.active:
        return
    if trafficker.under_investigation:
        trafficker.has_witness = trafficker.has_witness or witness
        return
    trafficker.legal_state = LegalState.INVESTIGATED
    trafficker.cases += 1
    trafficker.has_witness = witness
    trafficker.next_event_week = model.week + model.params.justice.investigation_weeks
    model.open_cases.add(trafficker.index)
    traffickers_changed(model)
    model.outcomes.add(OUTCOME.investigations)
    retaliate(model, trafficker)


def _probabilities(model: IdentificationModel, kind: TraffickerKind) -> tuple[float, float]:
    """Prosecution and conviction probabilities for a trafficker of ``kind``."""
    j = model.params.justice
    if kind == TraffickerKind.OPERATOR:
        return j.prosecution_probability_sex, j.conviction_probability_sex
    if j.regime == LegalRegime.DEDICATED_LAW:
        return j.prosecution_probability_labour_dedicated, j.conviction_probability_labour_dedicated
    return j.prosecution_probability_labour_patchwork, j.conviction_probability_labour_patchwork


def advance_cases(model: IdentificationModel) -> None:
    """Take the decisions that are due in open cases (in order of trafficker id).

    Each decision's number is keyed by the trafficker and the number of its case (its first
    investigation, its second, ...), not the week: a case opened a few weeks earlier or later
    under another policy is decided by the same numbers.
    """
    j = model.params.justice
    dice = model.dice
    for index in sorted(model.open_cases):
        trafficker = model.traffickers[index]
        if trafficker.next_event_week is None or trafficker.next_event_week > model.week:
            continue
        prosecute, convict = _probabilities(model, trafficker.kind)
        uid = model.trafficker_table.uid[index : index + 1]
        if trafficker.legal_state == LegalState.INVESTIGATED:
            chance = prosecute if trafficker.has_witness else prosecute * j.no_witness_factor
            if dice.uniforms(Decision.PROSECUTION, uid, 0, trafficker.cases)[0] < chance:
                trafficker.legal_state = LegalState.PROSECUTED
                trafficker.next_event_week = model.week + j.trial_weeks
                model.outcomes.add(OUTCOME.prosecutions)
                continue
            _close_case(model, trafficker, LegalState.ACTIVE)
        elif dice.uniforms(Decision.CONVICTION, uid, 0, trafficker.cases)[0] < convict:
            model.outcomes.add(OUTCOME.convictions)
            model.outcomes.add(OUTCOME.victims_freed, free_victims(model, trafficker))
            _close_case(model, trafficker, LegalState.CONVICTED)
            replace = model.params.traffickers.replacement_probability
            if dice.uniforms(Decision.REPLACEMENT, uid)[0] < replace:  # once: convicted once
                create_traffickers(model, trafficker.kind, uid + REPLACEMENT_UID_STEP)
        else:
            model.outcomes.add(OUTCOME.acquittals)
            _close_case(model, trafficker, LegalState.ACTIVE)


def _close_case(model: IdentificationModel, trafficker: Trafficker, state: LegalState) -> None:
    trafficker.legal_state = state
    trafficker.next_event_week = None
    trafficker.has_witness = False
    model.open_cases.discard(trafficker.index)
    traffickers_changed(model)
    if state == LegalState.CONVICTED:
        model.traffickers_by_kind[int(trafficker.kind)].remove(trafficker.index)
