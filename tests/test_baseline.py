"""Pinned results: a small batch gives the same summaries, value for value, as when pinned.

The pinned file was written by the model before the architecture refactor (parameters resolved
once above the model), so this test is what shows that refactor changed no result. A change of
the model that is meant to change results regenerates it (``python -m
tests.baseline.regenerate``) and says why in its commit; any other difference is a bug.
"""

import io

import pandas as pd

from tests.baseline.batch import PINNED, run_baseline


def test_the_baseline_batch_reproduces_its_pinned_summaries(tmp_path):
    pinned = pd.read_csv(PINNED)
    fresh = run_baseline(tmp_path)
    fresh = pd.read_csv(io.StringIO(fresh.to_csv(index=False, float_format="%.17g")))
    assert list(fresh.columns) == list(pinned.columns)
    pd.testing.assert_frame_equal(fresh, pinned, check_exact=True)
