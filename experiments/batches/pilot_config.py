"""The pilot file: value of information over an ensemble batch, and a grid of pilot designs.

Example (``experiments/pilot.yaml``)::

    batch: pilot_batch.yaml          # a batch over the calibrated ensemble's members
    objective: victims_identified    # or net_benefit, with wtp_hkd
    groups:                          # inputs valued jointly
      disclosure: [disclosure.intercept, ngo.disclosure_boost]
    pilot:
      shares: [0.1, 0.25, 0.5]       # share of the system under the pilot
      months: [6, 12, 24]
      alpha: 0.05
      datasets: 400                  # simulated pilot datasets per design
      start_year: 2025               # when the batch's policies start
    seed: 7

Validated with pydantic like a batch file: unknown keys get the closest allowed name, every
problem names the file, the field and what is allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, StrictInt, field_validator, model_validator

from experiments.batches.config import Number, _Strict, read_file, validated
from experiments.core.errors import UserError


class PilotGrid(_Strict):
    """The pilot designs assessed: every share x every duration."""

    shares: list[Number] = Field(
        min_length=1, description="shares of the system's contacts under the pilot, each in (0, 1)"
    )
    months: list[Number] = Field(min_length=1, description="durations in months, each > 0")
    alpha: Number = Field(0.05, gt=0, le=0.5, description="level of the evaluator's test")
    datasets: StrictInt = Field(
        400, ge=20, le=100_000, description="simulated pilot datasets per design"
    )
    start_year: StrictInt | None = Field(
        None,
        ge=1900,
        le=2200,
        description="calendar year the pilot starts in (the batch's time.policy_start_year); "
        "default the first reported week",
    )

    @field_validator("shares")
    @classmethod
    def _shares(cls, shares: list[float]) -> list[float]:
        bad = [s for s in shares if not 0 < s < 1]
        if bad:
            raise ValueError(f"each share must be between 0 and 1 (exclusive), not {bad}")
        return shares

    @field_validator("months")
    @classmethod
    def _months(cls, months: list[float]) -> list[float]:
        bad = [m for m in months if not 0 < m <= 240]
        if bad:
            raise ValueError(f"each duration must be above 0 and at most 240 months, not {bad}")
        return months


class PilotConfig(_Strict):
    """What ``tipsim pilot`` reads."""

    name: str | None = Field(None, description="a label")
    description: str | None = None
    batch: str = Field(
        description="batch file over an ensemble's members, both policies (relative to this file)"
    )
    objective: Literal["victims_identified", "net_benefit"] = Field(
        "victims_identified",
        description="the decision's payoff: the gain in victims identified, or the net benefit "
        "(wtp_hkd x extra victims identified - extra cost)",
    )
    wtp_hkd: Number | None = Field(
        None, gt=0, description="HK$ the decision-maker would pay per extra victim identified"
    )
    reference: str = Field("detention_first", description="the status quo policy")
    alternative: str = Field("screening_before_detention", description="the reform")
    groups: dict[str, list[str]] = Field(
        default_factory=dict, description="named groups of inputs valued jointly"
    )
    pilot: PilotGrid
    seed: StrictInt = Field(0, ge=0, le=2**32 - 1, description="seed of the simulated pilots")

    @model_validator(mode="after")
    def _payoff(self) -> PilotConfig:
        if self.objective == "net_benefit" and self.wtp_hkd is None:
            raise ValueError("objective net_benefit needs wtp_hkd (HK$ per extra victim)")
        return self


def load_pilot(path: Path) -> PilotConfig:
    """Read and validate a pilot file.

    Raises:
        UserError: Naming the file, each invalid field and what is allowed.
    """
    return validated(path, read_file(path, "pilot"), PilotConfig)


def batch_file(config: PilotConfig, path: Path) -> Path:
    """The pilot's batch file, found relative to the pilot file.

    Raises:
        UserError: The file named is missing.
    """
    given = Path(config.batch)
    found = given if given.is_absolute() else path.parent / given
    if not found.is_file():
        raise UserError(f"{path}: batch: no such batch file {found}")
    return found
