"""End to end: ``tipsim batch`` on the small world, then ``tipsim compare`` and the Python API."""

from __future__ import annotations

import analysis
from experiments.cli import main as tipsim
from tests.batch_support import write_batch


def test_batch_then_compare(tmp_path, capsys):
    # The small world, 2 policies x 2 replicates x 1 year, results in tmp_path/out.
    batch_file = write_batch(tmp_path)
    assert tipsim(["batch", str(batch_file), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    # The batch ends with the comparison table and the funnel (the README's main job).
    assert "Outcomes by policy, compared with detention_first" in out
    assert "Identification funnel" in out
    assert "screening_before_detention" in out

    runs = analysis.load(tmp_path / "out")
    assert len(runs) == 4
    assert set(runs["replicate"]) == {0, 1}
    weekly = analysis.load_weekly(tmp_path / "out", outcomes=["victims_identified"])
    assert len(weekly) == 4 * 52

    table = analysis.compare(runs, metrics=["funnel", "identification_rate"])
    new = table[table["policy"] == "screening_before_detention"].set_index("metric")
    assert (new["n_pairs"] == 2).all()
    # Paired by replicate: the mean difference is the difference of the means.
    means = runs.groupby("policy", observed=True)["victims_identified"].mean()
    assert new.loc["victims_identified", "diff"] == (
        means["screening_before_detention"] - means["detention_first"]
    )

    assert tipsim(["compare", str(tmp_path / "out"), "--metrics", "headline"]) == 0
    out = capsys.readouterr().out
    assert "Outcomes by policy, compared with detention_first" in out
    assert "traffickers convicted" in out
