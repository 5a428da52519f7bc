"""Shared fixtures: a small world that runs in well under a second a year."""

from __future__ import annotations

from pathlib import Path

import pytest

from model import Parameters
from scenarios.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SMALL_SCENARIO = Path(__file__).resolve().parent / "scenarios" / "small.yaml"


@pytest.fixture(scope="session")
def small_scenario_path() -> Path:
    """Path of the 1/20-scale test scenario."""
    return SMALL_SCENARIO


@pytest.fixture(scope="session")
def small_world() -> Parameters:
    """Parameters of the 1/20-scale test scenario."""
    return load_scenario(SMALL_SCENARIO)
