"""Writing an output file whole or not at all: a temporary name, then an atomic rename.

Every file tipsim writes goes through :func:`atomic_target`, so a reader never sees half a
file and a write that fails (a full disk, a folder made read-only) leaves no empty or partial
file behind: what was there before stays as it was.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """A temporary path to write ``path``'s content to; renamed over ``path`` on success.

    The temporary file (``.<name>.<pid>.tmp`` beside it) is removed whatever happens.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(text: str, path: Path) -> Path:
    """Write ``text`` to ``path`` (UTF-8), whole or not at all."""
    with atomic_target(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path
