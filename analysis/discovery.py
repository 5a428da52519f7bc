"""Scenario discovery: under which swept conditions does a reform fail to do better?

For each draw and replicate of a sweep, the paired difference ``reform - reference`` of an
outcome (same random numbers under both policies) is a case of interest when it is ``<= 0``
(the reform did not identify more victims). PRIM (the Patient Rule Induction Method, EMA
Workbench's implementation) then looks for boxes in the space of the swept ``param:`` columns
where such cases are dense. Each box is reported with its coverage (the share of all cases of
interest inside it), density (the share of runs inside it that are cases) and mass (the share
of runs inside it), and the ranges of the parameters it restricts.

The boxes are written as ``discovery.csv`` in the result folder; ``tipsim report`` shows them
when that file is present.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.comparison import DEFAULT_REFERENCE, group_columns
from analysis.errors import AnalysisError
from analysis.formatting import number, percent
from analysis.results import load, parameter_columns
from analysis.statistics import paired_differences
from analysis.tables import Table
from result_folder.outcomes import OUTCOME

#: File the boxes are written to, in the result folder.
FILENAME = "discovery.csv"
#: Smallest density a box must reach (PRIM's threshold).
THRESHOLD = 0.8


@dataclass
class Discovery:
    """The result of PRIM on one sweep."""

    boxes: pd.DataFrame  # one row per box and restricted parameter
    cases: int  # draws x replicates where the reform did not do better
    total: int  # draws x replicates compared
    question: str  # what the boxes answer


def discover(
    folder: str | Path,
    reference: str | None = None,
    policy: str | None = None,
    metric: str = OUTCOME.victims_identified,
    threshold: float = THRESHOLD,
    max_boxes: int = 3,
) -> Discovery:
    """Run PRIM over a sweep's paired differences.

    Args:
        folder: A result folder of a sweep (``param:`` columns that vary).
        reference: Reference policy (default ``detention_first`` when present).
        policy: The reform (default the first other policy).
        metric: Outcome whose paired difference ``<= 0`` is the case of interest.
        threshold: Smallest density of a box (PRIM stops peeling at the densest box; boxes
            that do not reach it are not reported).
        max_boxes: At most this many boxes (each found after removing the previous ones).

    Raises:
        AnalysisError: Not a sweep, an unknown policy or outcome, or the explore extra missing.
    """
    runs = load(folder)
    policies = [str(p) for p in runs["policy"].cat.categories]
    reference = reference or (DEFAULT_REFERENCE if DEFAULT_REFERENCE in policies else policies[0])
    others = [p for p in policies if p != reference]
    policy = policy or (others[0] if others else None)
    for name in (reference, policy):
        if name not in policies:
            raise AnalysisError(
                f"{folder}: no policy {name!r} in the results; choose from {', '.join(policies)}"
            )
    if policy == reference:
        raise AnalysisError(
            f"{folder}: the reform and the reference are the same policy ({policy!r}); a policy "
            f"compared with itself never differs: choose another of {', '.join(policies)}"
        )
    if metric not in runs.columns:
        raise AnalysisError(f"{folder}: no outcome {metric!r} in the run summaries")
    inputs = [c for c in parameter_columns(runs) if runs[c].nunique(dropna=True) > 1]
    if not inputs:
        raise AnalysisError(
            f"{folder}: no swept parameter varies; scenario discovery needs a sweep "
            "(a batch with a sweep: section)"
        )
    pairs = paired_differences(runs, reference, group_columns(runs), [metric])
    pairs = pairs[pairs["policy"] == policy].reset_index(drop=True)
    failed = (pairs[metric] <= 0).to_numpy()
    question = (
        f"where does {policy} fail to give more {metric} than {reference} (paired difference <= 0)?"
    )
    result = Discovery(_empty(), int(failed.sum()), len(failed), question)
    if failed.sum() == 0 or failed.all():
        return result
    result.boxes = _prim(pairs[inputs].reset_index(drop=True), failed, threshold, max_boxes)
    return result


def write(discovery: Discovery, folder: str | Path) -> Path:
    """Write the boxes as ``discovery.csv`` in ``folder``; return its path."""
    path = Path(folder) / FILENAME
    frame = discovery.boxes.copy()
    frame.attrs = {}
    frame.insert(0, "question", discovery.question)
    frame.insert(1, "cases", discovery.cases)
    frame.insert(2, "runs", discovery.total)
    frame.to_csv(path, index=False)
    return path


def describe(discovery: Discovery) -> str:
    """The boxes as text, one block per box."""
    lines = [
        f"Scenario discovery (PRIM): {discovery.question}",
        f"{discovery.cases} of {discovery.total} paired replicates are cases of interest.",
    ]
    if discovery.boxes.empty:
        lines.append(
            "No box found: "
            + (
                "there is no case of interest."
                if discovery.cases == 0
                else "every replicate is a case of interest."
                if discovery.cases == discovery.total
                else "no region reaches the density threshold."
            )
        )
        return "\n".join(lines)
    for box, rows in discovery.boxes.groupby("box", sort=True):
        first = rows.iloc[0]
        lines.append(
            f"Box {box}: coverage {percent(first['coverage'])}, density "
            f"{percent(first['density'])}, mass {percent(first['mass'])}"
        )
        for _, row in rows.iterrows():
            lines.append(f"  {row['parameter']}: {_range(row)}")
    return "\n".join(lines)


def read(folder: str | Path) -> pd.DataFrame | None:
    """The boxes written in a result folder, or ``None`` when there are none."""
    path = Path(folder) / FILENAME
    return pd.read_csv(path) if path.exists() else None


def table(boxes: pd.DataFrame, source: str) -> Table:
    """The boxes read back from ``discovery.csv`` as a report table."""
    question = str(boxes["question"].iloc[0]) if len(boxes) else ""
    rows = []
    for _, row in boxes.iterrows():
        rows.append(
            [
                str(int(row["box"])),
                str(row["parameter"]),
                _range(row),
                percent(row["coverage"]),
                percent(row["density"]),
                percent(row["mass"]),
            ]
        )
    cases = f"{int(boxes['cases'].iloc[0])} of {int(boxes['runs'].iloc[0])}" if len(boxes) else ""
    return Table(
        title=f"Scenario discovery (PRIM) in {source}: {question}",
        header=["box", "parameter", "range", "coverage", "density", "mass"],
        rows=rows,
        note=(
            f"Cases of interest: {cases} paired replicates. Coverage: share of all cases inside "
            "the box; density: share of the runs inside the box that are cases; mass: share of "
            "all runs inside the box. Parameters not listed are not restricted."
        ),
        label_columns=3,
    )


def _range(row: pd.Series) -> str:
    values = row.get("values")
    if isinstance(values, str) and values:
        return f"one of {row['values']}"
    return f"{number(row['low'])} to {number(row['high'])}"


def _prim(x: pd.DataFrame, y, threshold: float, max_boxes: int) -> pd.DataFrame:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # EMA Workbench warns about optional packages
            from ema_workbench.analysis import prim
    except ImportError as err:
        raise AnalysisError(
            'tipsim discover needs EMA Workbench: pip install -e ".[discover]"'
        ) from err
    x = x.copy()
    for column in x.columns:
        if not pd.api.types.is_numeric_dtype(x[column]) or pd.api.types.is_bool_dtype(x[column]):
            x[column] = x[column].astype(str).astype("category")
        else:
            x[column] = x[column].astype(float)
    x.columns = [c.removeprefix("param:") for c in x.columns]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        finder = prim.Prim(x, y, threshold=threshold, peel_alpha=0.1)
        initial = finder.box_init
        rows = []
        for number_ in range(1, max_boxes + 1):
            box = finder.find_box()
            if box is None or box.density < threshold:
                break
            limits = box.box_lim
            for name in x.columns:
                low, high = limits[name].iloc[0], limits[name].iloc[1]
                if isinstance(low, set):
                    if low == initial[name].iloc[0]:
                        continue
                    entry = {
                        "low": float("nan"),
                        "high": float("nan"),
                        "values": ", ".join(sorted(low)),
                    }
                else:
                    if low == initial[name].iloc[0] and high == initial[name].iloc[1]:
                        continue
                    entry = {"low": float(low), "high": float(high), "values": ""}
                rows.append(
                    {
                        "box": number_,
                        "coverage": float(box.coverage),
                        "density": float(box.density),
                        "mass": float(box.mass),
                        "parameter": name,
                        **entry,
                    }
                )
    return pd.DataFrame(rows, columns=_empty().columns)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        columns=["box", "coverage", "density", "mass", "parameter", "low", "high", "values"]
    )
