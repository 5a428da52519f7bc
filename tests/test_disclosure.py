"""The disclosure model: logistic of named factors, with the policy's relief levers."""

import math

import numpy as np
import pytest

from model.disclosure import InterviewSetting, VictimFactors, disclosure_probability
from model.parameters import DisclosureParameters, ScreeningLevers

ZERO = {name: 0.0 for name in DisclosureParameters.model_fields}


def factors(n=1, **values):
    base = dict(
        trust=np.zeros(n),
        fear_retaliation=np.zeros(n),
        fear_punishment=np.zeros(n),
        debt_months=np.zeros(n),
        ptsd=np.zeros(n, dtype=bool),
        aware=np.zeros(n, dtype=bool),
    )
    base.update({k: np.full(n, v) for k, v in values.items()})
    return VictimFactors(**base)


def test_all_coefficients_zero_gives_one_half():
    p = disclosure_probability(
        factors(),
        InterviewSetting(supported=False, quality=0.0),
        DisclosureParameters(**ZERO),
        ScreeningLevers(),
    )
    assert p == pytest.approx([0.5])


def test_support_coefficient_is_a_log_odds_ratio():
    coefficients = DisclosureParameters(**{**ZERO, "support": math.log(3)})
    p = disclosure_probability(
        factors(), InterviewSetting(supported=True, quality=0.0), coefficients, ScreeningLevers()
    )
    assert p == pytest.approx([0.75])


def test_non_punishment_removes_its_share_of_the_fear_effect():
    coefficients = DisclosureParameters(**{**ZERO, "fear_of_punishment": -2.0})
    setting = InterviewSetting(supported=False, quality=0.0)
    without = disclosure_probability(
        factors(fear_punishment=1.0), setting, coefficients, ScreeningLevers()
    )
    with_assurance = disclosure_probability(
        factors(fear_punishment=1.0),
        setting,
        coefficients,
        ScreeningLevers(non_punishment=True, non_punishment_relief=0.5),
    )
    assert without == pytest.approx([1 / (1 + math.exp(2.0))])
    assert with_assurance == pytest.approx([1 / (1 + math.exp(1.0))])


def test_supported_sessions_soften_trauma():
    coefficients = DisclosureParameters(**{**ZERO, "trauma": -2.0, "session_trauma_relief": 0.5})
    f = factors(2, ptsd=True)
    setting = InterviewSetting(
        supported=np.array([True, True]), quality=0.0, sessions_before=np.array([0, 1])
    )
    p = disclosure_probability(f, setting, coefficients, ScreeningLevers())
    assert p == pytest.approx([1 / (1 + math.exp(2.0)), 1 / (1 + math.exp(1.0))])
