"""The sensitivity-analysis file, validated with pydantic (unknown keys refused)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator, model_validator

from experiments.core.parameter_space import FixedValues, ParameterRanges, ParameterSpace
from experiments.core.seeds import MAX_SEED
from experiments.core.study_setup import Strict, validate_file
from model.outcomes import FLOWS


class MorrisSettings(Strict):
    """Morris screening budget: ``trajectories * (parameters + 1)`` samples."""

    trajectories: int = Field(8, ge=2, le=10_000)
    levels: int = Field(4, ge=2, le=20)


class SobolSettings(Strict):
    """Sobol budget: ``samples * (top + 2)`` samples over the ``top`` Morris parameters."""

    samples: int = Field(32, ge=2, le=1_048_576, description="base samples N, a power of 2")
    top: int = Field(4, ge=1, le=100, description="parameters kept from Morris screening")

    @field_validator("samples")
    @classmethod
    def _power_of_two(cls, value: int) -> int:
        if value & (value - 1):
            raise ValueError(f"{value} is not a power of 2 (Saltelli/Sobol' sequences need one)")
        return value


class SensitivityConfig(Strict):
    """A sensitivity analysis of the difference between two policies."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    scenario: str = Field(description="Scenario file (relative to this file) or shipped name.")
    policies: list[str] = Field(
        min_length=2, max_length=2, description="[reference, alternative]: alternative - reference"
    )
    outputs: list[str] = Field(min_length=1, description="summary outcomes to difference")
    years: int = Field(4, ge=1, le=50)
    scale: float = Field(0.2, gt=0, le=1)
    seed: int = Field(1, ge=0, le=MAX_SEED)
    noise_replicates: int = Field(
        10, ge=0, le=10_000, description="runs at the scenario's values to measure noise"
    )
    parameters: ParameterRanges = Field(min_length=2)
    fixed: FixedValues = Field(
        default_factory=dict,
        description="Values set in every run (world fields or screening levers), e.g. a "
        "calibrated member's screening levers; the varied parameters may not repeat them.",
    )
    morris: MorrisSettings = Field(default_factory=MorrisSettings)
    sobol: SobolSettings = Field(default_factory=SobolSettings)
    output: str = "results/sensitivity"

    @field_validator("policies")
    @classmethod
    def _two_policies(cls, value: list[str]) -> list[str]:
        if len(value) == 2 and value[0] == value[1]:
            raise ValueError(
                f"the same policy twice ({value[0]}): the difference of a policy with itself is "
                "zero, so every index would be undefined; give [reference, alternative]"
            )
        return value

    @field_validator("outputs")
    @classmethod
    def _known_outputs(cls, value: list[str]) -> list[str]:
        unknown = [o for o in value if o not in FLOWS]
        if unknown:
            raise ValueError(f"unknown output(s) {', '.join(unknown)}; allowed: {', '.join(FLOWS)}")
        return value

    @model_validator(mode="after")
    def _top_within(self) -> SensitivityConfig:
        if self.sobol.top > len(self.parameters):
            raise ValueError(
                f"sobol.top ({self.sobol.top}) exceeds the {len(self.parameters)} parameters"
            )
        return self

    @model_validator(mode="after")
    def _fixed_apart(self) -> SensitivityConfig:
        both = sorted(set(self.fixed) & set(self.parameters))
        if both:
            raise ValueError(
                f"{', '.join(both)} both varied (parameters) and fixed (fixed): keep one"
            )
        return self

    def space(self) -> ParameterSpace:
        """The uncertain parameters as a sampling space."""
        return ParameterSpace(self.parameters)


def load_sensitivity(path: str | Path) -> SensitivityConfig:
    """Read and validate a sensitivity file.

    Raises:
        experiments.core.study_setup.ConfigError: If the file cannot be used.
    """
    return validate_file(Path(path), SensitivityConfig)
