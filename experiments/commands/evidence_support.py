"""What ``tipsim calibrate`` and ``tipsim sensitivity`` share.

Executor options, the output folder's manifest, and turning input errors into user errors.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tqdm import tqdm

from analysis.calibration.config import ConfigError, resolve_relative
from analysis.calibration.published import FiguresError
from experiments.errors import UserError
from experiments.executors import EXECUTORS
from experiments.manifest import config_hash, git_commit, now, package_versions
from model.parameters import Parameters
from scenarios.loader import load_scenario, resolve_path


def add_executor_arguments(parser: argparse.ArgumentParser) -> None:
    """``--workers``, ``--executor``, ``--scheduler``, ``--out`` and ``--quiet``."""
    parser.add_argument(
        "--workers", type=int, metavar="N", help="worker processes (default: cores)"
    )
    parser.add_argument(
        "--executor", choices=EXECUTORS, default="local", help="local process pool or Dask"
    )
    parser.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address")
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="output folder (default: the file's)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def as_user_error(call: Callable[[], Any]) -> Any:
    """Run ``call``; configuration and figures errors become :class:`UserError`."""
    try:
        return call()
    except (ConfigError, FiguresError) as err:
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


def progress_bar(total: int, description: str, quiet: bool) -> tuple[tqdm, Callable]:
    """A tqdm bar and a callback ``(done, planned, message)`` that moves it."""
    bar = tqdm(total=total, desc=description, unit="run", disable=quiet or None)

    def update(done: int, planned: int, message: str) -> None:
        bar.total = planned
        bar.set_postfix_str(message, refresh=False)
        bar.update(done - bar.n)

    return bar, update


def write_manifest(folder: Path, config: dict[str, Any], inputs: dict[str, Path], **extra: Any):
    """Write ``folder/manifest.json`` atomically: configuration, hash, code and versions."""
    folder.mkdir(parents=True, exist_ok=True)
    contents = {str(k): Path(v).read_text(encoding="utf-8") for k, v in inputs.items()}
    manifest = {
        "config": config,
        "config_hash": config_hash(config, contents),
        "inputs": {k: str(v) for k, v in inputs.items()},
        "git": git_commit(),
        "packages": package_versions(),
        "written": now(),
        **extra,
    }
    path = folder / "manifest.json"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, path)
    return path
