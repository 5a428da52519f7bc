"""Manifests: what was asked, with which code and seeds, and how it ended.

Every study folder (a batch, a calibration, a sensitivity analysis) has a ``manifest.json``,
written before the first run and replaced atomically (temporary file, then ``os.replace``)
whenever it changes, so a reader never sees half a manifest. All of them are written here, with
the same provenance (:func:`provenance`: git commit, source hash, package versions) and the
same hash of what decides the results (:func:`config_hash`).

A **batch** manifest (:class:`Manifest`) holds the configuration and its hash, the root seed,
every run's seed (root entropy and spawn key), start and end times, and each run's status:
``pending``, ``done`` or ``failed`` (with the error and traceback). A **study** manifest
(:func:`write_study_manifest`) holds a calibration's or sensitivity analysis's configuration,
its input files and, once done, what the study found.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import subprocess
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from analysis.layout import MANIFEST
from experiments.errors import UserError
from experiments.plan import BatchPlan, RunTask

FORMAT = 1
PACKAGES = ("tipsim", "mesa", "numpy", "pandas", "pydantic", "pyarrow", "scipy")
PENDING, DONE, FAILED = "pending", "done", "failed"


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
    root = Path(__file__).resolve().parents[1]
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


def provenance() -> dict[str, Any]:
    """Which code and packages produced a result.

    Returns:
        ``git_commit`` and ``git_dirty`` (``None`` outside git), ``code`` (the code identity:
        commit, local changes and the hash of the sources that decide results, see
        :func:`code_identity`) and ``versions`` of the packages.
    """
    code = code_identity()
    return {
        "git_commit": code["commit"],
        "git_dirty": code["dirty"],
        "code": code,
        "versions": package_versions(),
    }


def write_json_atomic(path: Path, data: dict[str, Any], *, indent: int = 1) -> Path:
    """Write ``data`` as JSON to ``path``; a reader never sees a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=indent, default=str), encoding="utf-8")
    os.replace(tmp, path)
    return path


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


#: Source folders whose code decides a run's results (hashed into the code identity).
SOURCE_FOLDERS = ("model", "scenarios")
#: Source files outside them that do too (how a task becomes a model run).
SOURCE_FILES = ("experiments/runner.py",)


def source_hash(root: Path | None = None) -> str:
    """SHA-256 of the model's Python sources (``model/``, ``scenarios/``, the runner).

    It changes whenever code that decides results changes, committed or not, installed from a
    checkout or not; paths count relative to the project, so a moved checkout has the same.
    """
    root = root or Path(__file__).resolve().parents[1]
    files = sorted(
        {p for folder in SOURCE_FOLDERS for p in (root / folder).rglob("*.py")}
        | {root / name for name in SOURCE_FILES if (root / name).is_file()}
    )
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.relative_to(root).as_posix().encode() + b"\0")
        digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


@functools.cache
def code_identity() -> dict[str, Any]:
    """What code makes the results: the git commit (if any), local changes, the source hash."""
    git = git_commit()
    return {
        "commit": git["commit"] if git else None,
        "dirty": git["dirty"] if git else None,
        "sources": source_hash(),
    }


class Manifest:
    """The manifest of one batch folder, in memory, saved atomically.

    Args:
        folder: The batch folder.
        data: The manifest's contents.
    """

    def __init__(self, folder: Path, data: dict[str, Any]) -> None:
        self.folder = folder
        self.data = data
        self._saved_at = 0.0

    # ------------------------------------------------------------------ creating and reading
    @classmethod
    def create(
        cls, folder: Path, config: dict[str, Any], plan: BatchPlan, batch_file: Path
    ) -> Manifest:
        """A new manifest with every run pending (not yet saved)."""
        data = {
            "format": FORMAT,
            "batch_file": str(batch_file),
            "config": config,
            "config_hash": config_hash(config, plan.inputs),
            "inputs": plan.inputs,
            "root_seed": config["seed"],
            **provenance(),
            "created": now(),
            "started": None,
            "finished": None,
            "sessions": [],
            "draws": [{"draw": i, "params": params} for i, params in enumerate(plan.draws)],
            "runs": {task.run_id: _entry(task) for task in plan.tasks},
        }
        return cls(folder, data)

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        """Read ``folder/manifest.json``.

        Raises:
            UserError: If there is no readable manifest.
        """
        path = folder / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise UserError(f"{folder}: not a batch folder (no {MANIFEST})") from None
        except (OSError, json.JSONDecodeError) as err:
            raise UserError(f"{path}: unreadable manifest ({err})") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT or "runs" not in data:
            raise UserError(f"{path}: not a tipsim batch manifest of format {FORMAT}")
        return cls(folder, data)

    # ------------------------------------------------------------------ runs
    @property
    def runs(self) -> dict[str, dict[str, Any]]:
        """Run id -> entry (world, policy, draw, replicate, seed, status, ...)."""
        return self.data["runs"]

    def task(self, run_id: str) -> RunTask:
        """Rebuild the task of one run from the manifest alone.

        Raises:
            UserError: If the run id is not in the batch (with the closest ids).
        """
        if run_id not in self.runs:
            import difflib

            close = difflib.get_close_matches(run_id, list(self.runs), n=3)
            hint = f" Closest: {', '.join(close)}." if close else ""
            raise UserError(f"{self.folder}: no run '{run_id}' in this batch.{hint}")
        entry = self.runs[run_id]
        swept = self.data["draws"][entry["draw"]]["params"]
        return RunTask(
            run_id=run_id,
            world=entry["world"],
            world_path=entry["world_path"],
            policy=entry["policy"],
            policy_arg=entry["policy_arg"],
            draw=entry["draw"],
            replicate=entry["replicate"],
            entropy=int(entry["seed"]["entropy"]),
            spawn_key=tuple(entry["seed"]["spawn_key"]),
            years=self.data["config"]["years"],
            overrides={**self.data["config"].get("overrides", {}), **swept},
            swept=swept,
        )

    def mark_done(self, run_id: str, seconds: float) -> None:
        """Record a finished run."""
        entry = self.runs[run_id]
        entry.update(status=DONE, finished=now(), seconds=round(seconds, 3))
        entry.pop("error", None)
        entry.pop("traceback", None)

    def mark_failed(self, run_id: str, error: str, trace: str | None, seconds: float) -> None:
        """Record a run that raised, with its error and traceback."""
        entry = self.runs[run_id]
        entry.update(
            status=FAILED, finished=now(), seconds=round(seconds, 3), error=error, traceback=trace
        )

    def counts(self) -> dict[str, int]:
        """Number of runs per status."""
        counts = dict.fromkeys((PENDING, DONE, FAILED), 0)
        for entry in self.runs.values():
            counts[entry["status"]] += 1
        return counts

    # ------------------------------------------------------------------ sessions
    def start_session(self, executor: str) -> None:
        """Note the start of one invocation of the batch."""
        started = now()
        self.data["started"] = self.data["started"] or started
        self.data["sessions"].append(
            {"started": started, "finished": None, "executor": executor, "host": platform.node()}
        )

    def end_session(self) -> None:
        """Note the end of the current invocation; the batch is finished once no run is left."""
        self.data["sessions"][-1]["finished"] = now()
        left = any(entry["status"] != DONE for entry in self.runs.values())
        self.data["finished"] = None if left else (self.data["finished"] or now())

    # ------------------------------------------------------------------ saving
    def save(self, *, at_most_every: float = 0.0) -> None:
        """Replace ``manifest.json`` atomically.

        Args:
            at_most_every: Skip the write if the last one was less than this many seconds ago
                (a batch of thousands of short runs would otherwise rewrite it constantly).
        """
        if at_most_every and time.monotonic() - self._saved_at < at_most_every:
            return
        write_json_atomic(self.folder / MANIFEST, self.data)
        self._saved_at = time.monotonic()


def _entry(task: RunTask) -> dict[str, Any]:
    return {
        "world": task.world,
        "world_path": task.world_path,
        "policy": task.policy,
        "policy_arg": task.policy_arg,
        "draw": task.draw,
        "replicate": task.replicate,
        "seed": {"entropy": task.entropy, "spawn_key": list(task.spawn_key)},
        "status": PENDING,
    }
