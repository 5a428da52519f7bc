"""``tipsim discover``: PRIM finds a known threshold in a synthetic sweep, and refuses a batch
that is not a sweep."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.comparison import HEADLINE
from analysis.discovery import FILENAME, describe, discover, read
from experiments.cli import main as tipsim
from tests.analysis_folders import write_folder

pytest.importorskip("ema_workbench", reason="the discover extra is not installed")

THRESHOLD = 0.4  # the reform identifies fewer victims where training_share < 0.4


def sweep_folder(folder, draws: int = 120, replicates: int = 2, vary: bool = True):
    """A sweep over two parameters where only training_share decides the sign of the change."""
    rng = np.random.default_rng(5)
    rows = []
    for draw in range(draws):
        share = rng.uniform(0, 1) if vary else 0.5
        noise_param = rng.uniform(0, 1) if vary else 0.5
        for replicate in range(replicates):
            base = 50 + rng.normal(0, 3)
            effect = 30 * (share - THRESHOLD) + rng.normal(0, 0.5)
            for policy, value in (
                ("detention_first", base),
                ("screening_before_detention", base + effect),
            ):
                rows.append(
                    dict.fromkeys(HEADLINE, 1.0)
                    | {
                        "run_id": f"w-{policy}-d{draw}-r{replicate}",
                        "world": "w",
                        "policy": policy,
                        "draw": draw,
                        "replicate": replicate,
                        "seed": 1000 * draw + replicate,
                        "param:screening.training_share": share,
                        "param:encounters.raid_rate_per_year": noise_param,
                        "victims_identified": value,
                        "victims_present": 1000.0,
                    }
                )
    return write_folder(folder, pd.DataFrame(rows))


def test_prim_finds_the_threshold_that_decides_the_reforms_failure(tmp_path):
    folder = sweep_folder(tmp_path / "sweep")
    result = discover(folder)
    assert 0 < result.cases < result.total
    first = result.boxes[result.boxes["box"] == 1]
    share = first[first["parameter"] == "screening.training_share"]
    assert len(share) == 1
    assert share["high"].iloc[0] == pytest.approx(THRESHOLD, abs=0.05)
    assert share["coverage"].iloc[0] > 0.8 and share["density"].iloc[0] >= 0.8
    assert "encounters.raid_rate_per_year" not in set(first["parameter"])
    assert "Box 1: coverage" in describe(result)


def test_cli_discover_prints_and_writes_the_boxes(tmp_path, capsys):
    folder = sweep_folder(tmp_path / "sweep")
    assert tipsim(["discover", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "screening.training_share: " in out and "coverage" in out
    boxes = read(folder)
    assert (folder / FILENAME).exists() and set(boxes["parameter"]) >= {"screening.training_share"}


def test_report_shows_the_boxes_when_present(tmp_path):
    import analysis

    folder = sweep_folder(tmp_path / "sweep", draws=40)
    assert tipsim(["discover", str(folder)]) == 0
    paths = analysis.write_report(folder, out=tmp_path / "report")
    page = paths["html"].read_text(encoding="utf-8")
    assert 'id="table-discovery"' in page and "screening.training_share" in page


def test_cli_discover_refuses_a_batch_that_is_not_a_sweep(tmp_path, capsys):
    folder = sweep_folder(tmp_path / "plain", draws=1, vary=False)
    assert tipsim(["discover", str(folder)]) == 2
    assert "needs a sweep" in capsys.readouterr().err
