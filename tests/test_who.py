"""Who is found and who is missed: victims' fates stored by a batch, compared by ``--who``.

Protects ``model.fates`` (each victim met, once, with a fate that agrees with the run's counts),
their storage next to each run's tables, and ``tipsim compare --who`` end to end on a small
batch (the victims one policy finds and the other misses, by each description).
"""

import pandas as pd
import pytest

from analysis.who import DIMENSIONS, who
from experiments.cli import main
from tests.batch_support import fates, run, tables, write_batch
from tests.test_cli_run import tipsim


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("who")
    report = run(write_batch(folder), workers=1)
    assert report.ran == 4 and report.failed == 0
    return folder / "out"


def test_each_run_stores_its_victims_fates_agreeing_with_its_counts(batch):
    summary, _ = tables(batch)
    stored = fates(batch)
    assert set(stored["run_id"]) == set(summary["run_id"])
    for run_id, rows in stored.groupby("run_id"):
        assert rows["person_id"].is_unique, "a victim is met once"
        counts = summary.set_index("run_id").loc[run_id]
        # Every victim removed unidentified was met first (an offender route, then detention).
        assert (rows["fate"] == "removed").sum() == counts["victims_removed_unidentified"]
        assert (rows["fate"] == "identified").sum() <= counts["victims_identified"]
    assert (
        str(stored["fate"].dtype) == "category"
        and str(stored["fear_retaliation"].dtype) == "float32"
    )


def test_who_counts_the_victims_each_policy_alone_identifies(batch):
    (result,) = who(batch)
    assert result.reference == "detention_first" and result.pairs == 2
    stored = fates(batch).astype({"run_id": str})
    summary, _ = tables(batch)
    policy = summary.set_index("run_id")["policy"]
    identified = stored[stored["fate"] == "identified"].assign(
        policy=lambda f: f["run_id"].map(policy),
        replicate=lambda f: f["run_id"].map(summary.set_index("run_id")["replicate"]),
    )
    found = {
        name: set(zip(group["replicate"], group["person_id"], strict=True))
        for name, group in identified.groupby("policy")
    }
    reform = found["screening_before_detention"] - found["detention_first"]
    assert len(result.found_only) == len(reform)
    assert len(result.missed_only) == len(
        found["detention_first"] - found["screening_before_detention"]
    )
    for dimension in DIMENSIONS:
        table = result.by(dimension)
        assert table.iloc[:, 0].sum() * result.pairs == pytest.approx(len(reform))


def test_compare_who_prints_both_directions_by_every_description(batch, capsys):
    assert main(["compare", str(batch), "--who"]) == 0
    text = capsys.readouterr().out
    assert "found by screening_before_detention only" in text
    assert "found by detention_first only" in text
    for heading in DIMENSIONS.values():
        assert f"| {heading} |" in text
    csv = tipsim("compare", str(batch), "--who", "--format", "csv")
    assert csv.returncode == 0, csv.stderr
    assert "dimension,value" in csv.stdout.replace("policy,reference,", "")


def test_compare_who_without_fates_is_one_message(batch, tmp_path):
    bare = tmp_path / "bare"
    bare.mkdir()
    for sub in ("summary", "weekly"):
        (bare / sub).mkdir()
        for file in (batch / sub).glob("*.parquet"):
            (bare / sub / file.name).write_bytes(file.read_bytes())
    (bare / "manifest.json").write_bytes((batch / "manifest.json").read_bytes())
    done = tipsim("compare", str(bare), "--who")
    assert done.returncode == 2
    assert "no victims' fates" in done.stderr and "Traceback" not in done.stderr
    assert pd.read_parquet(next((batch / "fates").glob("*.parquet"))).shape[0] > 0


def test_the_report_has_a_section_on_who_is_found(batch, tmp_path):
    from analysis.report import write_report

    written = write_report(batch, tmp_path / "report")
    text = written["markdown"].read_text()
    assert "## Who is found, and who is missed" in text
    assert "found by screening_before_detention only" in text
    assert '<section id="table-who">' in written["html"].read_text()
