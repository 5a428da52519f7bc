"""The report's answer first: one sentence per outcome group, with its interval and its scope.

For each policy other than the reference, and each group (identification, harms, justice,
cost), a sentence says by how much the policy changed the outcome against the reference over
the run, with the bootstrap interval of the mean paired difference and what that interval
covers (replicate-to-replicate chance in one world, not uncertainty about the world). When the
results hold several worlds (e.g. the members of a calibrated ensemble), the sentence adds the
share of worlds in which the policy identified more victims.
"""

from __future__ import annotations

import pandas as pd

from analysis.formatting import format_difference, missing, number
from analysis.results import SOURCE
from analysis.statistics import MIN_PAIRS
from analysis.tables import _level

#: Outcome groups and the outcomes each sentence reports, in order.
GROUPS: dict[str, tuple[str, ...]] = {
    "Identification": ("victims_identified",),
    "Harms": ("victims_removed_unidentified", "victims_detained"),
    "Justice": ("convictions",),
    "Cost": ("cost_hkd",),
}
#: How a change in each outcome is said: (verb phrase before the number, noun after it).
PHRASES: dict[str, tuple[str, str]] = {
    "victims_identified": ("identified", "victims"),
    "victims_removed_unidentified": ("removed", "victims without identifying them"),
    "victims_detained": ("detained victims", "times"),
    "convictions": ("convicted", "traffickers"),
    "cost_hkd": ("cost HK$", ""),
}


def policy_words(name: str) -> str:
    """``screening_before_detention`` -> ``Screening before detention``."""
    return name.replace("_", " ").capitalize()


def headline_sentences(comparison: pd.DataFrame, years: float | None = None) -> list[str]:
    """One sentence per outcome group and compared policy.

    Args:
        comparison: Output of :func:`analysis.compare` (the first result folder and draw are
            described; the share of worlds counts every world of that folder and draw).
        years: Length of the runs, for "over N years" (omitted when ``None``).

    Returns:
        Sentences, grouped in the order of :data:`GROUPS`; none without a compared policy.
    """
    if comparison.empty:
        return []
    first = comparison[
        (comparison[SOURCE] == comparison[SOURCE].iloc[0])
        & (comparison["draw"] == comparison["draw"].iloc[0])
    ]
    worlds = list(dict.fromkeys(first["world"].astype(str)))
    shown = first[first["world"].astype(str) == worlds[0]]
    reference = str(comparison["reference"].iloc[0])
    level = _level(comparison)
    span = f"Over {years:g} year{'' if years == 1 else 's'}, " if years else ""
    sentences = []
    for policy in [str(p) for p in dict.fromkeys(shown["policy"].astype(str)) if p != reference]:
        rows = shown[shown["policy"].astype(str) == policy].set_index("metric")
        for group, metrics in GROUPS.items():
            parts = [
                _clause(rows.loc[m], m, level)
                for m in metrics
                if m in rows.index and _known(rows.loc[m])
            ]
            if not parts:
                continue
            row = rows.loc[next(m for m in metrics if m in rows.index)]
            scope = (
                f"CI: t-interval of the mean paired difference over {int(row['n_pairs'])} "
                f"replicates of {worlds[0]}; covers run-to-run chance in that world, not "
                "uncertainty about the world"
            )
            who = policy_words(policy)
            opening = f"{span}{who.lower() if span else who}"
            text = f"{group}: {opening} " + "; it ".join(parts)
            text += f", compared with {policy_words(reference).lower()} [{scope}]"
            if group == "Identification" and len(worlds) > 1:
                text += _share_of_worlds(first, policy, worlds)
            sentences.append(text + ".")
    return sentences


def _known(row: pd.Series) -> bool:
    return not missing(row.get("diff"))


def _clause(row: pd.Series, metric: str, level: str) -> str:
    verb, noun = PHRASES[metric]
    diff = float(row["diff"])
    amount = number(abs(diff))
    if metric == "cost_hkd":
        text = "cost the same" if diff == 0 else f"{verb}{amount} {'more' if diff > 0 else 'less'}"
    elif diff == 0:
        text = f"{verb} as many {noun}"
    else:
        text = f"{verb} {amount} {'more' if diff > 0 else 'fewer'} {noun}"
    interval = f" (no interval: fewer than {MIN_PAIRS} paired replicates)"
    if not missing(row.get("diff_low")):
        low = format_difference(row["diff_low"], metric)
        high = format_difference(row["diff_high"], metric)
        interval = f" ({level} CI {low} to {high})"
    return text + interval


def _share_of_worlds(comparison: pd.DataFrame, policy: str, worlds: list[str]) -> str:
    rows = comparison[
        (comparison["policy"].astype(str) == policy)
        & (comparison["metric"] == "victims_identified")
    ]
    diffs = rows.set_index(rows["world"].astype(str))["diff"].dropna()
    if diffs.empty:
        return ""
    more = int((diffs > 0).sum())
    kind = "calibrated worlds" if all(w.startswith("member_") for w in worlds) else "worlds"
    return (
        f"; it identified more victims in {more} of {len(diffs)} {kind} "
        f"({100 * more / len(diffs):.0f}%, by the mean paired difference in each)"
    )
