"""Same scenario and seed give identical results; policies share the simulated world."""

import mesa
import numpy as np
import pandas as pd

from experiments.core.scenario_model import ScenarioModel, simulate
from model import IdentificationModel


def test_same_seed_gives_identical_summaries_and_series(small_world):
    runs = []
    for _ in range(2):
        model = IdentificationModel(small_world, "screening_before_detention", rng=7)
        model.run(1)
        runs.append((model.summary(), model.weekly()))
    assert runs[0][0] == runs[1][0]
    pd.testing.assert_frame_equal(runs[0][1], runs[1][1])


def test_different_seeds_give_different_worlds(small_world):
    a = simulate(small_world, "detention_first", seed=1, years=1)
    b = simulate(small_world, "detention_first", seed=2, years=1)
    assert a != b


def test_policies_with_one_seed_start_from_the_same_population(small_world):
    first = IdentificationModel(small_world, "detention_first", rng=9)
    second = IdentificationModel(small_world, "screening_before_detention", rng=9)
    for column in ("group", "status", "trafficker", "debt_months", "trust", "departure_week"):
        np.testing.assert_array_equal(
            getattr(first.population, column), getattr(second.population, column)
        )
    assert [t.capacity for t in first.traffickers] == [t.capacity for t in second.traffickers]
    assert [o.trained for o in first.officers] != [] and [o.trained for o in first.officers] == [
        o.trained for o in second.officers
    ]


def test_mesa_batch_run_drives_the_model_with_plain_keywords(small_scenario_path):
    results = mesa.batch_run(
        ScenarioModel,
        parameters={
            "scenario": str(small_scenario_path),
            "policy": ["detention_first", "screening_before_detention"],
            "rng": [1, 2],
            "years": 0.5,
            "screening__tier1_sensitivity": 0.8,
        },
        iterations=1,
        max_steps=1000,
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )
    frame = pd.DataFrame(results)
    assert len(frame) == 4
    assert set(frame["policy"]) == {"detention_first", "screening_before_detention"}
    # batch_run reports the last collected step index: 26 weeks run, indices 0-25.
    assert (frame["Step"] == 25).all()
    assert (frame["week"] == 25).all()
    assert {"victims_identified", "initial_screenings", "victims_present"} <= set(frame.columns)


def test_simulate_returns_the_documented_summary_keys(small_scenario_path):
    summary = simulate(
        str(small_scenario_path),
        "detention_first",
        seed=3,
        years=0.5,
        screening__tier1_sensitivity=0.8,
    )
    for key in (
        "victims_present",
        "victims_encountered",
        "initial_screenings",
        "victims_identified",
        "false_positives",
        "victims_detained",
        "victims_removed_unidentified",
        "victim_detention_days",
        "investigations",
        "prosecutions",
        "convictions",
    ):
        assert key in summary


def test_a_replicate_seed_is_named_so_it_can_be_given_again(small_world):
    child = np.random.SeedSequence(20240601).spawn(4)[3]
    model = IdentificationModel(small_world, "detention_first", rng=child)
    assert model.seed == "20240601:3"
    again = np.random.SeedSequence(20240601, spawn_key=(3,))
    twin = IdentificationModel(small_world, "detention_first", rng=again)
    np.testing.assert_array_equal(model.population.status, twin.population.status)
    assert IdentificationModel(small_world, "detention_first", rng=5).seed == 5
