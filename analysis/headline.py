"""The answer in words: the sentences, the table and the text every output leads with.

:func:`analysis.main_answer.main_answer` computes the answer once; this module says it. The
batch prints :func:`answer_text`, ``tipsim compare`` and the report lead with the same
sentences (:func:`answer_sentences`) and table (:func:`answer_table`), so all of them state the
same numbers, with outcomes and policies in plain words and units.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.decomposition import decompose
from analysis.errors import AnalysisError
from analysis.formatting import missing, number, signed
from analysis.labels import label, unit, words
from analysis.main_answer import (
    HEADLINE_METRICS,
    Answer,
    ensemble_weights,
    fit_check,
    main_answer,
)
from analysis.results import load
from analysis.statistics import CONFIDENCE, MIN_PAIRS
from analysis.tables import Table, to_markdown
from result_folder.layout import DECOMPOSITION_DIR, MANIFEST
from result_folder.outcomes import OUTCOME

#: How a change in each outcome is said: verb (past, present) before the number, noun after.
PHRASES: dict[str, tuple[str, str, str]] = {
    OUTCOME.victims_identified: ("identified", "identifies", "victims"),
    OUTCOME.prosecutions: ("began", "begins", "prosecutions of traffickers"),
    OUTCOME.convictions: ("convicted", "convicts", "traffickers"),
    OUTCOME.victims_removed_unidentified: (
        "removed",
        "removes",
        "victims without identifying them",
    ),
    OUTCOME.victims_detained: ("detained victims", "detains victims", "times"),
    OUTCOME.witnesses_cooperating: ("had", "has", "victims cooperating as witnesses"),
}


def policy_words(name: str) -> str:
    """``screening_before_detention`` -> ``Screening before detention``."""
    return name.replace("_", " ").capitalize()


def scope_words(answer: Answer) -> str:
    """Where the answer holds: the ensemble, the factorial's world or the world(s) compared."""
    rows = answer.rows
    pairs = int(rows["pairs"].iloc[0]) if len(rows) else 0
    if answer.kind == "ensemble":
        members = int(rows["members"].iloc[0])
        return (
            f"over the calibrated ensemble ({members} members drawn by ABC weight, {pairs} "
            "replicate pairs on common random numbers)"
        )
    worlds = list(dict.fromkeys(rows["world"]))
    if answer.kind == "factorial":
        return f"in {', '.join(worlds)} ({pairs} replicates of every combination)"
    return f"in {', '.join(worlds)} ({pairs} replicate pairs on common random numbers)"


def answer_sentences(answer: Answer) -> list[str]:
    """One sentence per outcome (and world): the change, its interval and its probability."""
    level = f"{100 * answer.confidence:g}%"
    span = answer.span
    if answer.kind == "factorial":
        who, against = "the full reform", "the status quo"
    else:
        who, against = policy_words(answer.alternative).lower(), policy_words(answer.reference)
        against = against.lower()
    many_worlds = answer.rows["world"].nunique() > 1
    sentences = []
    for row in answer.rows.itertuples():
        where = f" in {row.world}" if many_worlds else ""
        opening = f"{span}{where}, {who}" if span else f"{who[0].upper()}{who[1:]}{where}"
        text = f"{opening} {_change(row.metric, row.mean)} {'as' if row.mean == 0 else 'than'} "
        text += against
        text += f" ({_interval(row, level, answer.kind)})"
        sentences.append(text + ".")
    return sentences


def answer_table(answer: Answer) -> Table:
    """The answer as a table: each policy's mean, the difference, its interval, P(more)."""
    level = f"{100 * answer.confidence:g}%"
    many_worlds = answer.rows["world"].nunique() > 1
    if answer.kind == "factorial":
        names = ["Status quo", "Full reform"]
    else:
        names = [policy_words(answer.reference), policy_words(answer.alternative)]
    header = ["Outcome (per run)", *names, f"Difference [{level} interval]"]
    if answer.kind == "ensemble":
        header += ["Probability of more", "Members with more"]
    elif answer.kind == "world":
        header += ["Replicate pairs with more"]
    if many_worlds:
        header.insert(0, "World")
    rows = []
    for row in answer.rows.itertuples():
        interval = "" if missing(row.low) else f" [{signed(row.low)}, {signed(row.high)}]"
        if missing(row.low) and answer.kind != "ensemble":
            interval = f" [no interval: n<{MIN_PAIRS}]"
        cells = [label(row.metric), number(row.reference_mean), number(row.alternative_mean)]
        cells.append(f"{signed(row.mean)}{interval}")
        if answer.kind == "ensemble":
            stability = ""
            if not missing(getattr(row, "p_more_low", None)):
                stability = f" ({row.p_more_low:.0%}-{row.p_more_high:.0%})"
            cells += [f"{row.p_more:.0%}{stability}", f"{row.share_more:.0%}"]
        elif answer.kind == "world":
            cells.append("" if missing(row.share_more) else f"{row.share_more:.0%}")
        rows.append([row.world, *cells] if many_worlds else cells)
    title = f"{policy_words(answer.alternative)} against {policy_words(answer.reference).lower()}"
    if answer.kind == "factorial":
        title = "The full reform against the status quo"
    return Table(
        title=f"{title} {scope_words(answer)}",
        header=header,
        rows=rows,
        note=f"Means per run; the interval covers {answer.covers}.",
        label_columns=2 if many_worlds else 1,
    )


def answer_text(
    folder: Path,
    reference: str | None = None,
    alternative: str | None = None,
    confidence: float = CONFIDENCE,
) -> str:
    """What ``tipsim batch`` prints and ``tipsim compare`` leads with: the answer, in Markdown.

    The answer's sentences and table; over an ensemble the fit check before it; when the batch
    ran its decomposition (or is one), the decomposition's headline after it.
    """
    folder = Path(folder)
    answer = main_answer(folder, reference, alternative, confidence=confidence)
    parts = []
    if answer.kind == "ensemble":
        parts.append(to_markdown(fit_check(folder, answer.reference)))
    opening = f"## Answer {scope_words(answer)}"
    parts.append(opening + "\n\n" + "\n".join(f"- {s}" for s in answer_sentences(answer)))
    parts.append(to_markdown(answer_table(answer)))
    headline = decomposition_lines(folder, answer.reference)
    if headline:
        parts.append("\n".join(f"- {line}" for line in headline))
    return "\n\n".join(parts) + "\n"


def decomposition_lines(folder: Path, reference: str) -> list[str]:
    """Why: one line per outcome, the full reform's total gain and its Shapley attribution.

    Read from the batch's ``decomposition/`` folder, or the folder itself when it is a
    factorial. No lines when there is none.
    """
    folder = Path(folder)
    sub = folder / DECOMPOSITION_DIR
    source = sub if (sub / MANIFEST).is_file() else folder
    if source is folder and ensemble_weights(folder) is not None:
        return []
    try:
        runs = load(source)
        table = decompose(runs, reference, [m for m in HEADLINE_METRICS if m in runs.columns])
    except AnalysisError as err:
        return [f"Why: the decomposition is not available yet ({err})"] if source is sub else []
    lines = []
    for (world, metric), block in table.groupby(["world", "metric"], sort=False):
        kinds = block.set_index("kind")
        total = kinds.loc["total"]
        parts = block[block["kind"] == "shapley"].sort_values("mean", ascending=False)
        attributed = ", ".join(
            f"{r.term} {signed(r.mean)}" + (f" ({r.share:.0%})" if pd.notna(r.share) else "")
            for r in parts.itertuples()
        )
        interval = (
            f" [{signed(total['low'])}, {signed(total['high'])}]"
            if pd.notna(total["low"])
            else f" [no interval: n<{MIN_PAIRS}]"
        )
        lines.append(
            f"Why ({world}, {int(total['n'])} replicates of each combination): "
            f"{words(metric).lower()} {number(kinds.loc['status quo', 'mean'])} under the status "
            f"quo, {number(kinds.loc['reform', 'mean'])} under the full reform: "
            f"{signed(total['mean'])}{interval} {unit(metric)}; Shapley attribution of the "
            f"gain: {attributed}"
        )
    return lines


def _change(metric: str, diff: float) -> str:
    verb, _, noun = PHRASES.get(metric, ("changed", "changes", words(metric).lower()))
    if diff == 0:
        return f"{verb} as many {noun}"
    return f"{verb} {number(abs(diff))} {'more' if diff > 0 else 'fewer'} {noun}"


def _interval(row, level: str, kind: str) -> str:
    if missing(row.low):
        text = f"no interval: fewer than {MIN_PAIRS} paired replicates"
    else:
        text = f"{level} interval {signed(row.low)} to {signed(row.high)}"
    if kind == "ensemble":
        text += f"; {row.p_more:.0%} probability that it {_present(row.metric)} more"
        if not missing(getattr(row, "p_more_low", None)):
            text += f" ({row.p_more_low:.0%}-{row.p_more_high:.0%} over a bootstrap of members)"
        text += f"; more in {row.share_more:.0%} of the members by weight"
    elif kind == "world" and not missing(row.share_more):
        text += f"; more in {row.share_more:.0%} of the replicate pairs"
    return text


def _present(metric: str) -> str:
    return PHRASES.get(metric, ("", "gives", ""))[1]
