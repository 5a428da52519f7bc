"""The main job's answer: the policy comparison over a calibrated ensemble, and why.

A batch whose worlds were drawn from a calibrated ensemble (``ensemble:`` in the batch file)
records the members it drew and their weights in ``ensemble.json``. Its answer is the
ensemble answer of :mod:`analysis.ensemble` (a mixture over members: parameter and stochastic
uncertainty together), one row per outcome, with the policies' own weighted means beside it.
Before the answer, a fit check: the reference policy's runs (the policy of the time) summed by
calendar year as official statistics, beside the published figures and the calibration's
tolerances, so a reader sees that the worlds compared reproduce Hong Kong's record.
When the batch also ran its ``decomposition:`` (a factorial of the policy's components, in
``<batch>/decomposition``), the headline of that decomposition follows: the total gain and its
Shapley attribution to each component.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis.calibration import published
from analysis.calibration.official import official_statistics
from analysis.calibration.published import load_figures
from analysis.decomposition import decompose
from analysis.ensemble import ensemble_answer
from analysis.errors import AnalysisError
from analysis.layout import DECOMPOSITION_DIR, ENSEMBLE_WEIGHTS, MANIFEST
from analysis.results import load, load_weekly
from analysis.statistics import CONFIDENCE
from analysis.tables import Table, to_markdown

#: Outcomes of the main answer, in order.
ANSWER_METRICS = (
    "victims_identified",
    "prosecutions",
    "convictions",
    "victims_removed_unidentified",
)
#: Views of the fit check: published metric, relative and absolute tolerance (those of the
#: shipped calibration, ``experiments/calibration_hong_kong.yaml``; a test holds them equal).
FIT_VIEWS: dict[str, tuple[str, float, float]] = {
    "initial_screenings": ("initial_screenings", 0.2, 0.0),
    "identified_mechanism": ("victims_identified_mechanism", 0.5, 4.0),
}
#: Outcomes of the decomposition headline.
HEADLINE_METRICS = ("victims_identified", "prosecutions")
REFERENCE = "detention_first"
ALTERNATIVE = "screening_before_detention"


def ensemble_weights(folder: Path) -> pd.Series | None:
    """The weight of each member world of an ensemble batch, or ``None`` for other batches.

    Raises:
        AnalysisError: The weights file exists but cannot be read.
    """
    path = Path(folder) / ENSEMBLE_WEIGHTS
    if not path.is_file():
        return None
    try:
        members = json.loads(path.read_text(encoding="utf-8"))["members"]
        return pd.Series({str(m["world"]): float(m["weight"]) for m in members})
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise AnalysisError(
            f"{path}: unreadable ensemble weights ({err}); run the batch again to rewrite it"
        ) from None


def ensemble_table(
    folder: Path,
    reference: str = REFERENCE,
    alternative: str = ALTERNATIVE,
    confidence: float = CONFIDENCE,
) -> Table:
    """The comparison over the ensemble: each policy's weighted mean and the paired difference.

    Raises:
        AnalysisError: The folder is no ensemble batch, or no member pairs the policies.
    """
    weights = _recorded_weights(folder)
    runs = load(folder)
    metrics = [m for m in ANSWER_METRICS if m in runs.columns]
    answer = ensemble_answer(runs, reference, alternative, metrics, weights, confidence)
    share = weights / weights.sum()
    level = f"{100 * confidence:g}%"
    rows = []
    for row in answer.itertuples():
        means = _policy_means(runs, row.metric, share)
        rows.append(
            [
                row.metric,
                f"{means.get(reference, float('nan')):,.1f}",
                f"{means.get(alternative, float('nan')):,.1f}",
                f"{row.mean:+,.1f} [{row.low:+,.1f}, {row.high:+,.1f}]",
                f"{row.p_more:.0%}",
                f"{row.share_members_more:.0%}",
            ]
        )
    members, pairs = int(answer["members"].iloc[0]), int(answer["pairs"].iloc[0])
    return Table(
        title=f"{alternative} against {reference} over the calibrated ensemble",
        header=[
            "outcome (per run)",
            reference,
            alternative,
            f"difference [{level} interval]",
            "P(more)",
            "members with more",
        ],
        rows=rows,
        note=(
            f"{members} members drawn by ABC weight, {pairs} replicate pairs on common random "
            f"numbers. Means are weighted by the draw; the interval and P(more) come from the "
            "mixture over members of each member's mean difference and its standard error "
            "(within-member spread pooled): they cover parameter uncertainty (which member "
            "describes Hong Kong) and stochastic uncertainty together, not model-structure "
            "uncertainty."
        ),
        label_columns=1,
    )


def fit_check(
    folder: Path, reference: str = REFERENCE, figures: pd.DataFrame | None = None
) -> Table:
    """The reference policy's yearly official statistics beside the published figures.

    Per calendar year and view: the weighted mean over runs (member weight shared among its
    replicates), the 5-95% range over runs, the published figure and whether the mean is within
    the calibration's tolerance of it.

    Raises:
        AnalysisError: The folder is no ensemble batch or has no weekly series of the reference.
    """
    weights = _recorded_weights(folder)
    weekly = load_weekly(folder)
    weekly = weekly[weekly["policy"].astype(str) == reference]
    if weekly.empty:
        raise AnalysisError(f"{folder}: no weekly series of {reference}")
    figures = load_figures() if figures is None else figures
    per_run = []
    for run_id, series in weekly.groupby("run_id", observed=True):
        table = official_statistics(series)
        world = str(series["world"].iloc[0])
        per_run.append(table[list(FIT_VIEWS)].assign(world=world, run_id=run_id))
    runs = pd.concat(per_run).reset_index()
    replicates = runs.groupby("world")["run_id"].transform("nunique")
    runs["weight"] = runs["world"].map(weights / weights.sum()).fillna(0.0) / replicates
    screened = runs["initial_screenings"].where(runs["initial_screenings"] > 0)
    runs["hit_rate"] = runs["identified_mechanism"] / screened
    rows = [
        fit_row(int(year), block, figures) for year, block in runs.groupby("year", sort=True)
    ]
    header = ["year"]
    for view, (_, relative, absolute) in FIT_VIEWS.items():
        rule = f"{relative:.0%}" + (f" or {absolute:g}" if absolute else "")
        header += [f"{view}: simulated (5-95%)", "published", f"within {rule}"]
    header += ["hit rate: simulated (5-95%)", "published", "within"]
    return Table(
        title=f"Fit check: {reference} in the worlds compared, against the published record",
        header=header,
        rows=rows,
        note=(
            "Official-statistics view of the reference policy's runs (identified = true plus "
            "false positives, as officials count them); means weighted by member, ranges over "
            "runs. Tolerances are the calibration's; the hit rate (identified / screened, of "
            "the weighted means) is within when it is within the identifications' tolerance "
            "divided by the published screenings."
        ),
        label_columns=1,
    )


def fit_row(year: int, block: pd.DataFrame, figures: pd.DataFrame) -> list[str]:
    """One year of the fit check: each view's weighted mean, range and tolerance, then the hit rate.

    Args:
        year: Calendar year.
        block: That year's runs: the views of :data:`FIT_VIEWS`, ``hit_rate`` and ``weight``.
        figures: Published figures.
    """
    row, means, observed, tolerance = [str(year)], {}, {}, {}
    for view, (metric, relative, absolute) in FIT_VIEWS.items():
        means[view] = float((block[view] * block["weight"]).sum() / block["weight"].sum())
        low, high = block[view].quantile([0.05, 0.95])
        observed[view] = published.yearly(figures, metric).get(year)
        cell = f"{means[view]:,.0f} ({low:,.0f}-{high:,.0f})"
        if observed[view] is None:
            row += [cell, "–", ""]
            continue
        tolerance[view] = max(relative * observed[view], absolute)
        within = abs(means[view] - observed[view]) <= tolerance[view]
        row += [cell, f"{observed[view]:,.0f}", "yes" if within else "no"]
    screened, identified = "initial_screenings", "identified_mechanism"
    rate = means[identified] / means[screened] if means[screened] else float("nan")
    low, high = block["hit_rate"].quantile([0.05, 0.95])
    row.append(f"{rate:.3%} ({low:.3%}-{high:.3%})")
    if observed[screened] and observed[identified] is not None:
        published_rate = observed[identified] / observed[screened]
        within = abs(rate - published_rate) <= tolerance[identified] / observed[screened]
        row += [f"{published_rate:.3%}", "yes" if within else "no"]
    else:
        row += ["–", ""]
    return row


def decomposition_headline(folder: Path, reference: str = REFERENCE) -> list[str]:
    """One line per outcome: the factorial's total gain and its Shapley attribution.

    Returns:
        No lines when the batch has no finished decomposition.
    """
    sub = Path(folder) / DECOMPOSITION_DIR
    if not (sub / MANIFEST).is_file():
        return []
    try:
        runs = load(sub)
        table = decompose(runs, reference, [m for m in HEADLINE_METRICS if m in runs.columns])
    except AnalysisError as err:
        return [f"decomposition: not available yet ({err})"]
    lines = []
    for (world, metric), block in table.groupby(["world", "metric"], sort=False):
        total = block[block["kind"] == "total"].iloc[0]
        parts = block[block["kind"] == "shapley"].sort_values("mean", ascending=False)
        attributed = ", ".join(
            f"{r.term} {r.mean:+.1f}" + (f" ({r.share:.0%})" if pd.notna(r.share) else "")
            for r in parts.itertuples()
        )
        interval = (
            f" [{total['low']:+.1f}, {total['high']:+.1f}]" if pd.notna(total["low"]) else ""
        )
        lines.append(
            f"why ({world}, {int(total['n'])} replicates): {metric} {total['mean']:+.1f}"
            f"{interval} from the status quo to the full reform; Shapley attribution: "
            f"{attributed}"
        )
    return lines


def answer_text(folder: Path) -> str:
    """What ``tipsim batch`` prints for an ensemble batch: the table, then the headline."""
    tables = [fit_check(folder), ensemble_table(folder)]
    text = "\n\n".join(to_markdown(t) for t in tables) + "\n"
    headline = decomposition_headline(folder)
    if headline:
        text += "\n" + "\n".join(headline) + "\n"
    return text


def _recorded_weights(folder: Path) -> pd.Series:
    weights = ensemble_weights(folder)
    if weights is None:
        raise AnalysisError(
            f"{folder}: not a batch over a calibrated ensemble (no {ENSEMBLE_WEIGHTS})"
        )
    return weights


def _policy_means(runs: pd.DataFrame, metric: str, share: pd.Series) -> dict[str, float]:
    """Each policy's mean of ``metric``: member means weighted by the member's draw share."""
    member_means = runs.groupby([runs["policy"].astype(str), runs["world"].astype(str)])[
        metric
    ].mean()
    result = {}
    for policy, block in member_means.groupby(level=0):
        values = block.droplevel(0)
        w = share.reindex(values.index).fillna(0.0)
        result[str(policy)] = float((values * w).sum() / w.sum()) if w.sum() > 0 else float("nan")
    return result
