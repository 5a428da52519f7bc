"""A write that fails (a full disk, a folder made read-only) is one message naming the output,
exit status 2, no traceback, and no empty or partial file left (issue 32).

A full disk raises ``OSError`` without a file name from inside pandas, pyarrow or matplotlib;
``run``, ``report``, ``compare``, ``replay`` and ``export`` used to end with a traceback, and
``export`` left a 0-byte CSV.
"""

from __future__ import annotations

import errno
from pathlib import Path

import matplotlib.figure
import pandas as pd
import pytest

from experiments.cli import main as tipsim
from experiments.core.errors import describe
from tests.analysis_folders import simulate_folder


@pytest.fixture(scope="module")
def folder(tmp_path_factory, small_scenario_path):
    target = tmp_path_factory.mktemp("results") / "small"
    return simulate_folder(
        target, small_scenario_path, ["detention_first", "screening_before_detention"], 2, 0.1
    )


def _partial_then_full(self, *args, **kwargs):
    """Leave the file empty, as a full disk does, then fail with no file name."""
    target = self if isinstance(self, Path) else (args[0] if args else kwargs.get("path"))
    if isinstance(target, str | Path):
        Path(target).write_bytes(b"")
    raise OSError(errno.ENOSPC, "No space left on device")


COMMANDS = {
    "run": (
        lambda f, s, out: ["run", str(s), "--years", "0.05", "--out", str(out)],
        [(pd.DataFrame, "to_parquet")],
    ),
    "report": (
        lambda f, s, out: ["report", str(f), "--out", str(out)],
        [(matplotlib.figure.Figure, "savefig"), (Path, "write_text")],
    ),
    "compare": (
        lambda f, s, out: ["compare", str(f), "--out", str(out / "c.txt")],
        [(Path, "write_text")],
    ),
    "replay": (
        lambda f, s, out: ["replay", str(s), "--years", "1", "--csv", str(out / "r.csv")],
        [(pd.DataFrame, "to_csv")],
    ),
    "export": (
        lambda f, s, out: ["export", str(f), "--format", "csv", "--out", str(out)],
        [(pd.DataFrame, "to_csv")],
    ),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_full_disk_is_one_message_naming_the_output(
    command, folder, small_scenario_path, tmp_path, monkeypatch, capsys
):
    build, targets = COMMANDS[command]
    out = tmp_path / "out"
    out.mkdir()
    argv = build(folder, small_scenario_path, out)
    for owner, name in targets:
        monkeypatch.setattr(owner, name, _partial_then_full)
    capsys.readouterr()
    assert tipsim(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("tipsim: error:") == 1, err
    assert "no space left on device" in err and str(out) in err, err
    if command == "export":
        assert not (out / "summary.csv").exists()  # never a 0-byte CSV
    assert not list(out.rglob(".*.tmp"))


def test_an_os_error_with_a_file_name_names_it_and_the_output():
    err = PermissionError(errno.EACCES, "Permission denied", "/x/summary.csv")
    message = describe(err, output=Path("/x"))
    assert message.startswith("/x/summary.csv (writing /x): permission denied;")
    bare = describe(OSError(errno.ENOSPC, "No space left on device"), output=Path("/out"))
    assert bare.startswith("/out: no space left on device;")
    assert describe(OSError("disk gone")).startswith("disk gone;")
