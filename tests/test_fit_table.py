"""The calibration's fit table (``fit.csv``): a published bound is judged as a bound.

Protects what a reader of ``fit.csv`` is told: a pattern of published bounds (at most 8 from
commercial sex among 2018's identified) counts a simulated 0 as within tolerance, and one of
at least 6 counts a simulated 3 (3 short, tolerance 3) within and 2 outside; equal patterns
stay symmetric.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.calibration.fit import pattern_table, yearly_summary
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


def test_the_fit_of_a_weighted_posterior_is_of_its_weights():
    """Recycled posteriors weigh sets unevenly: the table follows the weights, not the count.

    Three runs of 0, 1 and 14 against at most 8 (tolerance 4): with equal weights the median is
    1 and two thirds are within; with weights 0.1, 0.1 and 0.8 the median is 14 and 20% are.
    """
    yearly = pd.DataFrame({"number": [5, 6, 7], "year": 2018, "toy": [0.0, 1.0, 14.0]})
    toy = pattern("at_most", 8.0)
    even = pattern_table(yearly, [5, 6, 7], [toy]).iloc[0]
    assert (even["median"], even["within_tolerance"]) == (1.0, pytest.approx(2 / 3))
    weighted = pattern_table(yearly, [5, 6, 7], [toy], {5: 0.1, 6: 0.1, 7: 0.8}).iloc[0]
    assert weighted["median"] == 14.0 and weighted["high"] == 14.0 and weighted["low"] == 0.0
    assert weighted["within_tolerance"] == pytest.approx(0.2)


def test_the_yearly_comparison_of_a_weighted_posterior_is_of_its_weights():
    yearly = pd.DataFrame(
        {
            "number": [1, 2, 3, 1, 2, 3],
            "year": [2016] * 3 + [2017] * 3,
            "initial_screenings": [100.0, 200.0, 900.0, 10.0, 20.0, 30.0],
        }
    )
    even = yearly_summary(yearly, [1, 2, 3])
    assert even.loc[2016, ("median", "initial_screenings")] == 200.0
    weighted = yearly_summary(yearly, [1, 2, 3], {1: 0.05, 2: 0.05, 3: 0.9})
    assert weighted.loc[2016, ("median", "initial_screenings")] == 900.0
    assert weighted.loc[2017, ("median", "initial_screenings")] == 30.0
    assert weighted.loc[2016, ("low", "initial_screenings")] == 100.0
