"""Out-of-sample forecast: the calibrated ensemble replayed past the years it was fitted to.

Members are drawn from the ensemble by ABC weight (:func:`~experiments.core.ensemble.
draw_members`); each member is replayed from its scenario's start (2016) for ``years`` years
under the policy of the time, on ``replicates`` seeds. The scenario's timeline after the
calibration years holds *inputs* only (enforcement, populations, screening posts, NGO
outreach), so the years after 2020 are a forecast, not a fit.

Per year and view, the forecast is the weighted median and central interval over every run
(member weight / replicates per run): parameter and stochastic uncertainty together. Seeds
follow :mod:`experiments.core.seeds`: replicate *r* of every member runs on the forecast seed's
child *r* (the member draw uses the ensemble stream), so a forecast repeats exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.calibration import published
from analysis.calibration.fit import weighted_quantiles
from experiments.core.ensemble import draw_members, member_levers
from experiments.core.replay import replay
from experiments.core.seeds import run_seed
from result_folder.outcomes import OUTCOME
from scenarios.loader import load_scenario

#: Yearly views forecast, with the published metric each is compared with (None: unpublished).
VIEWS: dict[str, str | None] = {
    "screenings_official": OUTCOME.initial_screenings,
    "identified_official": "victims_identified_mechanism",
    "identified_mechanism": None,  # inbound only: officials do not publish it apart from 2022
    "hit_rate_official": None,  # published as the ratio of the two rows above
}
#: Coverage of the forecast interval.
LEVEL = 0.90


@dataclass(frozen=True)
class ForecastRun:
    """One member replayed on one seed (plain data, picklable)."""

    member: str
    path: str
    weight: float
    replicate: int
    seed: int
    years: int
    policy: str
    levers: dict = field(default_factory=dict)


def run_member(run: ForecastRun) -> pd.DataFrame:
    """Replay one member on one seed; its yearly views with the run's identity."""
    table = replay(
        load_scenario(run.path),
        policy=run.policy,
        seed=run_seed(run.seed, run.replicate),
        years=run.years,
        values=run.levers,
    )
    table["hit_rate_official"] = (
        table["identified_official"] / table["screenings_official"]
    ).where(table["screenings_official"] > 0)
    frame = table[list(VIEWS)].reset_index()
    return frame.assign(member=run.member, replicate=run.replicate, weight=run.weight)


def plan_forecast(
    ensemble: Path,
    *,
    members: int,
    replicates: int,
    years: int,
    seed: int,
    policy: str = "detention_first",
) -> list[ForecastRun]:
    """The runs of a forecast: members drawn by weight, each on ``replicates`` seeds."""
    drawn = draw_members(ensemble, members, seed)
    return [
        ForecastRun(
            member=Path(str(row["path"])).stem,
            path=str(row["path"]),
            weight=float(row["weight"]) / replicates,
            replicate=r,
            seed=seed,
            years=years,
            policy=policy,
            levers=member_levers(row),
        )
        for row in drawn.to_dict("records")
        for r in range(replicates)
    ]


def summarise(
    runs: pd.DataFrame, figures: pd.DataFrame | None = None, level: float = LEVEL
) -> pd.DataFrame:
    """Weighted median and central interval per year and view, beside the published figure.

    Args:
        runs: :func:`run_forecast`'s table (``year``, the views, ``weight``).
        figures: The published figures (default: the project's copy).
        level: Coverage of the interval.

    Returns:
        One row per year and view: ``median``, ``low``, ``high``, ``published`` (NaN when not
        published), ``inside`` (whether the published figure lies in the interval).
    """
    figures = published.load_figures() if figures is None else figures
    observed_by = {m: published.yearly(figures, m) for m in VIEWS.values() if m}
    screened = observed_by[OUTCOME.initial_screenings]
    identified = observed_by["victims_identified_mechanism"]
    rows = []
    for year, block in runs.groupby("year", sort=True):
        for view, metric in VIEWS.items():
            values = block[view].to_numpy(dtype=float)
            weights = block["weight"].to_numpy(dtype=float)
            keep = np.isfinite(values)
            low, median, high = weighted_quantiles(
                values[keep], weights[keep], [(1 - level) / 2, 0.5, (1 + level) / 2]
            )
            if view == "hit_rate_official":
                known = year in screened and year in identified
                observed = identified[year] / screened[year] if known else np.nan
            else:
                observed = observed_by[metric].get(year, np.nan) if metric else np.nan
            rows.append(
                {
                    "year": int(year),
                    "view": view,
                    "median": median,
                    "low": low,
                    "high": high,
                    "published": observed,
                    "inside": bool(low <= observed <= high) if np.isfinite(observed) else None,
                }
            )
    table = pd.DataFrame(rows)
    table.attrs["level"] = level
    return table


