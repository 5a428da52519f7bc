"""A calibration that is killed resumes where it stopped, to the bit (experiments/calibration).

The sampler is deterministic given its seed, so a rerun replays it and takes each simulation
kept in the journal instead of running it. A kill is simulated by a simulation that raises
``KeyboardInterrupt`` (what Ctrl-C and SIGTERM raise) after some simulations were journaled.
"""

import dataclasses
import json
import re

import numpy as np
import pandas as pd
import pytest

from experiments.calibration import abc
from experiments.calibration.journal import (
    JOURNAL,
    RECORDS,
    CalibrationJournal,
    JournalError,
    decode,
    encode,
)
from experiments.cli import main as tipsim
from experiments.core.executors import InProcessExecutor
from tests import known_posterior as kp
from tests import test_calibration
from tests.test_calibration import raid_rate_problem, write_config

#: A 1/20-scale world that starts in 2016 (the fixture of tests/test_calibration.py).
small_replay = test_calibration.small_replay

SETTINGS = {"population": 8, "generations": 3, "quantile": 0.5, "max_simulations": 100}
IDENTITY = {"format": 1, "config": {"seed": 3}}


class Counting(InProcessExecutor):
    """An in-process executor that counts the simulations it runs."""

    def __init__(self) -> None:
        self.ran = 0

    def submit(self, fn, /, *args, **kwargs):
        self.ran += 1
        return super().submit(fn, *args, **kwargs)


def calibrate(
    folder, executor=None, killed_after=None, identity=IDENTITY, rerun=None, settings=SETTINGS
):
    """The known-posterior calibration with its journal in ``folder``.

    With ``killed_after``, the process is "killed" (KeyboardInterrupt) once that many
    simulations were journaled in this session. ``identity`` and ``rerun`` go to the journal;
    ``settings`` to the sampler.
    """
    with CalibrationJournal.open(folder, identity, rerun=rerun) as journal:
        if killed_after is not None:
            record = journal.record

            def record_then_die(outcome):
                record(outcome)
                if journal.recorded == killed_after:
                    raise KeyboardInterrupt

            journal.record = record_then_die
        problem = kp.GaussianMeans(seed=3)
        return abc.smc(problem, executor or InProcessExecutor(), journal=journal, **settings)


def journaled(folder):
    """The simulation numbers in the journal, in order."""
    lines = (folder / JOURNAL / RECORDS).read_text().splitlines()
    return [json.loads(line)["number"] for line in lines]


def assert_same_result(resumed: abc.Result, whole: abc.Result) -> None:
    for name in ("accepted", "simulations", "yearly", "generations"):
        expected = getattr(whole, name)
        pd.testing.assert_frame_equal(getattr(resumed, name), expected, check_exact=True)
    assert resumed.tolerances == whole.tolerances


@pytest.fixture(scope="module")
def whole():
    """The uninterrupted calibration (no journal)."""
    result = abc.smc(kp.GaussianMeans(seed=3), InProcessExecutor(), **SETTINGS)
    assert len(result.tolerances) == 4 and result.runs > 3 * SETTINGS["population"]
    return result


@pytest.mark.parametrize("killed_after", [1, 8, 9, 13, 40, 61, "all but one"])
def test_a_killed_calibration_resumes_to_the_same_result_to_the_bit(tmp_path, whole, killed_after):
    """Killed in the prior, at the end of a generation, mid-batch, mid-generation, at the last."""
    kept = whole.runs - 1 if killed_after == "all but one" else killed_after
    with pytest.raises(KeyboardInterrupt):
        calibrate(tmp_path, killed_after=kept)
    assert journaled(tmp_path) == list(range(kept))
    executor = Counting()
    resumed = calibrate(tmp_path, executor)
    assert_same_result(resumed, whole)
    assert resumed.from_journal == kept and executor.ran == whole.runs - kept
    assert journaled(tmp_path) == list(range(whole.runs))


def test_killed_twice_or_after_the_last_run_it_still_resumes_exactly(tmp_path, whole):
    with pytest.raises(KeyboardInterrupt):
        calibrate(tmp_path, killed_after=5)
    with pytest.raises(KeyboardInterrupt):
        calibrate(tmp_path, killed_after=15)
    assert journaled(tmp_path) == list(range(20))
    assert_same_result(calibrate(tmp_path), whole)
    # Every simulation kept (killed while the results were written): nothing runs again.
    executor = Counting()
    assert_same_result(calibrate(tmp_path, executor), whole)
    assert executor.ran == 0


def budget(max_simulations, generations=3, population=8):
    """Sampler settings and the journal identity of a budget (as the pipeline hashes them)."""
    settings = SETTINGS | {
        "max_simulations": max_simulations,
        "generations": generations,
        "population": population,
    }
    abc_config = {k: settings[k] for k in ("population", "generations", "max_simulations")}
    return settings, {"format": 1, "config": {"seed": 3, "abc": abc_config}}


def test_a_journal_resumes_under_another_budget_as_if_run_with_it_from_the_start(
    tmp_path, whole
):
    """Raised, the calibration goes on; lowered, it finishes on the runs the journal holds.

    The budget of 100 ends in a batch cut short (8 sets a batch): batches are drawn whole and
    cut, so the runs of a smaller budget are the first runs of a larger one.
    """
    small, small_identity = budget(60)
    large, large_identity = budget(100)
    with pytest.raises(KeyboardInterrupt):
        calibrate(tmp_path, killed_after=30, identity=small_identity, settings=small)
    with CalibrationJournal.open(tmp_path, large_identity) as journal:
        (notice,) = journal.warnings
        assert "another budget (abc.max_simulations 60 -> 100)" in notice
        assert "30 simulations" in notice
        executor = Counting()
        resumed = abc.smc(kp.GaussianMeans(seed=3), executor, journal=journal, **large)
    assert_same_result(resumed, whole)
    assert executor.ran == whole.runs - 30
    identity = json.loads((tmp_path / JOURNAL / "identity.json").read_text())
    assert identity["config"]["abc"]["max_simulations"] == 100  # the budget now resumed
    # Lowered below what the journal holds: the calibration a budget of 52 gives, none run.
    fewer, fewer_identity = budget(52, generations=2)
    with CalibrationJournal.open(tmp_path, fewer_identity) as journal:
        (notice,) = journal.warnings
        assert f"the first 52 of the {whole.runs} simulations" in notice
    executor = Counting()
    finished = calibrate(tmp_path, executor, identity=fewer_identity, settings=fewer)
    alone = abc.smc(kp.GaussianMeans(seed=3), InProcessExecutor(), **fewer)
    assert_same_result(finished, alone)
    assert executor.ran == 0
    # The population is not the budget: it changes every generation's runs.
    _, other = budget(100, population=6)
    with pytest.raises(JournalError, match=r"other settings or code \(abc.population changed"):
        calibrate(tmp_path, identity=other, settings=large)


def test_a_torn_last_record_is_ignored_with_a_warning_and_its_simulation_runs_again(
    tmp_path, whole
):
    with pytest.raises(KeyboardInterrupt):
        calibrate(tmp_path, killed_after=12)
    path = tmp_path / JOURNAL / RECORDS
    data = path.read_bytes()
    path.write_bytes(data[:-40])  # killed while writing simulation 11's line
    with CalibrationJournal.open(tmp_path, IDENTITY) as journal:
        assert journal.stored == 11
        (warning,) = journal.warnings
        assert "cut short" in warning and "simulation 11 runs again" in warning
        executor = Counting()
        resumed = abc.smc(kp.GaussianMeans(seed=3), executor, journal=journal, **SETTINGS)
    assert_same_result(resumed, whole)
    assert executor.ran == whole.runs - 11
    # The torn fragment was cut off before appending: every line is whole again.
    assert journaled(tmp_path) == list(range(whole.runs))


def test_a_damaged_line_before_the_last_or_other_parameter_values_are_refused(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        calibrate(tmp_path, killed_after=6)
    path = tmp_path / JOURNAL / RECORDS
    lines = path.read_text().splitlines(keepends=True)
    record = json.loads(lines[4])
    record["values"]["mu_a"] = float(np.nextafter(record["values"]["mu_a"], np.inf))
    path.write_text("".join([*lines[:4], json.dumps(record) + "\n", *lines[5:]]))
    message = r"simulation 4 in its journal ran at other parameter values \(mu_a\).*--new"
    with pytest.raises(JournalError, match=message):
        calibrate(tmp_path)
    path.write_text("".join([*lines[:2], "{not json\n", *lines[3:]]))
    with pytest.raises(JournalError, match=r"line 3 is damaged.*--new"):
        calibrate(tmp_path)


def test_a_journal_record_reads_back_equal_to_the_bit(small_world):
    """A replay's yearly table (named integer index, float columns) and a one-row summary."""
    problem = raid_rate_problem(small_world, replicates=2)
    outcomes = [
        problem.task(4, np.array([np.log(0.2)])).run(),
        kp.GaussianMeans().task(7, np.array([0.1, -0.3])).run(),
    ]
    for outcome in outcomes:
        back = decode(json.loads(json.dumps(encode(outcome))))
        pd.testing.assert_frame_equal(back.yearly, outcome.yearly, check_exact=True)
        assert (back.number, back.values, back.distances, back.distance) == (
            outcome.number,
            outcome.values,
            outcome.distances,
            outcome.distance,
        )


def rerun_known_posterior(ran, shift=0.0):
    """A journal's check by rerunning, for the known-posterior problem: each kept simulation run
    again (its number appended to ``ran``), its distance moved by ``shift`` (other code)."""

    def rerun(kept):
        again = []
        for outcome in kept:
            ran.append(outcome.number)
            new = kp.GaussianTask(outcome.number, 3, outcome.values).run()
            again.append(dataclasses.replace(new, distance=new.distance + shift))
        return again

    return rerun


OTHER_CODE = IDENTITY | {"code": "the sources after a change"}


def test_changed_code_that_gives_the_same_results_resumes_to_the_same_result(tmp_path, whole):
    """A calibration spanning a change that does not move the numbers (a faster engine, say)."""
    with pytest.raises(KeyboardInterrupt):
        calibrate(tmp_path, killed_after=13)
    ran = []
    executor = Counting()
    resumed = calibrate(tmp_path, executor, identity=OTHER_CODE, rerun=rerun_known_posterior(ran))
    assert ran == [0, 12]  # its first and last simulations, run again with the code of now
    assert_same_result(resumed, whole)
    assert executor.ran == whole.runs - 13
    kept = json.loads((tmp_path / JOURNAL / "identity.json").read_text())
    assert kept["code"] == OTHER_CODE["code"]
    assert kept["checked"] == [{"from": {"code": None, "strategies": None, "versions": None},
                                "rerun": [0, 12]}]


def test_changed_code_and_budget_together_are_both_checked_and_said(tmp_path, whole):
    small, small_identity = budget(60)
    large, large_identity = budget(100)
    with pytest.raises(KeyboardInterrupt):
        calibrate(tmp_path, killed_after=20, identity=small_identity, settings=small)
    ran = []
    changed = large_identity | {"code": "the sources after a change"}
    with CalibrationJournal.open(tmp_path, changed, rerun=rerun_known_posterior(ran)) as journal:
        code, new_budget = journal.warnings
        assert "began with other code" in code and "gave the same results" in code
        assert "another budget (abc.max_simulations 60 -> 100)" in new_budget
        resumed = abc.smc(kp.GaussianMeans(seed=3), InProcessExecutor(), journal=journal, **large)
    assert ran == [0, 19]
    assert_same_result(resumed, whole)
    kept = json.loads((tmp_path / JOURNAL / "identity.json").read_text())
    assert kept["code"] == changed["code"] and len(kept["checked"]) == 1
    assert kept["config"]["abc"]["max_simulations"] == 100


def test_changed_code_is_refused_if_it_gives_other_results_or_cannot_be_checked(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        calibrate(tmp_path, killed_after=6)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    ran = []
    other = rerun_known_posterior(ran, shift=1e-12)  # the smallest change is a change
    message = r"other code \(the code .* changed\).*simulation\(s\) 0, 5 give other results.*--new"
    with pytest.raises(JournalError, match=message):
        calibrate(tmp_path, identity=OTHER_CODE, rerun=other)
    assert ran == [0, 5]
    # Without a way to rerun (or with other settings as well), no check is tried.
    with pytest.raises(JournalError, match=r"the code .* changed.*cannot be resumed"):
        calibrate(tmp_path, identity=OTHER_CODE)
    with pytest.raises(JournalError, match=r"seed changed; the code .* changed"):
        calibrate(tmp_path, identity=OTHER_CODE | {"config": {"seed": 4}}, rerun=other)
    assert ran == [0, 5]

    def broken(kept):
        raise KeyError("a pattern the changed code no longer knows")

    with pytest.raises(JournalError, match=r"could not be run again with this code \(KeyError"):
        calibrate(tmp_path, identity=OTHER_CODE, rerun=broken)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def interrupted_at(monkeypatch, number):
    """Make the CLI's simulation ``number`` raise KeyboardInterrupt, as Ctrl-C would."""
    real = abc.run_simulation

    def run(task):
        if task.number == number:
            raise KeyboardInterrupt
        return real(task)

    monkeypatch.setattr(abc, "run_simulation", run)
    return real


def whole_then_interrupted(tmp_path, small_replay, monkeypatch, number):
    """A tiny CLI calibration run whole under ``whole/``, and the same set to stop at simulation
    ``number``: the command and the real simulation function."""
    settings = {"population": 2, "generations": 1, "max_simulations": 8}
    (tmp_path / "whole").mkdir()
    whole = write_config(tmp_path / "whole", small_replay, abc=settings)
    assert tipsim(["calibrate", str(whole), "--workers", "1", "--quiet"]) == 0
    config = write_config(tmp_path, small_replay, abc=settings)
    return ["calibrate", str(config), "--workers", "1", "--quiet"], interrupted_at(
        monkeypatch, number
    )


def assert_same_files(folder, reference):
    """A resumed calibration's folder holds the uninterrupted one's results, to the bit."""
    for name in ("simulations.parquet", "yearly.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(folder / name), pd.read_parquet(reference / name), check_exact=True
        )
    for name in ("accepted.csv", "generations.csv", "fit.csv", "comparison.csv"):
        assert (folder / name).read_bytes() == (reference / name).read_bytes(), name


def test_the_same_command_resumes_a_killed_calibration_to_the_same_files(
    tmp_path,
    small_replay,
    monkeypatch,
    capsys,
):
    command, real = whole_then_interrupted(tmp_path, small_replay, monkeypatch, 2)
    capsys.readouterr()
    assert tipsim(command) == 130
    err = capsys.readouterr().err
    assert "2 finished simulations are kept" in err and "run the same command again" in err
    assert "Traceback" not in err
    monkeypatch.setattr(abc, "run_simulation", real)
    assert tipsim(command) == 0
    out = capsys.readouterr().out
    assert "2 simulations taken from its journal" in out and "(2 taken from the journal)" in out
    folder = tmp_path / "out" / "tiny"
    assert_same_files(folder, tmp_path / "whole" / "out" / "tiny")
    assert not (folder / JOURNAL).exists()  # finished: the results hold every simulation
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "done" and manifest["simulations_from_journal"] == 2


def test_a_journal_of_another_configuration_is_refused_with_status_2(
    tmp_path,
    small_replay,
    monkeypatch,
    capsys,
):
    config = write_config(tmp_path, small_replay)
    command = ["calibrate", str(config), "--workers", "1", "--quiet"]
    interrupted_at(monkeypatch, 2)
    assert tipsim(command) == 130
    folder = tmp_path / "out" / "tiny"
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    capsys.readouterr()
    assert tipsim([*command, "--seed", "5"]) == 2
    err = capsys.readouterr().err
    assert f"{folder}: holds an interrupted calibration" in err and "seed changed" in err
    assert "--new" in err and "tiny-2" in err and "Traceback" not in err
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
    # --new starts afresh next to it, the interrupted one left as it is.
    assert tipsim([*command, "--seed", "5", "--new"]) == 130
    assert (tmp_path / "out" / "tiny-2" / JOURNAL / RECORDS).is_file()
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before


def test_the_command_resumes_across_a_code_change_that_keeps_the_numbers(
    tmp_path,
    small_replay,
    monkeypatch,
    capsys,
):
    """End to end: same files as an uninterrupted calibration; a change of numbers: status 2."""
    from experiments.calibration import journal as journal_module

    command, real = whole_then_interrupted(tmp_path, small_replay, monkeypatch, 3)
    assert tipsim(command) == 130
    monkeypatch.setattr(journal_module, "source_hash", lambda **_: "sources after a change")
    folder = tmp_path / "out" / "tiny"
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    def other_numbers(task):
        outcome = real(task)
        return dataclasses.replace(outcome, distance=outcome.distance * 2)

    monkeypatch.setattr(abc, "run_simulation", other_numbers)
    capsys.readouterr()
    assert tipsim(command) == 2
    err = capsys.readouterr().err
    assert re.search(r"simulation\(s\) 0, \d+ give other results", err)
    assert "Traceback" not in err
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
    monkeypatch.setattr(abc, "run_simulation", real)
    assert tipsim(command) == 0
    captured = capsys.readouterr()
    assert re.search(r"running its simulation\(s\) 0, \d+ again", captured.out)
    assert "gave the same results to the bit, so it is resumed" in captured.err
    assert_same_files(folder, tmp_path / "whole" / "out" / "tiny")


def test_outcomes_agree_to_the_bit_only_when_every_number_does():
    from experiments.calibration.journal import _same

    table = pd.DataFrame({"year": [2016], "screenings": [5.0]}).set_index("year")
    base = abc.Outcome(0, {"x": 1.0}, table, {"a": float("nan")}, float("nan"))
    assert _same(base, dataclasses.replace(base, yearly=table.copy()))  # nan equals nan
    assert not _same(base, dataclasses.replace(base, distances={"a": 1.0}))
    assert not _same(base, dataclasses.replace(base, distances={"b": float("nan")}))
    nudged = table.copy()
    nudged.iloc[0, 0] = np.nextafter(5.0, 6.0)
    assert not _same(base, dataclasses.replace(base, yearly=nudged))
