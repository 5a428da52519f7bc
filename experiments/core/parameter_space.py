"""Uncertain parameters: which fields vary, over what range, and how they are sampled.

A parameter is named by its field path in the schema (``section.field``). Its range must lie
within the range the schema allows. ``log: true`` spreads samples evenly on a log scale (a
log-uniform prior); otherwise they are uniform. Integer fields are rounded when set.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, model_validator

from model.parameters import Parameters


class ParameterRange(BaseModel):
    """Range of one uncertain parameter."""

    model_config = ConfigDict(extra="forbid")

    low: float
    high: float
    log: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> ParameterRange:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.log and self.low <= 0:
            raise ValueError(f"a log range needs low > 0 (got {self.low})")
        return self


def field_info(path: str) -> tuple[Any, type]:
    """The pydantic field of ``section.field`` and its annotation.

    Raises:
        ValueError: If the path does not name a numeric field of the schema.
    """
    info = schema_field(path)
    if info.annotation not in (int, float):
        raise ValueError(f"'{path}': only numeric fields can vary (this one is {info.annotation})")
    return info, info.annotation


def schema_field(path: str) -> Any:
    """The pydantic field of ``section.field``, of any type.

    Raises:
        ValueError: If the path does not name a field of the schema.
    """
    parts = path.split(".")
    if len(parts) != 2:
        raise ValueError(f"'{path}': name a field as section.field")
    section, name = parts
    sections = Parameters.model_fields
    if section not in sections:
        raise ValueError(f"'{path}': unknown section '{section}'; allowed: {', '.join(sections)}")
    fields = sections[section].annotation.model_fields
    if name not in fields:
        raise ValueError(f"'{path}': unknown field '{name}' of section '{section}'")
    return fields[name]


def check_range(path: str, spec: ParameterRange) -> None:
    """Check that ``spec`` lies within the schema's allowed range for ``path``.

    Raises:
        ValueError: Naming the field and the allowed range.
    """
    ge, le = allowed_range(path)
    if ge is not None and spec.low < ge:
        raise ValueError(f"'{path}': low {spec.low} is below the allowed minimum {ge}")
    if le is not None and spec.high > le:
        raise ValueError(f"'{path}': high {spec.high} is above the allowed maximum {le}")


def allowed_range(path: str) -> tuple[float | None, float | None]:
    """The schema's minimum and maximum of ``section.field`` (``None`` where unbounded)."""
    info, _ = field_info(path)
    ge = next((m.ge for m in info.metadata if getattr(m, "ge", None) is not None), None)
    le = next((m.le for m in info.metadata if getattr(m, "le", None) is not None), None)
    return ge, le


def check_ranges(ranges: dict[str, ParameterRange]) -> dict[str, ParameterRange]:
    """Check every range against the schema (a pydantic after-validator)."""
    for path, spec in ranges.items():
        check_range(path, spec)
    return ranges


def check_fixed(values: dict[str, bool | float]) -> dict[str, bool | float]:
    """Check fixed values against the schema (a pydantic after-validator); round integers.

    Numeric fields take a number within the schema's range, switches take true or false.

    Raises:
        ValueError: Naming the field and what it allows.
    """
    checked: dict[str, bool | float] = {}
    for path, value in values.items():
        kind = schema_field(path).annotation
        if kind is bool:
            if not isinstance(value, bool):
                raise ValueError(f"'{path}' is a switch: give true or false (got {value})")
            checked[path] = value
            continue
        if kind not in (int, float):
            raise ValueError(f"'{path}': only numeric fields and switches can be fixed")
        if isinstance(value, bool):
            raise ValueError(f"'{path}' is a number: give one (got {value})")
        ge, le = allowed_range(path)
        if (ge is not None and value < ge) or (le is not None and value > le):
            raise ValueError(f"'{path}': {value} is outside the allowed range {ge} to {le}")
        checked[path] = round(value) if kind is int else value
    return checked


#: Configuration field type: values held fixed in every run, by field path.
FixedValues = Annotated[dict[str, bool | float], AfterValidator(check_fixed)]


#: Configuration field type: ranges by field path, each checked against the schema.
ParameterRanges = Annotated[dict[str, ParameterRange], AfterValidator(check_ranges)]


class ParameterSpace:
    """A box of uncertain parameters, with a unit-cube coordinate system for samplers.

    Args:
        ranges: ``{"section.field": ParameterRange}`` in a fixed order.
        schema: Check each name and range against the model's schema (integer fields are
            rounded). ``False`` takes any names, all real-valued: for test problems of a
            sampler that do not run the model.
    """

    def __init__(self, ranges: Mapping[str, ParameterRange], *, schema: bool = True) -> None:
        self.ranges = check_ranges(dict(ranges)) if schema else dict(ranges)
        self.names = list(ranges)
        self._integer = [schema and field_info(p)[1] is int for p in self.names]

    def is_integer(self, name: str) -> bool:
        """Whether parameter ``name`` is an integer field."""
        return self._integer[self.names.index(name)]

    def __len__(self) -> int:
        return len(self.names)

    def internal_bounds(self) -> np.ndarray:
        """Bounds in the sampling scale (log for log ranges), shape ``(d, 2)``."""
        return np.array(
            [
                [math.log(s.low), math.log(s.high)] if s.log else [s.low, s.high]
                for s in self.ranges.values()
            ]
        )

    def to_values(self, internal: np.ndarray) -> dict[str, float | int]:
        """Map one point in the sampling scale to parameter values."""
        values: dict[str, float | int] = {}
        for name, spec, x, integer in zip(
            self.names, self.ranges.values(), internal, self._integer, strict=True
        ):
            v = math.exp(float(x)) if spec.log else float(x)
            values[name] = round(v) if integer else v
        return values

    def from_unit(self, unit: np.ndarray) -> np.ndarray:
        """Map unit-cube points ``(n, d)`` to the sampling scale."""
        bounds = self.internal_bounds()
        return bounds[:, 0] + unit * (bounds[:, 1] - bounds[:, 0])

    def inside(self, internal: np.ndarray) -> np.ndarray:
        """Whether each point ``(n, d)`` lies in the box."""
        bounds = self.internal_bounds()
        return np.all((internal >= bounds[:, 0]) & (internal <= bounds[:, 1]), axis=-1)

    def salib_problem(self) -> dict[str, Any]:
        """The SALib problem (in the sampling scale: log ranges are sampled in log)."""
        return {
            "num_vars": len(self.names),
            "names": list(self.names),
            "bounds": self.internal_bounds().tolist(),
        }
