"""The calibration's fit table (``fit.csv``): a published bound is judged as a bound.

Protects what a reader of ``fit.csv`` is told: a pattern of published bounds (at most 8 from
commercial sex among 2018's identified) counts a simulated 0 as within tolerance, and one of
at least 6 counts a simulated 3 (3 short, tolerance 3) within and 2 outside; equal patterns
stay symmetric.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.calibration.fit import pattern_table
from analysis.calibration.patterns import Pattern, PatternDefinition


def pattern(bound: str, published: float) -> Pattern:
    definition = PatternDefinition(
        name=f"toy_{bound}",
        description="a toy count",
        metric="toy",
        yearly=True,
        simulate=lambda table: table["toy"],
        bound=bound,
    )
    return Pattern(definition, (2018,), {2018: published}, relative=0.5, absolute=3.0)


@pytest.mark.parametrize(
    ("bound", "published", "simulated", "within"),
    [
        ("at_most", 8.0, [0.0, 1.0, 14.0], 2 / 3),  # 14 is 6 beyond the bound (tolerance 4)
        ("at_least", 6.0, [3.0, 2.0, 9.0], 2 / 3),  # 2 is 4 short (tolerance 3)
        ("equal", 6.0, [3.0, 9.0, 10.0], 2 / 3),
    ],
)
def test_a_bound_counts_only_the_error_beyond_it(bound, published, simulated, within):
    yearly = pd.DataFrame({"number": range(len(simulated)), "year": 2018, "toy": simulated})
    row = pattern_table(yearly, list(range(len(simulated))), [pattern(bound, published)]).iloc[0]
    assert row["within_tolerance"] == pytest.approx(within)
    assert row["bound"] == bound
