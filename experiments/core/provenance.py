"""Provenance: with which code, packages and settings a result folder was made.

Every study folder (a batch, a calibration, a sensitivity analysis, a forecast) has a
``manifest.json``, written before the first run and replaced atomically (temporary file, then
``os.replace``) whenever it changes, so a reader never sees half a manifest. All of them carry
the same provenance (:func:`provenance`: git commit, source hash, package versions) and the
same hash of what decides the results (:func:`config_hash`). A **study** manifest
(:func:`write_study_manifest`) holds a calibration's, sensitivity analysis's or forecast's
configuration, its input files and, once done, what the study found; a batch's manifest, which
also tracks every run, is :class:`experiments.batches.manifest.Manifest`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import platform
import subprocess
from collections.abc import Iterable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from analysis.atomic import write_text_atomic
from experiments.core.errors import UserError
from result_folder.layout import MANIFEST

PACKAGES = ("tipsim", "mesa", "numpy", "pandas", "pydantic", "pyarrow", "scipy")


def now() -> str:
    """The current UTC time, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


#: Configuration keys that do not change results (left out of the hash).
UNHASHED = ("name", "description", "output")


def config_hash(config: dict[str, Any], inputs: dict[str, str]) -> str:
    """SHA-256 of what decides the results: the configuration and its input files' contents.

    The batch's name, description and output folder are left out; input files count by
    content, not by path, so a moved checkout resumes.
    """
    relevant = {k: v for k, v in config.items() if k not in UNHASHED}
    canonical = json.dumps(
        {"config": relevant, "inputs": sorted(inputs.values())}, sort_keys=True, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def package_versions() -> dict[str, str | None]:
    """Versions of the packages that decide the results, and of Python."""
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    versions["python"] = platform.python_version()
    return versions


def git_commit() -> dict[str, Any] | None:
    """The project's git commit and whether the tree had local changes; ``None`` outside git."""
    root = Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10
        )
        if commit.returncode != 0:
            return None
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit.stdout.strip(), "dirty": bool(status.stdout.strip())}


def provenance(code: dict[str, Any] | None = None) -> dict[str, Any]:
    """Which code and packages produced a result.

    Args:
        code: The code identity (default: :func:`code_identity` without user strategies).

    Returns:
        ``git_commit`` and ``git_dirty`` (``None`` outside git), ``code`` (the code identity:
        commit, local changes and the hash of the sources that decide results, see
        :func:`code_identity`) and ``versions`` of the packages.
    """
    code = code or code_identity()
    return {
        "git_commit": code["commit"],
        "git_dirty": code["dirty"],
        "code": code,
        "versions": package_versions(),
    }


def write_json_atomic(path: Path, data: dict[str, Any], *, indent: int = 1) -> Path:
    """Write ``data`` as JSON to ``path``; a reader never sees a half-written file."""
    return write_text_atomic(json.dumps(data, indent=indent, default=str), path)


def write_study_manifest(
    folder: Path, config: dict[str, Any], inputs: dict[str, Path], **extra: Any
) -> Path:
    """Write a study's ``folder/manifest.json``: configuration, hash, inputs, provenance.

    Args:
        folder: The study's folder.
        config: Its validated configuration (JSON-ready).
        inputs: Input files by role (``config``, ``scenario``); their contents are hashed.
        **extra: What the study adds (status, tolerances, ...).
    """
    contents = {str(k): Path(v).read_text(encoding="utf-8") for k, v in inputs.items()}
    manifest = {
        "config": config,
        "config_hash": config_hash(config, contents),
        "inputs": {k: str(v) for k, v in inputs.items()},
        **provenance(),
        "written": now(),
        **extra,
    }
    return write_json_atomic(folder / MANIFEST, manifest, indent=2)


#: The packages whose sources decide a run's results (hashed into the code identity): the model,
#: how files become its parameters, and how a batch plans, seeds, runs and stores runs.
SOURCE_PACKAGES = ("model", "scenarios", "experiments")


def _package_folder(package: str) -> Path:
    """Where ``package``'s sources are (the installed or shadowing copy that runs)."""
    import importlib

    source = getattr(importlib.import_module(package), "__file__", None)
    if not source or not Path(source).is_file():
        raise UserError(
            f"the sources of the '{package}' package cannot be read, so the code that makes "
            "results cannot be identified; install tipsim from its source files"
        )
    return Path(source).resolve().parent


def source_hash(root: Path | None = None, packages: Iterable[str] = SOURCE_PACKAGES) -> str:
    """SHA-256 of every Python source of the packages that decide results.

    ``model/``, ``scenarios/`` and ``experiments/`` (:data:`SOURCE_PACKAGES`) as they are
    imported, committed or not, installed from a checkout or not; paths count relative to each
    package, so a moved checkout has the same hash.

    Args:
        root: A folder holding the packages (default: where each is imported from).
        packages: The packages hashed (a calibration adds those that measure its distances).
    """
    digest = hashlib.sha256()
    for package in packages:
        folder = root / package if root is not None else _package_folder(package)
        for file in sorted(folder.rglob("*.py")):
            digest.update(f"{package}/{file.relative_to(folder).as_posix()}".encode() + b"\0")
            digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


@functools.cache
def _package_identity() -> dict[str, Any]:
    git = git_commit()
    return {
        "commit": git["commit"] if git else None,
        "dirty": git["dirty"] if git else None,
        "sources": source_hash(),
    }


def code_identity(strategies: Iterable[type] = ()) -> dict[str, Any]:
    """What code makes the results: the git commit (if any), local changes, the source hash.

    Args:
        strategies: The screening strategies the results use; each one outside tipsim (a user
            module, an installed package) adds its module's source hash under ``strategies``.

    Raises:
        UserError: If a strategy's module has no Python source to identify it by.
    """
    from model.strategies import StrategyCodeError
    from model.strategies.code import strategy_sources

    identity = dict(_package_identity())
    try:
        user = strategy_sources(strategies)
    except StrategyCodeError as err:
        raise UserError(str(err)) from None
    if user:
        identity["strategies"] = user
    return identity
