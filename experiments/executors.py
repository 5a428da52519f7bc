"""Where runs execute: in-process, a local process pool, or a Dask cluster.

Every executor is a ``concurrent.futures.Executor``; the batch only submits and waits. The
results do not depend on the executor: each run carries its own seed.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from experiments.errors import UserError

EXECUTORS = ("local", "dask")


class InProcessExecutor(Executor):
    """Runs each submitted call at once in this process (``--workers 1``: easy to debug)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Run ``fn`` now; return a finished future."""
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:
            if isinstance(err, KeyboardInterrupt | SystemExit):
                raise
            future.set_exception(err)
        return future


@dataclass
class Workers:
    """An open executor and how many runs it can work on at once."""

    executor: Executor
    slots: Callable[[], int]
    description: str


def default_workers() -> int:
    """Cores available to this process."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextlib.contextmanager
def open_workers(
    kind: str = "local", workers: int | None = None, scheduler: str | None = None
) -> Iterator[Workers]:
    """Open an executor; close it (and any cluster it started) on exit.

    Args:
        kind: ``"local"`` (process pool, or in-process for one worker) or ``"dask"``.
        workers: Worker processes (default: cores). For Dask with a scheduler address the
            cluster decides; ``workers`` only bounds the start-up submission window.
        scheduler: Address of a running Dask scheduler (``tcp://host:8786``); ``None`` starts a
            local Dask cluster.

    Raises:
        UserError: For an unknown executor, a bad worker count, a missing Dask installation or
            an unreachable scheduler.
    """
    if kind not in EXECUTORS:
        raise UserError(f"--executor {kind}: allowed: {', '.join(EXECUTORS)}")
    count = default_workers() if workers is None else workers
    if count < 1:
        raise UserError(f"--workers {workers}: must be at least 1")
    if scheduler and kind != "dask":
        raise UserError("--scheduler needs --executor dask")
    if kind == "dask":
        with _dask(count, scheduler) as opened:
            yield opened
        return
    if count == 1:
        yield Workers(InProcessExecutor(), lambda: 1, "in-process")
        return
    pool = ProcessPoolExecutor(max_workers=count, mp_context=_context())
    try:
        yield Workers(pool, lambda: count, f"{count} local worker processes")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _dask(count: int, scheduler: str | None) -> Iterator[Workers]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise UserError(
            "--executor dask needs Dask distributed: pip install -e '.[dask]'"
        ) from None
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="30s")
            where = f"Dask scheduler {scheduler}"
        else:
            cluster = LocalCluster(
                n_workers=count, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
            where = f"local Dask cluster of {count} workers"
    except OSError as err:
        raise UserError(f"--scheduler {scheduler}: cannot connect ({err})") from None
    try:

        def slots() -> int:
            return sum(client.nthreads().values()) or count

        yield Workers(client.get_executor(pure=False), slots, where)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


#: Modules the fork server imports once, so that worker processes start with them loaded.
PRELOAD = ["experiments.runner"]


def _context() -> multiprocessing.context.BaseContext:
    """``forkserver`` where available (safe with threads), else ``spawn``.

    The fork server imports the model once and forks each worker from it, so workers do not
    each spend seconds importing numpy, pandas and mesa.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context
