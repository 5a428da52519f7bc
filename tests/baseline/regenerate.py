"""Write the pinned summaries of the baseline batch (run only when results are meant to change).

    python -m tests.baseline.regenerate

Say in the commit why the model's results changed; ``tests/test_baseline.py`` compares a fresh
run of the same batch with this file value for value.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.baseline.batch import PINNED, run_baseline


def main() -> None:
    """Run the baseline batch and write its summaries to the pinned CSV."""
    with tempfile.TemporaryDirectory() as folder:
        summary = run_baseline(Path(folder))
    summary.to_csv(PINNED, index=False, float_format="%.17g")
    print(f"wrote {PINNED} ({len(summary)} runs, {summary.shape[1]} columns)")


if __name__ == "__main__":
    main()
