"""Which part of a policy bundle makes the difference: a 2^k factorial decomposition.

A factorial batch (``experiments/policy_decomposition.yaml``) runs every combination of *k*
two-level components of a policy: the strategy (screening timing) and swept levers. Each
component has a **status-quo** level (the reference policy; the lower value of a swept lever,
e.g. ``false``, ``1``, ``0.5``) and a **reform** level (the other policy; the higher value). The
*total gain* is the outcome at the all-reform corner minus the outcome at the all-status-quo
corner, replicate by replicate on common random numbers.

The total is split exactly, per replicate, by the anchored factorial decomposition (Möbius
inversion over the 2^k corners; the terms are the Harsanyi dividends of the corners)::

    term(S) = sum over T subset of S of (-1)^(|S| - |T|) * y(T)

where ``y(T)`` is the outcome with the components in ``T`` at their reform level and the others
at the status quo. ``term({i})`` is the **main effect** of component *i*: switching it alone
from the status quo. ``term(S)`` for ``|S| >= 2`` is the **interaction** of the components in
``S``: what switching them together adds beyond the lower-order terms. The terms of all
non-empty ``S`` add up to ``y(all) - y(none)`` exactly. The **Shapley attribution** of a
component is the sum of the terms it belongs to, each divided by the number of components in
it (the Shapley value over the 2^k corners); the k attributions also add up to the total.

Means over replicates come with the t-intervals of :mod:`analysis.statistics` (none below
:data:`~analysis.statistics.MIN_PAIRS` replicates): stochastic uncertainty at fixed world
parameters only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from analysis.comparison import resolve_reference, select_metrics
from analysis.errors import AnalysisError
from analysis.formatting import format_difference, format_value, missing, percent
from analysis.results import SOURCE, Folders, load, parameter_columns
from analysis.statistics import CONFIDENCE, MIN_PAIRS, TOO_FEW, t_interval
from analysis.tables import FORMATS, Table, to_html, to_latex, to_markdown
from result_folder.outcomes import OUTCOME

#: Outcomes decomposed when none are chosen.
DEFAULT_METRICS = (
    OUTCOME.victims_identified,
    OUTCOME.prosecutions,
    OUTCOME.victims_removed_unidentified,
)
#: Short names of the levers of ``experiments/policy_decomposition.yaml``.
LEVER_NAMES = {
    "screening.tier2_support": "supported tier-2",
    "screening.tier2_sessions": "sessions",
    "screening.offender_screening_probability": "screening chance in detention",
}
#: Name of the strategy component.
TIMING = "screening timing"


@dataclass(frozen=True)
class Factor:
    """One two-level component of the policy bundle.

    Attributes:
        name: Short name shown in tables.
        column: Column of the runs table holding the level (``policy`` or ``param:...``).
        status_quo: Value at the status-quo level.
        reform: Value at the reform level.
    """

    name: str
    column: str
    status_quo: Any
    reform: Any

    def describe(self) -> str:
        """``name: status quo -> reform``."""
        return f"{self.name}: {_plain(self.status_quo)} → {_plain(self.reform)}"


def factors(runs: pd.DataFrame, reference: str | None = None) -> list[Factor]:
    """The factorial's components found in a table of runs.

    The strategy is a component when the runs hold two policies (status quo: the reference);
    each swept parameter with two values is one (status quo: the lower value).

    Raises:
        AnalysisError: The runs are not a two-level factorial (a swept parameter with more than two
            values, more than two policies, or no component at all).
    """
    found = []
    policies = [str(p) for p in runs["policy"].cat.categories if (runs["policy"] == p).any()]
    if len(policies) > 2:
        raise AnalysisError(
            f"a decomposition needs one or two policies, the results hold {len(policies)} "
            f"({', '.join(policies)}); compare two of them in a factorial batch"
        )
    if len(policies) == 2:
        ref = resolve_reference(runs, reference)
        other = next(p for p in policies if p != ref)
        found.append(Factor(TIMING, "policy", ref, other))
    for column in parameter_columns(runs):
        values = sorted(runs[column].dropna().unique().tolist())
        name = column.removeprefix("param:")
        if len(values) > 2:
            raise AnalysisError(
                f"a decomposition needs two levels per component; {name} was swept over "
                f"{len(values)} values ({', '.join(map(_plain, values))})"
            )
        if len(values) == 2:
            found.append(Factor(LEVER_NAMES.get(name, name), column, values[0], values[1]))
    if not found:
        raise AnalysisError(
            "the results are not a factorial (one policy and no swept parameter with two "
            "values); run a batch like experiments/policy_decomposition.yaml"
        )
    return found


def decompose(
    runs: pd.DataFrame,
    reference: str | None = None,
    metrics: Iterable[str] | None = None,
    confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """Decompose the total gain of the reform bundle into main effects and interactions.

    Args:
        runs: One row per run (:func:`analysis.load`) of a two-level factorial.
        reference: The status-quo policy (default ``detention_first`` if present).
        metrics: Outcomes (default :data:`DEFAULT_METRICS` present in the runs).
        confidence: Coverage of the t-intervals.

    Returns:
        Tidy table, one row per source, world, metric and term: ``kind`` (``status quo``,
        ``reform``, ``total``, ``main``, ``interaction``, ``shapley``), ``term`` (components
        joined by " × "), ``order`` (number of components), ``n`` (complete replicates),
        ``mean``, ``low``, ``high`` (t-interval; NaN below :data:`MIN_PAIRS`) and ``share``
        (of the total's mean; NaN when the total's interval includes zero). The main and
        interaction rows add up to the total row exactly, and so do the Shapley rows.

    Raises:
        AnalysisError: Not a factorial, unknown metric, or no replicate with every corner.
    """
    if not 0 < confidence < 1:
        raise AnalysisError(f"confidence {confidence}: must be between 0 and 1 (e.g. 0.95)")
    if not hasattr(runs["policy"], "cat"):
        runs = runs.assign(policy=pd.Categorical(runs["policy"].astype(str)))
    if metrics is None:
        chosen = [m for m in DEFAULT_METRICS if m in runs.columns]
    else:
        chosen = select_metrics(runs, metrics)
    parts = factors(runs, reference)
    groups = [c for c in (SOURCE, "world") if c in runs.columns]
    frames = []
    for key, group in runs.groupby(groups, observed=True, sort=True) if groups else [((), runs)]:
        corners = corner_values(group, parts, chosen)
        labels = dict(zip(groups, key if isinstance(key, tuple) else (key,), strict=True))
        frames.append(_summarise(corners, parts, chosen, confidence, labels))
    result = pd.concat(frames, ignore_index=True)
    result.attrs["factors"] = [f.describe() for f in parts]
    result.attrs["confidence"] = confidence
    return result


def corner_values(group: pd.DataFrame, parts: list[Factor], metrics: list[str]) -> np.ndarray:
    """Outcomes at every corner: array ``(2^k, replicates, metrics)``.

    Corner ``c`` has component ``i`` at its reform level when bit ``i`` of ``c`` is set. Only
    replicates with a run at every corner are kept.

    Raises:
        AnalysisError: A corner has two runs for one replicate, or no replicate is complete.
    """
    mask = np.zeros(len(group), dtype=np.int64)
    known = np.ones(len(group), dtype=bool)
    for bit, part in enumerate(parts):
        column = group[part.column].astype(str) if part.column == "policy" else group[part.column]
        high = (column == part.reform).to_numpy()
        known &= high | (column == part.status_quo).to_numpy()
        mask |= high.astype(np.int64) << bit
    table = group.loc[known, ["replicate", *metrics]].assign(corner=mask[known])
    if table.duplicated(["corner", "replicate"]).any():
        raise AnalysisError(
            "two runs share a corner and a replicate: the results mix a factorial with "
            "something else (another sweep or batch); decompose one factorial batch"
        )
    wide = table.pivot(index="replicate", columns="corner", values=metrics)
    wide = wide.dropna()
    count = 2 ** len(parts)
    if wide.empty or wide.columns.get_level_values("corner").nunique() < count:
        raise AnalysisError(
            f"no replicate has a run at all {count} corners of the factorial "
            f"({'; '.join(p.describe() for p in parts)}); finish the batch first"
        )
    values = np.stack(
        [wide[metric].reindex(columns=range(count)).to_numpy(dtype=float) for metric in metrics],
        axis=-1,
    )  # (replicates, corners, metrics)
    return values.transpose(1, 0, 2)


def dividends(corners: np.ndarray) -> np.ndarray:
    """Möbius inversion over the corners: ``term(S)`` for every subset ``S`` (as a bit mask).

    Args:
        corners: Array whose first axis has length 2^k (corner ``c``: bits = reform levels).

    Returns:
        Same shape: entry 0 is the status-quo corner, entry ``S > 0`` the term of ``S``.
    """
    terms = np.array(corners, dtype=float, copy=True)
    size = terms.shape[0]
    k = size.bit_length() - 1
    if 2**k != size:
        raise ValueError(f"expected 2^k corners, got {size}")
    for bit in range(k):
        step = 1 << bit
        for subset in range(size):
            if subset & step:
                terms[subset] -= terms[subset ^ step]
    return terms


def shapley(terms: np.ndarray) -> np.ndarray:
    """Shapley attribution of each component: its terms, each shared equally by its members.

    Args:
        terms: Output of :func:`dividends` (first axis 2^k).

    Returns:
        Array with first axis k (one entry per component).
    """
    size = terms.shape[0]
    k = size.bit_length() - 1
    result = np.zeros((k, *terms.shape[1:]))
    for subset in range(1, size):
        members = [i for i in range(k) if subset >> i & 1]
        for i in members:
            result[i] += terms[subset] / len(members)
    return result


def decomposition_tables(table: pd.DataFrame) -> list[Table]:
    """One table per result folder and world: every term, per metric, with its share."""
    tables = []
    level = f"{100 * table.attrs.get('confidence', CONFIDENCE):g}%"
    groups = [c for c in (SOURCE, "world") if c in table.columns]
    metrics = list(dict.fromkeys(table["metric"]))
    for key, block in table.groupby(groups, sort=False) if groups else [((), table)]:
        key = key if isinstance(key, tuple) else (key,)
        rows_order = list(dict.fromkeys(zip(block["kind"], block["term"], strict=True)))
        header = ["kind", "term"]
        for metric in metrics:
            header += [f"{metric}: mean [{level} CI]", f"{metric}: share"]
        rows = []
        for kind, term in rows_order:
            row = [kind, term]
            for metric in metrics:
                match = block[
                    (block["kind"] == kind) & (block["term"] == term) & (block["metric"] == metric)
                ]
                row += _cells(match.iloc[0]) if len(match) else ["", ""]
            rows.append(row)
        _blank_repeated_kinds(rows)
        n = int(block["n"].iloc[0])
        where = " · ".join(str(k) for k in key)
        tables.append(
            Table(
                title=f"Decomposition of the reform's gain{' — ' + where if where else ''}",
                header=header,
                rows=rows,
                note=_note(table, n, level),
                label_columns=2,
            )
        )
    return tables


def decomposition_text(
    folders: Folders,
    reference: str | None = None,
    metrics: Iterable[str] | None = None,
    fmt: str = "md",
    confidence: float = CONFIDENCE,
) -> str:
    """Load a factorial batch's results and format its decomposition (for printing)."""
    if fmt not in FORMATS:
        raise AnalysisError(f"unknown format {fmt!r}: choose from {', '.join(FORMATS)}")
    table = decompose(load(folders), reference, metrics, confidence)
    if fmt == "csv":
        return table.to_csv(index=False, float_format="%.10g")
    writer = {"md": to_markdown, "latex": to_latex, "html": to_html}[fmt]
    return "\n\n".join(writer(t) for t in decomposition_tables(table)) + "\n"


def report_section(runs: pd.DataFrame, reference: str | None = None) -> list[Table]:
    """The report's decomposition section: its tables, or none when the runs are no factorial.

    A self-contained hook for :mod:`analysis.report`: only two-level factorials of at least two
    components get a section (a plain two-policy comparison is the comparison table itself).
    """
    try:
        parts = factors(runs, reference)
        if len(parts) < 2:
            return []
        return decomposition_tables(decompose(runs, reference))
    except AnalysisError:
        return []


def _summarise(
    corners: np.ndarray,
    parts: list[Factor],
    metrics: list[str],
    confidence: float,
    labels: dict[str, Any],
) -> pd.DataFrame:
    terms = dividends(corners)  # (2^k, replicates, metrics)
    total = corners[-1] - corners[0]
    k = len(parts)
    rows: list[tuple[str, str, int, np.ndarray]] = [
        ("status quo", "all components at the status quo", 0, corners[0]),
        ("reform", "all components at the reform level", k, corners[-1]),
        ("total", "total gain (reform − status quo)", k, total),
    ]
    for order in range(1, k + 1):
        for members in combinations(range(k), order):
            subset = sum(1 << i for i in members)
            name = " × ".join(parts[i].name for i in members)
            rows.append(("main" if order == 1 else "interaction", name, order, terms[subset]))
    for i, value in enumerate(shapley(terms)):
        rows.append(("shapley", parts[i].name, 1, value))
    n = corners.shape[1]
    total_mean = total.mean(axis=0)
    meaningful = total_mean != 0
    if n >= MIN_PAIRS:  # shares of a total indistinguishable from zero say nothing
        total_low, total_high = t_interval(total, confidence)
        meaningful &= (total_low > 0) | (total_high < 0)
    records = []
    for kind, term, order, values in rows:
        mean = values.mean(axis=0)
        if n >= MIN_PAIRS:
            low, high = t_interval(values, confidence)
        else:
            low = high = np.full(len(metrics), np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(meaningful, mean / total_mean, np.nan)
        for j, metric in enumerate(metrics):
            records.append(
                {
                    **labels,
                    "metric": metric,
                    "kind": kind,
                    "term": term,
                    "order": order,
                    "n": n,
                    "mean": mean[j],
                    "low": low[j],
                    "high": high[j],
                    "share": share[j] if kind not in ("status quo", "reform") else np.nan,
                }
            )
    return pd.DataFrame(records)


def _cells(row: pd.Series) -> list[str]:
    metric = str(row["metric"])
    if row["kind"] in ("status quo", "reform"):
        mean = format_value(row["mean"], metric)
    else:
        mean = format_difference(row["mean"], metric)
    if int(row["n"]) < MIN_PAIRS:
        mean += f" [{TOO_FEW}]"
    elif not missing(row["low"]):
        show = format_value if row["kind"] in ("status quo", "reform") else format_difference
        mean += f" [{show(row['low'], metric)}, {show(row['high'], metric)}]"
    share = "" if missing(row["share"]) else percent(row["share"])
    return [mean, share]


def _blank_repeated_kinds(rows: list[list[str]]) -> None:
    shown = None
    for row in rows:
        if row[0] == shown:
            row[0] = ""
        else:
            shown = row[0]


def _note(table: pd.DataFrame, n: int, level: str) -> str:
    parts = "; ".join(table.attrs.get("factors", []))
    return (
        f"Components (status quo → reform): {parts}. Anchored 2^k factorial decomposition on "
        f"{n} paired replicates (every corner on the same random numbers): a main effect "
        "switches one component alone from the status quo; an interaction is what switching "
        "components together adds beyond their lower-order terms; main effects and "
        "interactions add up to the total exactly. Shapley: each component's main effect plus "
        "an equal share of every interaction it is in (these also add up to the total). "
        "Share: of the total gain, left blank when the total's interval includes zero. "
        f"Brackets: {level} t-interval of the mean over the "
        f"replicates (stochastic uncertainty at fixed parameters only; none below {MIN_PAIRS} "
        f"replicates, {TOO_FEW})."
    )


def _plain(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return str(bool(value)).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
