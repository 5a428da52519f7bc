"""The pilot designs: the evaluator's power on known effects, the preposterior narrowing, the CLI.

Protects what ``tipsim pilot`` tells a funder: the exact power of the test of two Poisson arms
agrees with a simulation of the evaluator's binomial test, never exceeds the level when the
reform does nothing, and approaches one for a large effect; a pilot that discriminates between
members narrows the gain's interval, one that cannot does not; and the command runs a small
ensemble batch end to end and rejects bad files with one message.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from analysis.errors import AnalysisError
from analysis.pilot import PilotDesign, cumulative_counts, design_table, power
from experiments.cli import main as cli


def simulated_power(control: float, pilot: float, share: float, alpha: float, n: int) -> float:
    rng = np.random.default_rng(3)
    arm = rng.poisson(share * pilot, n)
    rest = rng.poisson((1 - share) * control, n)
    rejects = [
        a + b > 0 and stats.binomtest(a, a + b, share, alternative="greater").pvalue <= alpha
        for a, b in zip(arm, rest, strict=True)
    ]
    return float(np.mean(rejects))


@pytest.mark.parametrize(
    ("control", "pilot", "share"), [(40.0, 70.0, 0.25), (12.0, 20.0, 0.5), (100.0, 100.0, 0.3)]
)
def test_exact_power_agrees_with_a_simulated_evaluator(control, pilot, share):
    expected = simulated_power(control, pilot, share, 0.05, 4000)
    assert power(control, pilot, share, 0.05) == pytest.approx(expected, abs=0.025)


def test_power_stays_below_the_level_without_an_effect_and_nears_one_for_a_large_one():
    for rate in (0.5, 5.0, 50.0, 500.0):
        assert power(rate, rate, 0.25, 0.05) <= 0.05
    assert power(200.0, 400.0, 0.5, 0.05) > 0.99
    assert power(0.0, 0.0, 0.5, 0.05) == 0.0


def test_power_grows_with_the_share_and_the_effect():
    assert power(40, 60, 0.5) > power(40, 60, 0.1)
    assert power(40, 80, 0.25) > power(40, 60, 0.25)


def weekly(effects: dict[str, float], base: float = 2.0, weeks: int = 104) -> pd.DataFrame:
    """Weekly rows of two replicates per member: identifications Poisson(base) and (base+effect)."""
    rng = np.random.default_rng(5)
    frames = []
    for world, effect in effects.items():
        for replicate in (0, 1):
            for policy, rate in (
                ("detention_first", base),
                ("screening_before_detention", base + effect),
            ):
                identified = rng.poisson(rate, weeks)
                frames.append(
                    pd.DataFrame(
                        {
                            "world": world,
                            "policy": policy,
                            "replicate": replicate,
                            "week": np.arange(100, 100 + weeks),
                            "year": 2020 + np.arange(weeks) // 52,
                            "initial_screenings": 10 * identified,
                            "flagged": 3 * identified,
                            "tier2_screenings": 3 * identified,
                            "victims_identified": identified,
                        }
                    )
                )
    return pd.concat(frames, ignore_index=True)


def gain_pairs(means: dict[str, float], half_spread: float = 3.0) -> pd.DataFrame:
    """Two replicate pairs per member, its mean gain plus and minus ``half_spread``."""
    rows = [
        {"world": world, "gain": mean + sign * half_spread}
        for world, mean in means.items()
        for sign in (-1, 1)
    ]
    return pd.DataFrame(rows)


def test_cumulative_counts_sum_the_first_weeks_and_refuse_too_long_a_pilot():
    table = weekly({"m0": 1.0})
    counts = cumulative_counts(table, 10)
    first = table[(table["world"] == "m0") & (table["week"] < 110)]
    expected = first.groupby(["policy", "replicate"])["victims_identified"].sum()
    got = counts.set_index(["policy", "replicate"])["victims_identified"]
    assert got.sort_index().tolist() == expected.sort_index().tolist()
    with pytest.raises(AnalysisError, match="longer than the runs"):
        cumulative_counts(table, 105)
    # from the policies' start (the second year): weeks 152-161
    later = cumulative_counts(table, 10, start_year=2021)
    second = table[(table["week"] >= 152) & (table["week"] < 162)]
    expected = second.groupby(["policy", "replicate"])["victims_identified"].sum()
    got = later.set_index(["policy", "replicate"])["victims_identified"]
    assert got.sort_index().tolist() == expected.sort_index().tolist()
    with pytest.raises(AnalysisError, match="longer than the runs"):
        cumulative_counts(table, 60, start_year=2021)


def test_a_pilot_that_tells_members_apart_narrows_the_interval():
    # half the weight on members with no effect, half on members with a large one: identifying
    # the true kind of member settles the gain
    effects = {f"m{i}": (0.0 if i < 4 else 3.0) for i in range(8)}
    pairs = gain_pairs({m: 104 * e for m, e in effects.items()})
    weights = pd.Series(1.0, index=list(effects))
    table = design_table(
        weekly(effects),
        pairs,
        weights,
        [PilotDesign(0.5, 6), PilotDesign(0.05, 1)],
        datasets=200,
    )
    big, tiny = table.iloc[0], table.iloc[1]
    assert big["narrowing"] > 0.5
    assert tiny["narrowing"] < big["narrowing"]
    # assurance: the power averaged over members (26 weeks: 52 expected under the status quo,
    # 130 under the reform in the members with an effect)
    expected = 0.5 * power(52, 130, 0.5) + 0.5 * power(52, 52, 0.5)
    assert big["assurance"] == pytest.approx(expected, abs=0.08)
    assert big["pilot_victims_identified"] == pytest.approx(0.5 * 26 * (2 + 1.5), rel=0.15)


def test_no_narrowing_when_every_member_looks_alike():
    effects = {f"m{i}": 1.0 for i in range(8)}
    table = design_table(
        weekly(effects),
        gain_pairs({m: 10.0 * i for i, m in enumerate(effects)}),
        pd.Series(1.0, index=list(effects)),
        [PilotDesign(0.5, 12)],
        datasets=200,
    )
    assert abs(table.iloc[0]["narrowing"]) < 0.1


def test_designs_out_of_range_are_refused():
    with pytest.raises(AnalysisError, match=r"share 1\.5"):
        PilotDesign(1.5, 6)
    with pytest.raises(AnalysisError, match="months 0"):
        PilotDesign(0.5, 0)


# ------------------------------------------------------------------ the command, end to end
def write_pilot(folder: Path, start: int = 2019, **changes) -> Path:
    """A pilot file over a batch of 8 small members whose policies start in ``start``."""
    from tests.test_ensemble_batch import write_ensemble

    write_ensemble(folder, [1.0] * 8)
    # members differ in a calibrated input the listing records
    listing = pd.read_csv(folder / "ensemble" / "ensemble.csv")
    listing["disclosure.intercept"] = -1.0 - 0.5 * np.arange(len(listing))
    listing.to_csv(folder / "ensemble" / "ensemble.csv", index=False)
    batch = {
        "ensemble": {"folder": "ensemble", "members": 8},
        "policies": ["detention_first", "screening_before_detention"],
        "replicates": 1,
        "years": 1.6,  # the small world starts in 2018: the policies differ from 2019
        "seed": 3,
        "output": str(folder / "out"),
        "overrides": {"time.policy_start_year": start},
    }
    (folder / "batch.yaml").write_text(yaml.safe_dump(batch))
    pilot = {
        "batch": "batch.yaml",
        "groups": {"disclosure": ["disclosure.intercept"]},
        "pilot": {"shares": [0.5], "months": [3, 6], "datasets": 40},
    }
    pilot.update(changes)
    path = folder / "pilot.yaml"
    path.write_text(yaml.safe_dump(pilot))
    return path


def test_the_command_prints_both_tables_and_writes_its_files(tmp_path, capsys):
    path = write_pilot(tmp_path)
    assert cli(["pilot", str(path), "--quiet", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "Value of information" in out and "everything" in out and "disclosure" in out
    assert "Pilot of screening before detention" in out
    folder = tmp_path / "out"
    designs = pd.read_csv(folder / "pilot.csv")
    assert designs[["share", "months"]].values.tolist() == [[0.5, 3.0], [0.5, 6.0]]
    assert ((designs["power"] >= 0) & (designs["power"] <= 1)).all()
    voi = pd.read_csv(folder / "value_of_information.csv")
    assert (voi["evppi"] >= -1e-9).all()
    for stem in ("pilot", "value_of_information"):
        assert (folder / f"{stem}.png").stat().st_size > 0
    # the answer names the years its summaries count: from the policies' start (2019) to the
    # runs' last year (1.6 years from 2018-01 end in 2019), not the start plus those years
    from analysis.main_answer import main_answer

    assert main_answer(folder).span == "Over 2019-2019"
    # run again: the batch resumes with nothing to run, the tables are the same
    assert cli(["pilot", str(path), "--quiet"]) == 0
    resumed = re.search(r"(\d+) runs; (\d+) already finished", capsys.readouterr().out)
    assert resumed and resumed.group(1) == resumed.group(2)
    assert pd.read_csv(folder / "pilot.csv").equals(designs)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"pilot": {"shares": [1.0], "months": [6]}}, "pilot.shares"),
        ({"pilot": {"shares": [0.5], "months": [6]}, "objective": "net_benefit"}, "wtp_hkd"),
        ({"pilot": {"shares": [0.5], "month": [6]}}, "did you mean 'months'"),
        ({"batch": "nope.yaml"}, "no such batch file"),
        (
            {"pilot": {"shares": [0.5], "months": [6], "start_year": 2030}},
            "not the year the batch's policies start",
        ),
        ({"groups": {"g": ["not.an_input"]}}, "not.an_input"),
    ],
)
def test_bad_pilot_files_give_one_message_and_exit_2(tmp_path, capsys, changes, message):
    path = write_pilot(tmp_path, **changes)
    assert cli(["pilot", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
