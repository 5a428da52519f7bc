"""``tipsim compare``: compare the policies of one or more result folders."""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.atomic import write_text_atomic
from analysis.comparison import METRIC_GROUPS
from analysis.decomposition import DEFAULT_METRICS, decomposition_text
from analysis.errors import AnalysisError
from analysis.headline import answer_text
from analysis.main_answer import HEADLINE_METRICS
from analysis.statistics import CONFIDENCE
from analysis.tables import FORMATS, comparison_text
from analysis.who import who_text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``tipsim compare``."""
    parser.add_argument("folders", nargs="+", type=Path, metavar="DIR", help="result folder(s)")
    parser.add_argument(
        "--reference",
        metavar="POLICY",
        help="policy to compare against (default detention_first if present, else the first)",
    )
    parser.add_argument(
        "--metrics",
        nargs="+",
        metavar="NAME",
        help=f"outcomes to show (space- or comma-separated), or a group "
        f"({', '.join(METRIC_GROUPS)}; default all, or with --decomposition "
        f"{', '.join(DEFAULT_METRICS)})",
    )
    parser.add_argument(
        "--decomposition",
        action="store_true",
        help="decompose the reform's gain over a factorial batch (e.g. "
        "experiments/policy_decomposition.yaml) into its components and their interactions",
    )
    parser.add_argument(
        "--who",
        action="store_true",
        help="the victims each policy identifies that the reference misses, and the reverse, "
        "by group, route of first contact, exploitation, fear, debt, trauma and time since "
        "arrival (the same victims under both policies; formats md or csv)",
    )
    parser.add_argument(
        "--sensitivity",
        action="store_true",
        help="over a batch of a calibrated ensemble's members (e.g. the main job): which "
        "calibrated inputs carry the gain, by a weighted regression of the members' gains on "
        "their inputs (default outcomes victims identified and prosecutions; formats md or csv)",
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="md", help="output format (default md)"
    )
    parser.add_argument(
        "--confidence",
        type=float,
        default=CONFIDENCE,
        help=f"coverage of the t-intervals (default {CONFIDENCE})",
    )
    parser.add_argument("--out", type=Path, metavar="FILE", help="write to FILE, not the screen")


def _answers(args: argparse.Namespace) -> str:
    """The answer of each folder, before its tables (Markdown only; CSV, LaTeX, HTML are tables).

    The same computed answer the batch prints (:func:`analysis.main_answer.main_answer`).
    """
    if args.format != "md":
        return ""
    texts = []
    for folder in args.folders:
        try:
            texts.append(answer_text(folder, args.reference, confidence=args.confidence))
        except AnalysisError:
            continue  # one policy only: nothing to answer, the tables still compare outcomes
    return "\n".join(texts) + ("\n" if texts else "")


def _sensitivity(folder: Path, reference: str | None, metrics: list[str] | None, fmt: str) -> str:
    """What carries the gain over the members of one ensemble batch (``--sensitivity``)."""
    import analysis
    from analysis.main_answer import compared_policies, ensemble_source, ensemble_weights
    from analysis.posterior_sensitivity import sensitivity_tables, sensitivity_text
    from experiments.core.ensemble import member_inputs

    source = ensemble_source(folder)
    runs = analysis.load(folder)
    reference, alternative = compared_policies(runs, folder, reference, None)
    tables = sensitivity_tables(
        runs,
        ensemble_weights(folder),
        member_inputs(source),
        reference,
        alternative,
        metrics or list(HEADLINE_METRICS),
    )
    return sensitivity_text(tables, reference, alternative, fmt)


def main(args: argparse.Namespace) -> int:
    """Print (or write) the comparison tables, or the decomposition of a factorial batch."""
    metrics = (
        None
        if args.metrics is None
        else [name for item in args.metrics for name in item.split(",") if name]
    )
    if args.who:
        text = who_text(args.folders, args.reference, args.format)
    elif args.sensitivity:
        text = "\n".join(
            _sensitivity(folder, args.reference, metrics, args.format) for folder in args.folders
        )
    elif args.decomposition:
        text = decomposition_text(
            args.folders, args.reference, metrics, args.format, confidence=args.confidence
        )
    else:
        text = _answers(args) + comparison_text(
            args.folders,
            args.reference,
            ["all"] if metrics is None else metrics,
            args.format,
            confidence=args.confidence,
        )
    if args.out is None:
        print(text, end="")
        return 0
    write_text_atomic(text, args.out)
    print(f"comparison written to {args.out}")
    return 0
