"""Who is found, and who is missed: the victims one policy identifies and the other does not.

Under common random numbers a migrant is the same person in both runs of a pair (the same
world, draw and replicate under two policies; ``model.dice``), so each victim's fates can be
set side by side (``fates/<run_id>.parquet``, ``model.fates``). A victim **found by the
policy only** is identified in the policy's run and not in the reference's (met and missed,
or never met there); **found by the reference only** is the reverse. Each is described as the
run that found them met them first: group, route of first contact, form of exploitation, fear
of retaliation, debt and trauma bands, and time since arrival.

Counts are means per pair of runs. Nothing here needs a live model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError
from analysis.results import Folders, listed_files, load, read_result_table
from analysis.tables import Table
from result_folder.layout import FATES_DIR

#: The columns that pair two runs (everything but the policy).
PAIR = ("source", "world", "draw", "replicate")
#: The descriptions of a victim, each a column of the paired table, with a heading.
DIMENSIONS = {
    "group": "group",
    "route": "route of first contact",
    "exploitation": "form of exploitation",
    "fear_band": "fear of retaliation",
    "debt_band": "debt still owed",
    "trauma": "trauma",
    "since_arrival": "time since arrival",
}
#: Band edges: fear of retaliation (0-1), debt (months of salary), weeks since arrival.
FEAR_BANDS = ((0.3, "low (< 0.3)"), (0.6, "medium (0.3-0.6)"), (np.inf, "high (>= 0.6)"))
DEBT_BANDS = ((1e-9, "none"), (4.0, "under 4 months"), (np.inf, "4 months or more"))
ARRIVAL_BANDS = ((26, "under 6 months"), (104, "6 months to 2 years"), (np.inf, "2 years or more"))
IDENTIFIED = "identified"


def _band(values: pd.Series, bands: tuple) -> pd.Categorical:
    edges = [edge for edge, _ in bands]
    labels = [label for _, label in bands]
    codes = np.searchsorted(edges, values.to_numpy(dtype=float), side="right")
    return pd.Categorical.from_codes(np.minimum(codes, len(labels) - 1), categories=labels)


def describe(fates: pd.DataFrame) -> pd.DataFrame:
    """Add the band columns of :data:`DIMENSIONS` to a fates table."""
    out = fates.copy()
    out["fear_band"] = _band(out["fear_retaliation"], FEAR_BANDS)
    out["debt_band"] = _band(out["debt_months"], DEBT_BANDS)
    out["trauma"] = pd.Categorical(
        np.where(out["ptsd"], "PTSD", "no PTSD"), categories=["PTSD", "no PTSD"]
    )
    out["since_arrival"] = _band(out["weeks_since_arrival"], ARRIVAL_BANDS)
    return out


def load_fates(folders: Folders) -> pd.DataFrame:
    """The fates of every run of the folders, with each run's identity and policy.

    Raises:
        AnalysisError: A folder holds no fates (a batch run before fates were recorded).
    """
    paths = [folders] if isinstance(folders, str | Path) else list(folders)
    frames = []
    for path in map(Path, paths):
        runs = load(path)
        runs["source"] = str(path)
        files = listed_files(path, FATES_DIR, optional=True) or []  # only the listed runs'
        if not files:
            raise AnalysisError(
                f"{path}: no victims' fates ({FATES_DIR}/ is missing or empty): run the batch "
                "with this version of the model to record them"
            )
        fates = pd.concat([read_result_table(file) for file in files], ignore_index=True)
        fates["run_id"] = fates["run_id"].astype(str)
        identity = runs[["run_id", *PAIR, "policy"]].astype({"run_id": str, "policy": str})
        frames.append(fates.merge(identity, on="run_id", how="inner"))
    return describe(pd.concat(frames, ignore_index=True))


@dataclass
class Who:
    """The victims found by one policy and missed by the reference, and the reverse.

    Attributes:
        policy, reference: The two policies.
        pairs: Number of pairs of runs.
        met: Victims met by the authorities in either run, a mean per pair.
        differing: Victims whose fate differs between the runs, a mean per pair.
        found_only: Victims identified under ``policy`` and not under ``reference``, described
            as ``policy``'s run met them (one row per victim and pair).
        missed_only: Victims identified under ``reference`` and not under ``policy``.
    """

    policy: str
    reference: str
    pairs: int
    met: float
    differing: float
    found_only: pd.DataFrame
    missed_only: pd.DataFrame

    def by(self, dimension: str) -> pd.DataFrame:
        """Means per pair of both sets by one description, and their difference."""
        found = self.found_only[dimension].value_counts(sort=False) / self.pairs
        missed = self.missed_only[dimension].value_counts(sort=False) / self.pairs
        table = pd.DataFrame(
            {f"found by {self.policy} only": found, f"found by {self.reference} only": missed}
        ).fillna(0.0)
        table["net"] = table.iloc[:, 0] - table.iloc[:, 1]
        table.index.name = DIMENSIONS[dimension]
        return table


def who(folders: Folders, reference: str | None = None, policy: str | None = None) -> list[Who]:
    """Compare victims' fates between ``reference`` and each other policy (or ``policy``).

    Args:
        folders: Result folders of a batch with two or more policies.
        reference: The reference policy (default ``detention_first`` if present, else the
            first).
        policy: Only this policy against the reference (default every other one).

    Raises:
        AnalysisError: Fewer than two policies, or no pair of runs.
    """
    fates = load_fates(folders)
    policies = list(dict.fromkeys(fates["policy"]))
    reference = reference or ("detention_first" if "detention_first" in policies else policies[0])
    others = [p for p in policies if p != reference] if policy is None else [policy]
    if reference not in policies or not others or any(p not in policies for p in others):
        raise AnalysisError(
            f"policies in the folders: {', '.join(policies)}; choose two of them "
            f"(reference {reference!r})"
        )
    return [_compare(fates, reference, other) for other in others]


def _compare(fates: pd.DataFrame, reference: str, policy: str) -> Who:
    key = [*PAIR, "person_id"]
    ref = fates[fates["policy"] == reference].set_index(key)
    alt = fates[fates["policy"] == policy].set_index(key)
    runs = fates[fates["policy"].isin([reference, policy])]
    pair_runs = runs.groupby(list(PAIR), observed=True)["policy"].nunique()
    pairs = int((pair_runs == 2).sum())
    if pairs == 0:
        raise AnalysisError(f"no pair of runs of {reference} and {policy} (same world and seed)")
    both = ref[["fate"]].add_suffix("_ref").join(alt[["fate"]].add_suffix("_alt"), how="outer")
    both = both[both.index.droplevel("person_id").isin(pair_runs[pair_runs == 2].index)]
    ref_found = both["fate_ref"].astype(str) == IDENTIFIED
    alt_found = both["fate_alt"].astype(str) == IDENTIFIED
    differing = both["fate_ref"].astype(str) != both["fate_alt"].astype(str)
    found_only = alt.loc[both.index[alt_found & ~ref_found]].reset_index()
    missed_only = ref.loc[both.index[ref_found & ~alt_found]].reset_index()
    return Who(
        policy=policy,
        reference=reference,
        pairs=pairs,
        met=len(both) / pairs,
        differing=float(differing.sum()) / pairs,
        found_only=found_only,
        missed_only=missed_only,
    )


def who_text(folders: Folders, reference: str | None = None, fmt: str = "md") -> str:
    """The tables of :func:`who` as Markdown (``md``) or one tidy CSV (``csv``)."""
    results = who(folders, reference)
    if fmt == "csv":
        rows = []
        for result in results:
            for dimension in DIMENSIONS:
                table = result.by(dimension).reset_index()
                table.columns = ["value", "found_by_policy_only", "found_by_reference_only", "net"]
                table.insert(0, "dimension", dimension)
                table.insert(0, "reference", result.reference)
                table.insert(0, "policy", result.policy)
                rows.append(table)
        return pd.concat(rows, ignore_index=True).to_csv(index=False, float_format="%.6g")
    if fmt != "md":
        raise AnalysisError(f"compare --who writes md or csv, not {fmt!r}")
    return "\n".join(who_markdown(result) for result in results)


def who_markdown(result: Who) -> str:
    """One comparison as Markdown: the totals, then one table per description."""
    lines = [
        f"### Who is found: {result.policy} against {result.reference}",
        "",
        f"Means per pair of runs ({result.pairs} pairs, the same victims under both policies): "
        f"{result.met:.1f} victims met by the authorities under either policy, "
        f"{result.differing:.1f} with a different fate; "
        f"{len(result.found_only) / result.pairs:.1f} identified by {result.policy} only, "
        f"{len(result.missed_only) / result.pairs:.1f} by {result.reference} only.",
        "",
    ]
    for dimension in DIMENSIONS:
        table = result.by(dimension)
        lines.append("| " + " | ".join([table.index.name, *table.columns]) + " |")
        lines.append("|---" * (len(table.columns) + 1) + "|")
        for value, row in table.iterrows():
            cells = " | ".join(f"{v:.2f}" for v in row)
            lines.append(f"| {value} | {cells} |")
        lines.append("")
    return "\n".join(lines)


def report_tables(folders: Folders, reference: str | None = None) -> list[Table]:
    """The report's section: one table per policy against the reference (none without fates).

    A self-contained hook for :mod:`analysis.report`: folders whose runs recorded no fates, or
    hold one policy, get no section.
    """
    try:
        results = who(folders, reference)
    except AnalysisError:
        return []
    tables = []
    for result in results:
        rows = []
        for dimension, heading in DIMENSIONS.items():
            for value, row in result.by(dimension).iterrows():
                rows.append([heading, str(value), *(f"{v:.2f}" for v in row)])
        tables.append(
            Table(
                title=f"Who is found: {result.policy} against {result.reference}",
                header=[
                    "description",
                    "value",
                    f"found by {result.policy} only",
                    f"found by {result.reference} only",
                    "net",
                ],
                rows=rows,
                note=(
                    f"Victims identified under one policy and not under the other, means per pair "
                    f"of runs ({result.pairs} pairs; the same victims under both policies), as "
                    f"the run that found them met them first. Of {result.met:.1f} victims met "
                    f"under either policy, {result.differing:.1f} had a different fate."
                ),
                label_columns=2,
            )
        )
    return tables
