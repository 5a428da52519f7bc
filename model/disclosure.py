"""The disclosure model: will a victim tell an interviewer what is happening to them?

A logistic model of named factors (``DisclosureParameters``)::

    logit p = intercept
              + support * supported
              + trust * trust
              + fear_of_retaliation * fear_retaliation
              + fear_of_punishment * fear_punishment * (1 - non-punishment relief)
              + debt * debt_months / 7
              + trauma * ptsd * (1 - trauma-informed relief) * (1 - session relief) ** sessions
              + awareness * aware
              + interview_quality * quality
              + boost

The relief terms are the policy's levers; ``sessions`` counts the supported sessions the
interviewee has already had in this screening.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.parameters import DisclosureParameters, ScreeningLevers


@dataclass(frozen=True)
class InterviewSetting:
    """What an interview offers the person interviewed."""

    supported: np.ndarray | bool
    quality: np.ndarray | float
    sessions_before: np.ndarray | int = 0
    boost: float = 0.0


@dataclass(frozen=True)
class VictimFactors:
    """The victim-side factors of disclosure, one value per interviewee."""

    trust: np.ndarray
    fear_retaliation: np.ndarray
    fear_punishment: np.ndarray
    debt_months: np.ndarray
    ptsd: np.ndarray
    aware: np.ndarray


def disclosure_log_odds(
    factors: VictimFactors,
    setting: InterviewSetting,
    coefficients: DisclosureParameters,
    levers: ScreeningLevers,
) -> np.ndarray:
    """Log-odds of disclosure for each interviewee.

    Args:
        factors: Victim-side factors.
        setting: The interview (support, quality, sessions held, any added boost).
        coefficients: Logistic coefficients.
        levers: Policy levers (non-punishment, trauma-informed interviewing).

    Returns:
        Array of log-odds.
    """
    c = coefficients
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
        + setting.boost
    )


def disclosure_probability(
    factors: VictimFactors,
    setting: InterviewSetting,
    coefficients: DisclosureParameters,
    levers: ScreeningLevers,
) -> np.ndarray:
    """Probability of disclosure for each interviewee (the logistic of the log-odds)."""
    log_odds = disclosure_log_odds(factors, setting, coefficients, levers)
    return 1.0 / (1.0 + np.exp(-log_odds))
