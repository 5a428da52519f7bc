"""``tipsim report``: every table and figure is in the HTML and Markdown reports, the HTML is
self-contained and opens in a headless browser without errors."""

from __future__ import annotations

import base64
import html
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import analysis
from analysis.figures import STOCKS
from analysis.labels import label
from experiments.cli import main as tipsim
from tests.analysis_folders import simulate_folder, synthetic_summary, write_folder
from tests.browser import chromium, console_errors

POLICIES = ["detention_first", "screening_before_detention"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory, small_scenario_path) -> Path:
    """Real runs of the small world: 2 policies x 3 replicates x 1 year, weekly series too."""
    folder = tmp_path_factory.mktemp("results") / "small-batch"
    return simulate_folder(folder, small_scenario_path, POLICIES, replicates=3, years=1.0)


@pytest.fixture(scope="module")
def report(batch, tmp_path_factory) -> dict[str, Path]:
    return analysis.write_report(batch, out=tmp_path_factory.mktemp("report"))


def embedded_images(page: str) -> list[bytes]:
    return [
        base64.b64decode(data)
        for data in re.findall(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', page)
    ]


def test_html_report_holds_every_table_and_figure_embedded(report):
    page = report["html"].read_text(encoding="utf-8")
    for anchor in ("table-headline", "table-funnel", "table-all"):
        assert f'<section id="{anchor}">' in page
    for figure in ("gain", "funnel", "weekly", "differences"):
        assert f'<figure id="fig-{figure}">' in page
    assert 'download="comparison.csv" href="data:text/csv;base64,' in page
    images = embedded_images(page)
    assert len(images) == 4
    assert all(b"<svg" in image[:2000] for image in images)
    # Self-contained: nothing is fetched from elsewhere.
    assert not re.search(r'(src|href)="(?!data:|#)', page)


def test_html_report_has_provenance_and_every_outcome(report, batch):
    page = report["html"].read_text(encoding="utf-8")
    manifest = analysis.load_manifest(batch)
    assert f"<dd>{manifest['root_seed']}</dd>" in page
    assert manifest["git_commit"] in page and manifest["config_hash"] in page
    assert "numpy" in page and "6 done" in page
    for outcome in analysis.load(batch).columns[7:]:
        assert f">{html.escape(label(outcome))}<" in page, outcome  # in plain words


def test_markdown_report_refers_to_figure_files_next_to_it(report):
    text = report["markdown"].read_text(encoding="utf-8")
    links = re.findall(r"\]\((figures/[^)]+)\)", text)
    assert {Path(link).stem for link in links} == {"gain", "funnel", "weekly", "differences"}
    assert {Path(link).suffix for link in links} == {".png", ".svg"}
    for link in links:
        assert (report["markdown"].parent / link).stat().st_size > 1000
    for stem in ("funnel", "weekly", "differences"):
        assert (report["figures"] / f"{stem}.png").read_bytes().startswith(b"\x89PNG")
    assert text.count("\n### ") >= 5  # the answer, three tables and a provenance section
    assert "Victims identified (persons)" in text and "Identification funnel" in text


def test_sweep_report_draws_outcomes_against_the_swept_parameter(tmp_path, monkeypatch):
    monkeypatch.setattr("analysis.report.MAX_TABLE_DRAWS", 2)
    frames = []
    for draw, sensitivity in enumerate([0.5, 0.7, 0.9]):
        values = {
            "detention_first": {"victims_identified": [1.0, 2.0, 3.0]},
            "screening_before_detention": {
                "victims_identified": [10 * sensitivity + r for r in range(3)]
            },
        }
        part = synthetic_summary(values)
        part["draw"] = draw
        part["run_id"] = part["run_id"] + f"-d{draw}"
        part.insert(6, "param:screening.tier1_sensitivity", sensitivity)
        frames.append(part)
    folder = write_folder(tmp_path / "sweep", pd.concat(frames, ignore_index=True))
    paths = analysis.write_report(folder)
    assert paths["html"].parent == folder / "report"
    page = paths["html"].read_text(encoding="utf-8")
    assert '<figure id="fig-sweep-1">' in page
    assert '<figure id="fig-weekly">' not in page  # this folder has no weekly series
    assert "draw 1 (screening.tier1_sensitivity=0.7)" in page  # one table per draw
    assert "draw 2 (screening.tier1_sensitivity=0.9)" not in page  # beyond the cap of 2
    assert "the tables show the first 2 of 3 draws" in page
    assert sorted(pd.read_csv(paths["csv"])["draw"].unique()) == [0, 1, 2]
    assert (paths["figures"] / "sweep-1.svg").exists()


def test_cli_report(batch, tmp_path, capsys):
    assert tipsim(["report", str(batch), "--out", str(tmp_path / "r")]) == 0
    assert "report.html" in capsys.readouterr().out
    assert (tmp_path / "r" / "report.html").exists() and (tmp_path / "r" / "report.md").exists()


def test_cli_report_errors_exit_2(tmp_path, batch, capsys):
    assert tipsim(["report", str(tmp_path / "nowhere")]) == 2
    assert "no such result folder" in capsys.readouterr().err
    assert tipsim(["report", str(batch), "--reference", "nobody"]) == 2
    assert "unknown reference policy 'nobody'" in capsys.readouterr().err


def test_stock_names_match_the_model():
    from model.outcomes import STOCKS as MODEL_STOCKS

    assert set(MODEL_STOCKS) == STOCKS


def test_report_opens_in_a_headless_browser_without_errors(report, tmp_path):
    with chromium(tmp_path / "chromium-profile") as driver:
        driver.get(report["html"].resolve().as_uri())
        state = driver.execute_script(
            "return Array.from(document.images).map(i => [i.complete, i.naturalWidth]);"
        )
        tables = driver.execute_script("return document.querySelectorAll('table').length;")
        errors = console_errors(driver)
    assert errors == []
    assert len(state) == 4
    assert all(complete and width > 0 for complete, width in state), state
    assert tables == 4


def test_report_leads_with_the_answer_and_the_gain_figure(report, batch):
    """The first thing the report says is the computed answer the batch prints."""
    from analysis.headline import answer_sentences
    from analysis.main_answer import main_answer

    page = report["html"].read_text(encoding="utf-8")
    first = html.escape(answer_sentences(main_answer(batch))[0])
    assert page.index('<section id="answer">') < page.index(first) < page.index('id="fig-gain"')
    assert page.index('id="fig-gain"') < page.index("<h2>Comparison</h2>")
    assert "creening before detention identified" in first
    assert "not uncertainty about the world" in page
    # plain labels with units, and the distinct count named apart from the weekly stock
    assert "Victims identified (persons)" in page
    assert "Victims present during the run (distinct people) (persons)" in page
    assert (
        "victims_identified" not in page.split("<h2>Provenance</h2>")[0].split("comparison.csv")[0]
    )


def folder_of(tmp_path: Path, values: dict, world: str = "w", **frames) -> Path:
    return write_folder(tmp_path / world, synthetic_summary(values, world=world), **frames)


def test_answer_says_more_or_fewer_with_its_interval(tmp_path):
    from analysis.headline import answer_sentences
    from analysis.main_answer import main_answer

    folder = folder_of(
        tmp_path,
        {
            "detention_first": {"victims_identified": [10, 12, 14, 16, 18]},
            "screening_before_detention": {"victims_identified": [13, 15, 17, 19, 21]},
        },
    )
    answer = main_answer(folder, metrics=["victims_identified"])
    assert answer.kind == "world"
    (sentence,) = answer_sentences(answer)
    assert sentence.startswith(
        "Screening before detention identified 3.00 more victims than detention first "
        "(95% interval +3.00 to +3.00; more in 100% of the replicate pairs)"
    )
    few = folder_of(
        tmp_path,
        {
            "detention_first": {"victims_identified": [10, 12, 14, 16]},
            "screening_before_detention": {"victims_identified": [9, 11, 13, 15]},
        },
        world="few",
    )
    (sentence,) = answer_sentences(main_answer(few, metrics=["victims_identified"]))
    assert (
        "identified 1.00 fewer victims than detention first (no interval: fewer than 5" in sentence
    )


def test_week_dates_follow_the_runs_start_year():
    from analysis.labels import week_dates

    weekly = pd.DataFrame({"week": [0, 1, 52, 104], "year": [2016, 2016, 2017, 2018]})
    assert [str(d.date()) for d in week_dates(weekly)] == [
        "2016-01-01",
        "2016-01-08",
        "2016-12-30",
        "2017-12-29",
    ]


def test_report_fits_a_laptop_screen_without_horizontal_scroll(tmp_path, batch):
    # Three folders side by side is the widest layout the report has.
    folders = [batch]
    for name in ("copy-a", "copy-b"):
        folders.append(shutil.copytree(batch, tmp_path / name))
    paths = analysis.write_report(folders, out=tmp_path / "report")
    with chromium(tmp_path / "profile", width=1280, height=900) as driver:
        driver.get(paths["html"].resolve().as_uri())
        widths = driver.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth];"
        )
        driver.save_screenshot(str(tmp_path / "report-1280.png"))
        errors = console_errors(driver)
    assert errors == []
    assert widths[0] <= widths[1], widths


def test_over_an_ensemble_the_answer_is_the_weighted_mixture_over_members(tmp_path):
    """Members' weights (ensemble.json) weigh the answer; the share of members is by weight."""
    import json

    from analysis.ensemble import ensemble_answer
    from analysis.headline import answer_sentences
    from analysis.main_answer import main_answer

    frames = []
    for i, gain in enumerate([2, 3, -1, 4]):  # the reform identifies more in 3 of 4 members
        frames.append(
            synthetic_summary(
                {
                    "detention_first": {"victims_identified": [10, 12]},
                    "screening_before_detention": {"victims_identified": [10 + gain, 13 + gain]},
                },
                world=f"member_{i:03d}",
            )
        )
    runs = pd.concat(frames, ignore_index=True)
    for frame_id in range(len(runs)):
        runs.loc[frame_id, "run_id"] = f"run-{frame_id}"
    folder = write_folder(tmp_path / "ensemble", runs)
    weights = {"member_000": 0.1, "member_001": 0.2, "member_002": 0.5, "member_003": 0.2}
    members = [{"world": w, "weight": v} for w, v in weights.items()]
    (folder / "ensemble.json").write_text(json.dumps({"members": members}))
    answer = main_answer(folder, metrics=["victims_identified"])
    assert answer.kind == "ensemble"
    expected = ensemble_answer(
        analysis.load(folder), metrics=["victims_identified"], weights=pd.Series(weights)
    ).iloc[0]
    row = answer.rows.iloc[0]
    assert (row["mean"], row["low"], row["high"]) == (
        expected["mean"],
        expected["low"],
        expected["high"],
    )
    assert row["share_more"] == pytest.approx(0.5)  # 0.1 + 0.2 + 0.2 by weight
    (sentence,) = answer_sentences(answer)
    assert "more in 50% of the members by weight" in sentence
