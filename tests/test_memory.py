"""Finished models are freed: nothing global keeps a model (and its 400k-slot arrays) alive."""

import gc
import weakref

import pytest

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


def _sizes(world) -> int:
    p = world.population
    return p.domestic_workers + p.other_workers + p.sex_workers + p.irregular


def test_the_store_reserves_no_growth_up_front_and_grows_as_the_run_needs(small_world):
    """Issue 32: a 0.1-year run at growth 0.5 reserved 1.5**10 = 58 times its population."""
    world = small_world.updated({"population": {"growth_per_year": 0.5}})
    model = IdentificationModel(world, "detention_first", rng=1, years=0.1)
    assert model.population.capacity <= _sizes(world) * 1.05 + 64
    model.run(2)
    assert model.population.capacity >= model.population.size > _sizes(world) * 1.5


def test_the_memory_guard_counts_the_warm_up_as_growth(small_world):
    from experiments.batches.memory import peak_population

    world = small_world.updated({"population": {"growth_per_year": 0.5}})
    warmed = world.updated({"time": {"warmup_years": 2}})
    assert peak_population(warmed, 1) == pytest.approx(peak_population(world, 3))
