"""The ``tipsim explore`` page: two policies on the same seed, one model per browser session.

Run with ``tipsim explore`` (or ``solara run experiments/explore/app.py``). Each browser
session builds its own :class:`~experiments.explore.pair.PolicyPair` (nothing is shared
between sessions). The sidebar holds Mesa's controller (*Reset*, ▶, *Step*: a week at a time)
and the settings: the world (the calibrated member first; what-if worlds say so), the policy
under test and the one it is compared with, the seed and horizon, world multipliers and
screening levers. A setting takes effect when it is changed: both policies restart from week 0
with it, and the page says so. Each slider shows its track, its value, its unit and one line
of help. The page shows the levers in force (read back from the model), the running totals of
both policies and their difference, the identification funnel, and the weekly flows and
cumulative identifications by calendar date; at the horizon it says the run has finished.
Below, the ensemble view shows the gain in every calibrated member from the main job's results
(:mod:`experiments.explore.ensemble_view`), when they are there.

``TIPSIM_EXPLORE_WORLD`` (set by ``tipsim explore --world``) chooses the world shown first.
"""

from __future__ import annotations

from html import escape
from typing import Any

import solara
from matplotlib.figure import Figure
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import update_counter

from experiments.explore.controls import (
    SLIDERS,
    SliderSpec,
    World,
    defaults,
    pair_arguments,
    worlds,
)
from experiments.explore.ensemble_view import ensemble_gain, results_folder
from experiments.explore.pair import FOLLOWED, FUNNEL, PolicyPair, column
from model.strategies import STRATEGIES
from result_folder.outcomes import OUTCOME
from scenarios.policy_loader import shipped_policies

POLICY_CHOICES = sorted({*STRATEGIES, *shipped_policies()})
#: Levers shown as "in force", read back from the model: field -> plain name.
IN_FORCE = {
    "tier1_sensitivity": "indicator sensitivity",
    "training_share": "officers trained",
    "offender_screening_probability": "detainees screened per week",
    "ngo_referral_share": "NGO referrals",
}
_CSS = """
.tipsim-control { margin: 4px 0 10px 0; }
.tipsim-control .v-input__slot { min-width: 0; }
.tipsim-help { font-size: 12px; color: #555; line-height: 1.3; }
.tipsim-value { font-weight: 600; }
.tipsim-figures { flex-wrap: wrap; }
.tipsim-figure { flex: 1 1 420px; min-width: 0; max-width: 100%; }
.tipsim-figure img { max-width: 100%; height: auto; box-sizing: border-box; margin: 0; }
.tipsim-page { flex-wrap: nowrap; padding: 8px; box-sizing: border-box; width: 100%; }
.tipsim-sidebar { flex: 0 0 340px; width: 340px; min-width: 0; }
.tipsim-main { flex: 1 1 auto; min-width: 0; }
.tipsim-sidebar h2 { font-size: 18px; margin: 4px 0; }
#tipsim-totals table { border-collapse: collapse; }
#tipsim-totals td, #tipsim-totals th { padding: 2px 8px; }
"""


def build(settings: dict[str, Any], offered: dict) -> PolicyPair:
    """The pair of models for the settings (raises ValueError for two equal policies)."""
    return PolicyPair(**pair_arguments(settings, offered))


@solara.component
def Page():
    """One session's dashboard: its own settings and its own pair of models."""
    offered = solara.use_memo(worlds, [])
    settings = solara.use_reactive(defaults(next(iter(offered.values()))))
    model = solara.use_memo(lambda: solara.reactive(build(settings.value, offered)), [])
    arguments = solara.use_memo(
        lambda: solara.reactive(pair_arguments(settings.value, offered)), []
    )
    generation = solara.use_reactive(0)
    # Mesa's controller reads these as reactive values: a week every 0.15 s, drawn every week.
    play_interval, render_interval = solara.use_reactive(150), solara.use_reactive(1)
    use_threads = solara.use_reactive(False)
    problem = solara.use_reactive("")
    changed = solara.use_reactive("")

    def change(name: str, value: Any) -> None:
        new = {**settings.value, name: value}
        settings.set(new)
        try:
            pair = build(new, offered)
        except ValueError as err:
            problem.set(str(err))
            return
        problem.set("")
        arguments.set(pair_arguments(new, offered))
        model.set(pair)
        generation.set(generation.value + 1)
        changed.set(f"{_label(name)} changed: both policies restarted from week 0 with it.")

    solara.Title("tipsim explore")
    solara.Style(_CSS)
    with solara.Row(classes=["tipsim-page"], gap="16px", style={"align-items": "flex-start"}):
        with solara.Column(classes=["tipsim-sidebar"], gap="8px"):
            solara.HTML(tag="h2", unsafe_innerHTML="tipsim: two policies, one seed")
            with solara.Card("Run", margin=0):
                ModelController(
                    model,
                    model_parameters=arguments,
                    play_interval=play_interval,
                    render_interval=render_interval,
                    use_threads=use_threads,
                ).key(f"controller-{generation.value}")
                Status(model.value, changed.value)
            with solara.Card("Settings (take effect at once; the run restarts)", margin=0):
                if problem.value:
                    solara.Error(problem.value)
                Settings(settings.value, offered, change)
        with solara.Column(classes=["tipsim-main"], gap="8px"):
            Main(model.value, offered[settings.value["world"]], settings.value)
            EnsembleView()


@solara.component
def Status(pair: PolicyPair, changed: str):
    """Where the run is, whether it has finished, and what was last changed."""
    update_counter.get()
    weeks = round(pair.years * 52)
    if not pair.running:
        solara.Success(
            f"Finished: {pair.week} weeks simulated, to {pair.date:%d %b %Y}. Change a setting "
            "or press Reset to run again.",
            dense=True,
        )
    else:
        solara.Text(f"Week {pair.week} of about {weeks} ({pair.date:%d %b %Y}).")
    if changed and pair.week == 0:
        solara.Info(changed, dense=True)


@solara.component
def Settings(settings: dict[str, Any], offered: dict, change):
    """Choices and sliders; each change calls ``change(name, value)``."""
    solara.Select(
        "World",
        values=list(offered),
        value=settings["world"],
        on_value=lambda v: change("world", v),
    )
    solara.Select(
        "Policy under test",
        values=POLICY_CHOICES,
        value=settings["reform"],
        on_value=lambda v: change("reform", v),
    )
    solara.Select(
        "Compared with",
        values=POLICY_CHOICES,
        value=settings["baseline"],
        on_value=lambda v: change("baseline", v),
    )
    for name, spec in SLIDERS.items():
        Control(name, spec, settings[name], lambda v, n=name: change(n, v))


@solara.component
def Control(name: str, spec: SliderSpec, value: float, on_value):
    """A slider on its own line: label, value and unit above the track, help below."""
    shown = f"{int(value)}" if spec.integer else f"{value:g}"
    unit = f" {spec.unit}" if spec.unit else ""
    with solara.Column(gap="0px", classes=["tipsim-control"]):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f"{escape(spec.label)}: <span class='tipsim-value' data-control='{name}'>"
                f"{escape(shown)}</span>{escape(unit)}"
            ),
        )
        slider = solara.SliderInt if spec.integer else solara.SliderFloat
        slider(
            "",
            value=int(value) if spec.integer else float(value),
            min=spec.low,
            max=spec.high,
            step=spec.step,
            on_value=on_value,
            thumb_label=False,
        )
        solara.HTML(tag="div", unsafe_innerHTML=escape(spec.help), classes=["tipsim-help"])


@solara.component
def Main(pair: PolicyPair, world: World, settings: dict[str, Any]):
    """The world's note, the levers in force, the totals and the figures."""
    update_counter.get()
    (solara.Info if world.calibrated else solara.Warning)(world.note)
    solara.HTML(tag="div", unsafe_innerHTML=_in_force(pair, world))
    totals(pair)
    if pair.week == 0:
        solara.Info("No weeks simulated yet: press Step for one week, or ▶ to run on.")
        return
    with solara.Row(classes=["tipsim-figures"], gap="12px"):
        for figure in (funnel(pair), weekly(pair), cumulative(pair)):
            with solara.Column(classes=["tipsim-figure"]):
                solara.FigureMatplotlib(figure, format="png")


@solara.component
def EnsembleView():
    """The gain over the ensemble's members, from the main job's results when they are there."""
    found = solara.use_memo(ensemble_gain, [])
    with solara.Details("Over the whole ensemble: the gain in each calibrated member"):
        if found is None:
            solara.Text(
                "The main job's results are not here yet: run tipsim batch "
                f"experiments/policy_comparison.yaml, and this shows the gain in each member "
                f"of the calibrated ensemble (read from {results_folder()})."
            )
        else:
            sentence, figure = found
            solara.Text(sentence)
            with solara.Column(classes=["tipsim-figure"]):
                solara.FigureMatplotlib(figure, format="png")


def _label(name: str) -> str:
    if name in SLIDERS:
        return SLIDERS[name].label
    return {"world": "World", "reform": "Policy under test", "baseline": "Compared with"}[name]


def _in_force(pair: PolicyPair, world: World) -> str:
    """The levers the models run with, read back from the model (not from the sliders)."""
    levers = pair.levers(pair.policies[1])
    parts = ", ".join(f"{label} {levers[field]:g}" for field, label in IN_FORCE.items())
    return (
        f"<p id='tipsim-in-force' style='font-size:13px'>In force in {escape(world.label)} "
        f"(both policies, seed {pair.seed}): {escape(parts)}.</p>"
    )


def totals(model: PolicyPair):
    """Running totals of both policies and their difference, as an HTML table.

    (HTML rather than Markdown: solara's Markdown loads KaTeX, which its bundled assets lack.)
    """
    baseline, reform = model.policies
    head = "".join(
        f"<th style='text-align:right'>{escape(name.replace('_', ' '))}</th>"
        for name in (baseline, reform, "difference")
    )
    rows = []
    for outcome, label in FOLLOWED.items():
        a, b = model.total(baseline, outcome), model.total(reform, outcome)
        rows.append(
            f"<tr data-outcome='{outcome}'><td>{escape(label)}</td>"
            f"<td style='text-align:right'>{a:,.0f}</td><td style='text-align:right'>{b:,.0f}</td>"
            f"<td style='text-align:right'>{b - a:+,.0f}</td></tr>"
        )
    caption = (
        f"<b>Totals after {model.week} weeks</b> (to {model.date:%d %b %Y}; seed {model.seed}, "
        f"the same for both policies: {escape(baseline)} and {escape(reform)})"
    )
    html = (
        f"<div id='tipsim-totals' style='font-size:13px'><p>{caption}</p><table>"
        f"<tr><th style='text-align:left'>victims (persons)</th>{head}</tr>{''.join(rows)}"
        "</table></div>"
    )
    return solara.HTML(tag="div", unsafe_innerHTML=html)


def funnel(model: PolicyPair) -> Figure:
    """The identification funnel of both policies so far, on a linear scale.

    The victims present (thousands) are named in the title rather than drawn, so the stages
    that differ between the policies (tens) are not flattened against them.
    """
    fig = Figure(figsize=(6, 3.2), layout="constrained")
    ax = fig.subplots()
    stages = FUNNEL[1:]
    positions = range(len(stages))
    present = []
    for offset, policy in zip((-0.2, 0.2), model.policies, strict=True):
        counts = model.funnel(policy)
        present.append(counts[FUNNEL[0][0]])
        values = [counts[key] for key, _ in stages]
        bars = ax.barh(
            [p + offset for p in positions], values, height=0.4, label=policy.replace("_", " ")
        )
        ax.bar_label(bars, fmt="{:,.0f}", fontsize=7, padding=2)
    ax.set_yticks(list(positions), [label for _, label in stages])
    ax.invert_yaxis()
    ax.margins(x=0.15)
    ax.set_xlabel("victims so far (persons)")
    ax.set_title(
        f"Identification funnel, of {present[0]:,.0f} / {present[1]:,.0f} victims present",
        fontsize=9,
    )
    ax.legend(loc="lower right", fontsize="small")
    return fig


def _series(model: PolicyPair, outcomes: dict[str, str], title: str, ylabel: str) -> Figure:
    frame = model.datacollector.get_model_vars_dataframe()
    fig = Figure(figsize=(6, 3.2), layout="constrained")
    ax = fig.subplots()
    for outcome, label in outcomes.items():
        for policy in model.policies:
            name = column(outcome, policy)
            if name in frame:
                ax.plot(
                    frame["date"],
                    frame[name],
                    marker="o" if len(frame) < 3 else None,  # one week is a point, not a line
                    label=f"{label}: {policy.replace('_', ' ')}",
                )
    ax.set_title(title, fontsize=9)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("week starting")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", fontsize="x-small")
    fig.autofmt_xdate()
    return fig


def weekly(model: PolicyPair) -> Figure:
    """Victims identified and removed unidentified each week, both policies."""
    outcomes = {
        k: FOLLOWED[k] for k in (OUTCOME.victims_identified, OUTCOME.victims_removed_unidentified)
    }
    return _series(model, outcomes, "Weekly flows", "victims per week (persons)")


def cumulative(model: PolicyPair) -> Figure:
    """Victims identified so far, both policies."""
    return _series(
        model,
        {"victims_identified_total": "Victims identified"},
        "Identified so far",
        "victims (persons)",
    )
