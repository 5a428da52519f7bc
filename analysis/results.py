"""Reading result folders into tidy tables: one row per run (summary) or per run and week.

A batch folder holds ``manifest.json``, ``summary/<run_id>.parquet`` (one row per run) and
``weekly/<run_id>.parquet`` (one row per run and week). The folder written by ``tipsim run``
(``summary.parquet`` and ``weekly.parquet``, one seed, no manifest) is read too, as one
replicate per policy. Nothing here needs a live model.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from analysis.errors import AnalysisError
from analysis.integrity import file_problem
from result_folder.layout import (
    ID_COLUMNS,
    MANIFEST,
    RUN_SUMMARY,
    RUN_WEEKLY,
    SUMMARY_DIR,
    WEEKLY_DIR,
)
from result_folder.run_log import RunLogError, apply_run_log, check_runs

#: Columns that identify a run rather than measure it.
#: Prefix of the columns holding a swept parameter's value (``param:<section.field>``).
PARAM_PREFIX = "param:"
#: Column naming the result folder a row came from.
SOURCE = "source"
#: Columns of the weekly tables that index time.
TIME_COLUMNS = ("week", "year")
#: Columns of a ``tipsim run`` summary that are not outcomes.
_RUN_EXTRA = ("scenario", "years")

Folders = str | Path | Iterable[str | Path]


def load(folders: Folders) -> pd.DataFrame:
    """Read the run summaries of one or more result folders into one tidy table.

    Args:
        folders: A result folder or several (e.g. the same policies in two worlds).

    Returns:
        One row per finished run: ``source`` (the folder's label), ``run_id``, ``world``,
        ``policy``, ``draw``, ``replicate``, ``seed``, any ``param:<section.field>`` columns,
        then one column per summary outcome. ``policy`` is an ordered categorical in the
        order the batch ran the policies.

    Raises:
        AnalysisError: A folder is missing, unreadable, or holds no finished runs.
    """
    labelled = _labelled(folders)
    frames = [_read_summary(path, label) for path, label in labelled]
    return _order(pd.concat(frames, ignore_index=True), _policy_order(labelled))


def load_weekly(folders: Folders, outcomes: Iterable[str] | None = None) -> pd.DataFrame:
    """Read the weekly series of one or more result folders into one tidy table.

    Args:
        folders: A result folder or several.
        outcomes: Weekly outcomes to read (default: all of them).

    Returns:
        One row per run and week: ``source``, ``run_id``, ``world``, ``policy``, ``draw``,
        ``replicate``, ``week``, ``year`` and the outcomes.

    Raises:
        AnalysisError: A folder is missing or holds no weekly series.
    """
    wanted = None if outcomes is None else list(outcomes)
    labelled = _labelled(folders)
    frames = [_read_weekly(path, label, wanted) for path, label in labelled]
    return _order(pd.concat(frames, ignore_index=True), _policy_order(labelled))


def load_manifest(folder: str | Path) -> dict[str, Any]:
    """Return a result folder's manifest (an empty dict for a ``tipsim run`` folder).

    Raises:
        AnalysisError: The folder is missing or its manifest is not valid JSON.
    """
    path = _existing_folder(folder)
    manifest = path / MANIFEST
    if not manifest.exists():
        return {}
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise AnalysisError(f"{manifest}: not a readable JSON manifest ({err})") from err
    if not isinstance(data, dict):
        raise AnalysisError(f"{manifest}: the manifest must be a JSON object")
    try:
        check_runs(data, manifest)
        return apply_run_log(data, path)  # runs finished since the manifest's save
    except RunLogError as err:
        raise AnalysisError(str(err)) from None


def outcome_columns(table: pd.DataFrame) -> list[str]:
    """Names of the numeric outcome columns of a loaded table, in file order."""
    skip = {SOURCE, *ID_COLUMNS, *TIME_COLUMNS, *_RUN_EXTRA}
    return [
        name
        for name in table.columns
        if name not in skip
        and not name.startswith(PARAM_PREFIX)
        and pd.api.types.is_numeric_dtype(table[name])
        and not pd.api.types.is_bool_dtype(table[name])
    ]


def parameter_columns(table: pd.DataFrame) -> list[str]:
    """Names of the swept-parameter columns (``param:<section.field>``) of a loaded table."""
    return [name for name in table.columns if name.startswith(PARAM_PREFIX)]


def run_status_counts(manifest: dict[str, Any]) -> dict[str, int]:
    """Count the manifest's runs by status (``done``, ``failed``, ``pending``...)."""
    counts: dict[str, int] = {}
    for run in (manifest.get("runs") or {}).values():
        status = str(run.get("status", "unknown")) if isinstance(run, dict) else "unknown"
        counts[status] = counts.get(status, 0) + 1
    return counts


def unfinished_runs(folders: Folders) -> list[str]:
    """One line per folder whose manifest lists runs that are not done (pending, failed...)."""
    lines = []
    for path, _ in _labelled(folders):
        counts = run_status_counts(load_manifest(path))
        missing = {status: n for status, n in counts.items() if status != "done"}
        if missing:
            listed = ", ".join(f"{n} {status}" for status, n in sorted(missing.items()))
            lines.append(f"{path.name}: {listed} run(s) of {sum(counts.values())} are not included")
    return lines


def _labelled(folders: Folders) -> list[tuple[Path, str]]:
    """Resolve the folders and give each a short label, unique among them."""
    if isinstance(folders, str | Path):
        folders = [folders]
    paths = [_existing_folder(folder) for folder in folders]
    if not paths:
        raise AnalysisError("no result folder given")
    twice = sorted({str(path) for path in paths if paths.count(path) > 1})
    if twice:
        raise AnalysisError(
            f"{', '.join(twice)}: given twice; each result folder counts once (its runs "
            "would be counted as more replicates)"
        )
    labels = [path.name for path in paths]
    if len(set(labels)) < len(labels):
        labels = [f"{path.parent.name}/{path.name}" for path in paths]
    if len(set(labels)) < len(labels):
        labels = [str(path) for path in paths]
    return list(zip(paths, labels, strict=True))


def _existing_folder(folder: str | Path) -> Path:
    path = Path(folder)
    if not path.exists():
        raise AnalysisError(f"{path}: no such result folder")
    if not path.is_dir():
        raise AnalysisError(f"{path}: not a folder (give the batch's result folder)")
    return path.resolve()


def _read_summary(path: Path, label: str) -> pd.DataFrame:
    files = listed_files(path, SUMMARY_DIR)
    if files:
        table = _read_many(files)
        _require_columns(table, ID_COLUMNS, path / SUMMARY_DIR)
        _require_listed_runs(table, files, path / SUMMARY_DIR)
    elif files is None and (path / RUN_SUMMARY).exists():
        table = _from_single_run(read_result_table(path / RUN_SUMMARY), path)
    else:
        raise AnalysisError(f"{path}: no finished runs ({_status_note(path)})")
    table.insert(0, SOURCE, label)
    return table


def _read_weekly(path: Path, label: str, outcomes: list[str] | None) -> pd.DataFrame:
    files = listed_files(path, WEEKLY_DIR)
    wanted = None if outcomes is None else {*ID_COLUMNS, *TIME_COLUMNS, *outcomes}
    if files:
        table = _read_many(files, wanted)
        _require_listed_runs(table, files, path / WEEKLY_DIR)
    elif files is None and (path / RUN_WEEKLY).exists():
        table = _from_single_run(read_result_table(path / RUN_WEEKLY), path)
    else:
        raise AnalysisError(f"{path}: no weekly series ({_status_note(path)})")
    _require_columns(table, ("run_id", "world", "policy", "draw", "replicate", "week"), path)
    if outcomes is not None:
        missing = [name for name in outcomes if name not in table.columns]
        if missing:
            raise AnalysisError(f"{path}: no weekly outcome(s) {', '.join(missing)}")
        keep = [c for c in table.columns if c in ID_COLUMNS or c in TIME_COLUMNS]
        table = table[keep + [c for c in outcomes if c not in keep]]
    table.insert(0, SOURCE, label)
    return table


def listed_files(path: Path, kind: str, optional: bool = False) -> list[Path] | None:
    """The result files of the runs a batch manifest lists as done, each checked.

    Only these are read: a stray file in the folder (a copy, another batch's table) is never
    counted. Each is checked against the row count and checksum recorded with its run.

    Args:
        path: The result folder.
        kind: ``summary``, ``weekly`` or ``fates``.
        optional: Whether a run may lack this kind of file (one recorded before it was
            written): a missing file is then skipped unless the run's entry records it.

    Returns:
        The files, in run order; ``None`` for a folder without a batch manifest (a
        ``tipsim run`` folder).

    Raises:
        AnalysisError: For a batch-layout folder without a manifest, or a manifest whose run
            entries are damaged.
        DamagedResultError: Naming a listed file that is missing or not the one written.
    """
    manifest = load_manifest(path)
    if not manifest:
        if (path / kind).is_dir():
            raise AnalysisError(
                f"{path}: has a {kind}/ folder but no {MANIFEST}; only the runs a batch's "
                "manifest lists are read"
            )
        return None
    runs = manifest.get("runs") or {}
    if not (path / kind).is_dir():
        return []  # none of this kind stored (a folder written without weekly series)
    files = []
    for run_id, entry in runs.items():
        if entry.get("status") != "done":
            continue
        file = path / kind / f"{run_id}.parquet"
        records = entry.get("files")
        record = records.get(kind) if isinstance(records, dict) else None
        if optional and record is None and not file.exists():
            continue
        problem = file_problem(file, record)
        if problem is not None:
            raise DamagedResultError(
                f"{file} (run {run_id}) {problem}; running the batch again re-runs the damaged run"
            )
        files.append(file)
    return files


def _require_listed_runs(table: pd.DataFrame, files: list[Path], where: Path) -> None:
    """Refuse rows of a run the manifest does not list (a file replaced by another batch's)."""
    listed = {file.stem for file in files}
    stray = sorted(set(table["run_id"].astype(str)) - listed) if "run_id" in table else []
    if stray:
        raise DamagedResultError(
            f"{where}: a file holds run(s) {', '.join(stray[:3])} that the manifest does not "
            "list (a table of another batch?); running the batch again re-runs the damaged run"
        )


def _from_single_run(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Turn a ``tipsim run`` table (one seed, one row per policy) into the batch layout."""
    _require_columns(table, ("policy",), path)
    table = table.copy()
    world = table.pop("scenario") if "scenario" in table.columns else path.name
    if "seed" in table.columns:
        seed = table.pop("seed")
    else:  # a weekly table written before it carried the seed: take the summary's
        seed = table["policy"].map(_single_run_seeds(path)).fillna(0).astype(int)
    ids = pd.DataFrame(
        {
            "run_id": table["policy"].astype(str) + "-seed" + seed.astype(str),
            "world": world,
            "policy": table.pop("policy"),
            "draw": 0,
            "replicate": 0,
            "seed": seed,
        },
        index=table.index,
    )
    return pd.concat([ids, table], axis=1)


def _single_run_seeds(path: Path) -> dict[str, int]:
    """Policy -> seed from a ``tipsim run`` folder's summary (empty if it has none)."""
    summary = path / "summary.parquet"
    if not summary.exists():
        return {}
    table = read_result_table(summary)
    if "seed" not in table.columns or "policy" not in table.columns:
        return {}
    return dict(zip(table["policy"].astype(str), table["seed"].astype(int), strict=True))


def _read_many(files: list[Path], wanted: set[str] | None = None) -> pd.DataFrame:
    """Read one Parquet file per run as one table.

    A pyarrow dataset reads them in parallel threads (several times faster than one
    ``read_parquet`` per file for thousands of runs); if the files do not share one schema or
    one is damaged, they are read one by one, so that columns are aligned and the damaged
    file is named. ``wanted`` limits the columns read.
    """
    try:
        dataset = ds.dataset([str(file) for file in files], format="parquet")
        columns = None if wanted is None else [c for c in dataset.schema.names if c in wanted]
        return dataset.to_table(columns=columns).to_pandas()
    except (pa.ArrowException, OSError):
        table = pd.concat([read_result_table(file) for file in files], ignore_index=True)
        return table if wanted is None else table[[c for c in table.columns if c in wanted]]


class DamagedResultError(AnalysisError):
    """A result file exists but cannot be read (truncated, overwritten): never skipped."""


def read_result_table(file: Path) -> pd.DataFrame:
    """Read one stored result table (Parquet).

    Raises:
        DamagedResultError: If the file is not a readable Parquet file (truncated, overwritten).
    """
    try:
        return pd.read_parquet(file)
    except Exception as err:  # pyarrow raises several types for damaged files
        raise DamagedResultError(
            f"{file}: not a readable Parquet result file ({err}); for a batch, running it "
            "again re-runs the damaged run"
        ) from err


def _require_columns(table: pd.DataFrame, names: Iterable[str], where: Path) -> None:
    missing = [name for name in names if name not in table.columns]
    if missing:
        raise AnalysisError(f"{where}: result files lack column(s) {', '.join(missing)}")


def _status_note(path: Path) -> str:
    counts = run_status_counts(load_manifest(path))
    if not counts:
        return "expected summary/*.parquet or summary.parquet"
    listed = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    return f"manifest lists {listed}"


def _policy_order(labelled: list[tuple[Path, str]]) -> list[str]:
    """Policies in the order the batches listed their runs."""
    order: dict[str, None] = {}
    for path, _ in labelled:
        for run in (load_manifest(path).get("runs") or {}).values():
            if isinstance(run, dict) and "policy" in run:
                order[str(run["policy"])] = None
    return list(order)


def _order(table: pd.DataFrame, preferred: list[str]) -> pd.DataFrame:
    """Sort rows and make ``policy`` an ordered categorical in the batches' order."""
    present = list(dict.fromkeys(table["policy"].astype(str)))
    policies = [p for p in preferred if p in present] + [p for p in present if p not in preferred]
    table["policy"] = pd.Categorical(table["policy"].astype(str), categories=policies)
    keys = [c for c in (SOURCE, "world", "draw", "policy", "replicate", "week") if c in table]
    return table.sort_values(keys, kind="stable").reset_index(drop=True)
