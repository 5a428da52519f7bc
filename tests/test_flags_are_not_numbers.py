"""Booleans are never numbers (issue 32): ``on``/``true``/``yes`` for a number field is refused
wherever a value can be given, with one message naming the input and field, exit status 2.

Pydantic alone takes ``True`` as 1 and 1.0: ``--set prevalence.trafficked_share_domestic=on``
made everyone trafficked and ``domestic_workers: true`` one worker.
"""

from __future__ import annotations

import pytest
import yaml

from experiments.cli import main as tipsim
from model.parameters import Parameters
from tests.batch_support import SMALL, write_batch

MESSAGE = "a number is required, not the flag true"


def _world(tmp_path, text: str):
    path = tmp_path / "w.yaml"
    path.write_text("name: w\nextends: small.yaml\n" + text, encoding="utf-8")
    (tmp_path / "small.yaml").write_text(SMALL.read_text(encoding="utf-8"), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "assignment",
    ["prevalence.trafficked_share_domestic=on", "population.domestic_workers=true"],
)
def test_set_refuses_a_flag_for_a_number(tmp_path, small_scenario_path, capsys, assignment):
    out = tmp_path / "out"
    command = ["run", str(small_scenario_path), "--years", "0.1", "--out", str(out)]
    assert tipsim([*command, "--set", assignment]) == 2
    err = capsys.readouterr().err
    assert f"--set {assignment.split('=')[0]}: {MESSAGE}" in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("population:\n  domestic_workers: true\n", "line 4: population.domestic_workers"),
        (
            "timeline:\n  - date: 2019-01\n    set: {prevalence.trafficked_share_domestic: on}\n",
            "line 5: timeline[0].set.prevalence.trafficked_share_domestic",
        ),
    ],
    ids=["world", "timeline"],
)
def test_a_world_file_refuses_a_flag_for_a_number(tmp_path, capsys, text, where):
    path = _world(tmp_path, text)
    assert tipsim(["validate", str(path)]) == 2
    assert f"{where}: {MESSAGE}" in capsys.readouterr().err


@pytest.mark.parametrize(
    "changes",
    [
        {"overrides": {"prevalence.trafficked_share_domestic": True}},
        {"sweep": {"grid": {"population.domestic_workers": [1000, True]}}},
    ],
    ids=["overrides", "grid"],
)
def test_a_batch_file_refuses_a_flag_for_a_number(tmp_path, capsys, changes):
    batch = write_batch(tmp_path, years=0.1, replicates=1, **changes)
    assert tipsim(["batch", str(batch), "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert str(batch) in err and MESSAGE in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_flags_stay_flags_and_numbers_stay_numbers():
    params = Parameters().updated(
        {"screening": {"tier2_support": True}, "population": {"domestic_workers": 1000}}
    )
    assert params.screening.tier2_support is True
    assert params.population.domestic_workers == 1000
    assert yaml.safe_load("on") is True  # why --set x=on reached the schema as a flag
