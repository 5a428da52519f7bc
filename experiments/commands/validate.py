"""``tipsim validate``: check scenario (world) and policy files without running anything."""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.core.errors import UserError
from scenarios.compose import compose
from scenarios.files import WORLD
from scenarios.loader import SCENARIO_DIR, parameters_from_mapping, resolve_path
from scenarios.policy_loader import POLICY_DIR, resolve_policy_path
from scenarios.yaml_io import ScenarioError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``tipsim validate``."""
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="world or policy YAML files, or shipped names; the kind is detected from the "
        "file's folder (policies/) or a 'strategy' key",
    )


def shipped_files() -> list[Path]:
    """Every shipped world and policy file."""
    return sorted(SCENARIO_DIR.glob("*.yaml")) + sorted(POLICY_DIR.glob("*.yaml"))


def find(name: str) -> Path:
    """A file as given, else a shipped scenario, else a shipped policy of that name."""
    if Path(name).is_file():
        return Path(name)
    try:
        return resolve_path(name)
    except ScenarioError as world_error:
        try:
            return resolve_policy_path(name)
        except ScenarioError:
            raise world_error from None


def check(path: Path) -> str:
    """Validate one file completely; returns a one-line description of it."""
    composed = compose(path)
    if composed.kind == WORLD:
        params = parameters_from_mapping(composed.body, path)
        detail = f"{len(params.timeline)} timeline entries" if params.timeline else "no timeline"
    else:
        levers = ", ".join(f"{k}={v}" for k, v in composed.body.get("screening", {}).items())
        strategy = composed.body["strategy"]
        if ":" in strategy:
            strategy += (
                " (custom code, checked from its source; it runs only with --strategy-module "
                "or --allow-code)"
            )
        detail = f"strategy {strategy}; levers: {levers or 'strategy defaults'}"
    extends = f", extends {composed.chain[-2].name}" if len(composed.chain) > 1 else ""
    return f"ok  {composed.kind:<6} {path}  ({composed.name}; {detail}{extends})"


def main(args: argparse.Namespace) -> int:
    """Validate every file; report all problems of all files at once."""
    paths = [find(name) for name in args.files] if args.files else shipped_files()
    failures = []
    for path in paths:
        try:
            print(check(path))
        except ScenarioError as err:
            failures.append(str(err))
    if failures:
        raise UserError(f"{len(failures)} of {len(paths)} file(s) invalid:\n" + "\n".join(failures))
    return 0
