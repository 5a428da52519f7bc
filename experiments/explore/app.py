"""The ``tipsim explore`` page: Mesa's SolaraViz over two policies on the same seed.

Run with ``tipsim explore`` (or ``solara run experiments/explore/app.py``). The sidebar chooses
the world, the policy under test and the one it is compared with, the seed and horizon, world
multipliers and screening levers; *Reset* builds the pair with those settings, *Step* and the
play button advance both policies by one week. The page shows the running totals of both
policies and their difference, the identification funnel on a linear scale, and weekly flows
and cumulative identifications by calendar date.

The environment variable ``TIPSIM_EXPLORE_WORLD`` (set by ``tipsim explore --world``) chooses
the world shown first.
"""

from __future__ import annotations

import os
from html import escape

import solara
from matplotlib.figure import Figure
from mesa.visualization import Slider, SolaraViz

from experiments.explore.pair import FOLLOWED, FUNNEL, WORLD_FACTORS, PolicyPair, column
from model.parameters import ScreeningLevers
from model.policies import POLICIES
from scenarios.loader import shipped_scenarios
from scenarios.policy_loader import shipped_policies

#: Screening levers given a slider: field -> (plain label, smallest, largest, step).
LEVERS: dict[str, tuple[str, float, float, float]] = {
    "tier1_sensitivity": ("Indicator screening: chance a victim is flagged", 0.0, 1.0, 0.05),
    "training_share": ("Officers trained to screen (share)", 0.0, 1.0, 0.05),
    "offender_screening_probability": (
        "Detained offenders screened (probability per week)",
        0.0,
        1.0,
        0.05,
    ),
    "ngo_referral_share": ("NGO referrals (× usual)", 0.0, 5.0, 0.25),
}

WORLD = os.environ.get("TIPSIM_EXPLORE_WORLD", "hong_kong_baseline")
POLICY_CHOICES = sorted({*POLICIES, *shipped_policies()})


def model_params() -> dict:
    """The sidebar: choices, seed and horizon, world multipliers, screening levers."""
    worlds = shipped_scenarios()
    if WORLD not in worlds:
        worlds = [WORLD, *worlds]
    params: dict = {
        "world": {"type": "Select", "value": WORLD, "values": worlds, "label": "World"},
        "reform": {
            "type": "Select",
            "value": "screening_before_detention",
            "values": POLICY_CHOICES,
            "label": "Policy under test",
        },
        "baseline": {
            "type": "Select",
            "value": "detention_first",
            "values": POLICY_CHOICES,
            "label": "Compared with",
        },
        "seed": Slider("Seed (shared by both policies)", 1, 1, 100, 1),
        "years": Slider("Years to run", 2, 1, 10, 1),
    }
    for name, (label, _fields) in WORLD_FACTORS.items():
        params[name] = Slider(label, 1.0, 0.25, 4.0, 0.25)
    for field, (label, low, high, step) in LEVERS.items():
        default = float(ScreeningLevers.model_fields[field].default)
        params[f"screening__{field}"] = Slider(label, default, low, high, step, dtype=float)
    return params


def totals(model: PolicyPair):
    """Running totals of both policies and their difference, as an HTML table.

    (HTML rather than Markdown: solara's Markdown loads KaTeX, which its bundled assets lack.)
    """
    baseline, reform = model.policies
    head = "".join(
        f"<th style='text-align:right'>{escape(name)}</th>"
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
        "the same for both policies)"
    )
    html = (
        f"<div id='tipsim-totals' style='font-size:13px'><p>{caption}</p><table>"
        f"<tr><th style='text-align:left'>victims</th>{head}</tr>{''.join(rows)}</table></div>"
    )
    return solara.HTML(tag="div", unsafe_innerHTML=html)


def funnel(model: PolicyPair):
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
        bars = ax.barh([p + offset for p in positions], values, height=0.4, label=policy)
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
    return solara.FigureMatplotlib(fig, format="png")


def _series(model: PolicyPair, outcomes: dict[str, str], title: str, ylabel: str):
    frame = model.datacollector.get_model_vars_dataframe()
    fig = Figure(figsize=(6, 3.2), layout="constrained")
    ax = fig.subplots()
    for outcome, label in outcomes.items():
        for policy in model.policies:
            name = column(outcome, policy)
            if name in frame:
                ax.plot(frame["date"], frame[name], label=f"{label}: {policy}")
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("week starting")
    if len(frame):
        ax.legend(loc="upper left", fontsize="x-small")
    fig.autofmt_xdate()
    return solara.FigureMatplotlib(fig, format="png")


def weekly(model: PolicyPair):
    """Victims identified and removed unidentified each week, both policies."""
    outcomes = {k: FOLLOWED[k] for k in ("victims_identified", "victims_removed_unidentified")}
    return _series(model, outcomes, "Weekly flows", "victims per week")


def cumulative(model: PolicyPair):
    """Victims identified so far, both policies."""
    return _series(
        model, {"victims_identified_total": "Victims identified"}, "Identified so far", "victims"
    )


page = SolaraViz(
    PolicyPair(world=WORLD),
    components=[(totals, 0), (funnel, 0), (weekly, 0), (cumulative, 0)],
    model_params=model_params(),
    name="tipsim: two policies, one seed",
)
