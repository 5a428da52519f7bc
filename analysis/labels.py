"""Plain words and units for outcome names, and calendar dates for week indices.

Tables, figures and headline sentences name outcomes through :data:`LABELS` so a reader sees
"Victims identified (persons)" rather than ``victims_identified``; the words and units are
declared with each outcome in :mod:`result_folder.outcomes`. ``victims_present`` is two
things: in run summaries the number of *distinct* people who were victims while present during
the run; in weekly series the *stock* of victims present at the end of each week. The two are
named apart (:func:`label` and :func:`weekly_label`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from result_folder.outcomes import DECLARED

#: Outcome -> (plain words, unit), from the declaration (:mod:`result_folder.outcomes`).
#: Outcomes without a label fall back to their name in words.
LABELS: dict[str, tuple[str, str]] = {
    outcome.name: (outcome.label, outcome.unit) for outcome in DECLARED if outcome.label
}
#: Weekly series: the stocks read at the end of each week, named as stocks.
WEEKLY_LABELS: dict[str, tuple[str, str]] = {
    outcome.name: (outcome.weekly_label, outcome.unit)
    for outcome in DECLARED
    if outcome.weekly_label
}


def words(metric: str) -> str:
    """Plain words for an outcome, without the unit."""
    return LABELS.get(metric, (metric.replace("_", " ").capitalize(), ""))[0]


def unit(metric: str) -> str:
    """The unit of an outcome (empty when unknown)."""
    return LABELS.get(metric, ("", ""))[1]


def label(metric: str) -> str:
    """Plain words and unit of a run-summary outcome, e.g. ``Victims identified (persons)``."""
    text, measure = LABELS.get(metric, (words(metric), ""))
    return f"{text} ({measure})" if measure else text


def weekly_label(metric: str) -> str:
    """Plain words and unit of a weekly series (stocks named as stocks)."""
    text, measure = WEEKLY_LABELS.get(metric, LABELS.get(metric, (words(metric), "")))
    return f"{text} ({measure})" if measure else text


def week_dates(weekly: pd.DataFrame) -> pd.Series:
    """Calendar date of each row's week: the run's first 1 January plus ``week`` weeks.

    The start year is the run's ``time.start_year``, recovered from the weekly ``year`` column
    (the calendar year of week ``w`` is ``start_year + w // 52``, see the model's ``year``).
    Without a ``year`` column the week index is returned unchanged.
    """
    if "year" not in weekly.columns:
        return weekly["week"]
    week = weekly["week"].to_numpy(dtype=int)
    start = weekly["year"].to_numpy(dtype=int) - week // 52
    first = (start - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    return pd.Series(first + week * np.timedelta64(7, "D"), index=weekly.index)
