"""A pilot of screening before detention: what it would observe, its power, what it would teach.

The pilot puts a share ``s`` of the system (police districts, or one detention facility's
intake: a share of the migrants the authorities meet) under screening before detention for
``M`` weeks, the rest staying under detention-first. Districts are taken to hold a random share
of the contacts and not to interact (screening places and support are the pilot's own), so the
pilot arm sees a share ``s`` of what the whole system would see under the reform over those
weeks, and the control arm a share ``1 - s`` of what it sees under the status quo. Each member
world's paired runs of a batch give both: a pilot dataset is drawn by thinning one simulated
realisation (binomial with ``s`` and ``1 - s``), so the model's own run-to-run variation is in
it.

The evaluator compares the arms' identifications with the exact conditional test of two
Poisson rates (given the total ``n``, the pilot arm's count is binomial with ``n`` and ``s``
when the reform changes nothing; one-sided, level ``alpha``). The tables give:

* **power** at the posterior-median gain: the chance the test rejects when the reform's effect
  over those weeks is the posterior median (control rate: the posterior mean), computed exactly
  over the Poisson counts;
* **assurance**: the power averaged over the posterior (each member's own effect);
* the expected **narrowing of the gain's interval** (preposterior analysis): for simulated
  pilot datasets, the members are re-weighted by the Poisson likelihood of the observed arms'
  identifications, and the 95% interval of the reform's gain over the batch horizon (the
  mixture of :mod:`analysis.ensemble`) is recomputed; its expected width is set against the
  width before the pilot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.ensemble import expected_gains, mixture_interval, pooled_sd
from analysis.errors import AnalysisError
from analysis.statistics import CONFIDENCE
from result_folder.outcomes import OUTCOME

#: Weekly columns an evaluator would count in each arm.
OBSERVED = {
    OUTCOME.initial_screenings: "screenings",
    OUTCOME.flagged: "referrals to in-depth screening",
    OUTCOME.tier2_screenings: "in-depth screenings",
    OUTCOME.victims_identified: "victims identified",
}
#: What the test and the update count.
TESTED = OUTCOME.victims_identified
#: Least expected identifications (whole system, over the pilot) a member is taken to have.
RATE_FLOOR = 0.25
#: Weeks in a month, for durations given in months.
WEEKS_PER_MONTH = 52 / 12


@dataclass(frozen=True)
class PilotDesign:
    """One pilot: a share of the system for some months.

    Attributes:
        share: Share of the contacts under the pilot (0 < share < 1).
        months: Duration in months.
    """

    share: float
    months: float

    def __post_init__(self) -> None:
        if not 0 < self.share < 1:
            raise AnalysisError(f"pilot share {self.share}: must be between 0 and 1")
        if not self.months > 0:
            raise AnalysisError(f"pilot months {self.months}: must be positive")

    @property
    def weeks(self) -> int:
        """The pilot's length in whole weeks (at least one)."""
        return max(1, round(self.months * WEEKS_PER_MONTH))


def cumulative_counts(
    weekly: pd.DataFrame,
    weeks: int,
    columns: Sequence[str] = tuple(OBSERVED),
    start_year: int | None = None,
) -> pd.DataFrame:
    """Each run's counts over the pilot's first ``weeks`` weeks.

    Args:
        weekly: Weekly rows of a batch (``analysis.load_weekly``).
        weeks: How many weeks the pilot lasts.
        columns: Counts to sum.
        start_year: Calendar year the pilot starts in (the first week of that year, when the
            batch's policies start: ``time.policy_start_year``); ``None``: the first reported
            week.

    Returns:
        One row per run: ``world``, ``policy``, ``replicate`` and the sums.

    Raises:
        AnalysisError: The runs are shorter than ``weeks`` or a column is missing.
    """
    missing = [c for c in columns if c not in weekly.columns]
    if missing:
        raise AnalysisError(f"the weekly results have no column {', '.join(missing)}")
    keys = ["world", "policy", "replicate"]
    if start_year is not None:
        weekly = weekly[weekly["year"] >= start_year]
        if weekly.empty:
            raise AnalysisError(f"the runs end before the pilot's start in {start_year}")
    first = weekly.groupby(keys, observed=True)["week"].transform("min")
    shown = weekly[weekly["week"] - first < weeks]
    counts = shown.groupby(keys, observed=True)[list(columns)].sum().reset_index()
    lengths = shown.groupby(keys, observed=True)["week"].size()
    if lengths.min() < weeks:
        raise AnalysisError(
            f"a pilot of {weeks} weeks is longer than the runs ({int(lengths.min())} weeks): "
            "run the batch for more years or shorten the pilot"
        )
    counts["world"] = counts["world"].astype(str)
    counts["policy"] = counts["policy"].astype(str)
    return counts


def power(control: float, pilot: float, share: float, alpha: float = 0.05) -> float:
    """The exact power of the one-sided conditional test that the pilot arm identifies more.

    Args:
        control: Expected identifications of the whole system under the status quo over the
            pilot's weeks.
        pilot: The same under the reform.
        share: Share of the system in the pilot arm.
        alpha: Level of the test.

    Returns:
        ``P(reject)`` when the pilot arm's count is Poisson(``share x pilot``) and the control
        arm's Poisson(``(1 - share) x control``).
    """
    pilot_rate = share * max(pilot, 0.0)
    total_rate = pilot_rate + (1 - share) * max(control, 0.0)
    if total_rate <= 0:
        return 0.0
    largest = int(stats.poisson.ppf(1 - 1e-12, total_rate)) + 1
    n = np.arange(largest + 1)
    # smallest count of the pilot arm that rejects, given n: P(Bin(n, share) >= k) <= alpha
    critical = stats.binom.isf(alpha, n, share) + 1
    hit = pilot_rate / total_rate
    rejects = stats.binom.sf(critical - 1, n, hit)
    return float(np.dot(stats.poisson.pmf(n, total_rate), rejects))


def design_table(
    weekly: pd.DataFrame,
    pairs: pd.DataFrame,
    weights: pd.Series,
    designs: Sequence[PilotDesign],
    reference: str = "detention_first",
    alternative: str = "screening_before_detention",
    alpha: float = 0.05,
    datasets: int = 400,
    seed: int = 0,
    confidence: float = CONFIDENCE,
    start_year: int | None = None,
) -> pd.DataFrame:
    """Power, assurance and expected narrowing of the gain's interval for each pilot design.

    Args:
        weekly: Weekly rows of a batch over the ensemble's members, both policies.
        pairs: The gain over the batch horizon (the decision's objective) in each replicate
            pair: ``world`` and ``gain``.
        weights: Weight of each member.
        designs: The pilots to assess.
        reference: The status quo (control arm).
        alternative: The reform (pilot arm).
        alpha: Level of the evaluator's test.
        datasets: Simulated pilot datasets per design for the preposterior analysis.
        seed: Seed of those datasets.
        confidence: Coverage of the gain's interval.
        start_year: Calendar year the pilot starts in (:func:`cumulative_counts`).

    Returns:
        One row per design: ``share``, ``months``, ``weeks``, the expected count of each
        observed quantity in each arm (``pilot_<column>``, ``control_<column>``),
        ``median_effect`` (posterior-median extra identifications in the pilot's weeks, whole
        system), ``power``, ``assurance``, ``width_before``, ``width_after`` (expected) and
        ``narrowing`` (1 - after / before).
    """
    grouped = pairs.groupby(pairs["world"].astype(str))["gain"]
    members = [m for m in grouped.groups if m in weights.index]
    w = weights.reindex(members).to_numpy(dtype=float)
    if not len(members) or not w.sum() > 0:
        raise AnalysisError("no member has both a gain and a weight")
    w = w / w.sum()
    gain = _GainSpread(
        means=grouped.mean().reindex(members).to_numpy(dtype=float),
        counts=grouped.size().reindex(members).to_numpy(dtype=float),
        within_sd=pooled_sd(pairs["world"].astype(str).to_numpy(), pairs["gain"].to_numpy(float)),
    )
    before = gain.interval_width(w, confidence)
    rng = np.random.default_rng(seed)
    rows = []
    for design in designs:
        counts = cumulative_counts(weekly, design.weeks, start_year=start_year)
        arms = {policy: counts[counts["policy"] == policy] for policy in (reference, alternative)}
        if any(arm.empty for arm in arms.values()):
            raise AnalysisError(f"the weekly results need runs of {reference} and {alternative}")
        mean = {
            p: a.groupby("world")[list(OBSERVED)].mean().reindex(members) for p, a in arms.items()
        }
        if any(m.isna().any().any() for m in mean.values()):
            raise AnalysisError("every member needs runs of both policies")
        control = mean[reference][TESTED].to_numpy(float)
        reform = mean[alternative][TESTED].to_numpy(float)
        effect = reform - control
        median_effect = _weighted_quantile(effect, w, 0.5)
        base = float(np.dot(w, control))
        row: dict[str, float] = {
            "share": design.share,
            "months": design.months,
            "weeks": design.weeks,
        }
        for column in OBSERVED:
            row[f"pilot_{column}"] = design.share * float(np.dot(w, mean[alternative][column]))
            row[f"control_{column}"] = (1 - design.share) * float(
                np.dot(w, mean[reference][column])
            )
        row["median_effect"] = median_effect
        row["power"] = power(base, base + median_effect, design.share, alpha)
        row["assurance"] = float(
            np.dot(
                w, [power(c, r, design.share, alpha) for c, r in zip(control, reform, strict=True)]
            )
        )
        after = _expected_width_after(
            arms,
            members,
            w,
            gain,
            control,
            reform,
            design.share,
            datasets,
            rng,
            confidence,
            reference,
            alternative,
        )
        row.update(
            width_before=before,
            width_after=after,
            narrowing=1 - after / before if before > 0 else 0.0,
        )
        rows.append(row)
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class _GainSpread:
    """Members' mean gains over their replicate pairs, and the pooled within-member spread."""

    means: np.ndarray
    counts: np.ndarray
    within_sd: float

    def interval_width(self, weights: np.ndarray, confidence: float) -> float:
        """Width of the gain's interval under ``weights``, as the main answer computes it.

        The law of total variance of :func:`analysis.ensemble.ensemble_answer`: the members'
        expected gains (their means shrunk until their spread is free of the runs' noise,
        under these weights) with each member's mean's noise counted once.
        """
        expected, _ = expected_gains(self.means, self.counts, self.within_sd, weights)
        noise = self.within_sd / np.sqrt(self.counts)
        low, high = mixture_interval(expected, noise, weights, confidence)
        return high - low


def _expected_width_after(
    arms: dict[str, pd.DataFrame],
    members: list[str],
    w: np.ndarray,
    gain: _GainSpread,
    control: np.ndarray,
    reform: np.ndarray,
    share: float,
    datasets: int,
    rng: np.random.Generator,
    confidence: float,
    reference: str,
    alternative: str,
) -> float:
    """The expected width of the gain's interval once a simulated pilot is observed."""
    runs = {
        p: {m: a.loc[a["world"] == m, TESTED].to_numpy(dtype=np.int64) for m in members}
        for p, a in arms.items()
    }
    # expected counts in each arm under each member, floored at a quarter of an identification
    # over the pilot: a member whose runs never identified anyone is unlikely, not unable, to
    # see one
    pilot_rate = share * np.maximum(reform, RATE_FLOOR)
    control_rate = (1 - share) * np.maximum(control, RATE_FLOOR)
    truths = rng.choice(len(members), size=datasets, p=w)
    widths = np.empty(datasets)
    for k, truth in enumerate(truths):
        member = members[truth]
        pilot_runs, control_runs = runs[alternative][member], runs[reference][member]
        r = rng.integers(min(len(pilot_runs), len(control_runs)))
        observed_pilot = rng.binomial(pilot_runs[r], share)
        observed_control = rng.binomial(control_runs[r], 1 - share)
        log_like = stats.poisson.logpmf(observed_pilot, pilot_rate) + stats.poisson.logpmf(
            observed_control, control_rate
        )
        updated = w * np.exp(log_like - log_like.max())
        updated /= updated.sum()
        widths[k] = gain.interval_width(updated, confidence)
    return float(widths.mean())


def _weighted_quantile(values: np.ndarray, w: np.ndarray, q: float) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(w[order])
    return float(values[order][np.searchsorted(cumulative, q * cumulative[-1])])
