"""Bad batch files: each in ``tests/bad_batches`` holds one mistake and is refused up front.

Every file gives exit status 2, one message on standard error naming the file and the field
(or line) at fault, no traceback, and nothing written (the outputs point at a folder that must
never appear). The batch runs from the project root so that relative outputs resolve there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from experiments.cli import main

ROOT = Path(__file__).resolve().parents[1]
BAD = Path(__file__).resolve().parent / "bad_batches"
NEVER_WRITTEN = BAD / "never_written"

#: file -> texts the message must contain (besides the file's path).
EXPECTED: dict[str, list[str]] = {
    "replicates_boolean.yaml": ["replicates: must be a valid integer (got True)"],
    "years_shorter_than_a_week.yaml": ["years:", "shorter than one simulated week"],
    "years_as_text.yaml": ["years: must be a valid number (got '5')"],
    "years_nan.yaml": ["years: must be", "(got nan)"],
    "worlds_empty.yaml": ["worlds: must list at least 1 item(s) (got [])"],
    "output_inside_scenarios.yaml": ["output: scenarios/results is inside the scenario library"],
    "impossible_date.yaml": ["line 2: '2021-02-29' is not a calendar date"],
    "world_with_impossible_date.yaml": [
        "worlds:",
        "timeline_impossible_day.yaml",
        "line 3: '2020-02-30' is not a calendar date",
    ],
    "too_many_runs.yaml": ["plans 120,000 runs", "more than the 100,000"],
    "grid_too_large.yaml": ["plans 160,000 runs", "10,000 draw(s)"],
    "lhs_range_out_of_bounds.yaml": [
        "sweep.latin_hypercube.ranges.screening.tier1_sensitivity",
        "the range [0.5, 1.5] goes outside",
        "a number from 0 to 1",
    ],
    "seed_negative.yaml": ["seed: must be greater than or equal to 0 (got -1)"],
    "unknown_key.yaml": ["replicate: unknown field; did you mean 'replicates'?"],
    "policy_twice.yaml": ["policies:", "listed more than once: detention_first"],
    "policies_share_a_name.yaml": ["share a name", "screening_variant"],
    "override_out_of_range.yaml": ["screening.tier1_sensitivity", "less than or equal to 1"],
    "unknown_policy.yaml": ["policies:", "Did you mean 'detention_first'?"],
    "not_a_mapping.yaml": ["must be a mapping"],
    "growth_exhausts_memory.yaml": [
        "population.growth_per_year = 0.5 for 60 years",
        "over the 4 GiB budget of one run",
    ],
}


def test_the_corpus_has_one_expectation_per_file():
    assert {p.name for p in BAD.glob("*.yaml")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_bad_batch_file_is_refused_with_one_message(name, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    path = BAD / name
    status = main(["batch", str(path), "--workers", "1", "--quiet"])
    captured = capsys.readouterr()
    assert status == 2, captured.out + captured.err
    assert captured.err.count("tipsim: error:") == 1
    assert "Traceback" not in captured.err
    assert str(path) in captured.err
    for text in EXPECTED[name]:
        assert text in captured.err, f"{text!r} not in:\n{captured.err}"
    assert not NEVER_WRITTEN.exists()
    assert not (ROOT / "scenarios" / "results").exists()
