"""Shared fixtures: a small world that runs in well under a second a year."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from model import Parameters
from scenarios.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SMALL_SCENARIO = Path(__file__).resolve().parent / "scenarios" / "small.yaml"


def run_python(code: str) -> str:
    """Run ``code`` in a fresh interpreter at the repository root and return its output.

    For checks of what importing a module loads: the test session has imported most already.
    """
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture(scope="session")
def small_scenario_path() -> Path:
    """Path of the 1/20-scale test scenario."""
    return SMALL_SCENARIO


@pytest.fixture(scope="session")
def small_world() -> Parameters:
    """Parameters of the 1/20-scale test scenario."""
    return load_scenario(SMALL_SCENARIO)


# Hypothesis (tests/test_properties.py): a small, reproducible budget by default, so CI runs the
# property-based layer in seconds; HYPOTHESIS_PROFILE=thorough searches far more cases locally.
try:
    from hypothesis import HealthCheck
    from hypothesis import settings as hypothesis_settings
except ImportError:  # the dev extra is not installed: tests/test_properties.py skips
    pass
else:
    hypothesis_settings.register_profile(
        "ci",
        max_examples=30,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    hypothesis_settings.register_profile(
        "thorough", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    import os as _os

    hypothesis_settings.load_profile(_os.environ.get("HYPOTHESIS_PROFILE", "ci"))
