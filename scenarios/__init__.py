"""Scenario files (YAML worlds) and the code that reads them safely into parameters."""

from scenarios.loader import ScenarioError, load_scenario, resolve_path

__all__ = ["ScenarioError", "load_scenario", "resolve_path"]
