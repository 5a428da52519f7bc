"""Running a batch: plan, folder, manifest, executor, results on disk, resume.

The parent process is the only writer of the batch folder. It keeps at most a small window of
runs in flight (twice the executor's slots), writes each result as soon as it arrives
(``weekly`` and the victims' ``fates`` first, then ``summary``, each atomically) and then
appends the run to the run log beside the manifest. A run counts as finished when the manifest
(with its log) says ``done`` and its files are intact; anything else is run again on resume,
overwriting any earlier copy, so nothing is duplicated. A batch resumes only with the code
that began it (the hash of every source of ``model/``, ``scenarios/`` and ``experiments/``
and of each user strategy module); the folder is locked before its manifest is touched; a
worker that dies hands its runs back as pending; a result that cannot be written (a full disk,
a folder made read-only) stops the batch with the run and the reason.
"""

from __future__ import annotations

import contextlib
import functools
import os
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Future, wait
from dataclasses import dataclass, field
from pathlib import Path

from analysis.integrity import file_problem
from experiments.batches.config import (
    BatchConfig,
    decomposition_file,
    drawn_members,
    ensemble_folder,
    load_batch,
)
from experiments.batches.manifest import DONE, FAILED, PENDING, Manifest, plan_strategies
from experiments.batches.one_run import RunResult
from experiments.batches.plan import BatchPlan, RunTask, build_plan
from experiments.batches.shared_past import execute_group, group_by_past
from experiments.core.errors import UserError
from experiments.core.executors import open_workers
from experiments.core.progress import Progress
from experiments.core.provenance import code_identity, config_hash, write_json_atomic
from experiments.core.storage import fresh_folder, write_parquet_atomic
from model.calendar import weeks
from result_folder.layout import (
    ENSEMBLE_WEIGHTS,
    FATES_DIR,
    MANIFEST,
    SUMMARY_DIR,
    WEEKLY_DIR,
    fates_path,
    summary_path,
    weekly_path,
)
from scenarios.loader import SCENARIO_DIR

#: Runs in flight per executor slot.
WINDOW_PER_SLOT = 2


@dataclass
class BatchOptions:
    """How to run a batch (the command line's options)."""

    out: Path | None = None
    workers: int | None = None
    executor: str = "local"
    scheduler: str | None = None
    replicates: int | None = None
    years: float | None = None
    new: bool = False
    retry_failed: bool = False
    progress: bool | None = None  # None: a bar on a terminal, plain lines elsewhere


@dataclass
class BatchReport:
    """What one invocation did."""

    folder: Path
    total: int
    skipped: int
    ran: int = 0
    failed_now: list[str] = field(default_factory=list)
    failed_kept: list[str] = field(default_factory=list)
    executor: str = ""
    resumed: bool = False
    broken: str | None = None  # why the executor stopped accepting runs (a worker died)
    not_started: int = 0  # runs left pending because the executor broke
    damaged: list[str] = field(default_factory=list)  # finished runs whose files were damaged
    lost: list[str] = field(default_factory=list)  # runs whose (Dask) worker died: pending
    decomposition: Path | None = None  # the follow-up factorial batch file, if the batch has one

    @property
    def failed(self) -> int:
        """Runs of the batch that are failed after this invocation."""
        return len(self.failed_now) + len(self.failed_kept)


def run_batch(
    batch_file: Path,
    options: BatchOptions,
    runner: Callable[[RunTask], RunResult] | None = None,
) -> BatchReport:
    """Run (or resume) the batch defined in ``batch_file``.

    Args:
        batch_file: The batch YAML file.
        options: Output folder, executor and resume options.
        runner: Executes one task in a worker, each task on its own (a module-level
            function, so that it can be sent to worker processes). By default runs that
            share their past replay it once (``experiments.batches.shared_past.execute_group``).

    Returns:
        What ran, what was skipped and what failed.

    Raises:
        UserError: For an invalid batch file, or a folder holding a different batch.
    """
    config = load_batch(batch_file, replicates=options.replicates, years=options.years)
    folder = options.out if options.out is not None else Path(config.output)
    _check_output(folder, batch_file, "--out" if options.out is not None else "output")
    folder = Path(os.path.abspath(folder))  # "." has no name to put DIR-2 next to
    follow_up = decomposition_file(config, batch_file)
    plan = build_plan(config, batch_file, progress=options.progress)
    code = code_identity(plan_strategies(plan))
    folder = _target_folder(folder, new=options.new)
    with _locked(folder):  # before the manifest is read or written: one batch per folder
        manifest, resumed = _open_folder(folder, config, plan, batch_file, code)
        todo, report = _select(manifest, plan, options.retry_failed)
        report.resumed = resumed
        report.decomposition = follow_up
        if config.ensemble is not None:
            _write_ensemble_weights(manifest.folder, config, batch_file)
        _remove_partial_files(manifest.folder)
        if not todo:
            report.executor = "no executor (nothing to run)"
            return report
        with open_workers(options.executor, options.workers, options.scheduler) as workers:
            report.executor = workers.description
            manifest.start_session(workers.description, code)
            manifest.save()
            try:
                _execute(manifest, todo, workers, runner, report, options.progress)
            finally:
                manifest.end_session()
                with contextlib.suppress(OSError):  # a full disk: the run log has it all
                    manifest.save()
    return report


def _write_ensemble_weights(folder: Path, config: BatchConfig, batch_file: Path) -> None:
    """Record which ensemble members the batch drew and their weights (``ensemble.json``)."""
    drawn = drawn_members(config, batch_file)
    members = [
        {
            "world": Path(str(row["path"])).stem,
            "weight": float(row["weight"]),
            "draws": int(row["draws"]),
            "abc_weight": float(row["abc_weight"]),
            "distance": float(row["distance"]) if "distance" in row else None,
        }
        for row in drawn.to_dict("records")
    ]
    write_json_atomic(
        folder / ENSEMBLE_WEIGHTS,
        {
            "ensemble": str(ensemble_folder(config, batch_file)),
            "draws": config.ensemble.members,
            "members": members,
        },
    )


class StorageError(UserError):
    """A result could not be written (a full disk, a folder made read-only): the batch stops."""


# ---------------------------------------------------------------------------------- folder
def _check_output(folder: Path, batch_file: Path, option: str) -> None:
    """Refuse an output folder inside the scenario library (its files would be read as worlds)."""
    library = SCENARIO_DIR.resolve()
    target = folder.resolve()
    if target == library or target.is_relative_to(library):
        raise UserError(
            f"{batch_file}: {option}: {folder} is inside the scenario library ({library}); "
            "results there would be read as scenario files: write them elsewhere, e.g. "
            "results/<batch name>"
        )


def _occupied(folder: Path) -> bool:
    """Whether ``folder`` holds anything but its lock file."""
    return folder.is_dir() and any(p.name != LOCK for p in folder.iterdir())


def _target_folder(folder: Path, *, new: bool) -> Path:
    """The folder the batch writes: ``folder``, or with ``new`` a fresh one next to it."""
    if new and _occupied(folder):
        fresh = fresh_folder(folder)
        print(f"tipsim: --new: starting a fresh batch folder {fresh} ({folder} is left as it is)")
        return fresh
    return folder


def _open_folder(
    folder: Path, config: BatchConfig, plan: BatchPlan, batch_file: Path, code: dict
) -> tuple[Manifest, bool]:
    """Resume the batch in ``folder`` (locked by the caller), or start one there."""
    settings = config.model_dump(mode="json")
    if (folder / MANIFEST).exists():
        manifest = Manifest.load(folder)
        if manifest.data.get("config_hash") != config_hash(settings, plan.inputs):
            raise UserError(_mismatch(folder, manifest, settings, plan))
        _check_code(manifest, code)
        return manifest, True
    if _occupied(folder):
        raise UserError(
            f"{folder}: exists, is not empty and holds no batch {MANIFEST}; choose another "
            "folder with --out, or --new to start DIR-2 next to it"
        )
    manifest = Manifest.create(folder, settings, plan, batch_file, code)
    manifest.save()
    return manifest, False


def _check_code(manifest: Manifest, current: dict) -> None:
    """Refuse to resume a batch begun by other code (results would mix versions).

    The package's sources and every user strategy module must hash the same.
    """
    stored = manifest.code or {}
    same_strategies = (stored.get("strategies") or {}) == (current.get("strategies") or {})
    if stored.get("sources") == current["sources"] and same_strategies:
        return
    now_ = f"sources {current['sources'][:12]}, commit {current['commit'] or 'none'}"
    if not stored.get("sources"):
        then = "a version of tipsim that recorded no code identity"
    elif stored["sources"] != current["sources"]:
        then = f"sources {stored['sources'][:12]}, commit {stored.get('commit') or 'none'}"
    else:
        before, after = stored.get("strategies") or {}, current.get("strategies") or {}
        changed = sorted(m for m in set(before) | set(after) if before.get(m) != after.get(m))
        then, now_ = f"strategy module {', '.join(changed)} as it was then", "as it is now"
    raise UserError(
        f"{manifest.folder}: this batch was run by other code ({then}) than now ({now_}). "
        "Results of different code are never mixed: use --new to start a fresh folder next to "
        f"it ({fresh_folder(manifest.folder).name}), or --out; nothing is deleted"
    )


def _mismatch(folder: Path, manifest: Manifest, settings: dict, plan: BatchPlan) -> str:
    stored = manifest.data["config"]
    changed = sorted(k for k in set(stored) | set(settings) if stored.get(k) != settings.get(k))
    if sorted(manifest.data.get("inputs", {}).values()) != sorted(plan.inputs.values()):
        changed.append("effective parameters of a world or policy (a file or default changed)")
    return (
        f"{folder} holds a batch with a different configuration (changed: "
        f"{', '.join(changed) or 'name, description or output only'}). Results of different "
        "configurations are never mixed: use --out for another folder, or --new to start a "
        f"fresh folder next to it ({fresh_folder(folder).name}); nothing is deleted"
    )


#: The lock file of a batch folder.
LOCK = ".lock"


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on the folder: two processes never write one batch.

    The folder is made if need be and locked before its manifest is read or written. The lock
    file is opened without truncating or following a symbolic link, so a ``.lock`` that points
    elsewhere is refused and its target left untouched.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks, run one batch per folder
        folder.mkdir(parents=True, exist_ok=True)
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError:
        if path.is_symlink():
            raise UserError(
                f"{path}: is a symbolic link; a batch's lock file is its own (remove the link)"
            ) from None
        raise
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UserError(f"{folder}: another tipsim batch is writing to this folder") from None
        yield
    finally:
        os.close(descriptor)


def _select(
    manifest: Manifest, plan: BatchPlan, retry_failed: bool
) -> tuple[list[RunTask], BatchReport]:
    """The runs to execute now, in plan order, and the report so far."""
    todo, skipped, kept, damaged = [], 0, [], []
    for task in plan.tasks:
        entry = manifest.runs[task.run_id]
        if entry["status"] == DONE:
            problem = damage(manifest.folder, task, entry)
            if problem is None:
                skipped += 1
                continue
            damaged.append(f"{task.run_id} ({problem})")
        elif entry["status"] == FAILED and not retry_failed:
            kept.append(task.run_id)
            continue
        entry["status"] = PENDING
        todo.append(task)
    report = BatchReport(manifest.folder, len(plan.tasks), skipped, failed_kept=kept)
    report.damaged = damaged
    return todo, report


def damage(folder: Path, task: RunTask, entry: dict | None = None) -> str | None:
    """What is wrong with a finished run's files (``None`` if each is the one written).

    Each file is checked against the row count and checksum recorded with the run (so a file
    damaged inside, its footer intact, or replaced by another is found); a run recorded
    without them is checked by its Parquet footer's row count: one summary row and one weekly
    row per simulated week.

    Args:
        folder: The batch folder.
        task: The run.
        entry: Its manifest entry (with ``files``, the records written with it).
    """
    recorded = (entry or {}).get("files") or {}
    expected = {
        SUMMARY_DIR: (summary_path(folder, task.run_id), 1),
        WEEKLY_DIR: (weekly_path(folder, task.run_id), weeks(task.years)),
    }
    fates = recorded.get(FATES_DIR) if isinstance(recorded, dict) else None
    if isinstance(fates, dict):  # the victims' fates, when the run recorded them
        expected[FATES_DIR] = (fates_path(folder, task.run_id), fates.get("rows"))
    for kind, (path, rows) in expected.items():
        record = recorded.get(kind) if isinstance(recorded, dict) else None
        problem = file_problem(path, record, rows)
        if problem is not None:
            return f"{kind}/{path.name} {problem}"
    return None


def _remove_partial_files(folder: Path) -> None:
    """Delete temporary files a killed batch left half-written (never a finished result)."""
    for sub in (".", SUMMARY_DIR, WEEKLY_DIR, FATES_DIR):
        for tmp in (folder / sub).glob(".*.tmp"):
            tmp.unlink(missing_ok=True)


# ---------------------------------------------------------------------------------- running
def _execute(manifest, todo, workers, runner, report, progress) -> None:
    """Submit ``todo`` through a bounded window; store each result as it arrives.

    With the default runner, runs that share their past go to a worker together and replay
    it once (:mod:`experiments.batches.shared_past`); a runner given to :func:`run_batch` runs each
    task on its own.
    """
    if runner is None:
        units, execute = group_by_past(todo), execute_group
    else:
        units, execute = [[task] for task in todo], functools.partial(_each, runner)
    queue = iter(units)
    in_flight: dict[Future, list[RunTask]] = {}
    bar = Progress(len(todo), "batch", enabled=progress)  # None: a bar on a terminal, else lines
    try:
        while True:
            window = WINDOW_PER_SLOT * max(1, workers.slots())
            while len(in_flight) < window and not report.broken:
                unit = next(queue, None)
                if unit is None:
                    break
                try:
                    in_flight[workers.executor.submit(execute, unit)] = unit
                except BrokenExecutor as err:  # a worker process died: stop, keep the rest
                    report.broken = f"{type(err).__name__}: {err}"
            if not in_flight:
                break
            finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in finished:
                unit = in_flight.pop(future)
                if _pool_broken(future):  # not the runs' fault: they stay pending
                    report.broken = report.broken or _describe(future.exception())
                    continue
                if _worker_lost(future):  # Dask gave up on them after their workers died
                    report.lost.extend(task.run_id for task in unit)
                    continue
                for task, result in zip(unit, _results(future, unit), strict=True):
                    _store(manifest, task, result, report)
                    bar.update(failed=len(report.failed_now))
    finally:
        bar.close()
        for future in in_flight:
            future.cancel()
        if report.broken:  # every run of this session still pending, not only those in flight
            lost = set(report.lost)
            report.not_started = sum(
                1
                for task in todo
                if manifest.runs[task.run_id]["status"] == PENDING and task.run_id not in lost
            )


def _each(runner: Callable[[RunTask], RunResult], tasks: list[RunTask]) -> list[RunResult]:
    """Run each task on its own with ``runner`` (in a worker)."""
    return [runner(task) for task in tasks]


def _pool_broken(future: Future) -> bool:
    """Whether the future failed because a pool worker died (the pool takes no more runs)."""
    return not future.cancelled() and isinstance(future.exception(), BrokenExecutor)


def _worker_lost(future: Future) -> bool:
    """Whether Dask gave up on the run because the workers running it died (``KilledWorker``)."""
    return not future.cancelled() and type(future.exception()).__name__ == "KilledWorker"


def _describe(err: BaseException | None) -> str:
    return f"{type(err).__name__}: {err}"


def _results(future: Future, unit: list[RunTask]) -> list[RunResult]:
    """The runs' results; an executor failure (a worker died) fails each run of the unit."""
    try:
        return future.result()
    except Exception as err:
        trace = "".join(traceback.format_exception(err))
        error = f"{type(err).__name__}: {err}"
        return [RunResult(task.run_id, error=error, traceback=trace) for task in unit]


def _store(manifest: Manifest, task: RunTask, result: RunResult, report: BatchReport) -> None:
    """Write a result and log the run; a write that fails stops the batch with the reason.

    Raises:
        StorageError: Naming the run, the file and why (the run stays pending).
    """
    try:
        if not result.ok:
            manifest.mark_failed(task.run_id, result.error or "", result.traceback, result.seconds)
            report.failed_now.append(task.run_id)
        else:
            files = {
                WEEKLY_DIR: write_parquet_atomic(
                    result.weekly, weekly_path(manifest.folder, task.run_id)
                ),
            }
            if result.fates is not None:
                files[FATES_DIR] = write_parquet_atomic(
                    result.fates, fates_path(manifest.folder, task.run_id)
                )
            files[SUMMARY_DIR] = write_parquet_atomic(
                result.summary, summary_path(manifest.folder, task.run_id)
            )
            manifest.mark_done(task.run_id, result.seconds, files)
    except OSError as err:
        reason = (err.strerror or str(err)).lower()
        where = f" {err.filename}" if err.filename else ""
        done = report.skipped + report.ran - len(report.failed_now)
        raise StorageError(
            f"{manifest.folder}: the batch stopped: the results of run {task.run_id} could not "
            f"be written ({reason}{':' if where else ''}{where}). The {done} runs finished so "
            "far are kept; free disk space or fix the folder's permissions, then run the same "
            "command again to resume"
        ) from None
    report.ran += 1
