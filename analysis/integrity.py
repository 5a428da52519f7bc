"""Whether a stored result file is the one that was written: its row count and checksum.

A batch writes each run's tables and records, with the run, each file's row count and the
SHA-256 of its bytes (:func:`file_check`). A reader (the batch on resume, the analysis) checks a
file against that record (:func:`file_problem`): a file damaged inside, even with an intact
Parquet footer, or replaced by another file of the same name, no longer matches. A file recorded
before checksums were kept is read whole and its rows counted.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

#: Bytes read at a time when hashing a file.
_CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def file_check(path: Path, rows: int) -> dict[str, Any]:
    """What a writer records of a file it wrote: ``{"rows": rows, "sha256": ...}``."""
    return {"rows": int(rows), "sha256": sha256_of(path)}


def file_problem(
    path: Path, recorded: dict[str, Any] | None = None, rows: int | None = None
) -> str | None:
    """What is wrong with a stored result file (``None`` if it is the one written).

    Args:
        path: The file.
        recorded: Its record (:func:`file_check`), if the writer kept one.
        rows: The rows it must hold (checked from the footer when there is no record).

    Returns:
        What is wrong, to follow the file's name (``"is missing"``), or ``None``.
    """
    if not path.is_file():
        return "is missing"
    if isinstance(recorded, dict) and isinstance(recorded.get("sha256"), str):
        if rows is not None and recorded.get("rows") != rows:
            return f"was recorded with {recorded.get('rows')} rows, not {rows}"
        try:
            found = sha256_of(path)
        except OSError as err:
            return f"cannot be read ({err.strerror or err})"
        if found != recorded["sha256"]:
            return "is not the file written (its checksum differs: damaged or replaced)"
        return None
    try:  # no record: the whole file must decode (a damaged page fails), with its rows
        count = pq.read_table(path).num_rows
    except (OSError, pa.ArrowException) as err:
        return f"is not a readable Parquet file ({err})"
    if rows is not None and count != rows:
        return f"has {count} rows, not {rows}"
    return None
