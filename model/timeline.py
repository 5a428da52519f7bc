"""Dated changes to a world: parameters that take new values at a given week of a run.

A scenario's ``timeline`` is a list of entries such as::

    timeline:
      - date: 2020-07          # "YYYY-MM" or YYYY
        set:
          ngo.screenings_per_year: 518

An entry takes effect at the start of week ``(year - time.start_year) * 52 +
round((month - 1) * 52 / 12)``. Entries dated at or before the first week are folded into the
parameters at set-up, in date order (:func:`settle`); the others are applied by
:func:`apply_due` at the start of their week. Only world fields can change (policy levers are
constant through a run, and ``time.*`` is the calendar itself). Values are typed and ranged
through the schema when the entry is validated.

Most world fields are read every week, so a new value simply takes effect. Three kinds are read
when something is built, and are rebuilt here when they change:

* ``officers.immigration/police/labour/customs``: officers are added or retired so that each
  agency has the new head count, keeping its trained share at the policy's ``training_share``
  (deterministic: no random numbers are drawn, so policies keep common random numbers);
* ``officers.weekly_case_capacity``: every officer's capacity is reset;
* ``prevalence.trafficked_share_*`` and ``prevalence.odds_ratio_*``: the risk-model intercepts
  are solved again on the migrants present, so arrivals from then on are trafficked at the new
  rate (victims already present stay victims);
* ``behaviour.trust_mean``: the trust of migrants present is shifted to the new mean (see
  :func:`shift_trust`), so a fall in trust reaches everyone at once.

Other traits drawn when a migrant arrives or becomes a victim (debt, PTSD, awareness, fear of
punishment, length of stay) take their new values for migrants who arrive or are trafficked
from the date on. Population sizes are targets: a larger one is filled by arrivals in the week
of the change, a smaller one is reached as migrants leave at the end of their stay.

This module does no file I/O; ``scenarios.loader`` reads timelines from YAML.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

if TYPE_CHECKING:
    from model.model import IdentificationModel
    from model.parameters import Parameters

WEEKS_PER_YEAR = 52
#: Sections a timeline may not change (the calendar itself).
FIXED_SECTIONS = ("time",)
#: Officer head counts per agency (officers are added or retired when they change).
OFFICER_COUNTS = ("immigration", "police", "labour", "customs")
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


def world_fields() -> dict[str, tuple[Any, Any]]:
    """Every field a timeline may change: ``"section.field"`` -> (annotation, FieldInfo)."""
    from model.parameters import WORLD_SECTIONS, Parameters

    fields = {}
    for section in WORLD_SECTIONS:
        if section in FIXED_SECTIONS:
            continue
        section_cls = Parameters.model_fields[section].annotation
        for name, info in section_cls.model_fields.items():
            fields[f"{section}.{name}"] = (info.annotation, info)
    return fields


@cache
def changes_model() -> type[BaseModel]:
    """A pydantic model whose fields are the world fields by dotted path (all optional).

    Validating an entry's ``set`` mapping through it types and ranges every value with the
    schema's own constraints and refuses unknown paths, reporting each problem separately.
    """
    definitions = {}
    for path, (annotation, info) in world_fields().items():
        field = Field(
            None,
            alias=path,
            description=info.description,
            json_schema_extra=info.json_schema_extra,
        )
        field.metadata = list(info.metadata)  # ge/le constraints
        definitions[path.replace(".", "__")] = (annotation, field)
    return create_model(
        "TimelineChanges",
        __config__=ConfigDict(extra="forbid", populate_by_name=False),
        **definitions,
    )


def _changes_schema(schema: dict[str, Any]) -> None:
    """JSON Schema of ``set``: the world fields by dotted path."""
    generated = changes_model().model_json_schema()
    definitions = generated.pop("$defs", {})

    def inline(node: Any) -> Any:  # the host schema has its own $defs: resolve ours here
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(definitions[node["$ref"].rsplit("/", 1)[-1]])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    schema.clear()
    schema.update(inline(generated))
    for field in schema["properties"].values():
        field.pop("default", None)  # absent means unchanged
    schema["minProperties"] = 1


def _date_schema(schema: dict[str, Any]) -> None:
    """JSON Schema of ``date``: a year, or a year and month."""
    schema.pop("type", None)
    schema["anyOf"] = [
        {"type": "string", "pattern": r"^\d{4}(-\d{1,2})?$"},
        {"type": "integer", "minimum": 1900, "maximum": 2200},
    ]


class TimelineEntry(BaseModel):
    """One dated change: the fields in ``set`` take their values from ``date`` on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: str = Field(
        description="Month the change takes effect: YYYY-MM or YYYY.",
        json_schema_extra=_date_schema,
    )
    set: dict[str, Any] = Field(
        description="World fields by dotted path (e.g. ngo.screenings_per_year) and new values.",
        json_schema_extra=_changes_schema,
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

    @field_validator("set", mode="after")
    @classmethod
    def _typed(cls, value: dict[str, Any]) -> dict[str, Any]:
        if not value:
            raise ValueError("an entry must set at least one field")
        typed = changes_model().model_validate(value)
        return typed.model_dump(by_alias=True, exclude_unset=True)

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
        return (self.year - start_year) * WEEKS_PER_YEAR + round(
            (self.month - 1) * WEEKS_PER_YEAR / 12
        )


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
        kept (sorted by date) for :func:`apply_due`.
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


def apply_due(model: IdentificationModel) -> None:
    """Apply the timeline entries dated for the model's current week (call at week start)."""
    params = model.params
    if not params.timeline:
        return
    start = params.time.start_year
    for entry in params.timeline:
        if entry.week(start) == model.week:
            apply_changes(model, entry.set)


def apply_changes(model: IdentificationModel, changes: dict[str, Any]) -> None:
    """Set already-validated world fields on the running model and rebuild what depends on them.

    Args:
        model: The running model.
        changes: Typed values by dotted path (from a validated :class:`TimelineEntry`).
    """
    old_trust = model.params.behaviour.trust_mean
    for path, value in changes.items():
        section, field = path.split(".", 1)
        setattr(getattr(model.params, section), field, value)
    if "behaviour.trust_mean" in changes:
        shift_trust(model, old_trust, model.params.behaviour.trust_mean)
    fields = {path.split(".", 1)[1] for path in changes if path.startswith("officers.")}
    if fields & set(OFFICER_COUNTS):
        staff_officers(model)
    if "weekly_case_capacity" in fields:
        for officer in model.officers:
            officer.capacity = model.params.officers.weekly_case_capacity
    if any(
        path.startswith(("prevalence.trafficked_share_", "prevalence.odds_ratio_"))
        for path in changes
    ):
        resolve_risk(model)


def staff_officers(model: IdentificationModel) -> None:
    """Add or retire officers so each agency has its current head count.

    Each agency keeps ``round(training_share * count)`` trained officers as far as the officers
    it already has allow: new officers are trained first while the agency is short of trained
    officers; retirements take untrained officers first while it has more than its share.
    """
    from model.agents import Officer
    from model.states import Agency

    o = model.params.officers
    share = model.params.screening.training_share
    retired: set[int] = set()
    hired = []
    for agency in (Agency.IMMIGRATION, Agency.POLICE, Agency.LABOUR, Agency.CUSTOMS):
        staff = [x for x in model.officers if x.agency == agency]
        target = int(getattr(o, agency.name.lower()))
        trained_target = round(share * target)
        trained = [x for x in staff if x.trained]
        untrained = [x for x in staff if not x.trained]
        while len(trained) + len(untrained) > target:
            pool = untrained if (untrained and len(trained) <= trained_target) else trained
            officer = pool.pop()
            retired.add(id(officer))
            officer.remove()
        while len(trained) + len(untrained) < target:
            train = len(trained) < trained_target
            officer = Officer(model, agency, train, o.weekly_case_capacity)
            (trained if train else untrained).append(officer)
            hired.append(officer)
    model.officers = [x for x in model.officers if id(x) not in retired] + hired


def shift_trust(model: IdentificationModel, old: float, new: float) -> None:
    """Move the trust of migrants present so its mean goes from ``old`` to ``new``.

    Lower trust scales each migrant's trust by ``new / old``; higher trust scales the distrust
    (1 - trust) by ``(1 - new) / (1 - old)``. Both keep values in 0-1, keep everyone's rank and
    draw no random numbers.
    """
    trust = model.population.trust
    if new < old:
        trust *= new / old
    elif new > old:
        trust[:] = 1.0 - (1.0 - trust) * ((1.0 - new) / (1.0 - old))


def resolve_risk(model: IdentificationModel) -> None:
    """Solve the risk-model intercepts again on the migrants present (new prevalence)."""
    import numpy as np

    from model.states import Stage
    from model.trafficking import solve_intercepts

    pop = model.population
    present = np.flatnonzero(pop.stage != Stage.ABSENT)
    model.risk_intercepts = solve_intercepts(pop, present, model.params)
