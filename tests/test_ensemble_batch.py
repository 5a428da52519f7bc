"""A batch over a calibrated ensemble: members drawn by weight, the answer, the decomposition.

Protects the main job's machinery: the member draw is a seeded posterior sample with known
answers (a member of weight 0 is never drawn; all weight on one member draws only it), the
batch records the members and their weights, the command prints the ensemble answer and the
decomposition headline and resumes without re-running, and every mistake in the ``ensemble:``
and ``decomposition:`` keys is one message with exit status 2.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis.headline import answer_text
from analysis.main_answer import ensemble_weights
from experiments.batches.config import load_batch
from experiments.cli import main as cli
from experiments.core.ensemble import draw_members, systematic_counts
from experiments.core.errors import UserError
from experiments.studies.forecast import summarise, weighted_quantiles
from tests.batch_support import SMALL


def write_ensemble(folder: Path, weights: list[float]) -> Path:
    """An ensemble folder of members extending the small world, with the given ABC weights."""
    target = folder / "ensemble"
    target.mkdir(parents=True)
    (folder / "small.yaml").write_text(SMALL.read_text())
    rows = []
    for i, weight in enumerate(weights):
        member = f"member_{i:03d}.yaml"
        document = {
            "name": f"small_member_{i}",
            "extends": "../small.yaml",
            "disclosure": {"intercept": -1.0 - 0.5 * i},
        }
        (target / member).write_text(yaml.safe_dump(document))
        rows.append(
            {
                "member": member,
                "weight": weight,
                "distance": 1.0 + i,
                "screening.tier1_specificity": 0.9 + 0.01 * i,  # a calibrated lever
            }
        )
    pd.DataFrame(rows).to_csv(target / "ensemble.csv", index=False)
    return target


def write_ensemble_batch(folder: Path, **changes) -> Path:
    """A batch over the ensemble with a two-corner decomposition at one member."""
    decomposition = {
        "worlds": ["ensemble/member_000.yaml"],
        "policies": ["detention_first", "screening_before_detention"],
        "replicates": 2,
        "years": 0.5,
        "seed": 5,
        "output": str(folder / "unused"),
        "sweep": {"grid": {"screening.tier2_support": [False, True]}},
    }
    (folder / "decomposition.yaml").write_text(yaml.safe_dump(decomposition))
    config = {
        "ensemble": {"folder": "ensemble", "members": 8},
        "policies": ["detention_first", "screening_before_detention"],
        "replicates": 2,
        "years": 0.5,
        "seed": 3,
        "output": str(folder / "out"),
        "decomposition": "decomposition.yaml",
    }
    config.update(changes)
    path = folder / "batch.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def test_member_draw_is_seeded_and_follows_the_weights(tmp_path):
    weights = [0.5, 0.0, 0.3, 0.2]
    folder = write_ensemble(tmp_path, weights)
    first = draw_members(folder, 7, seed=1)
    again = draw_members(folder, 7, seed=1)
    pd.testing.assert_frame_equal(first, again)
    assert "member_001.yaml" not in set(first["member"])  # weight 0: never drawn
    assert first["draws"].sum() == 7
    assert first["weight"].sum() == pytest.approx(1.0)
    # Systematic resampling: each member drawn floor(7 w) or ceil(7 w) times (3.5, 2.1, 1.4).
    draws = first.set_index("member")["draws"]
    for member, weight in {"member_000.yaml": 0.5, "member_002.yaml": 0.3}.items():
        assert math.floor(7 * weight) <= draws[member] <= math.ceil(7 * weight)
    others = [draw_members(folder, 7, seed=s)["draws"].tolist() for s in range(2, 12)]
    assert any(o != first["draws"].tolist() for o in others)  # the seed moves the pointers


def test_systematic_counts_are_within_one_of_the_expected_counts():
    rng = np.random.default_rng(5)
    for _ in range(200):
        weights = rng.dirichlet(np.full(30, 0.3))
        counts = systematic_counts(rng, weights, 16)
        assert counts.sum() == 16
        assert (np.abs(counts - 16 * weights) < 1 + 1e-9).all()
    # Over many seeds each member's mean count is its expected count (unbiased).
    weights = np.array([0.369, 0.233, 0.228, 0.054, 0.041, 0.075])
    mean = np.mean([systematic_counts(rng, weights, 16) for _ in range(4000)], axis=0)
    assert mean == pytest.approx(16 * weights, abs=0.05)


def test_a_member_of_weight_zero_is_never_drawn_even_at_the_last_pointer():
    """Ten weights of 0.1 sum to just below 1; the last pointer must not fall past them."""

    class LastUniform:
        def random(self) -> float:
            return float(np.nextafter(1.0, 0.0))  # the largest uniform a generator returns

    weights = np.array([0.1] * 10 + [0.0])
    counts = systematic_counts(LastUniform(), weights, 1)
    assert counts[-1] == 0 and counts[9] == 1


def test_all_weight_on_one_member_draws_only_it(tmp_path):
    folder = write_ensemble(tmp_path, [0.0, 1.0, 0.0])
    drawn = draw_members(folder, 16, seed=9)
    assert list(drawn["member"]) == ["member_001.yaml"]
    assert list(drawn["weight"]) == [1.0]


def test_the_batch_lists_the_drawn_members_as_its_worlds(tmp_path):
    write_ensemble(tmp_path, [0.5, 0.5])
    config = load_batch(write_ensemble_batch(tmp_path))
    stems = [Path(w).stem for w in config.worlds]
    assert set(stems) <= {"member_000", "member_001"} and stems == sorted(stems)


def test_cli_runs_the_ensemble_then_the_decomposition_and_prints_both(tmp_path, capsys):
    write_ensemble(tmp_path, [0.6, 0.4])
    batch = write_ensemble_batch(tmp_path)
    assert cli(["batch", str(batch), "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "## Answer over the calibrated ensemble" in printed
    assert "Fit check: detention first" in printed
    assert "Victims identified (persons)" in printed and "Probability of more" in printed
    assert "victims_identified" not in printed  # outcomes in words, with units
    assert "Shapley attribution" in printed and "supported tier-2" in printed
    assert "under the full reform" in printed
    out = tmp_path / "out"
    recorded = json.loads((out / "ensemble.json").read_text())
    assert sum(m["draws"] for m in recorded["members"]) == 8
    weights = ensemble_weights(out)
    assert weights.sum() == pytest.approx(1.0)
    assert (out / "decomposition" / "manifest.json").is_file()
    assert answer_text(out).startswith("### Fit check")
    assert answer_text(out) in printed  # the batch prints the one computed answer
    # Run again: both batches resume and nothing is run twice.
    assert cli(["batch", str(batch), "--workers", "1", "--quiet"]) == 0
    again = capsys.readouterr().out
    assert again.count("0 run now") == 2


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"ensemble": None}, "worlds: must list at least 1 item(s) (got []), or give ensemble:"),
        ({"worlds": ["small.yaml"]}, "either worlds or ensemble"),
        ({"ensemble": {"folder": "nowhere", "members": 4}}, "not a calibrated ensemble folder"),
        ({"ensemble": {"folder": "ensemble", "members": 0}}, "ensemble.members"),
        ({"ensemble": {"folder": "ensemble", "member": 4}}, "did you mean 'members'"),
        ({"decomposition": "missing.yaml"}, "decomposition: missing.yaml: no such batch file"),
    ],
)
def test_mistakes_in_the_ensemble_keys_are_one_message_with_status_2(
    tmp_path, capsys, changes, expected
):
    write_ensemble(tmp_path, [0.5, 0.5])
    batch = write_ensemble_batch(tmp_path, **changes)
    assert cli(["batch", str(batch), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert expected in err and str(batch) in err and "Traceback" not in err


def test_a_member_file_missing_is_named(tmp_path):
    folder = write_ensemble(tmp_path, [0.5, 0.5])
    (folder / "member_001.yaml").unlink()
    with pytest.raises(UserError, match=r"member_001\.yaml"):
        draw_members(folder, 4, seed=1)


def test_weighted_quantiles_have_their_known_answers():
    values = np.array([1.0, 2.0, 3.0, 4.0])
    assert weighted_quantiles(values, np.ones(4), [0.5]) == [2.0]
    # all weight on 4: every quantile is 4
    assert weighted_quantiles(values, np.array([0, 0, 0, 1.0]), [0.05, 0.95]) == [4.0, 4.0]
    # weight 3 on the value 1 of 4 runs: the median is 1
    assert weighted_quantiles(values, np.array([3.0, 1, 1, 1]), [0.5]) == [1.0]


def test_forecast_summary_sets_the_interval_beside_the_published_figure():
    runs = pd.DataFrame(
        {
            "year": [2021] * 4,
            "screenings_official": [7000.0, 7500, 8000, 9000],
            "identified_official": [1.0, 2, 3, 4],
            "identified_mechanism": [1.0, 2, 3, 4],
            "hit_rate_official": [1 / 7000, 2 / 7500, 3 / 8000, 4 / 9000],
            "weight": [0.25] * 4,
        }
    )
    table = summarise(runs).set_index("view")
    assert table.loc["screenings_official", "published"] == 7678
    assert table.loc["screenings_official", "inside"]  # 7,678 within [7,000, 9,000]
    assert table.loc["identified_official", "published"] == 1
    assert table.loc["hit_rate_official", "published"] == pytest.approx(1 / 7678)
    assert pd.isna(table.loc["identified_mechanism", "published"])


def test_cli_forecast_replays_members_and_writes_its_tables(tmp_path, capsys):
    write_ensemble(tmp_path, [0.7, 0.3])
    out = tmp_path / "forecast"
    args = ["forecast", str(tmp_path / "ensemble"), "--members", "4", "--replicates", "1",
            "--years", "1", "--workers", "1", "--out", str(out)]
    assert cli(args) == 0
    printed = capsys.readouterr().out
    assert "90% interval" in printed
    first = pd.read_csv(out / "forecast_runs.csv")
    assert set(first["member"]) <= {"member_000", "member_001"}
    assert first["weight"].sum() == pytest.approx(1.0)
    assert cli(args) == 0  # the same seed repeats the forecast exactly
    pd.testing.assert_frame_equal(first, pd.read_csv(out / "forecast_runs.csv"))
    assert cli([*args[:-2], "--out", str(out), "--members", "0"]) == 2


def test_the_fit_check_uses_the_shipped_calibrations_tolerances():
    from analysis.main_answer import FIT_VIEWS
    from experiments.calibration.config import load_calibration

    root = Path(__file__).resolve().parents[1]
    config = load_calibration(root / "experiments" / "calibration_hong_kong.yaml")
    for view, (_, relative, absolute) in FIT_VIEWS.items():
        pattern = config.patterns[view]
        assert (pattern.relative, pattern.absolute) == (relative, absolute)


def test_the_main_job_compares_every_member_from_2025_then_decomposes_at_one_member():
    """The README's first command: the reform from 2025-01 after the replayed 2016-2024, over
    every member of the shipped posterior (at least 50, or all accepted), both policies on
    common random numbers, then the factorial at the top member from the same start."""
    from experiments.batches.config import decomposition_file, drawn_members
    from experiments.batches.plan import build_plan
    from experiments.core.ensemble import read_ensemble
    from scenarios.loader import load_scenario

    root = Path(__file__).resolve().parents[1]
    path = root / "experiments" / "policy_comparison.yaml"
    config = load_batch(path)
    assert config.ensemble is not None
    members = read_ensemble(path.parent / config.ensemble.folder)
    shipped = {Path(str(p)).stem for p in members["path"]}
    drawn = {Path(w).stem for w in config.worlds}
    weights = members.set_index(members["member"].str.removesuffix(".yaml"))["weight"]
    weights = weights / weights.sum()
    assert drawn <= shipped
    assert len(drawn) >= min(50, len(shipped))  # at least 50 members, or all accepted ...
    assert set(weights[weights >= 1 / config.ensemble.members].index) <= drawn  # ... but noise
    draws = drawn_members(config, path).set_index("member")["draws"]
    draws.index = draws.index.str.removesuffix(".yaml")
    expected = config.ensemble.members * weights
    assert (abs(draws.reindex(weights.index, fill_value=0) - expected) < 1 + 1e-9).all()
    # the reform starts in 2025-01, after the replayed 2016-2024; the results count 2025-2029
    world = load_scenario(members["path"].iloc[0])
    assert config.overrides["time.policy_start_year"] == 2025
    assert world.time.start_year + config.years == 2030
    plan = build_plan(config, path)
    assert len(plan.tasks) == len(drawn) * len(config.policies) * config.replicates
    assert {t.spec.params.time.policy_start_year for t in plan.tasks} == {2025}
    follow_up = decomposition_file(config, path)
    factorial = load_batch(follow_up)
    assert [Path(w).stem for w in factorial.worlds] == [
        members.sort_values("weight", ascending=False)["member"].iloc[0].removesuffix(".yaml")
    ]
    assert factorial.overrides["time.policy_start_year"] == 2025
    assert factorial.years == config.years
    top = members.sort_values("weight", ascending=False).iloc[0]
    for lever in ("screening.tier1_specificity", "screening.tier2_false_positive_rate"):
        assert factorial.overrides[lever] == pytest.approx(top[lever])  # its screening practice
        assert {t.overrides[lever] for t in plan.tasks} <= set(members[lever])


def test_calibrated_screening_levers_reach_every_run_of_their_member(tmp_path):
    """Levers cannot live in a world file: the listing carries them, the batch applies them."""
    from experiments.batches.plan import build_plan
    from experiments.core.ensemble import member_document

    document = member_document(
        {"disclosure.intercept": -3.0, "screening.tier1_specificity": 0.97}, "x.yaml", "m", "d"
    )
    assert "screening" not in document and document["disclosure"] == {"intercept": -3.0}
    write_ensemble(tmp_path, [0.5, 0.5])
    path = write_ensemble_batch(tmp_path)
    plan = build_plan(load_batch(path), path)
    for task in plan.tasks:
        expected = 0.9 + 0.01 * int(task.world[-1])
        assert task.overrides["screening.tier1_specificity"] == pytest.approx(expected)
        assert task.spec.params.screening.tier1_specificity == pytest.approx(expected)


def test_a_listing_without_weights_is_named_not_a_traceback(tmp_path, capsys):
    folder = write_ensemble(tmp_path, [0.5, 0.5])
    listing = pd.read_csv(folder / "ensemble.csv").drop(columns="weight")
    listing.to_csv(folder / "ensemble.csv", index=False)
    assert cli(["forecast", str(folder), "--members", "2", "--out", str(tmp_path / "f")]) == 2
    err = capsys.readouterr().err
    assert "missing column weight" in err and "Traceback" not in err


def test_the_fit_check_rows_hold_the_hit_rate_to_the_identifications_tolerance():
    """Known answer: 2018 (18 of 7,500) is within 9 identifications, 2019 (3) is not within 4."""
    from analysis.calibration.published import load_figures
    from analysis.main_answer import fit_row

    block = pd.DataFrame(
        {
            "initial_screenings": [7000.0, 8000.0],
            "identified_mechanism": [10.0, 12.0],
            "weight": [0.5, 0.5],
        }
    )
    block["hit_rate"] = block["identified_mechanism"] / block["initial_screenings"]
    figures = load_figures()
    row = fit_row(2018, block, figures)
    assert row[0] == "2018"
    assert row[1:4] == ["7,500 (7,050-7,950)", "7,500", "yes"]
    assert row[4:7] == ["11 (10-12)", "18", "yes"]  # |11 - 18| <= 9
    assert row[7].startswith("0.147%") and row[8:] == ["0.240%", "yes"]  # 0.093 <= 9/7500
    row = fit_row(2019, block, figures)
    assert row[6] == "no" and row[8:] == ["0.040%", "no"]  # 0.107 > 4/7500 = 0.053
