"""Traffickers adapt to screening at contact: coaching raises their victims' fear, moved
victims escape raids for the stated weeks; off, the model is the one without it."""

from __future__ import annotations

import numpy as np

from model import IdentificationModel, adaptation
from model.states import Stage

SMALL = {
    "population.domestic_workers": 3000,
    "population.other_workers": 300,
    "population.sex_workers": 2000,
    "population.irregular": 2000,
}


def adapting_model(**options) -> IdentificationModel:
    overrides = {**SMALL, "adaptation.enabled": True}
    overrides.update({f"adaptation.{k}": v for k, v in options.items()})
    return IdentificationModel(rng=6, overrides=overrides)


def trafficker_with_victims(model: IdentificationModel) -> tuple[int, np.ndarray]:
    pop = model.population
    held = pop.held_by(len(model.traffickers))
    owner = int(np.argmax(held))
    victims = pop.controlled_by(owner)
    return owner, victims[pop.stage[victims] == Stage.COMMUNITY]


def test_a_trafficker_who_notices_coaches_every_victim_it_controls():
    model = adapting_model(notice_probability=1.0, coaching_fear=0.3, move_probability=0.0)
    pop = model.population
    _, victims = trafficker_with_victims(model)
    assert len(victims) >= 2
    fear = pop.fear_retaliation.copy()
    adaptation.screened_at_contact(model, victims[:1])
    np.testing.assert_allclose(
        pop.fear_retaliation[victims], np.minimum(1.0, fear[victims] + 0.3), rtol=1e-6
    )
    others = np.setdiff1d(np.flatnonzero(pop.present), victims)
    assert (pop.fear_retaliation[others] == fear[others]).all()
    assert adaptation.exposed(model, victims).all()


def test_moved_victims_cannot_be_raided_for_the_stated_weeks():
    model = adapting_model(notice_probability=1.0, move_probability=1.0, hide_weeks=3.0)
    _, victims = trafficker_with_victims(model)
    adaptation.screened_at_contact(model, victims[:1])
    for _ in range(3):
        assert not np.any(adaptation.exposed(model, victims))
        model.week += 1
    assert adaptation.exposed(model, victims).all()


def test_nothing_happens_if_the_trafficker_never_notices():
    model = adapting_model(notice_probability=0.0, move_probability=1.0)
    pop = model.population
    _, victims = trafficker_with_victims(model)
    fear = pop.fear_retaliation.copy()
    adaptation.screened_at_contact(model, victims[:1])
    assert (pop.fear_retaliation == fear).all()
    assert adaptation.exposed(model, victims).all()


def test_off_nothing_changes_and_on_under_screening_at_contact_traffickers_adapt():
    plain = IdentificationModel(rng=6, overrides=SMALL).run(1.0)
    off = IdentificationModel(rng=6, overrides={**SMALL, "adaptation.coaching_fear": 1.0}).run(1.0)
    assert plain == off
    on = adapting_model(notice_probability=1.0).run(1.0)
    assert on["victims_coached"] > 0
    reform = IdentificationModel(
        policy="screening_before_detention",
        rng=6,
        overrides={**SMALL, "adaptation.enabled": True, "adaptation.notice_probability": 1.0},
    ).run(1.0)
    assert reform["victims_coached"] >= on["victims_coached"]
