"""What calibration and sensitivity analysis share: their world, their inputs, their errors."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from analysis.errors import AnalysisError
from experiments.core.errors import UserError
from experiments.core.storage import fresh_folder
from model.parameters import Parameters
from scenarios.loader import load_scenario, resolve_path

MAX_FILE_BYTES = 1_000_000
ModelT = TypeVar("ModelT", bound=BaseModel)


class ConfigError(ValueError):
    """A calibration or sensitivity file that cannot be used."""


class Strict(BaseModel):
    """Unknown keys refused."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class StudyOptions:
    """Where a study runs and writes, and whether it shows progress.

    Attributes:
        out: Output folder (default: the study file's ``output``); the study goes in
            ``out/NAME``.
        executor: ``"local"`` (process pool) or ``"dask"``.
        workers: Worker processes (default: cores).
        scheduler: A Dask scheduler address (``None``: a local Dask cluster).
        progress: ``True``/``False`` forces progress on or off; ``None`` shows a bar on a
            terminal and plain lines elsewhere.
    """

    out: Path | None = None
    executor: str = "local"
    workers: int | None = None
    scheduler: str | None = None
    progress: bool | None = None
    new: bool = False

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> StudyOptions:
        """The options given on the command line (``add_executor_arguments``)."""
        return cls(
            out=args.out,
            executor=args.executor,
            workers=args.workers,
            scheduler=args.scheduler,
            progress=False if args.quiet else None,
            new=bool(getattr(args, "new", False)),
        )

    def folder(self, output: str, name: str) -> Path:
        """The study's folder: ``out/name``, or ``output/name`` without ``out``."""
        return (self.out or Path(output)) / name

    def new_folder(self, output: str, name: str, what: str) -> Path:
        """The folder of a study that cannot resume: never one holding earlier results.

        Args:
            output: The study file's output folder.
            name: The study's name.
            what: What the folder would hold, for the message (``"a calibration"``).

        Raises:
            UserError: If the folder exists and is not empty, unless ``new`` (then the first
                free ``NAME-2``, ``NAME-3``... next to it is used).
        """
        folder = self.folder(output, name)
        if not (folder.is_dir() and any(folder.iterdir())):
            return folder
        fresh = fresh_folder(folder)
        if self.new:
            print(f"tipsim: --new: writing {fresh} ({folder} is left as it is)")
            return fresh
        raise UserError(
            f"{folder}: already holds {what}; running again would replace its results. Use "
            f"--new to write {fresh.name} next to it, or --out for another folder; nothing "
            "is deleted"
        )


def as_user_error(call: Callable[[], Any]) -> Any:
    """Run ``call``; configuration and published-figures errors become :class:`UserError`."""
    try:
        return call()
    except (ConfigError, AnalysisError) as err:
        raise UserError(str(err)) from None


def load_world(config_path: Path, scenario: str) -> tuple[Path, Parameters]:
    """The scenario named in a configuration file (relative to it, or shipped) and its world."""
    path = resolve_path(resolve_relative(config_path, scenario))
    return path, load_scenario(path)


def refuse_timeline_fields(world: Parameters, names: list[str], scenario: Path) -> None:
    """Refuse varying a field the scenario's timeline sets (the timeline would override it).

    Raises:
        UserError: Naming the fields and the scenario.
    """
    dated = {path for entry in world.timeline for path in entry.set}
    clash = sorted(set(names) & dated)
    if clash:
        raise UserError(
            f"{scenario}: its timeline sets {', '.join(clash)}, so varying them would be "
            "overridden during the run; choose other parameters"
        )


def read_mapping(path: Path) -> dict:
    """Read a YAML mapping safely.

    Raises:
        ConfigError: If the file is missing, too large, not YAML or not a mapping.
    """
    if not path.is_file():
        raise ConfigError(f"{path}: no such file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ConfigError(f"{path}: larger than 1 MB")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: not valid YAML ({err})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the file must be a mapping (key: value)")
    return data


def validate_file(path: Path, model: type[ModelT]) -> ModelT:
    """Validate a YAML file against ``model``.

    Raises:
        ConfigError: Listing each problem as ``field: message``.
    """
    try:
        return model.model_validate(read_mapping(path))
    except ValidationError as err:
        lines = problem_lines(err)
        raise ConfigError(f"{path}: {len(lines)} problem(s):\n" + "\n".join(lines)) from None


def problem_lines(err: ValidationError) -> list[str]:
    """One ``  - field: message`` line per problem of a validation error."""
    lines = []
    for item in err.errors():
        field = ".".join(str(p) for p in item["loc"]) or "(file)"
        message = "unknown field" if item["type"] == "extra_forbidden" else item["msg"]
        lines.append(f"  - {field}: {message}")
    return lines


def resolve_relative(path: Path, value: str) -> Path:
    """A path written in ``path``: relative to that file's folder, else as given."""
    candidate = path.parent / value
    return candidate if candidate.exists() else Path(value)
