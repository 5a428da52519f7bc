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
        AnalysisError: Fewer members than parameters plus two, or no spread in the gain.
    """
    members = gains.index.intersection(parameters.index).intersection(weights.index)
    w = weights.reindex(members).to_numpy(dtype=float)
    w = w / w.sum()
    y = gains.reindex(members).to_numpy(dtype=float)
    table = parameters.reindex(members).astype(float)
    table = table.loc[:, table.std() > 0]
    if len(members) < table.shape[1] + 2:
        raise AnalysisError(
            f"{len(members)} members cannot split the gain over {table.shape[1]} parameters"
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
