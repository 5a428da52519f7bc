"""The disclosure model: will a victim tell an interviewer what is happening to them?

A logistic model of named factors (``DisclosureParameters``)::

    logit p = intercept
              + support * supported
              + trust * trust
              + fear_of_retaliation * fear_retaliation
              + fear_of_punishment * fear_punishment * (1 - non-punishment relief)
              + debt * debt_months / 7
              + trauma * ptsd * (1 - trauma-informed relief) * (1 - session relief) ** sessions
              + later_session * sessions
              + awareness * aware
              + interview_quality * quality
              + place term (office 0, arrest scene, detention, NGO)
              + trafficker_present * trafficker present

The relief terms are the policy's levers; ``sessions`` counts the supported sessions the
interviewee has already had in this screening, and ``later_session`` is the rapport each of them
builds (a reluctant interviewee is likelier to disclose at a second supported session). The
**setting** of an interview is where it is held (:class:`Place`) and who is present (a lawyer,
advocate or counsellor: ``supported``; the trafficker: ``trafficker_present``). Policies choose
the setting; the terms of each setting are world parameters (``disclosure.at_arrest_scene``,
``disclosure.in_detention``, ``disclosure.trafficker_present``, ``ngo.disclosure_boost``), so no
policy carries a private multiplier of disclosure.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from model.parameters import Parameters


class Place(IntEnum):
    """Where an interview is held."""

    OFFICE = 0  # after a complaint, a self-referral or a visa application (the reference)
    ARREST_SCENE = 1  # at first contact after a raid or an overstay arrest
    DETENTION = 2  # in immigration detention
    NGO = 3  # with an NGO: its own screening, or a referral it accompanies


@dataclass(frozen=True)
class InterviewSetting:
    """The setting of an interview: where, who is present, and what it offers.

    Attributes:
        supported: A lawyer, advocate or counsellor is present.
        quality: Interview quality (0-1).
        sessions_before: Supported sessions already held in this screening.
        place: Where the interview is held (one :class:`Place` or one per interviewee).
        trafficker_present: The trafficker (or someone reporting to them) is present.
    """

    supported: np.ndarray | bool
    quality: np.ndarray | float
    sessions_before: np.ndarray | int = 0
    place: np.ndarray | Place = Place.OFFICE
    trafficker_present: np.ndarray | bool = False


@dataclass(frozen=True)
class VictimFactors:
    """The victim-side factors of disclosure, one value per interviewee."""

    trust: np.ndarray
    fear_retaliation: np.ndarray
    fear_punishment: np.ndarray
    debt_months: np.ndarray
    ptsd: np.ndarray
    aware: np.ndarray


def place_terms(params: Parameters) -> np.ndarray:
    """Log-odds term of each :class:`Place`, indexed by the place's value."""
    d = params.disclosure
    return np.array([0.0, d.at_arrest_scene, d.in_detention, params.ngo.disclosure_boost])


def disclosure_log_odds(
    factors: VictimFactors, setting: InterviewSetting, params: Parameters
) -> np.ndarray:
    """Log-odds of disclosure for each interviewee.

    Args:
        factors: Victim-side factors.
        setting: The interview (place, who is present, quality, sessions held).
        params: The run's parameters: the coefficients (``disclosure``), the policy's relief
            levers (``screening``) and the NGO setting's term (``ngo.disclosure_boost``).

    Returns:
        Array of log-odds.
    """
    c, levers = params.disclosure, params.screening
    punishment_relief = levers.non_punishment_relief if levers.non_punishment else 0.0
    trauma_relief = levers.trauma_informed_relief if levers.trauma_informed else 0.0
    session_factor = (1.0 - c.session_trauma_relief) ** np.asarray(setting.sessions_before)
    return (
        c.intercept
        + c.support * np.asarray(setting.supported, dtype=float)
        + c.trust * factors.trust
        + c.fear_of_retaliation * factors.fear_retaliation
        + c.fear_of_punishment * factors.fear_punishment * (1.0 - punishment_relief)
        + c.debt * factors.debt_months / 7.0
        + c.trauma * factors.ptsd * (1.0 - trauma_relief) * session_factor
        + c.awareness * factors.aware
        + c.interview_quality * setting.quality
        + place_terms(params)[np.asarray(setting.place, dtype=np.int64)]
        + c.trafficker_present * np.asarray(setting.trafficker_present, dtype=float)
        + c.later_session * np.asarray(setting.sessions_before, dtype=float)
    )


def disclosure_probability(
    factors: VictimFactors, setting: InterviewSetting, params: Parameters
) -> np.ndarray:
    """Probability of disclosure for each interviewee (the logistic of the log-odds)."""
    log_odds = disclosure_log_odds(factors, setting, params)
    return 1.0 / (1.0 + np.exp(-log_odds))
