"""Formatted comparison tables (Markdown, LaTeX, HTML) and the CSV export.

A :class:`Table` holds strings ready to show; the builders here turn the tidy output of
:func:`analysis.compare` into the outcome table (per policy, with the paired difference against
the reference) and the funnel table, with up to :data:`SIDE_BY_SIDE` result folders or worlds
side by side, and one table each beyond that or for each draw of a sweep.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from analysis.comparison import FUNNEL, compare, funnel
from analysis.errors import AnalysisError
from analysis.formatting import format_difference, format_value, missing, number, percent, relative
from analysis.labels import label
from analysis.results import SOURCE, Folders, load, unfinished_runs
from analysis.statistics import CONFIDENCE, MIN_PAIRS, TOO_FEW, interval_description

#: Output formats of :func:`render`.
FORMATS = ("md", "csv", "latex", "html")
#: At most this many blocks (folder x world) are shown side by side in one table.
SIDE_BY_SIDE = 3


@dataclass
class Table:
    """A table of formatted cells: a title, a header, rows and a note under it."""

    title: str
    header: list[str]
    rows: list[list[str]]
    note: str = ""
    label_columns: int = 1
    numeric: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.numeric:
            count = len(self.header)
            self.numeric = [i >= self.label_columns for i in range(count)]


def comparison_text(
    folders: Folders,
    reference: str | None = None,
    metrics: Iterable[str] | None = ("headline",),
    fmt: str = "md",
    **options: float,
) -> str:
    """Load result folders, compare the policies and format the tables (for printing).

    Args:
        folders: One or more result folders.
        reference: Reference policy (default ``detention_first`` if present).
        metrics: Outcome or group names (default the headline outcomes and funnel).
        fmt: One of :data:`FORMATS`.
        **options: ``confidence`` of :func:`analysis.compare`.

    Returns:
        The formatted comparison and funnel tables; for Markdown, a first line says which
        folders lack runs (pending or failed).
    """
    comparison = compare(load(folders), reference=reference, metrics=metrics, **options)
    text = render(comparison, fmt)
    warnings = unfinished_runs(folders) if fmt == "md" else []
    return "".join(f"> Note: {line}.\n\n" for line in warnings) + text


def render(comparison: pd.DataFrame, fmt: str = "md") -> str:
    """Format a comparison as text: the tables in Markdown, LaTeX or HTML, or the tidy CSV."""
    if fmt not in FORMATS:
        raise AnalysisError(f"unknown format {fmt!r}: choose from {', '.join(FORMATS)}")
    if fmt == "csv":
        return comparison.to_csv(index=False, float_format="%.10g")
    writer = {"md": to_markdown, "latex": to_latex, "html": to_html}[fmt]
    return "\n\n".join(writer(table) for table in comparison_tables(comparison)) + "\n"


def comparison_tables(comparison: pd.DataFrame) -> list[Table]:
    """The outcome tables, and the funnel tables when the comparison holds the funnel."""
    tables = outcome_tables(comparison)
    if set(FUNNEL) <= set(comparison["metric"]):
        tables += funnel_tables(funnel(comparison))
    return tables


def outcome_tables(
    comparison: pd.DataFrame,
    title: str = "Outcomes by policy",
    plain: bool = False,
    side_by_side: int = SIDE_BY_SIDE,
) -> list[Table]:
    """Outcome tables: one with the blocks side by side, or one per block (see ``split``).

    ``plain`` names outcomes in words with their units (see :mod:`analysis.labels`);
    ``side_by_side`` is the most blocks put in one table (1 keeps a table laptop-wide).
    """
    parts = split(comparison, side_by_side)
    return [outcome_table(part, title, suffix, plain) for suffix, part in parts]


def funnel_tables(stages: pd.DataFrame, side_by_side: int = SIDE_BY_SIDE) -> list[Table]:
    """Funnel tables: one with the blocks side by side, or one per block (see ``split``)."""
    return [funnel_table(part, suffix) for suffix, part in split(stages, side_by_side)]


def split(frame: pd.DataFrame, side_by_side: int = SIDE_BY_SIDE) -> list[tuple[str, pd.DataFrame]]:
    """Parts shown as one table each, with a title suffix.

    Up to ``side_by_side`` result folders or worlds of a single draw fit side by side in
    one table; sweeps (several draws) and more blocks get one table per block.
    """
    labels = block_labels(frame)
    if len(labels) <= side_by_side and frame["draw"].nunique() == 1:
        return [("", frame)]
    keys = frame.apply(_block_key, axis=1)
    return [(f" — {label}", frame[keys == key]) for key, label in labels.items()]


def outcome_table(
    comparison: pd.DataFrame,
    title: str = "Outcomes by policy",
    suffix: str = "",
    plain: bool = False,
) -> Table:
    """Each outcome per policy: mean, median, 95% interval, and the paired difference.

    ``plain`` names outcomes in words with their units instead of their column names.
    """
    reference = str(comparison["reference"].iloc[0])
    labels = block_labels(comparison)
    level = _level(comparison)
    stats = [
        "mean",
        "median",
        f"{level} interval",
        f"Δ vs reference [{level} CI]",
        f"change [{level} CI]",
    ]
    cells = {
        (labels[_block_key(row)], str(row["metric"]), str(row["policy"])): _outcome_cells(
            row, reference
        )
        for _, row in comparison.iterrows()
    }
    metrics = list(dict.fromkeys(comparison["metric"]))
    policies = _policies(comparison)
    if plain:
        cells = {(block, label(m), p): value for (block, m, p), value in cells.items()}
        metrics = [label(m) for m in metrics]
    table = _arrange(
        cells,
        list(dict.fromkeys(labels.values())),
        [(m, p) for m in metrics for p in policies],
        ["outcome", "policy"],
        stats,
    )
    _blank_repeats(table)
    table.title = f"{title}, compared with {reference}{suffix}"
    table.note = _note(comparison)
    return table


def funnel_table(stages: pd.DataFrame, suffix: str = "") -> Table:
    """The identification funnel: mean count per stage and share of victims present."""
    labels = block_labels(stages)
    policies = _policies(stages)
    cells: dict[tuple[str, ...], list[str]] = {}
    for _, row in stages.iterrows():
        key = (labels[_block_key(row)], str(row["label"]))
        cells.setdefault(key, [""] * len(policies))
        cell = f"{number(row['mean'])} ({percent(row['share'])})"
        cells[key][policies.index(str(row["policy"]))] = cell
    rows_order = [(label,) for label in dict.fromkeys(stages["label"])]
    table = _arrange(cells, list(dict.fromkeys(labels.values())), rows_order, ["stage"], policies)
    table.title = f"Identification funnel: mean count (share of victims present){suffix}"
    table.note = "Counts over the whole run, means across replicates."
    return table


def block_labels(frame: pd.DataFrame) -> dict[tuple, str]:
    """Short labels of the blocks (folder x world x draw), naming only what differs."""
    keys = list(dict.fromkeys(_block_key(row) for _, row in frame.iterrows()))
    params = [c for c in frame.columns if c.startswith("param:")]
    many_sources = len({k[0] for k in keys}) > 1
    many_draws = len({k[2] for k in keys}) > 1
    labels = {}
    for key in keys:
        parts = [str(key[0])] if many_sources else []
        parts.append(str(key[1]))
        if many_draws:
            rows = frame[(frame["draw"] == key[2]) & (frame["world"] == key[1])]
            values = ", ".join(f"{p[6:]}={_plain(rows[p].iloc[0])}" for p in params)
            parts.append(f"draw {key[2]}" + (f" ({values})" if values else ""))
        labels[key] = " · ".join(parts)
    return labels


def to_markdown(table: Table) -> str:
    """Render as a GitHub-flavoured Markdown table with a heading and a note."""
    widths = [
        max(len(cell) for cell in column) for column in zip(table.header, *table.rows, strict=True)
    ]

    def line(cells: list[str]) -> str:
        padded = [
            cell.rjust(w) if num else cell.ljust(w)
            for cell, w, num in zip(cells, widths, table.numeric, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(
            ("-" * (w + 1) + ":") if num else (":" + "-" * (w + 1))
            for w, num in zip(widths, table.numeric, strict=True)
        )
        + "|"
    )
    lines = [f"### {table.title}", "", line(table.header), rule]
    lines += [line(row) for row in table.rows]
    if table.note:
        lines += ["", table.note]
    return "\n".join(lines)


def to_latex(table: Table) -> str:
    """Render as a LaTeX ``table`` with ``booktabs`` rules (needs the booktabs package)."""
    spec = "".join("r" if num else "l" for num in table.numeric)
    body = [" & ".join(_latex(cell) for cell in row) + r" \\" for row in table.rows]
    return "\n".join(
        [
            r"\begin{table}[htbp]",
            r"\centering",
            rf"\caption{{{_latex(table.title)}}}",
            rf"\begin{{tabular}}{{{spec}}}",
            r"\toprule",
            " & ".join(_latex(cell) for cell in table.header) + r" \\",
            r"\midrule",
            *body,
            r"\bottomrule",
            r"\end{tabular}",
            *([rf"\par\smallskip{{\footnotesize {_latex(table.note)}}}"] if table.note else []),
            r"\end{table}",
        ]
    )


def to_html(table: Table) -> str:
    """Render as an HTML ``<table>`` with a caption and a note."""

    def cells(row: list[str], tag: str) -> str:
        return "".join(
            f'<{tag} class="{"num" if num else "label"}">{html.escape(cell)}</{tag}>'
            for cell, num in zip(row, table.numeric, strict=True)
        )

    body = "\n".join(f"<tr>{cells(row, 'td')}</tr>" for row in table.rows)
    note = f'\n<p class="note">{html.escape(table.note)}</p>' if table.note else ""
    return (
        f'<table class="comparison">\n<caption>{html.escape(table.title)}</caption>\n'
        f"<thead><tr>{cells(table.header, 'th')}</tr></thead>\n<tbody>\n{body}\n</tbody>\n"
        f"</table>{note}"
    )


def _outcome_cells(row: pd.Series, reference: str) -> list[str]:
    metric = str(row["metric"])
    value = lambda name: format_value(row[name], metric)  # noqa: E731
    cells = [value("mean"), value("median"), f"[{value('low')}, {value('high')}]"]
    if str(row["policy"]) == reference:
        return [*cells, "(reference)", ""]
    diff = format_difference(row["diff"], metric)
    change = relative(row.get("rel"))
    if _unstable_change(row):
        change = "—"
    if _too_few(row):
        return [*cells, f"{diff} [{TOO_FEW}]", f"{change} [{TOO_FEW}]"]
    if not missing(row.get("diff_low")):
        low = format_difference(row["diff_low"], metric)
        high = format_difference(row["diff_high"], metric)
        diff += f" [{low}, {high}]"
    if not missing(row.get("rel_low")) and change != "—":
        change += f" [{relative(row['rel_low'])}, {relative(row['rel_high'])}]"
    return [*cells, diff, change]


#: A relative change is left out (—) beyond this size, or when its interval is wider: the
#: reference's mean is then too small or too uncertain to divide by.
MAX_RELATIVE = 5.0


def _unstable_change(row: pd.Series) -> bool:
    """Whether the relative change is a division by a mean too close to zero to say much."""
    rel, low, high = row.get("rel"), row.get("rel_low"), row.get("rel_high")
    if missing(rel):
        return False
    if abs(float(rel)) > MAX_RELATIVE:
        return True
    return not missing(low) and float(high) - float(low) > MAX_RELATIVE


def _too_few(row: pd.Series) -> bool:
    """Whether the row's interval was refused for having fewer than ``MIN_PAIRS`` pairs."""
    pairs = row.get("n_pairs")
    return not missing(pairs) and int(pairs) < MIN_PAIRS


def _arrange(
    cells: dict[tuple[str, ...], list[str]],
    blocks: list[str],
    rows_order: list[tuple[str, ...]],
    row_header: list[str],
    stats: list[str],
) -> Table:
    """Lay cells out with the blocks side by side.

    Args:
        cells: ``(block, *row labels) -> one cell per stat``.
        blocks: Block labels in order.
        rows_order: Row labels in order.
        row_header: Names of the row-label columns.
        stats: Names of the cells of each block.
    """
    blank = [""] * len(stats)
    header = [*row_header] + [
        f"{block}: {stat}" if len(blocks) > 1 else stat for block in blocks for stat in stats
    ]
    rows = [
        [*labels, *(cell for block in blocks for cell in cells.get((block, *labels), blank))]
        for labels in rows_order
    ]
    return Table("", header, rows, label_columns=len(row_header))


def _blank_repeats(table: Table) -> None:
    """Show each outcome's name on its first row only (the rows below are its policies)."""
    shown = None
    for row in table.rows:
        if row[0] == shown:
            row[0] = ""
        else:
            shown = row[0]


def _policies(frame: pd.DataFrame) -> list[str]:
    present = set(frame["policy"].astype(str))
    return [str(p) for p in frame["policy"].cat.categories if str(p) in present]


def _block_key(row: pd.Series) -> tuple:
    return (row[SOURCE], row["world"], row["draw"])


def _note(comparison: pd.DataFrame) -> str:
    counts = sorted({int(n) for n in comparison["n"]})
    replicates = str(counts[0]) if len(counts) == 1 else f"{counts[0]}–{counts[-1]}"
    confidence = _confidence(comparison)
    level = _level(comparison)
    return (
        f"{replicates} replicate(s) per policy. {level} interval: central {level} of the "
        "replicates' values. Δ: mean paired difference from the reference policy, replicate by "
        "replicate on the same random numbers; change: Δ over the reference's mean. Brackets: "
        f"{interval_description(confidence, replicates)}; the change's interval is linearised "
        "(delta method). n/a: undefined (a zero reference mean); —: left out, the reference's "
        f"mean too close to zero to divide by (a change beyond ±{100 * MAX_RELATIVE:.0f}% or an "
        f"interval wider than {100 * MAX_RELATIVE:.0f} points)."
    )


def _confidence(comparison: pd.DataFrame) -> float:
    """The coverage :func:`analysis.compare` recorded on the table."""
    return float(comparison.attrs.get("intervals", {}).get("confidence", CONFIDENCE))


def _level(comparison: pd.DataFrame) -> str:
    return f"{100 * _confidence(comparison):g}%"


def _plain(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _latex(text: str) -> str:
    replacements = {
        "\\": r"\textbackslash{}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "{": r"\{",
        "}": r"\}",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
        "Δ": r"$\Delta$",
        "–": "--",
        "·": r"$\cdot$",
    }
    return "".join(replacements.get(char, char) for char in text)
