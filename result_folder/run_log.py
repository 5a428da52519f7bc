"""The run log of a batch folder: finished runs appended one JSON line each (``runs.jsonl``).

While a batch session runs, each finished or failed run is appended to ``DIR/runs.jsonl``
instead of rewriting the whole manifest; saving the manifest folds the log into it and empties
it. Readers (the batch on resume, the analysis) replay the log over the manifest's run entries.
A torn last line, the process killed mid-write, is ignored.

The experiments write the log (``experiments.batches.manifest``); both they and the analysis read it
through :func:`check_runs` and :func:`apply_run_log`, so there is one definition of what a
record says.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class RunLogError(ValueError):
    """A manifest's run entries or run log that cannot be read as written.

    The readers turn it into their own error: ``analysis.errors.AnalysisError`` in the
    analysis, ``experiments.core.errors.UserError`` in the batch (one message, exit status 2).
    """


#: The append-only log of finished runs beside the manifest (one JSON object per line).
RUN_LOG = "runs.jsonl"


#: The statuses a run may have.
STATUSES = ("pending", "done", "failed")


def check_runs(data: dict[str, Any], path: Path) -> None:
    """Refuse a manifest whose ``runs`` are damaged (not a mapping, an entry without status).

    Raises:
        RunLogError: Naming the manifest and the first damaged entry.
    """
    runs = data.get("runs")
    if runs is None:
        return
    if not isinstance(runs, dict):
        raise RunLogError(
            f"{path}: damaged manifest: 'runs' must map each run id to its entry (found a "
            f"{type(runs).__name__}); run the batch into a new folder (--new)"
        )
    for run_id, entry in runs.items():
        status = entry.get("status") if isinstance(entry, dict) else None
        if status not in STATUSES:
            raise RunLogError(
                f"{path}: damaged manifest: the entry of run '{run_id}' has no valid status "
                f"(one of {', '.join(STATUSES)}); run the batch into a new folder (--new)"
            )


def apply_run_log(data: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Replay ``folder/runs.jsonl`` over a manifest's run entries (in place).

    A torn last line (a write cut short by a kill) is ignored; a damaged line before it is
    refused, naming the line.

    Raises:
        RunLogError: If a line other than the last is not a run record.
    """
    path = Path(folder) / RUN_LOG
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
    except FileNotFoundError:
        return data
    except OSError as err:
        raise RunLogError(f"{path}: the run log cannot be read ({err.strerror})") from None
    runs = data.get("runs") or {}
    last = len(lines) - 1
    for number, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            change = json.loads(line)
            if not isinstance(change, dict) or change.get("run") not in runs:
                raise ValueError("not a record of a run of this batch")
            if change.get("status") not in STATUSES:
                raise ValueError(f"status {change.get('status')!r} is not one of {STATUSES}")
        except ValueError as err:
            if number == last:  # torn: the process died while writing it
                break
            raise RunLogError(
                f"{path}: line {number + 1} is damaged ({err}); move the file away to resume "
                "from the manifest alone (its runs are then run again)"
            ) from None
        apply_record(runs, change)
    return data


def apply_record(runs: dict[str, dict[str, Any]], change: dict[str, Any]) -> None:
    """Apply one run record to the manifest's run entries (an error is cleared by a success)."""
    entry = runs[change["run"]]
    entry.pop("error", None)
    entry.pop("traceback", None)
    entry.update({k: v for k, v in change.items() if k != "run" and v is not None})
