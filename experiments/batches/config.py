"""Batch definitions: the YAML file that names worlds, policies, replicates, years and sweeps.

A batch file is validated with pydantic. Unknown keys are refused with the closest known name;
every problem names the file, the field and what is allowed.

Example::

    name: policy_comparison
    worlds: [scenarios/hong_kong_baseline.yaml]
    policies: [detention_first, screening_before_detention]
    replicates: 10
    years: 5
    seed: 20240601
    output: results/policy_comparison
    overrides:                      # optional, applied to every run
      screening.training_share: 0.5
    sweep:                          # optional: grid OR latin_hypercube
      grid:
        screening.tier1_sensitivity: [0.6, 0.8]

Instead of ``worlds``, a batch may draw its worlds from a calibrated ensemble (``ensemble:
{folder: ..., members: N}``): N members are drawn by ABC weight, with replacement (systematic
resampling: each member within one of N times its weight), and each distinct member drawn is
a world weighted by how often it was drawn. ``decomposition:`` names a
second batch file (a factorial of the policy's components) run after this one into
``<output>/decomposition``.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictInt,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from experiments.core.errors import UserError
from experiments.core.seeds import MAX_SEED

if TYPE_CHECKING:
    import pandas as pd
from model.calendar import WEEKS_PER_YEAR
from scenarios.loader import read_yaml, validation_problems

MAX_REPLICATES = 100_000
MAX_YEARS = 200
#: Weeks in a simulated year: a run steps ``round(years * 52)`` weeks.

#: A number: an integer or a float, never a boolean or a string (``years: true`` is refused).
Number = Annotated[float, Strict()]


_M = TypeVar("_M", bound=BaseModel)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LatinHypercube(_Strict):
    """Latin hypercube sample of ``samples`` points over the given ranges."""

    samples: StrictInt = Field(ge=1, le=100_000, description="number of parameter sets (draws)")
    ranges: dict[str, tuple[Number, Number]] = Field(
        min_length=1, description="section.field -> [low, high]"
    )

    @field_validator("ranges")
    @classmethod
    def _ordered(cls, ranges: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        for name, (low, high) in ranges.items():
            if not low < high:
                raise ValueError(f"{name}: low ({low}) must be below high ({high})")
        return ranges


class Sweep(_Strict):
    """Parameter sets to cross with every world and policy: a full grid or a Latin hypercube."""

    grid: dict[str, list[Any]] | None = Field(
        None, description="section.field -> list of values; every combination is run"
    )
    latin_hypercube: LatinHypercube | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Sweep:
        if (self.grid is None) == (self.latin_hypercube is None):
            raise ValueError("give exactly one of 'grid' or 'latin_hypercube'")
        if self.grid is not None:
            empty = [name for name, values in self.grid.items() if not values]
            if not self.grid or empty:
                raise ValueError("grid needs at least one parameter, each with >= 1 value")
        return self


class EnsembleDraw(_Strict):
    """Worlds drawn from a calibrated ensemble (``tipsim calibrate``'s ``ensemble/`` folder)."""

    folder: str = Field(
        description="ensemble folder holding ensemble.csv, relative to the batch file"
    )
    members: StrictInt = Field(
        ge=1,
        le=10_000_000,  # the draw holds 16 bytes a draw for a moment: 160 MB at the most
        description="members drawn by ABC weight with replacement, by systematic resampling "
        "(each within one of members x its weight; the batch's seed draws them); enough "
        "draws that 1 / members is below the smallest weight run every accepted member",
    )


class BatchConfig(_Strict):
    """One batch: worlds x policies x parameter draws x replicates."""

    name: str | None = Field(None, description="a label for the batch")
    description: str | None = None
    ensemble: EnsembleDraw | None = Field(
        None, description="draw the worlds from a calibrated ensemble instead of listing them"
    )
    worlds: list[str] = Field(
        default_factory=list,
        validate_default=True,
        description="scenario files (or shipped names)",
    )
    policies: list[str] = Field(min_length=1, description="policy names or policy files")
    replicates: StrictInt = Field(ge=1, le=MAX_REPLICATES, description="seeds per world and policy")
    years: Number = Field(gt=0, le=MAX_YEARS, description="simulated years per run")
    seed: StrictInt = Field(ge=0, le=MAX_SEED, description="root seed of the batch")
    output: str = Field(description="results folder")
    overrides: dict[str, Any] = Field(
        default_factory=dict, description="section.field -> value for every run"
    )
    sweep: Sweep | None = None
    decomposition: str | None = Field(
        None,
        description="a factorial batch file run after this one into <output>/decomposition",
    )

    @field_validator("worlds")
    @classmethod
    def _worlds_or_ensemble(cls, worlds: list[str], info: ValidationInfo) -> list[str]:
        if not worlds and info.data.get("ensemble") is None:
            raise ValueError(
                f"must list at least 1 item(s) (got {worlds}), or give ensemble: to draw the "
                "worlds from a calibrated ensemble"
            )
        return worlds

    @field_validator("years")
    @classmethod
    def _at_least_a_week(cls, years: float) -> float:
        return check_years(years)

    @field_validator("worlds", "policies")
    @classmethod
    def _distinct(cls, values: list[str]) -> list[str]:
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise ValueError(f"listed more than once: {', '.join(repeated)}")
        return values


def check_years(years: float) -> float:
    """Refuse a duration that is not a number or is shorter than one simulated week.

    Raises:
        ValueError: Saying what is allowed.
    """
    if years != years:  # NaN
        raise ValueError("must be a number of years, not NaN")
    if years * WEEKS_PER_YEAR < 1:
        raise ValueError(
            f"{years:g} years is shorter than one simulated week; give at least "
            f"{1 / WEEKS_PER_YEAR:.4f} years (1 week)"
        )
    return years


def load_batch(
    path: Path, *, replicates: int | None = None, years: float | None = None
) -> BatchConfig:
    """Read and validate a batch file, with command-line overrides of replicates and years.

    Args:
        path: The batch YAML file.
        replicates: Replace the file's ``replicates`` (a quick look at a big batch).
        years: Replace the file's ``years``.

    Returns:
        The validated batch definition.

    Raises:
        UserError: Naming the file, each invalid field and what is allowed.
    """
    data = read_file(path, "batch")
    if replicates is not None:
        data["replicates"] = replicates
    if years is not None:
        data["years"] = years
    config = validated(path, data, BatchConfig)
    if config.ensemble is not None:
        config = config.model_copy(update={"worlds": member_worlds(config, path)})
    return config


def read_file(path: Path, kind: str) -> dict[str, Any]:
    """The mapping of a YAML file the command line names (a batch or pilot file).

    Raises:
        UserError: The file is missing, not YAML, too large or not a mapping.
    """
    if not path.is_file():
        raise UserError(f"{path}: no such {kind} file")
    try:
        return read_yaml(path)
    except ValueError as err:  # ScenarioError: not YAML, too large, not a mapping
        raise UserError(str(err)) from None


def validated(path: Path, data: dict[str, Any], model: type[_M]) -> _M:
    """``data`` validated as ``model``; every problem named in one message.

    Raises:
        UserError: Naming the file, each invalid field and what is allowed.
    """
    try:
        return model.model_validate(data)
    except ValidationError as err:
        problems = batch_problems(err, model)
        lines = "\n".join(f"  - {p}" for p in problems)
        raise UserError(f"{path}: {len(problems)} problem(s):\n{lines}") from None


def member_worlds(config: BatchConfig, path: Path) -> list[str]:
    """The member files a batch draws from its ensemble, relative to the batch file.

    Raises:
        UserError: The batch lists worlds too, or the ensemble folder cannot be read.
    """
    if config.worlds:
        raise UserError(
            f"{path}: give either worlds or ensemble, not both (an ensemble's members are the "
            "worlds, weighted by the calibration)"
        )
    drawn = drawn_members(config, path)
    return [os.path.relpath(p, path.parent.resolve()) for p in drawn["path"]]


def drawn_members(config: BatchConfig, path: Path) -> pd.DataFrame:
    """The ensemble members a batch draws (the one draw its worlds, levers and weights use).

    Returns:
        :func:`~experiments.core.ensemble.draw_members`'s rows of the members drawn.

    Raises:
        UserError: The batch has no ensemble, or its ensemble folder cannot be read.
    """
    if config.ensemble is None:
        raise UserError(f"{path}: the batch draws no ensemble (no ensemble: key)")
    from experiments.core.ensemble import draw_members  # pandas: only for ensembles

    try:
        return draw_members(ensemble_folder(config, path), config.ensemble.members, config.seed)
    except UserError as err:
        raise UserError(f"{path}: ensemble.folder: {err}") from None


def ensemble_folder(config: BatchConfig, path: Path) -> Path:
    """The batch's ensemble folder, found relative to the batch file (or as given)."""
    given = Path(config.ensemble.folder)
    if given.is_absolute() or (given.exists() and not (path.parent / given).exists()):
        return given.resolve()
    return (path.parent / given).resolve()


def decomposition_file(config: BatchConfig, path: Path) -> Path | None:
    """The batch's follow-up factorial batch file, found relative to the batch file.

    Raises:
        UserError: The file named is missing.
    """
    if config.decomposition is None:
        return None
    given = Path(config.decomposition)
    found = path.parent / given if not given.is_absolute() else given
    if not found.is_file():
        raise UserError(
            f"{path}: decomposition: {config.decomposition}: no such batch file (give a path "
            "relative to this file, e.g. policy_decomposition.yaml)"
        )
    return found.resolve()


def batch_problems(err: ValidationError, root: type[BaseModel] | None = None) -> list[str]:
    """One line per problem; unknown keys get the closest allowed name and the allowed names.

    Args:
        err: The validation error.
        root: The model validated (default: :class:`BatchConfig`).
    """
    problems = []
    for item, line in zip(err.errors(), validation_problems(err), strict=True):
        if item["type"] == "extra_forbidden":
            allowed = _allowed_keys(item["loc"][:-1], root or BatchConfig)
            close = difflib.get_close_matches(str(item["loc"][-1]), allowed, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            line = f"{line}{hint} Allowed: {', '.join(allowed)}"
        elif item["type"] == "missing":
            line = f"{'.'.join(map(str, item['loc']))}: required field is missing"
        problems.append(line)
    return problems


def _allowed_keys(location: tuple[Any, ...], model: type[BaseModel]) -> list[str]:
    for part in location:
        annotation = model.model_fields[str(part)].annotation
        nested = [a for a in getattr(annotation, "__args__", (annotation,)) if _is_model(a)]
        model = nested[0]
    return list(model.model_fields)


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)
