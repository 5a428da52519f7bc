"""The end-of-batch table: mean and central 95% of replicates, per world and policy."""

from __future__ import annotations

import pandas as pd

from experiments.storage import write_parquet_atomic
from experiments.summary_table import KEY_OUTCOMES, print_batch_table


def _write(folder, policy, replicate, identified, draw=0):
    row = {"run_id": f"w__{policy}__d{draw:03d}__r{replicate:04d}", "world": "w"}
    row |= {"policy": policy, "draw": draw, "replicate": replicate}
    row |= dict.fromkeys(KEY_OUTCOMES, 0)
    row |= {"victims_identified": identified, "identification_rate": identified / 1000}
    write_parquet_atomic(pd.DataFrame([row]), folder / "summary" / f"{row['run_id']}.parquet")


def test_cells_are_mean_and_percentiles_of_the_replicates(tmp_path, capsys):
    for replicate in range(5):
        _write(tmp_path, "a", replicate, 10 * replicate)  # 0, 10, 20, 30, 40
        _write(tmp_path, "b", replicate, 100)
    print_batch_table(tmp_path)
    out = capsys.readouterr().out
    assert "across 5 replicate(s)" in out and "world w" in out
    # mean 20; 2.5th percentile 0 + 0.1 * 10 = 1, 97.5th 30 + 0.9 * 10 = 39 (linear).
    assert "20 [1, 39]" in out
    assert "100 [100, 100]" in out
    assert "0.02 [0.001, 0.039]" in out


def test_draws_get_their_own_columns(tmp_path, capsys):
    for draw in (0, 1):
        for replicate in range(2):
            _write(tmp_path, "a", replicate, 5 + draw, draw=draw)
    print_batch_table(tmp_path)
    out = capsys.readouterr().out
    assert "a d0" in out and "a d1" in out


def test_empty_folder_says_so(tmp_path, capsys):
    print_batch_table(tmp_path)
    assert "no finished runs" in capsys.readouterr().out
