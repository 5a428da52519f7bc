"""Writing result tables safely: temporary name, then an atomic rename."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from analysis.atomic import atomic_target, write_text_atomic
from analysis.integrity import file_check

__all__ = ["fresh_folder", "read_tables", "write_parquet_atomic", "write_text_atomic"]


def write_parquet_atomic(frame: pd.DataFrame, path: Path) -> dict[str, Any]:
    """Write ``frame`` to ``path`` as Parquet; a reader never sees a half-written file.

    Returns:
        The file's record: its row count and the SHA-256 of its bytes
        (:func:`analysis.integrity.file_check`), for a reader to check it against.
    """
    with atomic_target(path) as tmp:
        frame.to_parquet(tmp, index=False)
        check = file_check(tmp, len(frame))
    return check


def fresh_folder(folder: Path) -> Path:
    """The first of ``DIR-2``, ``DIR-3``, ... that does not exist."""
    number = 2
    while (candidate := folder.with_name(f"{folder.name}-{number}")).exists():
        number += 1
    return candidate


def read_tables(folder: Path) -> pd.DataFrame:
    """Read every Parquet file in ``folder`` (one per run) into one frame, ordered by run id.

    Hidden and temporary files are ignored. Returns an empty frame if there are none.
    """
    files = sorted(folder.glob("*.parquet"))
    if not files:
        return pd.DataFrame()
    frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    return frame.sort_values("run_id", kind="stable", ignore_index=True)
