"""What the ``tipsim explore`` sidebar offers: worlds, sliders with units and help, defaults.

Plain data, no Solara, so the model's side can be tested without a browser. The world shown
first is the highest-weight member of the shipped 2016-2020 calibration, with its calibrated
screening practice; the shipped worlds are offered as what-if worlds, and say so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from experiments.core.ensemble import member_levers, read_ensemble
from model.parameters import ScreeningLevers
from scenarios.loader import shipped_scenarios

#: The shipped calibration whose best member is the default world.
ENSEMBLE = Path(__file__).resolve().parents[1] / "ensembles" / "hong_kong_2016_2020" / "ensemble"


@dataclass(frozen=True)
class World:
    """A world the dashboard offers.

    Attributes:
        label: What the menu shows.
        source: Shipped world name or scenario path.
        levers: Calibrated screening levers (``screening__field``), applied to both policies.
        calibrated: Whether the world was fitted to Hong Kong's published record.
        note: One sentence about the world, shown above the figures.
    """

    label: str
    source: str
    levers: dict[str, float]
    calibrated: bool
    note: str


@dataclass(frozen=True)
class SliderSpec:
    """A slider: its label, unit, range, step and one line of help."""

    label: str
    unit: str
    low: float
    high: float
    step: float
    help: str
    integer: bool = False


#: Sliders, by the keyword of :class:`~experiments.explore.pair.PolicyPair` they set.
SLIDERS: dict[str, SliderSpec] = {
    "seed": SliderSpec(
        "Seed",
        "",
        1,
        100,
        1,
        "The random numbers both policies share: another seed, another possible history.",
        integer=True,
    ),
    "years": SliderSpec("Years to run", "years", 0.25, 10, 0.25, "The run stops here."),
    "prevalence_factor": SliderSpec(
        "Share of migrants trafficked",
        "× the world's",
        0.25,
        4.0,
        0.25,
        "Scales the world's trafficked shares; 1 keeps the world as it is.",
    ),
    "encounter_factor": SliderSpec(
        "Rates of meeting the authorities",
        "× the world's",
        0.25,
        4.0,
        0.25,
        "Scales raids, overstay detection, complaints and self-referrals.",
    ),
    "screening__tier1_sensitivity": SliderSpec(
        "Indicator screening sensitivity",
        "chance a victim is flagged",
        0.0,
        1.0,
        0.05,
        "How often the first (tier-1) screening flags a victim who is screened.",
    ),
    "screening__training_share": SliderSpec(
        "Officers trained to screen",
        "share of officers",
        0.0,
        1.0,
        0.05,
        "Trained officers screen at contact; the others rarely do.",
    ),
    "screening__offender_screening_probability": SliderSpec(
        "Detained offenders screened",
        "chance per week",
        0.0,
        1.0,
        0.05,
        "Chance that an unscreened detainee is screened in a week of detention.",
    ),
    "screening__ngo_referral_share": SliderSpec(
        "NGO referrals",
        "× usual",
        0.0,
        5.0,
        0.25,
        "How many NGO-identified victims are referred to the authorities.",
    ),
}


def calibrated_world(folder: Path = ENSEMBLE) -> World:
    """The highest-weight member of a calibrated ensemble, with its screening levers."""
    members = read_ensemble(folder)
    best = members.sort_values("weight", ascending=False).iloc[0]
    stem = str(best["member"]).removesuffix(".yaml")
    levers = {k.replace(".", "__"): float(v) for k, v in member_levers(best).items()}
    return World(
        label=f"Hong Kong 2016-2020, calibrated ({stem})",
        source=str(best["path"]),
        levers=levers,
        calibrated=True,
        note=(
            f"Calibrated world: {stem}, the member of the 2016-2020 calibration with the "
            f"highest ABC weight ({float(best['weight']):.3f}), with its calibrated screening "
            "practice. Other members give other answers: the main job "
            "(tipsim batch experiments/policy_comparison.yaml) compares the policies over "
            "the whole ensemble."
        ),
    )


def what_if_world(source: str) -> World:
    """A shipped world (or a scenario file) offered as a what-if world."""
    name = Path(source).stem if source.endswith((".yaml", ".yml")) else source
    return World(
        label=f"{name} (what-if, uncalibrated)",
        source=source,
        levers={},
        calibrated=False,
        note=(
            f"What-if world: {name} is not fitted to Hong Kong's published record; its "
            "numbers show how the policies behave there, not what Hong Kong would see. "
            "The calibrated member is the default world."
        ),
    )


def worlds() -> dict[str, World]:
    """Every world offered, by menu label; the first is the one shown first.

    ``TIPSIM_EXPLORE_WORLD`` (``tipsim explore --world``) puts that world first.
    """
    chosen = os.environ.get("TIPSIM_EXPLORE_WORLD")
    offered = [calibrated_world()]
    offered += [what_if_world(name) for name in shipped_scenarios()]
    if chosen:
        first = next((w for w in offered if chosen in (w.source, Path(w.source).stem)), None)
        offered = [first or what_if_world(chosen), *[w for w in offered if w is not first]]
    return {world.label: world for world in offered}


def defaults(world: World) -> dict[str, Any]:
    """The settings a session starts with: the world, the two policies, every slider."""
    settings: dict[str, Any] = {
        "world": world.label,
        "reform": "screening_before_detention",
        "baseline": "detention_first",
        "seed": 1,
        "years": 2.0,
        "prevalence_factor": 1.0,
        "encounter_factor": 1.0,
    }
    for name in SLIDERS:
        if name.startswith("screening__"):
            field = name.removeprefix("screening__")
            settings[name] = float(ScreeningLevers.model_fields[field].default)
    return settings


def pair_arguments(settings: dict[str, Any], offered: dict[str, World]) -> dict[str, Any]:
    """Keyword arguments of :class:`~experiments.explore.pair.PolicyPair` for the settings."""
    world = offered[settings["world"]]
    arguments = {k: v for k, v in settings.items() if k != "world"}
    arguments["seed"] = int(arguments["seed"])
    return {"world": world.source, **world.levers, **arguments}
