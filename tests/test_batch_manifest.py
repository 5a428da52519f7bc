"""The manifest and the stored tables: contents, seeds, columns, and re-running one run."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from experiments.cli import main as tipsim
from experiments.core.provenance import PACKAGES
from experiments.core.scenario_model import ScenarioModel
from model import IdentificationModel
from model.outcomes import FLOWS, STOCKS
from tests.batch_support import run, tables, write_batch

SWEEP = {"grid": {"screening.tier1_sensitivity": [0.7], "officers.police": [6]}}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("manifest")
    batch_file = write_batch(folder, sweep=SWEEP, overrides={"screening.training_share": 0.4})
    run(batch_file, workers=1)
    manifest = json.loads((folder / "out" / "manifest.json").read_text())
    return folder, manifest


def test_manifest_records_config_code_and_times(batch):
    _, manifest = batch
    config = manifest["config"]
    assert config["replicates"] == 2 and config["years"] == 1 and config["seed"] == 11
    assert config["sweep"]["grid"] == SWEEP["grid"]
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["config_hash"])
    assert manifest["root_seed"] == 11
    commit = manifest["git_commit"]
    assert commit is None or re.fullmatch(r"[0-9a-f]{40}", commit)
    versions = manifest["versions"]
    assert set(versions) == {*PACKAGES, "python"}
    assert versions["numpy"] == np.__version__
    assert manifest["created"] <= manifest["started"] <= manifest["finished"]
    assert manifest["sessions"][0]["executor"] == "in-process"
    assert manifest["draws"] == [
        {"draw": 0, "params": {"screening.tier1_sensitivity": 0.7, "officers.police": 6}}
    ]


def test_manifest_records_every_runs_seed_and_status(batch):
    _, manifest = batch
    runs = manifest["runs"]
    assert len(runs) == 4
    children = np.random.SeedSequence(11).spawn(2)
    for run_id, entry in runs.items():
        child = children[entry["replicate"]]
        assert entry["seed"] == {"entropy": child.entropy, "spawn_key": list(child.spawn_key)}
        assert entry["status"] == "done" and entry["seconds"] > 0
        assert run_id == f"small__{entry['policy']}__d000__r{entry['replicate']:04d}"


def test_stored_columns(batch):
    folder, _ = batch
    summary, weekly = tables(folder / "out")
    model = IdentificationModel(policy="detention_first", rng=1)
    summary_keys = [k for k in model.summary() if k not in ("policy", "seed")]
    assert list(summary.columns) == [
        "run_id",
        "world",
        "policy",
        "draw",
        "replicate",
        "seed",
        "param:screening.tier1_sensitivity",
        "param:officers.police",
        *summary_keys,
    ]
    assert list(weekly.columns[:7]) == [
        "run_id",
        "world",
        "policy",
        "draw",
        "replicate",
        "week",
        "year",
    ]
    assert set(weekly.columns[7:]) == set(FLOWS) | set(STOCKS)
    assert set(summary["seed"]) == {"11:0", "11:1"}
    assert summary["param:officers.police"].tolist() == [6] * 4
    assert set(summary["world"]) == {"small"}
    assert set(summary["policy"]) == {"detention_first", "screening_before_detention"}


def test_a_run_equals_the_model_run_by_hand(batch):
    """The stored summary is exactly what the model gives for that world, policy and seed."""
    folder, _ = batch
    summary, _ = tables(folder / "out")
    row = summary.set_index("run_id").loc["small__screening_before_detention__d000__r0001"]
    model = ScenarioModel(
        scenario=str(folder / "small.yaml"),
        policy="screening_before_detention",
        rng=np.random.SeedSequence(11).spawn(2)[1],
        screening__tier1_sensitivity=0.7,
        officers__police=6,
        screening__training_share=0.4,
    )
    for _ in range(52):
        model.step()
    expected = model.summary()
    for key in ("victims_identified", "victims_present", "detained", "cost_hkd"):
        assert row[key] == expected[key]


def test_rerun_reproduces_a_stored_run(batch, capsys):
    folder, _ = batch
    assert tipsim(["rerun", str(folder / "out"), "small__detention_first__d000__r0001"]) == 0
    assert "identical to" in capsys.readouterr().out


def test_rerun_notices_a_tampered_summary(tmp_path, capsys):
    batch_file = write_batch(tmp_path, replicates=1, policies=["detention_first"])
    run(batch_file, workers=1)
    path = tmp_path / "out" / "summary" / "small__detention_first__d000__r0000.parquet"
    stored = pd.read_parquet(path)
    stored["victims_identified"] += 1
    stored.to_parquet(path, index=False)
    assert tipsim(["rerun", str(tmp_path / "out"), "small__detention_first__d000__r0000"]) == 1
    assert "victims_identified: stored" in capsys.readouterr().out


def test_rerun_says_when_the_world_file_changed_since_the_batch(tmp_path, capsys):
    batch_file = write_batch(tmp_path, replicates=1, policies=["detention_first"])
    run(batch_file, workers=1)
    world = tmp_path / "small.yaml"
    world.write_text(world.read_text().replace("irregular: 1200", "irregular: 1300"))
    status = tipsim(["rerun", str(tmp_path / "out"), "small__detention_first__d000__r0000"])
    out = capsys.readouterr().out
    assert "has changed since the batch ran" in out
    assert status in (0, 1)  # the re-run itself may or may not differ


def test_rerun_of_an_unknown_run_names_the_closest(batch, capsys):
    folder, _ = batch
    assert tipsim(["rerun", str(folder / "out"), "small__detention_first__d000__r1"]) == 2
    assert "Closest: small__detention_first__d000__r0001" in capsys.readouterr().err
