"""Hostile input of issue 32 that ended in a traceback: now one message, exit status 2.

Control characters in YAML, seeds and ports out of range, a relative ``explore --world``,
``batch --out .``, a scheduler address that is not one, and a damaged manifest (random bytes,
``runs`` as a list, an entry without ``status``) read by the batch and by the analysis.
"""

from __future__ import annotations

import json

import pytest

from experiments.cli import main as tipsim
from tests.batch_support import SMALL, run, write_batch


def _tipsim(argv: list[str]) -> int:
    """The exit status, whether the command returns it or argparse exits with it."""
    try:
        return tipsim(argv)
    except SystemExit as stop:
        return int(stop.code)


def _one_message(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    assert err.count("error:") == 1, err
    return err


@pytest.mark.parametrize(("character", "code"), [("\x00", "U+0000"), ("\x1b", "U+001B")])
def test_control_characters_in_yaml_are_named_with_their_line(
    tmp_path, capsys, character, code
):
    world = tmp_path / "w.yaml"
    world.write_text(f"name: w\ndescription: a{character}b\n", encoding="utf-8")
    batch = write_batch(tmp_path)
    batch.write_text(batch.read_text() + f"# {character}\n", encoding="utf-8")
    for argv in (["validate", str(world)], ["batch", str(batch), "--quiet"]):
        assert _tipsim(argv) == 2
        err = _one_message(capsys)
        assert f"the control character {code} is not allowed in YAML" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["run", str(SMALL), "--years", "0.05", "--seed", "99999999999999999999999"],
        ["replay", str(SMALL), "--years", "1", "--seed", "-1"],
        ["explore", "--port", "99999", "--no-open"],
    ],
    ids=["huge seed", "negative replay seed", "port"],
)
def test_numbers_out_of_range_on_the_command_line(tmp_path, capsys, argv):
    assert _tipsim([*argv]) == 2
    err = _one_message(capsys)
    assert err.startswith("tipsim: error: argument --")
    assert "a seed must be a whole number" in err or "a port must be a whole number" in err


def test_explore_hands_a_relative_world_path_over_as_absolute(tmp_path, monkeypatch, capsys):
    import experiments.explore.launcher as launcher

    (tmp_path / "mine.yaml").write_text(SMALL.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    seen = {}

    class Server:
        def wait(self, timeout=None):
            return 0

        def poll(self):
            return 0

    def start(port, host, world=None, open_browser=False):
        seen["world"] = world
        return Server()

    monkeypatch.setattr(launcher, "start", start)
    assert tipsim(["explore", "--world", "mine.yaml", "--no-open"]) == 0
    assert seen["world"] == str(tmp_path / "mine.yaml")


def test_batch_out_dot_with_new_starts_a_folder_next_to_it(tmp_path, monkeypatch, capsys):
    batch = write_batch(tmp_path, years=0.05, replicates=1)
    here = tmp_path / "here"
    here.mkdir()
    (here / "notes.txt").write_text("mine\n")
    monkeypatch.chdir(here)
    assert tipsim(["batch", str(batch), "--out", ".", "--workers", "1", "--quiet", "--new"]) == 0
    assert (tmp_path / "here-2" / "manifest.json").exists()
    assert tipsim(["batch", str(batch), "--out", ".", "--workers", "1", "--quiet"]) == 2
    assert "holds no batch manifest.json" in _one_message(capsys)


def test_a_scheduler_address_that_is_not_one(tmp_path, capsys):
    pytest.importorskip("distributed")
    batch = write_batch(tmp_path, years=0.05, replicates=1)
    argv = ["batch", str(batch), "--quiet", "--executor", "dask", "--scheduler", "notaurl"]
    assert tipsim(argv) == 2
    assert "--scheduler notaurl: not a Dask scheduler address" in _one_message(capsys)


def _random_bytes(path):
    path.write_bytes(bytes(range(128, 256)) * 3)


def _runs_as_list(path):
    data = json.loads(path.read_text())
    data["runs"] = list(data["runs"].values())
    path.write_text(json.dumps(data))


def _entry_without_status(path):
    data = json.loads(path.read_text())
    del next(iter(data["runs"].values()))["status"]
    path.write_text(json.dumps(data))


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (_random_bytes, "manifest"),
        (_runs_as_list, "'runs' must map each run id to its entry"),
        (_entry_without_status, "has no valid status"),
    ],
    ids=["random bytes", "runs as a list", "entry without status"],
)
def test_a_damaged_manifest_is_one_message_for_the_batch_and_the_analysis(
    tmp_path, capsys, damage, words
):
    batch = write_batch(tmp_path, years=0.05, replicates=1)
    run(batch, workers=1)
    folder = tmp_path / "out"
    damage(folder / "manifest.json")
    capsys.readouterr()
    for argv in (
        ["batch", str(batch), "--quiet", "--workers", "1"],
        ["compare", str(folder)],
        ["export", str(folder), "--out", str(tmp_path / "x")],
    ):
        assert tipsim(argv) == 2, argv
        err = _one_message(capsys)
        assert str(folder / "manifest.json") in err and words in err, err
