"""The dashboard's ensemble view: the gain over the calibrated members, from the main job.

The dashboard steps one member on one seed; the answer is over the whole ensemble. When the
main job's results are there (``results/policy_comparison``, or ``TIPSIM_EXPLORE_RESULTS``), the
view shows its answer's first sentence and the figure of the gain in each member, computed by
the same function the batch prints from (:func:`analysis.main_answer.main_answer`).
"""

from __future__ import annotations

import os
from pathlib import Path

from matplotlib.figure import Figure

from analysis.answer_figures import gain_figure
from analysis.errors import AnalysisError
from analysis.headline import answer_sentences
from analysis.main_answer import ensemble_weights, main_answer

#: Where the main job writes its results, relative to the folder the server runs in.
DEFAULT_RESULTS = Path("results") / "policy_comparison"


def results_folder() -> Path:
    """The main job's results folder the view reads."""
    return Path(os.environ.get("TIPSIM_EXPLORE_RESULTS", DEFAULT_RESULTS))


def ensemble_gain(folder: Path | None = None) -> tuple[str, Figure] | None:
    """The answer's first sentence and the gain per member, or ``None`` without ensemble results.

    ``None`` when the folder holds no finished batch over a calibrated ensemble (or cannot be
    read: the view then says how to make one).
    """
    folder = results_folder() if folder is None else Path(folder)
    try:
        if ensemble_weights(folder) is None:
            return None
        answer = main_answer(folder)
    except AnalysisError:
        return None
    return answer_sentences(answer)[0], gain_figure(answer)
