"""Dated changes to a world (the schema half): entries, their dates, and folding early ones in.

A scenario's ``timeline`` is a list of entries such as::

    timeline:
      - date: 2020-07          # "YYYY-MM" or YYYY
        set:
          ngo.screenings_per_year: 518

An entry takes effect at the start of the week its month begins in (see
:func:`model.calendar.week_of`). Entries dated at or before the first week are folded into the
parameters at set-up, in date order (:func:`settle`); the others are applied to the running
model at the start of their week by :mod:`model.world_changes` (the runtime half). Only world
fields can change (policy levers are constant through a run, and ``time.*`` is the calendar
itself). Values are typed and ranged through the schema when the entry is validated
(``model.parameters.TimelineEntry`` adds that to :class:`DatedChange`).

This module does no file I/O; ``scenarios.loader`` reads timelines from YAML.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from model.calendar import week_of

if TYPE_CHECKING:
    from model.parameters import Parameters

#: Sections a timeline may not change (the calendar itself).
FIXED_SECTIONS = ("time",)
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$")


def parse_date(value: Any) -> tuple[int, int]:
    """Read a timeline date: ``2021``, ``"2021"``, ``"2020-07"`` (or a date on the 1st).

    Returns:
        ``(year, month)``; month is 1 for a bare year.

    Raises:
        ValueError: If the date is not ``YYYY`` or ``YYYY-MM`` with a month of 1-12.
    """
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        if value.day != 1:
            raise ValueError(f"dates are months: write {value.year}-{value.month:02d}")
        return value.year, value.month
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("expected a date as YYYY-MM or YYYY, e.g. 2020-07")
    match = _DATE.match(str(value).strip())
    if not match:
        raise ValueError(f"{value!r} is not a date as YYYY-MM or YYYY, e.g. 2020-07")
    year, month = int(match.group(1)), int(match.group(2) or 1)
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} in {value!r} must be 1-12")
    if not 1900 <= year <= 2200:
        raise ValueError(f"year {year} in {value!r} must be 1900-2200")
    return year, month


def _date_schema(schema: dict[str, Any]) -> None:
    """JSON Schema of ``date``: a year, or a year and month."""
    schema.pop("type", None)
    schema["anyOf"] = [
        {"type": "string", "pattern": r"^\d{4}(-\d{1,2})?$"},
        {"type": "integer", "minimum": 1900, "maximum": 2200},
    ]


class DatedChange(BaseModel):
    """One dated change: the fields in ``set`` take their values from ``date`` on.

    The values in ``set`` are not typed here; ``model.parameters.TimelineEntry`` types and
    ranges them through the parameter schema.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: str = Field(
        description="Month the change takes effect: YYYY-MM or YYYY.",
        json_schema_extra=_date_schema,
    )
    set: dict[str, Any] = Field(
        description="World fields by dotted path (e.g. ngo.screenings_per_year) and new values.",
    )

    @field_validator("date", mode="before")
    @classmethod
    def _normalise_date(cls, value: Any) -> str:
        year, month = parse_date(value)
        return f"{year:04d}-{month:02d}"

    @field_validator("set", mode="before")
    @classmethod
    def _refuse_fixed(cls, value: Any) -> Any:
        if isinstance(value, dict):
            for path in value:
                if str(path).split(".")[0] in FIXED_SECTIONS:
                    raise ValueError(f"{path}: the calendar cannot change during a run")
                if str(path).split(".")[0] == "screening":
                    raise ValueError(
                        f"{path}: policy levers are constant through a run; a timeline changes "
                        "world fields only (give the lever in a policy file)"
                    )
        return value

    @property
    def year(self) -> int:
        """Calendar year of the change."""
        return int(self.date[:4])

    @property
    def month(self) -> int:
        """Calendar month of the change (1-12)."""
        return int(self.date[5:7])

    def week(self, start_year: int) -> int:
        """Index of the week the change takes effect, counted from the first simulated week."""
        return week_of(self.year, self.month, start_year)


def nested(changes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{"ngo.x": 1}`` -> ``{"ngo": {"x": 1}}``."""
    result: dict[str, dict[str, Any]] = {}
    for path, value in changes.items():
        section, field = path.split(".", 1)
        result.setdefault(section, {})[field] = value
    return result


def settle(params: Parameters) -> Parameters:
    """Fold the entries due at or before the first week into the parameters, in date order.

    Returns:
        Parameters with those entries applied and removed from the timeline; later entries are
        kept (sorted by date) for :func:`model.world_changes.apply_due`.
    """
    start = params.time.start_year
    entries = sorted(params.timeline, key=lambda e: e.date)
    due = [e for e in entries if e.week(start) <= 0]
    if not due and entries == list(params.timeline):
        return params
    changes: dict[str, Any] = {}
    for entry in due:
        for section, values in nested(entry.set).items():
            changes.setdefault(section, {}).update(values)
    later = [e.model_dump() for e in entries if e.week(start) > 0]
    return params.updated({**changes, "timeline": later})
