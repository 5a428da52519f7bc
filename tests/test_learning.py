"""Learning from others' fates: the smoothing rule, who learns, how it fades, how it lowers
help-seeking; off (or without ties) the model is the one without it."""

from __future__ import annotations

import numpy as np
import pytest

from model import IdentificationModel, learning, ties
from model.learning import Fate, smooth
from model.states import Stage

SMALL = {
    "population.domestic_workers": 5000,
    "population.other_workers": 300,
    "population.sex_workers": 500,
    "population.irregular": 800,
}


def learning_model(**options) -> IdentificationModel:
    overrides = {**SMALL, "ties.enabled": True, "learning.enabled": True}
    overrides.update({f"learning.{k}": v for k, v in options.items()})
    return IdentificationModel(rng=8, overrides=overrides)


def someone_with_contacts(model: IdentificationModel) -> tuple[int, np.ndarray]:
    pop = model.population
    slots = np.flatnonzero(pop.present & (pop.stage == Stage.COMMUNITY))
    source, contact = ties.contacts(model, slots[:200])
    first = source[0]
    return int(slots[first]), contact[source == first]


def test_smoothing_closes_the_stated_share_of_the_gap_per_fate():
    values = np.array([0.5, 0.2])
    after = smooth(values, 1.0, 0.2, np.array([1, 2]))
    np.testing.assert_allclose(after, [0.5 + 0.2 * 0.5, 1.0 - 0.8 * 0.8 * 0.8])


def test_contacts_of_a_removed_migrant_fear_more_and_trust_less_by_the_rule():
    model = learning_model(rate=0.5, negativity=1.5)
    pop = model.population
    who, contact = someone_with_contacts(model)
    fear, trust = pop.fear_punishment.copy(), pop.trust.copy()
    learning.witness(model, np.array([who]), Fate.REMOVED)
    np.testing.assert_allclose(
        pop.fear_punishment[contact], fear[contact] + 0.75 * (1 - fear[contact]), rtol=1e-6
    )
    np.testing.assert_allclose(pop.trust[contact], trust[contact] * 0.25, rtol=1e-6)
    others = np.setdiff1d(np.flatnonzero(pop.present), contact)
    assert (pop.fear_punishment[others] == fear[others]).all()
    assert (pop.trust[others] == trust[others]).all()


def test_contacts_of_a_supported_victim_fear_less_and_trust_more():
    model = learning_model(rate=0.2)
    pop = model.population
    who, contact = someone_with_contacts(model)
    fear, trust = pop.fear_punishment.copy(), pop.trust.copy()
    learning.witness(model, np.array([who]), Fate.SUPPORTED)
    np.testing.assert_allclose(pop.fear_punishment[contact], fear[contact] * 0.8, rtol=1e-6)
    np.testing.assert_allclose(
        pop.trust[contact], trust[contact] + 0.2 * (1 - trust[contact]), rtol=1e-6
    )


def test_what_was_learnt_halves_in_a_half_life_and_lowers_help_seeking():
    model = learning_model(rate=0.5, negativity=1.0, half_life_weeks=4.0)
    pop = model.population
    who, contact = someone_with_contacts(model)
    before = pop.fear_punishment[contact].astype(float)
    learning.witness(model, np.array([who]), Fate.REMOVED)
    rise = pop.fear_punishment[contact] - before
    factor = learning.help_seeking(model, contact, np.ones(len(contact)))
    np.testing.assert_allclose(factor, np.maximum(0, 1 - rise), rtol=1e-6)
    for _ in range(4):
        learning.forget(model)
    np.testing.assert_allclose(pop.fear_punishment[contact], before + rise / 2, rtol=1e-5)


def test_off_or_without_ties_learning_changes_nothing():
    plain = IdentificationModel(rng=8, overrides=SMALL).run(1.0)
    switched_off = IdentificationModel(
        rng=8, overrides={**SMALL, "ties.enabled": True, "learning.rate": 1.0}
    ).run(1.0)
    no_ties = IdentificationModel(rng=8, overrides={**SMALL, "learning.enabled": True}).run(1.0)
    assert plain == switched_off == no_ties


def test_on_it_changes_the_run():
    plain = IdentificationModel(rng=8, overrides=SMALL)
    plain.run(2.0)
    model = learning_model(rate=0.5)
    model.run(2.0)
    assert len(model.learnt.slots) > 0
    assert not np.array_equal(plain.population.trust, model.population.trust)


@pytest.mark.parametrize("fate", list(Fate))
def test_nobody_learns_from_someone_without_ties(fate):
    model = learning_model(rate=1.0)
    trust = model.population.trust.copy()
    learning.witness(model, np.zeros(0, dtype=np.int64), fate)
    assert (model.population.trust == trust).all()
