"""The disclosure model: logistic of named factors, the interview's setting, and the policy's
relief levers."""

import math

import numpy as np
import pytest

from model import IdentificationModel
from model.disclosure import InterviewSetting, Place, VictimFactors, disclosure_probability
from model.parameters import DisclosureParameters, Parameters, ScreeningLevers

ZERO = {name: 0.0 for name in DisclosureParameters.model_fields}


def parameters(
    coefficients: DisclosureParameters, levers: ScreeningLevers | None = None, ngo: float = 0.0
) -> Parameters:
    """Parameters with the given coefficients, levers and NGO setting term."""
    return Parameters(
        disclosure=coefficients,
        screening=levers or ScreeningLevers(),
        ngo={"disclosure_boost": ngo},
    )


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
        parameters(DisclosureParameters(**ZERO)),
    )
    assert p == pytest.approx([0.5])


def test_support_coefficient_is_a_log_odds_ratio():
    coefficients = DisclosureParameters(**{**ZERO, "support": math.log(3)})
    p = disclosure_probability(
        factors(), InterviewSetting(supported=True, quality=0.0), parameters(coefficients)
    )
    assert p == pytest.approx([0.75])


def test_non_punishment_removes_its_share_of_the_fear_effect():
    coefficients = DisclosureParameters(**{**ZERO, "fear_of_punishment": -2.0})
    setting = InterviewSetting(supported=False, quality=0.0)
    without = disclosure_probability(
        factors(fear_punishment=1.0), setting, parameters(coefficients)
    )
    with_assurance = disclosure_probability(
        factors(fear_punishment=1.0),
        setting,
        parameters(coefficients, ScreeningLevers(non_punishment=True, non_punishment_relief=0.5)),
    )
    assert without == pytest.approx([1 / (1 + math.exp(2.0))])
    assert with_assurance == pytest.approx([1 / (1 + math.exp(1.0))])


def test_supported_sessions_soften_trauma():
    coefficients = DisclosureParameters(**{**ZERO, "trauma": -2.0, "session_trauma_relief": 0.5})
    f = factors(2, ptsd=True)
    setting = InterviewSetting(
        supported=np.array([True, True]), quality=0.0, sessions_before=np.array([0, 1])
    )
    p = disclosure_probability(f, setting, parameters(coefficients))
    assert p == pytest.approx([1 / (1 + math.exp(2.0)), 1 / (1 + math.exp(1.0))])


def test_each_supported_session_held_adds_its_rapport_term():
    coefficients = DisclosureParameters(**{**ZERO, "later_session": math.log(3)})
    setting = InterviewSetting(
        supported=np.array([True, True, True]), quality=0.0, sessions_before=np.array([0, 1, 2])
    )
    p = disclosure_probability(factors(3), setting, parameters(coefficients))
    assert p == pytest.approx([0.5, 0.75, 0.9])


def test_setting_terms_at_zero_give_the_office_probability_in_every_place():
    coefficients = DisclosureParameters(
        **{**ZERO, "intercept": -1.2, "support": 0.7, "in_detention": 0.0, "at_arrest_scene": 0.0}
    )
    places = np.array([Place.OFFICE, Place.ARREST_SCENE, Place.DETENTION, Place.NGO])
    setting = InterviewSetting(supported=True, quality=0.0, place=places)
    p = disclosure_probability(factors(4), setting, parameters(coefficients, ngo=0.0))
    assert p == pytest.approx([1 / (1 + math.exp(0.5))] * 4)


def test_each_place_shifts_the_log_odds_by_its_term():
    # From even odds: detention log(1/3) gives 1/4, the arrest scene log(1/2) gives 1/3, an NGO
    # log(4) gives 4/5, and a trafficker present log(1/3) on top of the arrest scene 1/7.
    coefficients = DisclosureParameters(
        **{
            **ZERO,
            "in_detention": math.log(1 / 3),
            "at_arrest_scene": math.log(1 / 2),
            "trafficker_present": math.log(1 / 3),
        }
    )
    params = parameters(coefficients, ngo=math.log(4))
    places = np.array([Place.OFFICE, Place.DETENTION, Place.ARREST_SCENE, Place.NGO, 1])
    present = np.array([False, False, False, False, True])
    setting = InterviewSetting(
        supported=False, quality=0.0, place=places, trafficker_present=present
    )
    p = disclosure_probability(factors(5), setting, params)
    assert p == pytest.approx([1 / 2, 1 / 4, 1 / 3, 4 / 5, 1 / 7])


def test_policies_choose_where_detainees_and_arrested_offenders_are_interviewed(
    small_world, monkeypatch
):
    import model.screening as screening

    seen: dict[str, set[int]] = {}
    original = screening.disclosure_probability

    def record(factors, setting, params):
        places = np.atleast_1d(np.asarray(setting.place)).tolist()
        seen.setdefault(current, set()).update(places)
        return original(factors, setting, params)

    monkeypatch.setattr(screening, "disclosure_probability", record)
    for current in ("detention_first", "screening_before_detention"):
        model = IdentificationModel(small_world, current, rng=3)
        for _ in range(26):
            model.step()
    assert Place.DETENTION in seen["detention_first"]
    assert Place.ARREST_SCENE not in seen["detention_first"]
    assert Place.ARREST_SCENE in seen["screening_before_detention"]
