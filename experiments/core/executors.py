"""Where runs execute: in-process, a local process pool, or a Dask cluster.

Every executor is a ``concurrent.futures.Executor``; the batch only submits and waits. The
results do not depend on the executor: each run carries its own seed.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from experiments.core.errors import UserError

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
    pool = ProcessPoolExecutor(
        max_workers=count,
        mp_context=_context(),
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    )
    try:
        yield Workers(pool, lambda: count, f"{count} local worker processes")
    except BaseException:
        # Interrupted (Ctrl-C, SIGTERM) or stopped by an error: runs in flight are not
        # stored, so end their workers now instead of waiting for them to finish.
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _dask(count: int, scheduler: str | None) -> Iterator[Workers]:
    try:
        import dask
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
            # One run per worker at a time (Dask's default saturation of 1.1 sends two to a
            # one-thread worker): when a run kills its worker, Dask blames every run the
            # worker held, so with two an innocent run could be given up as lost with it.
            with _sigint_ignored_by_children(), dask.config.set(
                {"distributed.scheduler.worker-saturation": 1.0}
            ):
                cluster = LocalCluster(
                    n_workers=count,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.CRITICAL,  # Ctrl-C: one line, not nannies' warnings
                )
            client = Client(cluster)
            where = f"local Dask cluster of {count} workers"
    except OSError as err:
        raise UserError(f"--scheduler {scheduler}: cannot connect ({err})") from None
    except (ValueError, TypeError) as err:  # Dask's own check of the address
        if not scheduler:
            raise
        raise UserError(
            f"--scheduler {scheduler}: not a Dask scheduler address ({err}); give one such as "
            "tcp://host:8786"
        ) from None
    try:

        def slots() -> int:
            return sum(client.nthreads().values()) or count

        yield Workers(client.get_executor(pure=False), slots, where)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@contextlib.contextmanager
def _sigint_ignored_by_children() -> Iterator[None]:
    """Start processes that ignore SIGINT, so Ctrl-C reaches only this process.

    A terminal sends Ctrl-C to the whole process group: Dask's nanny and worker processes
    would each print a KeyboardInterrupt traceback. They inherit an ignored SIGINT (Python
    leaves it ignored at start-up); this process stops the cluster itself when interrupted.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


#: Linux ``prctl`` option: the signal a process receives when its parent dies.
_PR_SET_PDEATHSIG = 1
#: Seconds between a worker's checks that the batch process is still alive.
WATCHDOG_INTERVAL = 1.0


def die_with_parent(batch_pid: int) -> None:
    """Make this worker process end when the batch process ends, even by SIGKILL.

    Runs in each pool worker at start-up. On Linux the kernel sends SIGKILL when the worker's
    parent (the fork server) dies; everywhere a daemon thread checks the batch process every
    :data:`WATCHDOG_INTERVAL` seconds and exits the worker once it is gone. Without this, a
    killed batch leaves its workers, fork server and resource tracker running for ever.

    Args:
        batch_pid: Process id of the batch (the pool's owner).
    """
    # Ctrl-C is handled by the batch process, which stops the pool: no worker tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):  # no prctl: the watchdog alone
            pass
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(WATCHDOG_INTERVAL)
            if os.getppid() != parent or not _alive(batch_pid):
                os._exit(1)

    threading.Thread(target=watch, name="tipsim-watchdog", daemon=True).start()


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists and has not exited (a zombie counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # not Linux: existence is all we can tell
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


#: Modules the fork server imports once, so that worker processes start with them loaded.
PRELOAD = ["experiments.batches.one_run"]


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
