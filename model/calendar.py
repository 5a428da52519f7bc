"""The model's calendar: one step is one week, 52 weeks a year, the first week in January.

Every conversion between simulated weeks and calendar dates goes through here, so a run, a
timeline entry, a replay's yearly table and a batch's horizon agree on what week a date is.
"""

from __future__ import annotations

#: Weeks in a simulated year (one step is one week).
WEEKS_PER_YEAR = 52
#: Months in a year.
MONTHS_PER_YEAR = 12


def weeks(years: float) -> int:
    """Number of whole weeks in ``years`` simulated years (rounded to the nearest week)."""
    return round(years * WEEKS_PER_YEAR)


def week_of(year: int, month: int, start_year: int) -> int:
    """Index of the week a month begins in, counted from the first simulated week (week 0).

    ``week_of(start_year, 1, start_year)`` is 0; a month starts at week
    ``(year - start_year) * 52 + round((month - 1) * 52 / 12)``. Dates before the start give
    negative weeks.
    """
    return (year - start_year) * WEEKS_PER_YEAR + round(
        (month - 1) * WEEKS_PER_YEAR / MONTHS_PER_YEAR
    )


def year_of(week: int, start_year: int) -> int:
    """Calendar year of simulated week ``week`` (week 0 is the first week of ``start_year``)."""
    return start_year + week // WEEKS_PER_YEAR


def years_elapsed(week: int) -> float:
    """Simulated years after ``week`` weeks."""
    return week / WEEKS_PER_YEAR
