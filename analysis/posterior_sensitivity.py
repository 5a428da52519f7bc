"""Which unknowns carry the answer: a variance decomposition of the gain over posterior members.

A batch over the members of a calibrated ensemble gives each member's gain (its mean paired
difference, alternative − reference). Over the members, weighted by the posterior, the gain
varies with the fitted parameters. The decomposition regresses the standardised gain on the
standardised parameters (weighted least squares): each standardised regression coefficient
``SRC_i`` is the change of the gain, in posterior standard deviations, per standard deviation of
parameter *i*, and ``SRC_i^2`` its share of the gain's variance when the parameters are
uncorrelated and the relation is near linear (Saltelli et al. 2008, *Global Sensitivity
Analysis: The Primer*, section 1.2.5). ``R^2`` says how much of the variance the linear
decomposition holds; what is left is interactions, non-linearity and each member's run noise.
Posterior parameters are correlated (the calibration trades them off), so a share is reported
beside the coefficient, not as an exact split; the weighted correlation of each parameter with
the gain is given too.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError
from analysis.statistics import paired_differences


def member_gains(
    runs: pd.DataFrame, reference: str, alternative: str, metrics: Sequence[str]
) -> pd.DataFrame:
    """Each member's mean paired difference (alternative − reference), indexed by world.

    Raises:
        AnalysisError: No world pairs the two policies.
    """
    chosen = runs[runs["policy"].astype(str).isin([reference, alternative])]
    pairs = paired_differences(chosen, reference, ["world"], list(metrics))
    pairs = pairs[pairs["policy"].astype(str) == alternative]
    if pairs.empty:
        raise AnalysisError(f"no replicate pairs {alternative} with {reference} within a world")
    return pairs.groupby(pairs["world"].astype(str))[list(metrics)].mean()


def variance_decomposition(
    gains: pd.Series, parameters: pd.DataFrame, weights: pd.Series
) -> pd.DataFrame:
    """Standardised regression of the members' gains on their parameters.

    Args:
        gains: Gain by member.
        parameters: Parameter values by member (one column each; constant columns are left
            out).
        weights: Posterior weight by member.

    Returns:
        One row per parameter, largest share first: ``parameter``, ``src`` (standardised
        regression coefficient), ``share`` (``src**2``), ``correlation`` (weighted Pearson
        correlation with the gain); ``attrs["r2"]`` holds the regression's R² and
        ``attrs["members"]`` the members used.

    Raises:
        AnalysisError: Fewer members (or effective members, by the weights) than parameters
            plus two, or no spread in the gain.
    """
    members = gains.index.intersection(parameters.index).intersection(weights.index)
    w = weights.reindex(members).to_numpy(dtype=float)
    w = w / w.sum()
    y = gains.reindex(members).to_numpy(dtype=float)
    table = parameters.reindex(members).astype(float)
    table = table.loc[:, table.std() > 0]
    if len(members) < table.shape[1] + 2:
        raise AnalysisError(
            f"{len(members)} members cannot split the gain over {table.shape[1]} parameters "
            f"(at least {table.shape[1] + 2} needed): draw more members in the batch "
            "(ensemble.members), or use an ensemble whose weight is spread over more sets"
        )
    effective = 1.0 / float(w @ w)  # Kish: how many members the weights amount to
    if effective < table.shape[1] + 2:
        raise AnalysisError(
            f"the members' weights amount to {effective:.1f} effective members, too few to "
            f"split the gain over {table.shape[1]} parameters (at least {table.shape[1] + 2} "
            "needed): a posterior whose weight sits on a few sets cannot say which input "
            "carries the gain; recalibrate with a larger population"
        )
    y_sd = _weighted_sd(y, w)
    if y_sd == 0:
        raise AnalysisError("the gain is the same in every member: nothing to decompose")
    x = table.to_numpy()
    x_centre = w @ x
    x_sd = np.sqrt(w @ (x - x_centre) ** 2)
    z = (x - x_centre) / x_sd
    target = (y - w @ y) / y_sd
    root = np.sqrt(w)[:, None]
    coefficients, *_ = np.linalg.lstsq(z * root, target * root[:, 0], rcond=None)
    fitted = z @ coefficients
    r2 = 1.0 - float(w @ (target - fitted) ** 2) / float(w @ target**2)
    correlation = (w @ (z * target[:, None])) / np.sqrt(w @ z**2)
    result = pd.DataFrame(
        {
            "parameter": table.columns,
            "src": coefficients,
            "share": coefficients**2,
            "correlation": correlation,
        }
    ).sort_values("share", ascending=False, ignore_index=True)
    result.attrs["r2"] = r2
    result.attrs["members"] = len(members)
    return result


def _weighted_sd(values: np.ndarray, weights: np.ndarray) -> float:
    centre = weights @ values
    return float(np.sqrt(weights @ (values - centre) ** 2))


def sensitivity_tables(
    runs: pd.DataFrame,
    weights: pd.Series,
    inputs: pd.DataFrame,
    reference: str,
    alternative: str,
    metrics: Sequence[str],
) -> dict[str, pd.DataFrame]:
    """The variance decomposition of each outcome's gain over an ensemble batch's members.

    Args:
        runs: One row per run of a batch over the members of a calibrated ensemble.
        weights: Posterior weight by member (the batch's ``ensemble.json``).
        inputs: Each member's calibrated inputs, indexed by member (the ensemble's listing).
        reference: The policy compared against.
        alternative: The policy compared.
        metrics: Outcomes whose gain is decomposed.

    Returns:
        Per outcome, the table of :func:`variance_decomposition`.

    Raises:
        AnalysisError: No pairs, too few members, or no spread in a gain.
    """
    gains = member_gains(runs, reference, alternative, metrics)
    return {metric: variance_decomposition(gains[metric], inputs, weights) for metric in metrics}


def sensitivity_text(
    tables: dict[str, pd.DataFrame], reference: str, alternative: str, fmt: str = "md"
) -> str:
    """The decompositions as Markdown (``md``) or one tidy CSV (``csv``)."""
    from analysis.labels import words

    if fmt == "csv":
        frames = [
            table.assign(outcome=metric, r2=table.attrs["r2"], members=table.attrs["members"])
            for metric, table in tables.items()
        ]
        return pd.concat(frames, ignore_index=True).to_csv(index=False, float_format="%.6g")
    if fmt != "md":
        raise AnalysisError(f"compare --sensitivity writes md or csv, not {fmt!r}")
    lines = []
    for metric, table in tables.items():
        outcome = words(metric).lower()
        lines += [
            f"### What carries the gain in {outcome} ({alternative} against {reference})",
            "",
            f"{table.attrs['members']} members, weighted by the posterior; a linear split holds "
            f"R² = {table.attrs['r2']:.2f} of the gain's variance across members (the rest is "
            "interactions, non-linearity and each member's run noise). Posterior inputs are "
            "correlated, so read the correlation first and the share as indicative.",
            "",
            "| calibrated input | correlation with the gain | standardised coefficient "
            "| share (coefficient²) |",
            "|---|---|---|---|",
        ]
        for row in table.sort_values("correlation", key=abs, ascending=False).itertuples():
            lines.append(
                f"| {row.parameter} | {row.correlation:+.2f} | {row.src:+.2f} | {row.share:.0%} |"
            )
        lines.append("")
    return "\n".join(lines)
