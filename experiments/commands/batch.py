"""``tipsim batch``: run a batch of worlds x policies x draws x replicates, resumably."""

from __future__ import annotations

import argparse
import signal
from dataclasses import replace
from pathlib import Path

from experiments.batches.pipeline import BatchOptions, BatchReport, run_batch
from experiments.core.executors import EXECUTORS
from result_folder.layout import DECOMPOSITION_DIR

#: Exit status when some runs failed (input errors exit with 2).
FAILED_RUNS_STATUS = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``tipsim batch``."""
    parser.add_argument("batch_file", type=Path, metavar="FILE", help="batch YAML file")
    parser.add_argument("--out", type=Path, metavar="DIR", help="results folder (default: output)")
    parser.add_argument(
        "--workers", type=int, metavar="N", help="worker processes (default: cores)"
    )
    parser.add_argument(
        "--executor",
        choices=EXECUTORS,
        default="local",
        help="local process pool (default) or Dask distributed",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler address (tcp://host:8786); without it a local Dask cluster starts",
    )
    parser.add_argument("--replicates", type=int, metavar="N", help="replace the file's replicates")
    parser.add_argument("--years", type=float, metavar="Y", help="replace the file's years")
    parser.add_argument(
        "--new",
        action="store_true",
        help="if the folder holds results, start a fresh folder DIR-2 (DIR-3, ...) next to it",
    )
    parser.add_argument(
        "--retry-failed", action="store_true", help="run again the runs that failed before"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar, no table")


def main(args: argparse.Namespace) -> int:
    """Run the batch, print what happened and the key outcomes; 1 if any run failed."""
    options = BatchOptions(
        out=args.out,
        workers=args.workers,
        executor=args.executor,
        scheduler=args.scheduler,
        replicates=args.replicates,
        years=args.years,
        new=args.new,
        retry_failed=args.retry_failed,
        progress=False if args.quiet else None,
    )
    # SIGTERM (a scheduler's time limit, ``kill``) stops the batch like Ctrl-C: the manifest is
    # saved and the batch resumes when the command is run again.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        report = run_batch(args.batch_file, options)
        status = _describe(report, args.quiet)
        if report.decomposition is not None and status == 0:
            # The follow-up factorial lives inside the batch's folder, so --new starts it afresh.
            sub = replace(options, out=report.folder / DECOMPOSITION_DIR, new=False)
            print(f"decomposition: {report.decomposition.name} into {sub.out}")
            status = _describe(run_batch(report.decomposition, sub), quiet=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
    if not args.quiet and status == 0:
        print_comparison(report.folder, finished=report.skipped + report.ran)
    return status


def _describe(report: BatchReport, quiet: bool) -> int:
    """Print what one batch invocation did; its exit status (1 if any run failed or is lost)."""
    done = report.skipped + report.ran - len(report.failed_now)
    # (runs lost with their workers are neither done nor failed: they stay pending)
    print(
        f"batch {report.folder}: {report.total} runs; {report.skipped} already finished, "
        f"{report.ran} run now on {report.executor}, {len(report.failed_now)} failed now"
        + (
            f", {len(report.failed_kept)} failed before (--retry-failed)"
            if report.failed_kept
            else ""
        )
    )
    if report.damaged:
        print(
            f"tipsim: {len(report.damaged)} finished run(s) had damaged result files and were "
            "run again: " + "; ".join(report.damaged)
        )
    if report.broken:
        print(
            f"tipsim: the executor stopped ({report.broken}); {report.not_started} runs were "
            "not finished and stay pending: run the same command again to continue"
        )
    if report.lost:
        print(
            f"tipsim: {len(report.lost)} run(s) lost the workers running them (killed, out of "
            f"memory?) and stay pending: {', '.join(report.lost)}; run the same command again "
            "to retry them"
        )
    if not quiet and (report.failed or report.broken or report.lost):
        print_comparison(report.folder, finished=done)
    if (report.broken or report.lost) and not report.failed:
        return FAILED_RUNS_STATUS
    if report.failed:
        print(
            f"tipsim: {report.failed} of {report.total} runs failed ({done} done); errors and "
            f"tracebacks are in {report.folder / 'manifest.json'}; "
            "run again with --retry-failed to retry them"
        )
        return FAILED_RUNS_STATUS
    return 0


def print_comparison(folder: Path, finished: int) -> None:
    """Print the batch's answer (the README's main output), then, for a plain batch, its tables.

    The answer is :func:`analysis.main_answer.main_answer`, said by
    :func:`analysis.headline.answer_text`: the same numbers ``tipsim compare`` and the report
    lead with.
    """
    if finished == 0:
        print("no finished runs to compare yet")
        return
    import analysis  # only the end of a batch needs the analysis layer
    from analysis.errors import AnalysisError
    from analysis.headline import answer_text
    from analysis.main_answer import ensemble_weights

    print()
    try:
        print(answer_text(folder), end="")
    except AnalysisError as err:  # one policy only, or no pairs yet: the tables say the rest
        print(f"no answer yet: {err}")
    if ensemble_weights(folder) is None:
        print()
        print(analysis.comparison_text(folder), end="")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
