"""The answer of a result folder, computed once: :func:`main_answer`.

``tipsim batch`` prints it, ``tipsim compare`` and the report lead with it
(:mod:`analysis.headline` says it in words). Over a calibrated ensemble it is the mixture over
members below; for a two-level factorial, the full reform against the status quo; otherwise
the mean paired difference in each world.

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
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

import pandas as pd

from analysis.calibration import published
from analysis.calibration.official import official_statistics
from analysis.calibration.published import load_figures
from analysis.comparison import compare, resolve_reference
from analysis.decomposition import decompose, factors
from analysis.ensemble import ensemble_answer, pooled_sd
from analysis.errors import AnalysisError
from analysis.results import load, load_manifest, load_weekly
from analysis.statistics import CONFIDENCE, MIN_PAIRS, paired_differences
from analysis.tables import Table
from result_folder.layout import ENSEMBLE_WEIGHTS
from result_folder.outcomes import OUTCOME

T = TypeVar("T")

#: Outcomes of the main answer, in order.
ANSWER_METRICS = (
    OUTCOME.victims_identified,
    OUTCOME.prosecutions,
    OUTCOME.convictions,
    OUTCOME.victims_removed_unidentified,
)
#: Views of the fit check: published metric, relative and absolute tolerance (those of the
#: shipped calibration, ``experiments/calibration_hong_kong.yaml``; a test holds them equal).
FIT_VIEWS: dict[str, tuple[str, float, float]] = {
    OUTCOME.initial_screenings: (OUTCOME.initial_screenings, 0.2, 0.0),
    "identified_mechanism": ("victims_identified_mechanism", 0.5, 4.0),
}
#: How the fit check's views are named in its header.
FIT_WORDS = {
    OUTCOME.initial_screenings: "Initial screenings",
    "identified_mechanism": "Victims identified (official count)",
}
#: Outcomes of the decomposition headline.
HEADLINE_METRICS = (OUTCOME.victims_identified, OUTCOME.prosecutions)
REFERENCE = "detention_first"
ALTERNATIVE = "screening_before_detention"


def ensemble_weights(folder: Path) -> pd.Series | None:
    """The weight of each member world of an ensemble batch, or ``None`` for other batches.

    Raises:
        AnalysisError: The weights file exists but cannot be read.
    """
    return _ensemble_record(
        folder,
        lambda record: pd.Series({str(m["world"]): float(m["weight"]) for m in record["members"]}),
    )


def _ensemble_record(folder: Path, read: Callable[[dict], T]) -> T | None:
    """``read`` applied to an ensemble batch's record (``ensemble.json``); ``None`` without one.

    Raises:
        AnalysisError: The record exists but cannot be read, naming the file.
    """
    path = Path(folder) / ENSEMBLE_WEIGHTS
    if not path.is_file():
        return None
    try:
        return read(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise AnalysisError(
            f"{path}: unreadable ensemble record ({err}); run the batch again to rewrite it"
        ) from None


@dataclass(frozen=True)
class Answer:
    """The answer of a result folder: the alternative policy against the reference, per outcome.

    Attributes:
        kind: ``ensemble`` (a mixture over the members of a calibrated ensemble), ``factorial``
            (the full reform against the status quo of a decomposition batch) or ``world``
            (paired replicates in each world).
        reference: The policy compared against (the status quo).
        alternative: The policy compared (the reform).
        rows: One row per outcome (and world, for ``world`` answers): ``metric``, ``world``,
            ``reference_mean``, ``alternative_mean``, ``mean`` (of the paired difference),
            ``low``, ``high`` (its interval; NaN when none is given), ``p_more`` (probability
            the alternative gives more; ensemble only, with ``p_more_low``/``p_more_high``,
            its range over a bootstrap of the members), ``share_more`` (weighted share of
            members, or share of replicate pairs, with a positive difference), ``members``
            and ``pairs``.
        members: Per member (or world) and outcome: ``world``, ``weight``, ``metric``,
            ``mean`` (mean paired difference), ``se`` (its standard error) and ``pairs``.
        covers: What the interval covers, in words.
        years: Length of the runs in years (``None`` when unknown).
        span: The period the outcomes count, in words ("Over 5 years"; "Over 2025-2029" when
            the runs replay the past and the policies start later), empty when unknown.
        confidence: Coverage of the intervals.
    """

    kind: str
    reference: str
    alternative: str
    rows: pd.DataFrame
    members: pd.DataFrame
    covers: str
    years: float | None
    confidence: float = CONFIDENCE
    span: str = ""


def main_answer(
    folder: Path,
    reference: str | None = None,
    alternative: str | None = None,
    metrics: Sequence[str] = ANSWER_METRICS,
    confidence: float = CONFIDENCE,
) -> Answer:
    """The one computed answer of a result folder, which every output states.

    ``tipsim batch`` prints it, ``tipsim compare`` and the report lead with it. Over a
    calibrated ensemble (the folder records ``ensemble.json``) it is the mixture over members
    of :func:`analysis.ensemble.ensemble_answer`; for a two-level factorial it is the total
    gain of :func:`analysis.decomposition.decompose` (the full reform against the status quo);
    otherwise the mean paired difference in each world with its t-interval.

    Args:
        folder: A batch's (or ``tipsim run``'s) result folder.
        reference: Reference policy (default ``detention_first`` when present).
        alternative: Compared policy (default ``screening_before_detention`` when present,
            else the first other policy).
        metrics: Outcomes, those present in the runs.
        confidence: Coverage of the intervals.

    Raises:
        AnalysisError: The folder holds one policy only, or no pairs of runs.
    """
    runs = load(folder)
    reference, alternative = compared_policies(runs, folder, reference, alternative)
    chosen = [m for m in metrics if m in runs.columns]
    years = _years(runs, folder)
    weights = ensemble_weights(folder)
    members = _member_differences(runs, reference, alternative, chosen, weights)
    if weights is not None:
        answer = _ensemble(
            runs, reference, alternative, chosen, weights, members, years, confidence
        )
    elif _is_factorial(runs, reference):
        answer = _factorial(runs, reference, alternative, chosen, members, years, confidence)
    else:
        answer = _paired(runs, reference, alternative, chosen, members, years, confidence)
    return replace(answer, span=_span(folder, years))


def compared_policies(
    runs: pd.DataFrame, folder: Path, reference: str | None, alternative: str | None
) -> tuple[str, str]:
    """The reference and the compared policy of a folder's runs (defaults as in main_answer).

    Raises:
        AnalysisError: One policy only, or no runs of the named alternative.
    """
    reference = resolve_reference(runs, reference)
    policies = [str(p) for p in runs["policy"].cat.categories if (runs["policy"] == p).any()]
    others = [p for p in policies if p != reference]
    if alternative is None:
        if not others:
            raise AnalysisError(f"{folder}: one policy only ({reference}); nothing to compare")
        alternative = ALTERNATIVE if ALTERNATIVE in others else others[0]
    elif alternative not in others:
        raise AnalysisError(f"{folder}: no runs of {alternative!r} to compare with {reference}")
    return reference, alternative


def ensemble_source(folder: Path) -> Path:
    """The ensemble folder an ensemble batch drew its members from (its ``ensemble.json``).

    Raises:
        AnalysisError: The folder is not a batch over an ensemble, or the record is unreadable.
    """
    source = _ensemble_record(folder, lambda record: Path(record["ensemble"]))
    if source is None:
        raise AnalysisError(
            f"{folder}: not a batch over a calibrated ensemble (no {ENSEMBLE_WEIGHTS})"
        )
    return source


def _ensemble(runs, reference, alternative, metrics, weights, members, years, confidence):
    answer = ensemble_answer(runs, reference, alternative, metrics, weights, confidence)
    share = weights / weights.sum()
    rows = []
    for row in answer.itertuples():
        means = _policy_means(runs, row.metric, share)
        rows.append(
            {
                "metric": row.metric,
                "world": "ensemble",
                "reference_mean": means.get(reference, float("nan")),
                "alternative_mean": means.get(alternative, float("nan")),
                "mean": row.mean,
                "low": row.low,
                "high": row.high,
                "p_more": row.p_more,
                "p_more_low": getattr(row, "p_more_low", float("nan")),
                "p_more_high": getattr(row, "p_more_high", float("nan")),
                "share_more": row.share_members_more,
                "members": int(row.members),
                "pairs": int(row.pairs),
            }
        )
    covers = (
        "parameter uncertainty (which member describes Hong Kong) and stochastic uncertainty "
        "together (law of total variance over members, weighted by the draw, and their runs; "
        "see analysis/ensemble.py), not model-structure uncertainty"
    )
    return Answer(
        "ensemble", reference, alternative, pd.DataFrame(rows), members, covers, years, confidence
    )


def _factorial(runs, reference, alternative, metrics, members, years, confidence):
    table = decompose(runs, reference, metrics, confidence)
    rows = []
    for (world, metric), block in table.groupby(["world", "metric"], sort=False):
        kinds = block.set_index("kind")
        rows.append(
            {
                "metric": metric,
                "world": str(world),
                "reference_mean": float(kinds.loc["status quo", "mean"]),
                "alternative_mean": float(kinds.loc["reform", "mean"]),
                "mean": float(kinds.loc["total", "mean"]),
                "low": float(kinds.loc["total", "low"]),
                "high": float(kinds.loc["total", "high"]),
                "p_more": float("nan"),
                "share_more": float("nan"),
                "members": 1,
                "pairs": int(kinds.loc["total", "n"]),
            }
        )
    covers = (
        "run-to-run chance at the world's fixed parameters (t-interval of the mean total gain "
        f"over the replicates; none below {MIN_PAIRS}), not uncertainty about the world"
    )
    return Answer(
        "factorial", reference, alternative, pd.DataFrame(rows), members, covers, years, confidence
    )


def _paired(runs, reference, alternative, metrics, members, years, confidence):
    table = compare(runs, reference, metrics, confidence)
    table = table[table["draw"] == table["draw"].min()]
    rows = []
    for world, block in table.groupby(table["world"].astype(str), sort=False):
        by_policy = block.assign(policy=block["policy"].astype(str)).set_index(["policy", "metric"])
        for metric in metrics:
            ref, alt = by_policy.loc[(reference, metric)], by_policy.loc[(alternative, metric)]
            mine = members[(members["world"] == world) & (members["metric"] == metric)]
            rows.append(
                {
                    "metric": metric,
                    "world": world,
                    "reference_mean": float(ref["mean"]),
                    "alternative_mean": float(alt["mean"]),
                    "mean": float(alt["diff"]),
                    "low": float(alt["diff_low"]),
                    "high": float(alt["diff_high"]),
                    "p_more": float("nan"),
                    "share_more": float(mine["share_pairs_more"].iloc[0])
                    if len(mine)
                    else float("nan"),
                    "members": 1,
                    "pairs": int(alt["n_pairs"]) if pd.notna(alt["n_pairs"]) else 0,
                }
            )
    covers = (
        "run-to-run chance in that world at its fixed parameters (t-interval of the mean paired "
        f"difference over the replicates; none below {MIN_PAIRS} pairs), not uncertainty "
        "about the world"
    )
    return Answer(
        "world", reference, alternative, pd.DataFrame(rows), members, covers, years, confidence
    )


def _member_differences(
    runs: pd.DataFrame,
    reference: str,
    alternative: str,
    metrics: list[str],
    weights: pd.Series | None,
) -> pd.DataFrame:
    """Each world's mean paired difference of the first draw, its standard error and weight."""
    first = runs[runs["draw"] == runs["draw"].min()]
    first = first[first["policy"].astype(str).isin([reference, alternative])]
    pairs = paired_differences(first, reference, ["world"], metrics)
    pairs = pairs[pairs["policy"].astype(str) == alternative]
    worlds = pairs["world"].astype(str)
    records = []
    for metric in metrics:
        spread = pooled_sd(worlds.to_numpy(), pairs[metric].to_numpy(float))
        for world, values in pairs[metric].groupby(worlds, sort=True):
            n = len(values)
            own = float(values.std(ddof=1)) if n > 1 else 0.0
            sd = spread if weights is not None else own
            weight = float(weights.get(world, 0.0)) if weights is not None else 1.0
            records.append(
                {
                    "world": world,
                    "weight": weight,
                    "metric": metric,
                    "mean": float(values.mean()),
                    "se": sd / math.sqrt(n),
                    "pairs": n,
                    "share_pairs_more": float((values > 0).mean()),
                }
            )
    members = pd.DataFrame(
        records, columns=["world", "weight", "metric", "mean", "se", "pairs", "share_pairs_more"]
    )
    total = members.groupby("metric")["weight"].transform("sum")
    members["weight"] = (members["weight"] / total).where(total > 0, 0.0)
    return members


def _is_factorial(runs: pd.DataFrame, reference: str) -> bool:
    try:
        return len(factors(runs, reference)) >= 2
    except AnalysisError:
        return False


def _span(folder: Path, years: float | None) -> str:
    """The period the run summaries count, in words.

    With ``time.policy_start_year`` among the batch's overrides the summaries count from that
    year (the years before it are a replay, ``model.policy_start``) to the run's last calendar
    year, read off the weekly series (a run's summary counts only the years from the start, so
    its ``years`` is not the run's length).
    """
    config = load_manifest(folder).get("config") or {}
    start = (config.get("overrides") or {}).get("time.policy_start_year")
    if start is None:
        return f"Over {years:g} year{'' if years == 1 else 's'}" if years else ""
    last = _last_year(Path(folder))
    if last is None:
        return f"From {int(start)}"
    return f"Over {int(start)}-{last}"


def _last_year(folder: Path) -> int | None:
    """The last calendar year the runs reach, from one weekly file (``None`` without any)."""
    files = sorted((folder / "weekly").glob("*.parquet"))
    if not files:
        return None
    try:
        return int(pd.read_parquet(files[0], columns=["year"])["year"].max())
    except (OSError, ValueError, KeyError):
        return None


def _years(runs: pd.DataFrame, folder: Path) -> float | None:
    if "years" in runs.columns and runs["years"].nunique() == 1:
        return float(runs["years"].iloc[0])
    years = (load_manifest(folder).get("config") or {}).get("years")
    return float(years) if years is not None else None


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
    screened = runs[OUTCOME.initial_screenings].where(runs[OUTCOME.initial_screenings] > 0)
    runs["hit_rate"] = runs["identified_mechanism"] / screened
    rows = [fit_row(int(year), block, figures) for year, block in runs.groupby("year", sort=True)]
    header = ["year"]
    for view, (_, relative, absolute) in FIT_VIEWS.items():
        rule = f"{relative:.0%}" + (f" or {absolute:g}" if absolute else "")
        header += [f"{FIT_WORDS[view]}: simulated (5-95%)", "published", f"within {rule}"]
    header += ["Hit rate (identified / screened): simulated (5-95%)", "published", "within"]
    return Table(
        title=(
            f"Fit check: {reference.replace('_', ' ')} in the worlds compared, against the "
            "published record"
        ),
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
    screened, identified = OUTCOME.initial_screenings, "identified_mechanism"
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
