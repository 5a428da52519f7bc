"""The outbound stream: residents trafficked abroad who return, counted apart from inbound."""

import pandas as pd

from analysis.calibration.official import official_statistics
from experiments.core.replay import scale_world
from model import IdentificationModel
from model.outcomes import FLOWS
from scenarios.loader import load_scenario
from tests.conftest import ROOT
from tests.expectations import assert_mean, assert_share

INBOUND = [name for name in FLOWS if not name.startswith("outbound_")]


def weekly(world, years=1.0, seed=4, **overrides):
    model = IdentificationModel(world, "detention_first", rng=seed, **overrides)
    model.run(years)
    return model.weekly()


def test_returnees_are_screened_at_the_weekly_rate_and_identified_at_the_share(small_world):
    series = weekly(
        small_world,
        years=2.0,
        encounters__outbound_returnees_per_year=520.0,
        encounters__outbound_identification_share=0.3,
    )
    screened, identified = series["outbound_screened"], series["outbound_identified"]
    assert_mean(screened, 10.0)  # Poisson weekly counts of mean 10
    assert_share(identified.sum() / screened.sum(), 0.3, screened.sum())
    assert (identified <= screened).all()


def test_the_outbound_stream_leaves_every_inbound_count_unchanged(small_world):
    without = weekly(small_world)
    with_outbound = weekly(small_world, encounters__outbound_returnees_per_year=200.0)
    assert without["outbound_screened"].sum() == 0
    assert with_outbound["outbound_screened"].sum() > 100
    pd.testing.assert_frame_equal(without[INBOUND], with_outbound[INBOUND])


def test_the_post_2020_world_screens_returnees_from_2022_only():
    world = scale_world(load_scenario(ROOT / "scenarios" / "hong_kong_post_2020.yaml"), 0.05)
    model = IdentificationModel(world, "detention_first", rng=1)
    model.run(3.0)
    by_year = model.weekly().groupby("year")["outbound_screened"].sum()
    assert by_year.loc[[2020, 2021]].sum() == 0
    assert by_year.loc[2022] > 0  # 40 a year at full scale, 2 at 1/20


def test_official_totals_add_the_outbound_stream_to_inbound_identifications():
    series = pd.DataFrame(
        {
            "year": [2022, 2022, 2023],
            **{name: [0, 0, 0] for name in FLOWS},
            "victims_present": [10, 10, 10],
            "population_size": [100, 100, 100],
        }
    )
    series["victims_identified"] = [2, 1, 4]
    series["false_positives"] = [1, 0, 0]
    series["initial_screenings"] = [50, 50, 60]
    series["outbound_screened"] = [5, 3, 0]
    series["outbound_identified"] = [2, 1, 0]
    table = official_statistics(series)
    assert table.loc[2022, "identified_mechanism"] == 4
    assert table.loc[2022, "identified_official"] == 7
    assert table.loc[2022, "screenings_official"] == 108
    assert table.loc[2023, "identified_official"] == 4
    # a series written before the stream existed has no outbound columns: they count as 0
    old = official_statistics(series.drop(columns=["outbound_screened", "outbound_identified"]))
    assert old.loc[2022, "identified_official"] == 4
