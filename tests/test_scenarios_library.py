"""Every shipped scenario and policy validates, runs a short year, and documents itself."""

from __future__ import annotations

import pytest

from experiments.cli import main
from experiments.core.scenario_model import ScenarioModel
from model import Parameters
from scenarios.loader import SCENARIO_DIR, load_scenario, load_world
from scenarios.policy_loader import POLICY_DIR, load_policy
from scenarios.resolve import resolve_parameters

WORLDS = sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))
POLICY_FILES = sorted(p.stem for p in POLICY_DIR.glob("*.yaml"))
#: Overrides that scale a world to 1/20 (as tests/scenarios/small.yaml) so a year is fast.
SMALL = {
    "population.domestic_workers": 20_000,
    "population.other_workers": 1_000,
    "population.sex_workers": 500,
    "population.irregular": 1_200,
    "officers.immigration": 8,
    "officers.police": 8,
    "officers.labour": 2,
    "officers.customs": 1,
    "ngo.screenings_per_year": 104,
    "support.weekly_sessions": 4,
}


def test_the_library_holds_the_promised_files():
    assert {
        "hong_kong_baseline",
        "hong_kong_post_2020",
        "high_prevalence",
        "low_officer_training",
        "dedicated_law",
    } <= set(WORLDS)
    assert {
        "detention_first",
        "screening_before_detention",
        "screening_before_detention_plus",
    } <= set(POLICY_FILES)


def test_validate_accepts_every_shipped_file(capsys):
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    for name in WORLDS + POLICY_FILES:
        assert f"{name}.yaml" in out


@pytest.mark.parametrize(
    "path", sorted(SCENARIO_DIR.glob("*.yaml")) + sorted(POLICY_DIR.glob("*.yaml"))
)
def test_every_shipped_file_opens_with_its_schema_purpose_and_sources(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    directive = "# yaml-language-server: $schema="
    assert lines[0].startswith(directive)
    schema = (path.parent / lines[0].removeprefix(directive)).resolve()
    kind = "policy" if path.parent == POLICY_DIR else "world"
    assert schema == SCENARIO_DIR / "schema" / f"{kind}.schema.json"
    assert lines[1].startswith("# ") and len(lines[1]) > 10, "a one-line purpose follows"
    composed = load_policy(path) if kind == "policy" else load_world(path)
    assert composed.sources, "every file names its sources"
    assert composed.description


def test_the_baseline_file_equals_the_schema_defaults():
    assert load_scenario("hong_kong_baseline") == Parameters()


@pytest.mark.parametrize("world", WORLDS)
def test_every_world_runs_a_short_year(world):
    model = ScenarioModel(world, "detention_first", rng=1, **SMALL)
    summary = model.run(1.0)
    assert summary["policy"] == "detention_first"
    assert summary["victims_present"] > 0
    assert summary["encountered"] > 0


@pytest.mark.parametrize("policy", POLICY_FILES)
def test_every_policy_runs_a_short_year_under_its_own_name(policy, small_world):
    model = ScenarioModel(small_world, policy, rng=1)
    summary = model.run(1.0)
    assert summary["policy"] == policy
    assert model.weekly()["victims_identified"].sum() == summary["victims_identified"]


def test_policy_files_of_a_strategy_s_name_equal_the_bare_strategy(small_world):
    for name in ("detention_first", "screening_before_detention"):
        assert resolve_parameters(small_world, POLICY_DIR / f"{name}.yaml") == (
            resolve_parameters(small_world, name)
        )


def test_the_plus_policy_adds_its_protections_to_screening_before_detention(small_world):
    plus = resolve_parameters(small_world, "screening_before_detention_plus").screening
    base = resolve_parameters(small_world, "screening_before_detention").screening
    assert plus.non_punishment and plus.trauma_informed and plus.witness_visa
    assert not (base.non_punishment or base.trauma_informed or base.witness_visa)
    assert (plus.tier2_support, plus.tier2_sessions) == (base.tier2_support, base.tier2_sessions)


def test_worlds_differ_from_the_baseline_where_they_say():
    baseline = Parameters()
    assert load_scenario("dedicated_law").justice.regime == "dedicated_law"
    high = load_scenario("high_prevalence").prevalence
    assert high.trafficked_share_domestic == 2 * baseline.prevalence.trafficked_share_domestic
    low = load_scenario("low_officer_training").officers
    assert low.interview_quality_trained < baseline.officers.interview_quality_trained
    post = resolve_parameters("hong_kong_post_2020", "detention_first")
    assert post.time.start_year == 2020
    assert post.encounters.raid_rate_per_year == pytest.approx(0.1 * 615 / 1157, abs=0.001)
    assert [entry.date for entry in post.timeline] == ["2020-07", "2021-01", "2022-01", "2023-01"]
    # The outbound stream by the Security Bureau's counts: 43 returned in 2022, none in 2023.
    assert post.timeline[2].set == {"encounters.outbound_returnees_per_year": 43}
    assert post.timeline[3].set == {"encounters.outbound_returnees_per_year": 0}
    assert post.timeline[0].set["ngo.screenings_per_year"] < baseline.ngo.screenings_per_year
