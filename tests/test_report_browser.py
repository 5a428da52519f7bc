"""The report in a browser: its first screen states the batch's answer, and nothing overflows.

Protects issue 33's "one answer": the sentence the report opens with is the one ``tipsim batch``
printed (same numbers), the figure of the gain per member and the decomposition's waterfall are
on the first screen of a 1280 x 800 window, and no element sticks out of its container there.
A small ensemble batch (two members of the small world, half a year) keeps it fast.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import analysis
from experiments.cli import main as tipsim
from tests.browser import chromium, console_errors, overflowing
from tests.test_ensemble_batch import write_ensemble, write_ensemble_batch


@pytest.fixture(scope="module")
def ensemble_batch(tmp_path_factory) -> tuple[Path, str]:
    """A batch over a two-member ensemble with its decomposition, and what the batch printed."""
    import contextlib
    import io

    folder = tmp_path_factory.mktemp("ensemble")
    write_ensemble(folder, [0.6, 0.4])
    batch = write_ensemble_batch(folder)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert tipsim(["batch", str(batch), "--workers", "1"]) == 0
    return folder / "out", printed.getvalue()


def test_the_reports_first_screen_holds_the_batchs_numbers(ensemble_batch, tmp_path):
    folder, printed = ensemble_batch
    sentences = re.findall(r"^- (Over .*)$", printed, flags=re.MULTILINE)
    assert sentences, printed
    paths = analysis.write_report(folder, out=tmp_path / "report")
    with chromium(tmp_path / "profile", width=1280, height=800) as driver:
        driver.get(paths["html"].resolve().as_uri())
        lead = driver.execute_script(
            "const a = document.querySelector('p.answer');"
            "const figs = Array.from(document.querySelectorAll('#answer figure img'));"
            "return [a.innerText, a.getBoundingClientRect().bottom, window.innerHeight,"
            " figs.map(f => [f.closest('figure').id, f.getBoundingClientRect().top,"
            " f.naturalWidth])];"
        )
        errors = console_errors(driver)
    text, bottom, height, figures = lead
    assert errors == []
    assert text == sentences[0]  # the same sentence, so the same numbers
    numbers = re.findall(r"[+-]?\d[\d,.]*%?", sentences[0])
    assert numbers and all(number in text for number in numbers)
    assert bottom < height
    assert [figure[0] for figure in figures] == ["fig-gain", "fig-waterfall"]
    for _, top, width in figures:
        assert top < height and width > 0  # both start on the first screen


def test_at_1280_by_800_no_element_overflows_its_container(ensemble_batch, tmp_path):
    folder, _ = ensemble_batch
    paths = analysis.write_report(folder, out=tmp_path / "report")
    with chromium(tmp_path / "profile", width=1280, height=800) as driver:
        driver.get(paths["html"].resolve().as_uri())
        sticking_out = overflowing(driver)
    assert sticking_out == []
