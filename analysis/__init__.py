"""Analysis of result folders: tidy tables, paired policy comparisons, figures and reports.

Typical use in a notebook::

    import analysis

    runs = analysis.load("results/my-batch")              # one row per run
    table = analysis.compare(runs, reference="detention_first")
    print(analysis.comparison_text("results/my-batch"))  # the formatted tables
    analysis.write_report("results/my-batch")             # report.html and report.md

Only result files are read; nothing here needs a live model. Figures and reports import
matplotlib when first used.
"""

from __future__ import annotations

from typing import Any

from analysis.comparison import FUNNEL, HEADLINE, compare, funnel
from analysis.results import load, load_manifest, load_weekly
from analysis.statistics import paired_differences, t_interval
from analysis.tables import comparison_text

__all__ = [
    "FUNNEL",
    "HEADLINE",
    "compare",
    "comparison_text",
    "funnel",
    "load",
    "load_manifest",
    "load_weekly",
    "paired_differences",
    "t_interval",
    "write_report",
]


def __getattr__(name: str) -> Any:
    """Import the report writer (and so matplotlib) only when it is first asked for."""
    if name == "write_report":
        from analysis.report import write_report

        return write_report
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")
