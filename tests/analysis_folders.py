"""Result folders in the batch layout, for the analysis tests (no dependency on the batch runner).

``write_folder`` writes given summary and weekly tables as ``manifest.json``,
``summary/<run_id>.parquet`` and ``weekly/<run_id>.parquet``; ``simulate_folder`` fills one
with real runs of the model, replicate ``r`` of every policy on the same seed.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.core.scenario_model import ScenarioModel

IDS = ["run_id", "world", "policy", "draw", "replicate", "seed"]


def paired_runs(gains: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """Summary rows of two replicates per world under both policies, with known paired gains.

    Under detention-first a run identifies ``10 + replicate`` victims and begins 2 prosecutions;
    under screening-before-detention the world's gains (identified, prosecutions) are added, so
    every paired difference is constant within its world.
    """
    rows = []
    for world, (identified, prosecutions) in gains.items():
        for replicate in range(2):
            for policy, factor in (("detention_first", 0), ("screening_before_detention", 1)):
                rows.append(
                    {
                        "run_id": f"{world}-{policy}-{replicate}",
                        "world": world,
                        "policy": policy,
                        "draw": 0,
                        "replicate": replicate,
                        "seed": replicate,
                        "victims_identified": 10 + replicate + factor * identified,
                        "prosecutions": 2 + factor * prosecutions,
                    }
                )
    return pd.DataFrame(rows)


def write_folder(
    folder: Path,
    summary: pd.DataFrame,
    weekly: pd.DataFrame | None = None,
    config: dict | None = None,
    root_seed: int = 7,
    pending: int = 0,
) -> Path:
    """Write ``summary`` (one row per run) and ``weekly`` in the batch layout under ``folder``."""
    (folder / "summary").mkdir(parents=True, exist_ok=True)
    runs = {}
    for _, row in summary.iterrows():
        run_id = row["run_id"]
        pd.DataFrame([row]).to_parquet(folder / "summary" / f"{run_id}.parquet", index=False)
        runs[run_id] = {key: _plain(row[key]) for key in IDS if key != "run_id"}
        runs[run_id]["status"] = "done"
    for i in range(pending):
        runs[f"pending-{i}"] = {
            "world": "w",
            "policy": "p",
            "draw": 0,
            "replicate": 99 + i,
            "seed": 0,
            "status": "pending",
        }
    if weekly is not None:
        (folder / "weekly").mkdir(exist_ok=True)
        for run_id, rows in weekly.groupby("run_id", sort=False):
            rows.to_parquet(folder / "weekly" / f"{run_id}.parquet", index=False)
    manifest = {
        "config": config
        or {"name": "test batch", "replicates": int(summary["replicate"].max()) + 1},
        "config_hash": "0123abcd",
        "root_seed": root_seed,
        "git_commit": "abc1234",
        "packages": {"numpy": np.__version__, "pandas": pd.__version__},
        "started": "2026-01-01T00:00:00+00:00",
        "finished": "2026-01-01T00:01:00+00:00",
        "runs": runs,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return folder


def simulate_folder(
    folder: Path,
    scenario: Path,
    policies: list[str],
    replicates: int,
    years: float = 1.0,
    root_seed: int = 7,
    world: str = "small",
    overrides: dict | None = None,
    draw: int = 0,
) -> Path:
    """Run the model for every policy and replicate and write the batch layout."""
    summaries, weekly = [], []
    for replicate in range(replicates):
        seed = root_seed * 1000 + replicate
        for policy in policies:
            model = ScenarioModel(scenario, policy, rng=seed, **(overrides or {}))
            summary = model.run(years)
            run_id = f"{world}-{policy}-d{draw}-r{replicate}"
            ids = {
                "run_id": run_id,
                "world": world,
                "policy": policy,
                "draw": draw,
                "replicate": replicate,
                "seed": seed,
            }
            params = {f"param:{k.replace('__', '.')}": v for k, v in (overrides or {}).items()}
            outcomes = {k: v for k, v in summary.items() if k not in ("policy", "seed", "years")}
            summaries.append({**ids, **params, **outcomes})
            series = model.weekly()
            for i, (key, value) in enumerate(ids.items()):
                if key != "seed":
                    series.insert(i, key, value)
            weekly.append(series)
    table = pd.DataFrame(summaries)
    return write_folder(folder, table, pd.concat(weekly, ignore_index=True), root_seed=root_seed)


def synthetic_summary(
    values: dict[str, dict[str, list[float]]], world: str = "w", metric_fill: float = 1.0
) -> pd.DataFrame:
    """Summary rows from ``{policy: {metric: [value per replicate]}}`` plus the funnel columns."""
    from analysis.comparison import HEADLINE

    rows = []
    for policy, metrics in values.items():
        n = len(next(iter(metrics.values())))
        for replicate in range(n):
            row = {
                "run_id": f"{world}-{policy}-r{replicate}",
                "world": world,
                "policy": policy,
                "draw": 0,
                "replicate": replicate,
                "seed": 100 + replicate,
            }
            row.update(dict.fromkeys(HEADLINE, metric_fill))
            row.update({name: series[replicate] for name, series in metrics.items()})
            rows.append(row)
    return pd.DataFrame(rows)


def _plain(value):
    return value.item() if hasattr(value, "item") else value
