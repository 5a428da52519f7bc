"""A batch's manifest: what was asked, every run's seed and how each run ended.

A **batch** manifest (:class:`Manifest`) holds the configuration and its hash, the root seed,
every run's seed (root entropy and spawn key), start and end times, and each run's status:
``pending``, ``done`` or ``failed`` (with the error and traceback), with the provenance every
result folder carries (:mod:`experiments.core.provenance`).

While a session runs, each finished run is appended as one JSON line to ``DIR/runs.jsonl``
(the run log) instead of rewriting the whole manifest: reading the manifest replays the log
over it, and a torn last line (the process was killed mid-write) is ignored. Saving the
manifest folds the log into it and empties the log.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Any

from experiments.batches.plan import BatchPlan, RunTask
from experiments.core.errors import UserError
from experiments.core.provenance import (
    code_identity,
    config_hash,
    now,
    provenance,
    write_json_atomic,
)
from result_folder.layout import MANIFEST
from result_folder.run_log import (
    RUN_LOG,
    RunLogError,
    apply_record,
    apply_run_log,
    check_runs,
)

FORMAT = 1
PENDING, DONE, FAILED = "pending", "done", "failed"


def plan_strategies(plan: BatchPlan) -> set[type]:
    """The strategy classes a plan's runs use."""
    return {task.spec.strategy for task in plan.tasks if task.spec is not None}


class Manifest:
    """The manifest of one batch folder, in memory, saved atomically.

    Args:
        folder: The batch folder.
        data: The manifest's contents.
    """

    def __init__(self, folder: Path, data: dict[str, Any]) -> None:
        self.folder = folder
        self.data = data

    # ------------------------------------------------------------------ creating and reading
    @classmethod
    def create(
        cls,
        folder: Path,
        config: dict[str, Any],
        plan: BatchPlan,
        batch_file: Path,
        code: dict[str, Any] | None = None,
    ) -> Manifest:
        """A new manifest with every run pending (not yet saved).

        Args:
            folder: The batch folder.
            config: The validated batch configuration (JSON-ready).
            plan: Its runs.
            batch_file: The batch file.
            code: The code identity (default: that of the plan's strategies).
        """
        data = {
            "format": FORMAT,
            "batch_file": str(batch_file),
            "config": config,
            "config_hash": config_hash(config, plan.inputs),
            "inputs": plan.inputs,
            "root_seed": config["seed"],
            **provenance(code or code_identity(plan_strategies(plan))),
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
            UserError: If there is no readable manifest, or its runs or run log are damaged.
        """
        path = folder / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise UserError(f"{folder}: not a batch folder (no {MANIFEST})") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise UserError(f"{path}: unreadable manifest ({err})") from None
        shaped = isinstance(data, dict) and isinstance(data.get("config"), dict)
        if not shaped or data.get("format") != FORMAT or "runs" not in data:
            raise UserError(f"{path}: not a tipsim batch manifest of format {FORMAT}")
        try:
            check_runs(data, path)
            apply_run_log(data, folder)
        except RunLogError as err:
            raise UserError(str(err)) from None
        return cls(folder, data)

    @property
    def code(self) -> dict[str, Any] | None:
        """The code identity of the latest session (or of the batch's creation)."""
        for session in reversed(self.data.get("sessions") or []):
            if isinstance(session, dict) and session.get("code"):
                return session["code"]
        return self.data.get("code")

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
        try:
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
                spawn_key=tuple(int(k) for k in entry["seed"]["spawn_key"]),
                years=self.data["config"]["years"],
                overrides={**self.data["config"].get("overrides", {}), **swept},
                swept=swept,
            )
        except (KeyError, IndexError, TypeError, ValueError) as err:
            missing = f"'{err.args[0]}' is missing" if isinstance(err, KeyError) else str(err)
            raise UserError(
                f"{self.folder / MANIFEST}: the entry of run '{run_id}' is damaged ({missing}); "
                "a run is rebuilt from its world, policy, draw, replicate and seed "
                "(entropy and spawn_key), so it cannot be re-run from this manifest"
            ) from None

    def mark_done(
        self, run_id: str, seconds: float, files: dict[str, dict[str, Any]] | None = None
    ) -> None:
        """Record a finished run (appended to the run log at once).

        Args:
            run_id: The run.
            seconds: How long it took.
            files: Each result file's record (rows and checksum), by kind (``summary``, ...).
        """
        change = {"run": run_id, "status": DONE, "finished": now(), "seconds": seconds}
        self._record({**change, "files": files})

    def mark_failed(self, run_id: str, error: str, trace: str | None, seconds: float) -> None:
        """Record a run that raised, with its error and traceback (appended to the run log)."""
        change = {"run": run_id, "status": FAILED, "finished": now(), "seconds": seconds}
        self._record({**change, "error": error, "traceback": trace})

    def _record(self, change: dict[str, Any]) -> None:
        change["seconds"] = round(change["seconds"], 3)
        apply_record(self.runs, change)
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / RUN_LOG, "a", encoding="utf-8") as log:
            log.write(json.dumps(change, default=str) + "\n")

    def counts(self) -> dict[str, int]:
        """Number of runs per status."""
        counts = dict.fromkeys((PENDING, DONE, FAILED), 0)
        for entry in self.runs.values():
            counts[entry["status"]] += 1
        return counts

    # ------------------------------------------------------------------ sessions
    def start_session(self, executor: str, code: dict[str, Any] | None = None) -> None:
        """Note the start of one invocation of the batch, with the code identity it runs."""
        started = now()
        self.data["started"] = self.data["started"] or started
        self.data["sessions"].append(
            {
                "started": started,
                "finished": None,
                "executor": executor,
                "host": platform.node(),
                "code": code or code_identity(),
            }
        )

    def end_session(self) -> None:
        """Note the end of the current invocation; the batch is finished once no run is left."""
        self.data["sessions"][-1]["finished"] = now()
        left = any(entry["status"] != DONE for entry in self.runs.values())
        self.data["finished"] = None if left else (self.data["finished"] or now())

    # ------------------------------------------------------------------ saving
    def save(self) -> None:
        """Replace ``manifest.json`` atomically, with the run log folded in; empty the log.

        Called at the start and end of a session (not per run: finished runs go to the log).
        If the process dies between the two steps, the log only repeats what the manifest
        already says, so reading it again changes nothing.
        """
        write_json_atomic(self.folder / MANIFEST, self.data)
        log = self.folder / RUN_LOG
        if log.exists():
            log.write_bytes(b"")


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
