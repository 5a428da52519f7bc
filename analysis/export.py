"""Export a result folder's run summaries and weekly series as CSV or netCDF.

CSV: ``summary.csv`` (one row per run) and ``weekly.csv`` (one row per run and week), the same
columns as the Parquet files. netCDF: one ``results.nc`` with a ``run`` dimension (its
coordinates the run's world, policy, draw, replicate, seed and swept ``param:`` values) for the
summary outcomes, and ``run`` x ``week`` for the weekly series (variables prefixed
``weekly_``). The netCDF file is written with xarray through scipy's netCDF-3 writer, so no
HDF5 library is needed; read it with ``xarray.open_dataset``.

The weekly series carry the calendar ``date`` each week starts (the run's first 1 January plus
its weeks, see :func:`analysis.labels.week_dates`; ``weekly_date`` in netCDF, ``run`` x
``week``). A batch over a calibrated ensemble adds each run's ``member_weight``: its member's
share of the draw (``ensemble.json``; the weights by which the answer averages members).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.atomic import atomic_target
from analysis.errors import AnalysisError
from analysis.labels import week_dates
from analysis.main_answer import ensemble_weights
from analysis.results import SOURCE, DamagedResultError, load, load_weekly, outcome_columns

FORMATS = ("csv", "netcdf")
#: Columns that identify a run.
RUN_COLUMNS = ("run_id", "world", "policy", "draw", "replicate", "seed")


def export(folder: str | Path, fmt: str, out: str | Path | None = None) -> list[Path]:
    """Write the folder's results in ``fmt`` under ``out`` (default ``<folder>/export``).

    Returns:
        The files written.

    Raises:
        AnalysisError: An unknown format, or xarray missing for netCDF.
    """
    if fmt not in FORMATS:
        raise AnalysisError(f"unknown format {fmt!r}: choose from {', '.join(FORMATS)}")
    folder = Path(folder)
    summary = _plain(load(folder))
    weights = ensemble_weights(folder)
    if weights is not None:
        share = weights / weights.sum()
        position = summary.columns.get_loc("world") + 1
        summary.insert(position, "member_weight", summary["world"].map(share).fillna(0.0))
    weekly = _weekly(folder)
    target = Path(out) if out is not None else folder / "export"
    if target.exists() and not target.is_dir():
        raise AnalysisError(f"{target}: --out must be a folder")
    target.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        tables = {"summary.csv": summary, "weekly.csv": weekly}
        paths = []
        for name, table in tables.items():
            if table is not None:
                with atomic_target(target / name) as tmp:  # never a 0-byte or partial CSV
                    table.to_csv(tmp, index=False)
                paths.append(target / name)
        return paths
    path = target / "results.nc"
    data = dataset(summary, weekly)
    with atomic_target(path) as tmp:
        data.to_netcdf(tmp, engine="scipy")
    return [path]


def dataset(summary: pd.DataFrame, weekly: pd.DataFrame | None = None):
    """The results as an ``xarray.Dataset`` (see the module docstring for its layout)."""
    try:
        import xarray as xr
    except ImportError as err:
        raise AnalysisError('netCDF export needs xarray: pip install -e ".[export]"') from err
    coords = [
        c
        for c in summary.columns
        if c in (*RUN_COLUMNS[1:], "member_weight") or c.startswith("param:")
    ]
    outcomes = [c for c in outcome_columns(summary) if c not in coords]
    runs = summary.set_index("run_id")
    if "seed" in runs.columns:  # seeds may exceed netCDF-3's 32-bit integers
        runs["seed"] = runs["seed"].astype(str)
    data = xr.Dataset(
        {name: ("run", runs[name].to_numpy()) for name in outcomes},
        coords={"run": runs.index.to_numpy(dtype=str)}
        | {_name(c): ("run", runs[c].to_numpy()) for c in coords},
    )
    if weekly is not None:
        series = [c for c in outcome_columns(weekly) if c not in ("week", "year", "draw")]
        series = [c for c in series if c not in RUN_COLUMNS and not c.startswith("param:")]
        if "date" in weekly.columns:
            series.append("date")
        grid = weekly.set_index(["run_id", "week"])[series].to_xarray()
        grid = grid.rename({"run_id": "run"}).reindex(run=data["run"])
        for name in series:
            data[f"weekly_{name}"] = grid[name]
    data.attrs["source"] = "tipsim result folder"
    return data


def _weekly(folder: Path) -> pd.DataFrame | None:
    """The weekly series with the calendar date each week starts, after the week index."""
    try:
        weekly = _plain(load_weekly(folder))
    except DamagedResultError:
        raise  # a damaged weekly file is named, never silently left out
    except AnalysisError:
        return None  # a folder without weekly series exports its summaries alone
    if "year" in weekly.columns:
        weekly.insert(weekly.columns.get_loc("week") + 1, "date", week_dates(weekly))
    return weekly


def _plain(table: pd.DataFrame) -> pd.DataFrame:
    """Drop the loader's folder label; categories become plain strings."""
    table = table.drop(columns=[SOURCE], errors="ignore")
    for column in table.columns:
        if isinstance(table[column].dtype, pd.CategoricalDtype):
            table[column] = table[column].astype(str)
    return table


def _name(column: str) -> str:
    """Names in netCDF may not hold ``:``: ``param:screening.x`` -> ``param_screening.x``."""
    return column.replace(":", "_")
