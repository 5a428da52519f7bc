"""The calibration file (``experiments/calibration_hong_kong.yaml``), validated with pydantic.

Unknown keys are refused; every problem names the file, the field and what is allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from analysis.calibration.patterns import DEFINITIONS
from experiments.core.parameter_space import ParameterRanges, ParameterSpace
from experiments.core.seeds import MAX_SEED
from experiments.core.study_setup import Strict, validate_file


class PatternSpec(Strict):
    """Which years a pattern covers and how close the model must come."""

    years: list[int] = Field(min_length=1, description="Years compared or pooled.")
    relative: float = Field(gt=0, le=10, description="Tolerance as a share of the figure.")
    absolute: float = Field(0.0, ge=0, description="Smallest tolerance, in the figure's unit.")
    over_years: Literal["rms", "max"] = Field(
        "rms",
        description="How the years' errors combine: rms (root mean square: a distance of 1 is "
        "one tolerance off on average) or max (the worst year: 1 is every year within one "
        "tolerance).",
    )


class ABCSettings(Strict):
    """Approximate Bayesian computation settings (the budget)."""

    method: Literal["smc"] = Field(
        "smc",
        description=(
            "The project's ABC-SMC, the one sampler (reproducible on any executor; "
            "docs/architecture.md, 'One ABC path')."
        ),
    )
    population: int = Field(20, ge=2, le=100_000, description="Accepted sets wanted.")
    generations: int = Field(3, ge=1, le=50, description="SMC generations after the prior one.")
    quantile: float = Field(
        0.5, gt=0, lt=1, description="SMC: next tolerance is this quantile of the distances."
    )
    max_simulations: int = Field(200, ge=2, le=10_000_000, description="Most runs in all.")


class CalibrationConfig(Strict):
    """A calibration: which world, which parameters vary, which patterns must hold."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="Name of the output folder.")
    description: str = ""
    scenario: str = Field(description="Scenario file (relative to this file) or shipped name.")
    policy: str = "detention_first"
    years: int = Field(5, ge=1, le=50)
    scale: float = Field(0.25, gt=0, le=1, description="Population scale of each run.")
    seed: int = Field(1, ge=0, le=MAX_SEED)
    replicates: int = Field(
        1,
        ge=1,
        le=100,
        description="Runs of each parameter set on different seeds; distances are measured on "
        "their mean yearly statistics, so the ABC does not select one run's luck. Each set "
        "costs this many runs (abc.max_simulations counts sets).",
    )
    figures: str | None = Field(None, description="Published-figures CSV (default: shipped).")
    parameters: ParameterRanges = Field(min_length=1)
    carried: ParameterRanges = Field(
        default_factory=dict,
        description="Inputs the fitted years cannot inform (they act only after the policy "
        "starts, e.g. the rapport of later sessions, which today's one-session practice never "
        "uses): not fitted, and kept at the world's value in the calibration's runs; each "
        "ensemble member gets its own draw from the range (uniform, log-uniform where log), "
        "so the comparison carries their uncertainty.",
    )
    patterns: dict[str, PatternSpec] = Field(min_length=1)
    combine: Literal["max", "mean"] = "max"
    abc: ABCSettings = Field(default_factory=ABCSettings)
    output: str = Field("results/calibration", description="Folder for result folders.")

    @field_validator("patterns")
    @classmethod
    def _known_patterns(cls, value: dict[str, PatternSpec]) -> dict[str, PatternSpec]:
        unknown = [name for name in value if name not in DEFINITIONS]
        if unknown:
            raise ValueError(
                f"unknown pattern(s) {', '.join(unknown)}; allowed: {', '.join(DEFINITIONS)}"
            )
        return value

    @model_validator(mode="after")
    def _carried_apart(self) -> CalibrationConfig:
        both = [name for name in self.carried if name in self.parameters]
        if both:
            raise ValueError(
                f"carried: {', '.join(both)} also under parameters: an input is either fitted "
                "(parameters) or carried from its prior (carried), not both"
            )
        return self

    def space(self) -> ParameterSpace:
        """The uncertain parameters as a sampling space."""
        return ParameterSpace(self.parameters)

    def carried_space(self) -> ParameterSpace | None:
        """The carried inputs as a space to draw from (``None`` when there are none)."""
        return ParameterSpace(self.carried) if self.carried else None


def load_calibration(path: str | Path) -> CalibrationConfig:
    """Read and validate a calibration file.

    Raises:
        ConfigError: If the file cannot be used.
    """
    return validate_file(Path(path), CalibrationConfig)
