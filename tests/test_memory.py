"""Finished models are freed: nothing global keeps a model (and its 400k-slot arrays) alive."""

import gc
import weakref

from model import IdentificationModel
from model.agents import Officer


def test_a_finished_model_is_garbage_collected(small_world):
    model = IdentificationModel(small_world, "detention_first", rng=1)
    model.run(0.2)
    ref = weakref.ref(model)
    del model
    gc.collect()
    assert ref() is None, "a finished model is still referenced"


def test_agent_ids_are_unique_within_a_model_and_restart_for_the_next(small_world):
    first = IdentificationModel(small_world, "detention_first", rng=1)
    second = IdentificationModel(small_world, "detention_first", rng=1)
    ids = [a.unique_id for a in first.agents]
    assert len(ids) == len(set(ids))
    assert min(ids) == 1
    officers = [a.unique_id for a in second.agents if isinstance(a, Officer)]
    assert officers == [a.unique_id for a in first.agents if isinstance(a, Officer)]
