"""The report of one or more result folders: a self-contained HTML file and a Markdown version.

Both hold the comparison tables, the figures and the provenance of every folder (config,
seeds, commit, package versions, runs by status). The HTML embeds its figures (SVG as base64
data) so it can be mailed on its own; the Markdown refers to PNG and SVG files written next to
it in ``figures/``.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import discovery
from analysis import figures as plots
from analysis.answer_figures import gain_figure, waterfall_figure
from analysis.comparison import HEADLINE, compare, funnel, group_columns
from analysis.decomposition import decompose, factors, report_section
from analysis.errors import AnalysisError
from analysis.headline import answer_sentences, answer_table
from analysis.main_answer import Answer, fit_check, main_answer
from analysis.results import (
    DamagedResultError,
    Folders,
    load,
    load_manifest,
    load_weekly,
    run_status_counts,
    unfinished_runs,
)
from analysis.statistics import paired_differences
from analysis.tables import Table, funnel_tables, outcome_tables, render, to_html, to_markdown
from analysis.who import report_tables as who_tables
from result_folder.layout import DECOMPOSITION_DIR, MANIFEST

#: At most this many draws of a sweep get tables in the report (all are in comparison.csv).
MAX_TABLE_DRAWS = 12

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 80em; color: #222;
       line-height: 1.4; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; }
table.comparison { border-collapse: collapse; margin: 1em 0; font-size: .8em; max-width: 100%; }
table.comparison caption { text-align: left; font-weight: bold; padding: .3em 0; }
table.comparison th, table.comparison td { padding: .25em .6em; border-bottom: 1px solid #e4e4e4; }
table.comparison th { background: #f3f3f3; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.label { max-width: 16em; }
ul.findings li { margin: .4em 0; max-width: 60em; }
p.answer { font-size: 1.15em; max-width: 60em; margin: .4em 0; }
div.lead { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
div.lead figure { flex: 1 1 36em; min-width: 0; margin: .5em 0; }
details summary { cursor: pointer; font-weight: bold; margin: .5em 0; }
p.note { font-size: .8em; color: #555; max-width: 60em; }
p.warning { background: #fff4d6; border-left: 4px solid #e0a800; padding: .4em .8em; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; height: auto; }
figcaption { font-size: .85em; color: #444; }
pre { background: #f6f6f6; padding: .8em; overflow-x: auto; font-size: .8em; }
dl.provenance dt { font-weight: bold; float: left; clear: left; width: 9em; }
dl.provenance dd { margin-left: 10em; }
"""


@dataclass
class ReportFigure:
    """A figure of the report: its file stem, caption and the written files."""

    stem: str
    caption: str
    png: Path
    svg: Path


@dataclass
class ReportContent:
    """What both versions of the report show."""

    title: str
    findings: list[str]  # the answer's other sentences, after the first screen
    tables: list[tuple[str, Table]]
    figures: list[ReportFigure]
    appendix: list[tuple[str, Table]]
    provenance: list[tuple[str, dict[str, Any]]]
    runs: pd.DataFrame
    warnings: list[str]
    csv: Path
    decomposition: list[tuple[str, Table]] = field(default_factory=list)
    answer: list[str] = field(default_factory=list)
    lead: list[ReportFigure] = field(default_factory=list)
    answer_tables: list[tuple[str, Table]] = field(default_factory=list)
    who: list[tuple[str, Table]] = field(default_factory=list)  # analysis.who


def write_report(
    folders: Folders,
    out: str | Path | None = None,
    reference: str | None = None,
    metrics: Iterable[str] | None = None,
) -> dict[str, Path]:
    """Write ``report.html`` (self-contained) and ``report.md`` (with ``figures/``).

    Args:
        folders: One or more result folders.
        out: Folder to write into (default ``<first folder>/report``).
        reference: Reference policy (default ``detention_first`` if present).
        metrics: Outcomes of the full table (default every outcome).

    Returns:
        Paths of the written files: ``html``, ``markdown`` and ``figures`` (the folder).
    """
    paths = [Path(folders)] if isinstance(folders, str | Path) else [Path(f) for f in folders]
    runs = load(paths)
    full = compare(runs, reference=reference, metrics=metrics)
    headline = _headline(runs, full, reference)
    target = Path(out) if out is not None else paths[0] / "report"
    if target.exists() and not target.is_dir():
        raise AnalysisError(f"{target}: --out must be a folder (the report writes several files)")
    figure_dir = target / "figures"
    answers = _answers(paths, reference)
    ensemble = bool(answers) and answers[0][1].kind == "ensemble"
    shown, notes = _shown_draws(headline), unfinished_runs(paths)
    if len(shown) < headline["draw"].nunique():
        notes.append(
            f"the tables show the first {len(shown)} of {headline['draw'].nunique()} draws; "
            "comparison.csv holds them all and the sweep figures draw them"
        )
    per_world = [
        *_anchored(
            "table-headline",
            outcome_tables(
                _draws(headline, shown), "Headline outcomes by policy", plain=True, side_by_side=1
            ),
        ),
        *_anchored("table-funnel", funnel_tables(funnel(_draws(headline, shown)), side_by_side=1)),
    ]
    tables = [] if ensemble else per_world
    if ensemble:
        tables += _anchored("table-fit", [fit_check(paths[0], answers[0][1].reference)])
    tables += _anchored("table-discovery", _discovery_tables(paths))
    appendix = per_world if ensemble else []
    appendix += _anchored(
        "table-all",
        outcome_tables(_draws(full, shown), "All outcomes by policy", plain=True, side_by_side=1),
    )
    lead = _lead_figures(answers, runs, figure_dir)
    figures = _figures(paths, runs, headline, figure_dir, ensemble)
    provenance = [(str(path), load_manifest(path)) for path in paths]
    title = "tipsim report: " + ", ".join(path.name for path in paths)
    target.mkdir(parents=True, exist_ok=True)
    csv_path = target / "comparison.csv"
    csv_path.write_text(render(full, "csv"), encoding="utf-8")
    html_path, md_path = target / "report.html", target / "report.md"
    sentences = [
        (f"{path.name}: " if len(answers) > 1 else "") + sentence
        for path, answer in answers
        for sentence in answer_sentences(answer)
    ]
    content = ReportContent(
        title, sentences[1:], tables, figures, appendix, provenance, runs, notes, csv_path
    )
    content.answer = sentences[:1]
    content.lead = lead
    content.answer_tables = _anchored("table-answer", [answer_table(a) for _, a in answers])
    content.decomposition = _anchored(
        "table-decomposition", [t for path in paths for t in _decomposition_tables(path)]
    )
    content.who = _anchored("table-who", who_tables(paths, reference))
    html_path.write_text(_html(content), encoding="utf-8")
    md_path.write_text(_markdown(content, target), encoding="utf-8")
    return {"html": html_path, "markdown": md_path, "figures": figure_dir, "csv": csv_path}


def _answers(paths: list[Path], reference: str | None) -> list[tuple[Path, Answer]]:
    """The computed answer of each folder that compares two policies."""
    answers = []
    for path in paths:
        try:
            answers.append((path, main_answer(path, reference)))
        except AnalysisError:
            continue  # one policy only: the tables describe it
    return answers


def _factorial_runs(path: Path) -> pd.DataFrame | None:
    """The runs of the folder's decomposition: its ``decomposition/`` batch, or itself."""
    sub = path / DECOMPOSITION_DIR
    try:
        runs = load(sub if (sub / MANIFEST).is_file() else path)
        return runs if len(factors(runs)) >= 2 else None
    except AnalysisError:
        return None


def _decomposition_tables(path: Path) -> list[Table]:
    factorial = _factorial_runs(path)
    return report_section(factorial) if factorial is not None else []


def _lead_figures(
    answers: list[tuple[Path, Answer]], runs: pd.DataFrame, folder: Path
) -> list[ReportFigure]:
    """The first screen's figures: the gain across members, and the decomposition's waterfall."""
    if not answers:
        return []
    path, answer = answers[0]
    made = []
    if answer.kind != "factorial":
        pairs = None
        if answer.kind == "world":
            chosen = runs[runs["draw"] == runs["draw"].min()]
            pairs = paired_differences(
                chosen, answer.reference, ["world"], list(answer.rows["metric"].unique())
            )
            pairs = pairs[pairs["policy"].astype(str) == answer.alternative]
        where = "each member" if answer.kind == "ensemble" else "each replicate pair"
        made.append(
            (
                "gain",
                f"The gain in {where}: the paired difference (reform − reference) per run; "
                f"the interval covers {answer.covers}.",
                gain_figure(answer, pairs),
            )
        )
    factorial = _factorial_runs(path)
    try:
        table = None if factorial is None else decompose(factorial, answer.reference)
    except AnalysisError:
        table = None  # not finished: the decomposition section says so
    if table is not None:
        made.append(
            (
                "waterfall",
                "From the status quo (every component as today) to the full reform: each "
                "component's Shapley share of the total gain (its main effect plus an equal "
                "share of its interactions), on common random numbers; the bracket is the total's "
                "t-interval (run-to-run chance at the member's fixed parameters).",
                waterfall_figure(table),
            )
        )
    return [_saved(folder, stem, caption, fig) for stem, caption, fig in made]


def _saved(folder: Path, stem: str, caption: str, fig: Any) -> ReportFigure:
    png, svg = plots.save_figure(fig, folder, stem)
    return ReportFigure(stem, caption, png, svg)


def _headline(runs: pd.DataFrame, full: pd.DataFrame, reference: str | None) -> pd.DataFrame:
    """The headline rows of the full comparison (the same numbers), or a new comparison."""
    wanted = [m for m in HEADLINE if m in runs.columns]
    if set(wanted) <= set(full["metric"]):
        rows = full[full["metric"].isin(wanted)].copy()
        rows["order"] = rows["metric"].map({m: i for i, m in enumerate(wanted)})
        keys = list(full.columns[: full.columns.get_loc("metric")])
        rows = rows.sort_values([*keys, "order"], kind="stable")
        return rows.drop(columns="order").reset_index(drop=True)
    return compare(runs, reference=reference, metrics=["headline"])


def _shown_draws(comparison: pd.DataFrame) -> list:
    """The draws the report's tables show: all, or the first :data:`MAX_TABLE_DRAWS`."""
    return sorted(comparison["draw"].unique())[:MAX_TABLE_DRAWS]


def _draws(comparison: pd.DataFrame, draws: list) -> pd.DataFrame:
    return comparison[comparison["draw"].isin(draws)]


def _figures(
    paths: list[Path],
    runs: pd.DataFrame,
    comparison: pd.DataFrame,
    folder: Path,
    ensemble: bool = False,
) -> list[ReportFigure]:
    """The figures after the first screen (over an ensemble the gain figure has the pairs)."""
    made: list[tuple[str, str, Any]] = []
    reference = str(comparison["reference"].iloc[0])
    if runs["policy"].astype(str).nunique() > 1 and not ensemble:
        metrics = [m for m in plots.DIFFERENCES_DEFAULT if m in runs.columns]
        differences = paired_differences(runs, reference, group_columns(runs), metrics)
        if len(differences):
            made.append(
                (
                    "differences",
                    f"Paired differences from {reference}: one dot per replicate (same random "
                    "numbers under both policies); black, the mean and its 95% t-interval "
                    "(stochastic uncertainty at fixed parameters; none below 5 pairs).",
                    plots.differences_figure(differences, comparison),
                )
            )
    made.append(
        (
            "funnel",
            "Identification funnel per policy: mean count at each stage over the run (linear "
            "scale), whiskers the central 95% of replicates, labels the share of victims present "
            "during the run.",
            plots.funnel_figure(funnel(comparison)),
        )
    )
    weekly = _weekly(paths)
    if weekly is not None:
        made.append(
            (
                "weekly",
                "Weekly outcomes by calendar week: median across replicates (line), 50% and "
                "95% bands; flows accumulated since the start, stocks (such as the victims "
                "present) at the end of each week.",
                plots.weekly_figure(weekly),
            )
        )
    for i, fig in enumerate(plots.sweep_figures(comparison)):
        made.append(
            (
                f"sweep-{i + 1}",
                "Outcomes against a swept parameter, per policy: means across replicates with "
                "95% t-intervals (stochastic uncertainty at fixed parameters; none below 5 "
                "replicates).",
                fig,
            )
        )
    return [_saved(folder, stem, caption, fig) for stem, caption, fig in made]


def _discovery_tables(paths: list[Path]) -> list[Table]:
    """The PRIM boxes ``tipsim discover`` wrote in the folders, when it has."""
    tables = []
    for path in paths:
        boxes = discovery.read(path)
        if boxes is not None and len(boxes):
            tables.append(discovery.table(boxes, path.name))
    return tables


def _weekly(paths: list[Path]) -> pd.DataFrame | None:
    """The weekly series the figure needs, or ``None`` when no folder has them.

    Raises:
        DamagedResultError: A weekly file is damaged (named, never silently left out).
    """
    try:
        return load_weekly(paths, outcomes=plots.WEEKLY_DEFAULT)
    except DamagedResultError:
        raise
    except AnalysisError:
        return None


def _html(content: ReportContent) -> str:
    esc = html.escape
    title, runs = content.title, content.runs
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
    ]
    if content.answer:
        parts.append('<section id="answer">')
        parts += [f'<p class="answer">{esc(line)}</p>' for line in content.answer]
        if content.lead:
            parts.append('<div class="lead">')
            parts += [_html_figure(figure) for figure in content.lead]
            parts.append("</div>")
        parts.append("</section>")
    if content.findings:
        parts.append('<ul class="findings">')
        parts += [f"<li>{esc(line)}</li>" for line in content.findings]
        parts.append("</ul>")
    for anchor, table in content.answer_tables:
        parts.append(f'<section id="{anchor}">{to_html(table)}</section>')
    parts.append(f'<p class="note">{esc(_summary_line(runs))}</p>')
    parts += [f'<p class="warning">Note: {esc(line)}.</p>' for line in content.warnings]
    if content.tables:
        parts.append("<h2>Comparison</h2>")
    for anchor, table in content.tables:
        parts.append(f'<section id="{anchor}">{to_html(table)}</section>')
    if content.decomposition:
        parts.append("<h2>Decomposition of the reform's gain</h2>")
        for anchor, table in content.decomposition:
            parts.append(f'<section id="{anchor}">{to_html(table)}</section>')
    if content.who:
        parts.append("<h2>Who is found, and who is missed</h2>")
        parts += [f'<section id="{a}">{to_html(table)}</section>' for a, table in content.who]
    parts.append("<h2>Figures</h2>")
    for figure in content.figures:
        parts.append(_html_figure(figure))
    parts.append('<h2 id="appendix">Appendix: every outcome</h2>')
    data = base64.b64encode(content.csv.read_bytes()).decode("ascii")
    parts.append(
        f'<p>The tidy numbers of every table: <a download="{content.csv.name}" '
        f'href="data:text/csv;base64,{data}">{content.csv.name}</a>.</p>'
    )
    if content.appendix:
        parts.append(
            f"<details><summary>Tables by world and policy ({len(content.appendix)})</summary>"
        )
        for anchor, table in content.appendix:
            parts.append(f'<section id="{anchor}">{to_html(table)}</section>')
        parts.append("</details>")
    parts.append("<h2>Provenance</h2>")
    for folder, manifest in content.provenance:
        parts.append(f"<h3>{esc(folder)}</h3>")
        parts.append('<dl class="provenance">')
        for key, value in _provenance_items(manifest):
            parts.append(f"<dt>{esc(key)}</dt><dd>{esc(value)}</dd>")
        parts.append("</dl>")
        if manifest.get("config") is not None:
            parts.append("<p><b>Configuration</b></p>")
            parts.append(f"<pre>{esc(json.dumps(manifest['config'], indent=2, default=str))}</pre>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _html_figure(figure: ReportFigure) -> str:
    esc = html.escape
    data = base64.b64encode(figure.svg.read_bytes()).decode("ascii")
    return (
        f'<figure id="fig-{figure.stem}"><img src="data:image/svg+xml;base64,{data}" '
        f'alt="{esc(figure.caption)}"><figcaption>{esc(figure.caption)}</figcaption></figure>'
    )


def _markdown(content: ReportContent, target: Path) -> str:
    parts = [f"# {content.title}", ""]

    def figure_lines(figure: ReportFigure) -> list[str]:
        png = figure.png.relative_to(target).as_posix()
        svg = figure.svg.relative_to(target).as_posix()
        return [f"![{figure.stem}]({png})", "", f"*{figure.caption}* ([SVG]({svg}))", ""]

    parts += [f"**{line}**" for line in content.answer]
    parts.append("")
    for figure in content.lead:
        parts += figure_lines(figure)
    parts += [f"- {line}" for line in content.findings]
    parts.append("")
    for _, table in content.answer_tables:
        parts += [to_markdown(table), ""]
    parts += [_summary_line(content.runs), ""]
    parts += [f"> Note: {line}." for line in content.warnings]
    if content.tables:
        parts += ["", "## Comparison", ""]
    for _, table in content.tables:
        parts += [to_markdown(table), ""]
    if content.decomposition:
        parts += ["## Decomposition of the reform's gain", ""]
        parts += [line for _, table in content.decomposition for line in (to_markdown(table), "")]
    if content.who:
        parts += ["## Who is found, and who is missed", ""]
        parts += [line for _, table in content.who for line in (to_markdown(table), "")]
    parts += ["## Figures", ""]
    for figure in content.figures:
        parts += figure_lines(figure)
    parts += [
        "## Appendix: every outcome",
        "",
        f"The tidy numbers of every table: [{content.csv.name}]({content.csv.name}).",
        "",
    ]
    for _, table in content.appendix:
        parts += [to_markdown(table), ""]
    parts += ["## Provenance", ""]
    for folder, manifest in content.provenance:
        parts += [f"### {folder}", ""]
        parts += [f"- **{key}**: {value}" for key, value in _provenance_items(manifest)]
        if manifest.get("config") is not None:
            config = json.dumps(manifest["config"], indent=2, default=str)
            parts += ["", "Configuration:", "", "```json", config, "```"]
        parts.append("")
    return "\n".join(parts)


def _provenance_items(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    if not manifest:
        return [("manifest", "none (a single `tipsim run` folder)")]
    counts = run_status_counts(manifest)
    packages = manifest.get("packages") or manifest.get("versions") or {}
    return [
        ("config hash", str(manifest.get("config_hash", "unknown"))),
        ("root seed", str(manifest.get("root_seed", "unknown"))),
        ("git commit", _commit(manifest)),
        ("started", str(manifest.get("started", "unknown"))),
        ("finished", str(manifest.get("finished") or "not finished")),
        ("runs", ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none"),
        ("packages", ", ".join(f"{name} {version}" for name, version in packages.items())),
    ]


def _commit(manifest: dict[str, Any]) -> str:
    commit = manifest.get("git_commit")
    if not commit:
        return "unknown (not run from a git checkout)"
    return f"{commit} (uncommitted changes)" if manifest.get("git_dirty") else str(commit)


def _summary_line(runs: pd.DataFrame) -> str:
    worlds = ", ".join(sorted(runs["world"].astype(str).unique()))
    policies = ", ".join(str(p) for p in runs["policy"].cat.categories)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{len(runs)} finished runs; worlds: {worlds}; policies: {policies}; "
        f"{runs['draw'].nunique()} draw(s); {runs['replicate'].nunique()} replicate(s). "
        f"Written {now}."
    )


def _anchored(anchor: str, tables: list[Table]) -> list[tuple[str, Table]]:
    """HTML anchors for tables: ``anchor``, then ``anchor-2``... when split by block."""
    return [(anchor if i == 0 else f"{anchor}-{i + 1}", t) for i, t in enumerate(tables)]
