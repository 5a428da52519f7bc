"""Policy comparisons: every outcome per world and policy, paired against a reference policy.

``compare`` returns a tidy (long) table with one row per result folder, world, draw, policy and
outcome; the formatted tables in :mod:`analysis.tables` are built from it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import pandas as pd

from analysis.cost_effectiveness import METRICS as COST_METRICS
from analysis.cost_effectiveness import cost_rows
from analysis.errors import AnalysisError
from analysis.results import SOURCE, outcome_columns, parameter_columns
from analysis.statistics import CONFIDENCE, paired_summary, replicate_summary
from result_folder.outcomes import OUTCOME

#: The identification funnel, from victims present to traffickers convicted.
FUNNEL: dict[str, str] = {
    OUTCOME.victims_present: "victims present",
    OUTCOME.victims_encountered: "encountered by the authorities",
    OUTCOME.victims_screened: "screened",
    OUTCOME.victims_identified: "identified",
    OUTCOME.witnesses_cooperating: "cooperating as witnesses",
    OUTCOME.investigations: "investigations opened",
    OUTCOME.prosecutions: "prosecutions begun",
    OUTCOME.convictions: "traffickers convicted",
}
#: Outcomes shown when none are chosen in short tables: the funnel, the rate, harms, cost.
HEADLINE: tuple[str, ...] = (
    *FUNNEL,
    OUTCOME.identification_rate,
    OUTCOME.false_positives,
    OUTCOME.victims_detained,
    OUTCOME.victim_detention_days,
    OUTCOME.victims_removed_unidentified,
    OUTCOME.cost_hkd,
)
#: Metric group names accepted in place of outcome names.
METRIC_GROUPS = ("all", "headline", "funnel")
#: Columns of a comparison about the paired difference (NaN for the reference policy).
PAIRED_COLUMNS = ("n_pairs", "diff", "diff_low", "diff_high", "rel", "rel_low", "rel_high")
#: Policy compared against when none is named and it is present: today's practice.
DEFAULT_REFERENCE = "detention_first"


def compare(
    table: pd.DataFrame,
    reference: str | None = None,
    metrics: Iterable[str] | None = None,
    confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """Compare policies: replicate statistics and paired differences against a reference.

    Args:
        table: Run summaries from :func:`analysis.load` (one row per run).
        reference: Policy to compare against (default ``detention_first`` if present, else
            the first policy of the batch).
        metrics: Outcome names or group names (``all``, ``headline``, ``funnel``); default
            every outcome, the funnel first.
        confidence: Coverage of the t-intervals (see :mod:`analysis.statistics`).

    When ``cost_hkd`` is among the metrics, the cost per victim identified, the cost per
    prosecution and the incremental cost per extra victim identified follow it
    (:mod:`analysis.cost_effectiveness`; the last has its value in ``diff``).

    Returns:
        One row per source, world, draw (with its ``param:`` values), policy and metric:
        ``reference``, ``n``, ``mean``, ``median``, ``low``/``high`` (central interval of the
        replicates), ``mean_low``/``mean_high`` (t-interval of the mean), and for policies
        other than the reference ``n_pairs``, ``diff`` (mean paired difference), ``diff_low``/
        ``diff_high`` (its t-interval), ``rel`` (relative change, a fraction) and
        ``rel_low``/``rel_high``.

    Raises:
        AnalysisError: Unknown metric or reference policy.
    """
    if not 0 < confidence < 1:
        raise AnalysisError(f"confidence {confidence}: must be between 0 and 1 (e.g. 0.95)")
    table = _as_runs(table)
    chosen = select_metrics(table, metrics)
    ref = resolve_reference(table, reference)
    by = group_columns(table)
    stats = replicate_summary(table, [*by, "policy"], chosen, confidence)
    paired = paired_summary(table, ref, by, chosen, confidence)
    stats["policy"] = stats["policy"].astype(str)
    result = stats.merge(paired, on=[*by, "policy", "metric"], how="left")
    if OUTCOME.cost_hkd in chosen:  # cost per victim found, after the cost itself
        costs = cost_rows(table, ref, by, confidence)
        if not costs.empty:
            result = pd.concat([result, costs], ignore_index=True)
            at = chosen.index(OUTCOME.cost_hkd) + 1
            chosen = [*chosen[:at], *COST_METRICS, *chosen[at:]]
    result.insert(len(by) + 1, "reference", ref)
    for name in PAIRED_COLUMNS:
        if name not in result:
            result[name] = float("nan")
    order = {name: i for i, name in enumerate(chosen)}
    policies = list(table["policy"].cat.categories)
    result["policy"] = pd.Categorical(result["policy"], categories=policies)
    result = result.sort_values(
        [*by, "policy", "metric"],
        key=lambda col: col.map(order) if col.name == "metric" else col,
        kind="stable",
    )
    stat_columns = [c for c in stats.columns if c not in (*by, "policy", "metric")]
    columns = [*by, "policy", "reference", "metric", *stat_columns, *PAIRED_COLUMNS]
    result = result[columns].reset_index(drop=True)
    result.attrs["intervals"] = {"confidence": confidence, "method": "t"}
    return result


def funnel(comparison: pd.DataFrame) -> pd.DataFrame:
    """The identification funnel from a comparison: mean counts and share of victims present.

    Args:
        comparison: Output of :func:`compare` including the funnel's outcomes.

    Returns:
        One row per source, world, draw, policy and stage: ``stage`` (outcome name),
        ``label``, ``mean``, ``low``, ``high``, ``share`` (of victims present) and
        ``step`` (of the previous stage).
    """
    missing = [name for name in FUNNEL if name not in set(comparison["metric"])]
    if missing:
        raise AnalysisError(f"the comparison lacks funnel outcome(s) {', '.join(missing)}")
    by = [c for c in comparison.columns if c in (SOURCE, "world", "draw", "policy")]
    by += [c for c in comparison.columns if c.startswith("param:")]
    rows = comparison[comparison["metric"].isin(list(FUNNEL))].copy()
    rows["order"] = rows["metric"].map({name: i for i, name in enumerate(FUNNEL)})
    rows = rows.sort_values([*by, "order"], kind="stable")
    grouped = rows.groupby(by, observed=True, dropna=False, sort=False)["mean"]
    first = grouped.transform("first")
    previous = grouped.shift(1)
    rows["share"] = (rows["mean"] / first).where(first > 0)
    rows["step"] = (rows["mean"] / previous).where(previous > 0)
    rows["label"] = rows["metric"].map(FUNNEL)
    rows = rows.rename(columns={"metric": "stage"})
    return rows[[*by, "stage", "label", "mean", "low", "high", "share", "step"]].reset_index(
        drop=True
    )


def select_metrics(table: pd.DataFrame, metrics: Iterable[str] | None) -> list[str]:
    """Resolve outcome and group names to the table's outcome columns, funnel first.

    Raises:
        AnalysisError: A name is neither an outcome of the table nor a group, with the closest
            names.
    """
    available = outcome_columns(table)
    ordered = [m for m in HEADLINE if m in available]
    ordered += [m for m in available if m not in ordered]
    if metrics is None:
        return ordered
    chosen: list[str] = []
    for name in metrics:
        if name == "all":
            chosen += ordered
        elif name in ("headline", "funnel"):
            group = HEADLINE if name == "headline" else tuple(FUNNEL)
            chosen += [m for m in group if m in available]
        elif name in available:
            chosen.append(name)
        else:
            hint = _hint(name, [*available, *METRIC_GROUPS])
            raise AnalysisError(f"unknown metric {name!r}{hint}")
    if not chosen:
        raise AnalysisError("no metrics chosen")
    return list(dict.fromkeys(chosen))


def resolve_reference(table: pd.DataFrame, reference: str | None) -> str:
    """The reference policy: the one named, else ``detention_first``, else the first.

    Raises:
        AnalysisError: The named policy is not in the results.
    """
    policies = [str(p) for p in table["policy"].cat.categories]
    if reference is None:
        return DEFAULT_REFERENCE if DEFAULT_REFERENCE in policies else policies[0]
    if reference not in policies:
        raise AnalysisError(f"unknown reference policy {reference!r}{_hint(reference, policies)}")
    return reference


def group_columns(table: pd.DataFrame) -> list[str]:
    """Columns within which replicates are paired: source, world, draw and swept values."""
    return [SOURCE, "world", "draw", *parameter_columns(table)]


def _as_runs(table: pd.DataFrame) -> pd.DataFrame:
    """Accept any table of runs: ``policy`` becomes categorical, ``source``/``draw`` default.

    Raises:
        AnalysisError: Columns that identify runs are missing.
    """
    missing = [name for name in ("world", "policy", "replicate") if name not in table.columns]
    if missing:
        raise AnalysisError(f"the table of runs lacks column(s) {', '.join(missing)}")
    if SOURCE in table.columns and "draw" in table.columns and hasattr(table["policy"], "cat"):
        return table
    table = table.copy()
    if SOURCE not in table.columns:
        table.insert(0, SOURCE, "results")
    if "draw" not in table.columns:
        table["draw"] = 0
    if not hasattr(table["policy"], "cat"):
        order = list(dict.fromkeys(table["policy"].astype(str)))
        table["policy"] = pd.Categorical(table["policy"].astype(str), categories=order)
    return table


def _hint(name: str, candidates: list[str]) -> str:
    """``: did you mean 'x'?`` for the closest candidate, else the list of candidates."""
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    if close:
        return f": did you mean {close[0]!r}?"
    return f": choose from {', '.join(candidates)}"
