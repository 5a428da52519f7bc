"""Which unknown matters most: expected value of perfect information over the posterior.

The decision is "adopt the reform or not". Its payoff, for posterior member *m*, is the gain
``G_m`` of the reform over the status quo in the chosen objective (victims identified over the
horizon, or a net benefit in HK$: ``wtp x extra victims identified - extra cost``). Without
more information the decision-maker adopts the reform if the expected gain is positive; the
expected value of perfect information (EVPI) is what knowing every input would add:

    EVPI = E[max(0, G)] - max(0, E[G]).

For one input or a group of inputs ``phi``, the expected value of partial perfect information
(EVPPI) is ``E_phi[max(0, E[G | phi])] - max(0, E[G])``. ``E[G | phi]`` is estimated by
regressing the members' gains on ``phi`` (Strong, Oakley & Brennan 2014, Medical Decision
Making 34(3):311-326, the method of the SAVI tool): here a Gaussian process with one length
scale per input and a noise term (scikit-learn), on inputs scaled to [0, 1]. The fitted values
``g_m`` give the EVPPI, ``sum_m w_m max(0, g_m) - max(0, sum_m w_m g_m)``, and the input's
share of the variance of the gain, ``Var_w(g) / Var_w(G)`` (its first-order, main-effect
share when ``phi`` is one input).

Members are weighted (ABC weights, or how often a batch drew them). The regression is
unweighted: it estimates ``E[G | phi]`` from wherever the members lie; the weights enter the
expectations over ``phi``. Each member's gain is the mean of its paired replicates, so it holds
run-to-run noise as well as the input's effect; the noise term of the regression absorbs it,
and the plain EVPI (computed on the members' mean gains) is slightly inflated by it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError
from analysis.statistics import paired_differences
from result_folder.outcomes import OUTCOME

#: Objectives the decision can be judged by.
OBJECTIVES = (OUTCOME.victims_identified, "net_benefit")
#: The cost column of a run's summary (HK$ over the horizon).
COST = OUTCOME.cost_hkd
#: Fewest members a regression is fitted on.
MIN_MEMBERS = 8


@dataclass(frozen=True)
class Objective:
    """What the decision is judged by.

    Attributes:
        name: ``victims_identified`` (the gain in victims identified) or ``net_benefit``
            (``wtp_hkd`` x the gain in victims identified minus the gain in cost, HK$).
        wtp_hkd: HK$ the decision-maker would pay for one more victim identified (only for
            ``net_benefit``).
    """

    name: str = OUTCOME.victims_identified
    wtp_hkd: float = 0.0

    def __post_init__(self) -> None:
        if self.name not in OBJECTIVES:
            raise AnalysisError(f"objective {self.name!r}: must be one of {', '.join(OBJECTIVES)}")
        if self.name == "net_benefit" and not self.wtp_hkd > 0:
            raise AnalysisError("objective net_benefit needs wtp_hkd > 0 (HK$ per victim)")

    @property
    def unit(self) -> str:
        """The unit of the gain and of every value of information."""
        return "victims identified" if self.name == OUTCOME.victims_identified else "HK$"


def paired_gains(
    runs: pd.DataFrame,
    objective: Objective,
    reference: str = "detention_first",
    alternative: str = "screening_before_detention",
) -> pd.DataFrame:
    """The gain of the alternative over the reference in each replicate pair, by member world.

    Args:
        runs: One row per run (``analysis.load``) of a batch whose worlds are the members.
        objective: What the gain is measured in.
        reference: The status quo.
        alternative: The reform.

    Returns:
        One row per pair: ``world`` (the member file's stem) and ``gain``.

    Raises:
        AnalysisError: No world runs both policies on the same seeds.
    """
    metrics = [OUTCOME.victims_identified] + ([COST] if objective.name == "net_benefit" else [])
    missing = [m for m in metrics if m not in runs.columns]
    if missing:
        raise AnalysisError(f"the runs have no column {', '.join(missing)}")
    chosen = runs[runs["policy"].astype(str).isin([reference, alternative])]
    pairs = paired_differences(chosen, reference, ["world"], metrics)
    pairs = pairs[pairs["policy"].astype(str) == alternative]
    if pairs.empty:
        raise AnalysisError(f"no replicate pairs {alternative} with {reference} within a world")
    gain = pairs[OUTCOME.victims_identified].astype(float)
    if objective.name == "net_benefit":
        gain = objective.wtp_hkd * gain - pairs[COST].astype(float)
    return pd.DataFrame({"world": pairs["world"].astype(str).to_numpy(), "gain": gain.to_numpy()})


def member_gains(pairs: pd.DataFrame) -> pd.Series:
    """Each member world's mean gain over its pairs (:func:`paired_gains`)."""
    return pairs.groupby("world")["gain"].mean()


def evpi(gains: np.ndarray, weights: np.ndarray) -> float:
    """``E[max(0, G)] - max(0, E[G])`` over weighted samples of the gain."""
    w = _normalised(weights)
    return float(np.dot(w, np.maximum(gains, 0.0)) - max(0.0, float(np.dot(w, gains))))


def conditional_means(gains: np.ndarray, inputs: np.ndarray, seed: int = 0) -> np.ndarray:
    """``E[G | inputs]`` at each sample, by Gaussian-process regression.

    Args:
        gains: The gain of each sample.
        inputs: One row per sample, one column per input (any scale).
        seed: Seed of the optimiser's restarts (the fit is deterministic given it).

    Returns:
        The fitted conditional mean at each sample.
    """
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

    x = np.asarray(inputs, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    span = x.max(axis=0) - x.min(axis=0)
    x = (x - x.min(axis=0)) / np.where(span > 0, span, 1.0)
    y = np.asarray(gains, dtype=float)
    if len(y) < MIN_MEMBERS:
        raise AnalysisError(
            f"{len(y)} members: value of information needs at least {MIN_MEMBERS}; draw more "
            "members in the batch"
        )
    if np.ptp(y) == 0:
        return y.copy()
    kernel = ConstantKernel(1.0, (1e-3, 1e3)) * RBF(
        length_scale=np.full(x.shape[1], 0.5), length_scale_bounds=(0.05, 100.0)
    ) + WhiteKernel(0.5, (1e-6, 1e1))
    regression = GaussianProcessRegressor(
        kernel=kernel, normalize_y=True, n_restarts_optimizer=0, random_state=seed
    )
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        # a length scale at its bound means the input does nothing the data can see: that is an
        # answer (EVPPI near 0), not a failure
        warnings.simplefilter("ignore", ConvergenceWarning)
        regression.fit(x, y)
    return regression.predict(x)


def value_of_information(
    gains: pd.Series,
    weights: pd.Series,
    inputs: pd.DataFrame,
    groups: Mapping[str, Sequence[str]] | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """EVPPI and variance share of each input and group, ranked.

    Args:
        gains: Mean gain by member (:func:`member_gains`).
        weights: Weight by member (need not sum to one).
        inputs: Input values, one row per member (index: member), one column per input.
        groups: Named groups of inputs, each valued jointly.
        seed: Seed of the regressions.

    Returns:
        One row per input or group, highest EVPPI first: ``inputs`` (what is learned),
        ``kind`` (``input``, ``group`` or ``all``), ``evppi``, ``share_of_evpi`` and
        ``variance_share``. The ``all`` row is the EVPI of learning everything.

    Raises:
        AnalysisError: Members without inputs or weights, or too few members.
    """
    members = [m for m in gains.index if m in inputs.index]
    lost = sorted(set(gains.index) - set(members))
    if lost:
        raise AnalysisError(f"no input values for member(s) {', '.join(lost)}")
    g = gains.reindex(members).to_numpy(dtype=float)
    w = _normalised(weights.reindex(members).fillna(0.0).to_numpy(dtype=float))
    varying = [c for c in inputs.columns if inputs.loc[members, c].nunique() > 1]
    if not varying:
        raise AnalysisError("no input varies across the members")
    total = evpi(g, w)
    variance = _weighted_var(g, w)
    learned: dict[str, tuple[str, list[str]]] = {c: ("input", [c]) for c in varying}
    for name, names in (groups or {}).items():
        unknown = [n for n in names if n not in inputs.columns]
        if unknown:
            raise AnalysisError(f"group {name!r}: no input {', '.join(unknown)}")
        kept = [n for n in names if n in varying]
        if kept:
            learned[name] = ("group", kept)
    rows = []
    for name, (kind, names) in learned.items():
        fitted = conditional_means(g, inputs.loc[members, names].to_numpy(dtype=float), seed)
        value = evpi(fitted, w)
        rows.append(
            {
                "learned": name,
                "kind": kind,
                "inputs": ", ".join(names),
                "evppi": value,
                "share_of_evpi": value / total if total > 0 else 0.0,
                "variance_share": _weighted_var(fitted, w) / variance if variance > 0 else 0.0,
            }
        )
    rows.append(
        {
            "learned": "everything",
            "kind": "all",
            "inputs": ", ".join(varying),
            "evppi": total,
            "share_of_evpi": 1.0 if total > 0 else 0.0,
            "variance_share": 1.0,
        }
    )
    table = pd.DataFrame(rows)
    table["order"] = table["kind"].map({"all": 0, "group": 1, "input": 2})
    table = table.sort_values(
        ["order", "evppi", "variance_share"], ascending=[True, False, False], kind="stable"
    )
    return table.drop(columns="order").reset_index(drop=True)


def _weighted_var(values: np.ndarray, w: np.ndarray) -> float:
    mean = float(np.dot(w, values))
    return float(np.dot(w, (values - mean) ** 2))


def _normalised(weights: np.ndarray) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    if (w < 0).any() or not w.sum() > 0:
        raise AnalysisError("member weights must be non-negative and not all zero")
    return w / w.sum()
