"""``tipsim show``: print the effective, fully resolved parameters of a world under a policy."""

from __future__ import annotations

import argparse
from typing import Any

import yaml

from experiments.commands.validate import find
from experiments.core.overrides import parse_assignments
from scenarios.compose import check_overrides, detect_kind
from scenarios.files import POLICY
from scenarios.loader import load_world, parameters_from_mapping, read_yaml
from scenarios.policy_loader import load_policy
from scenarios.resolve import resolve_parameters


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``tipsim show``."""
    parser.add_argument(
        "scenario",
        help="scenario (world) YAML file or a shipped scenario's name; a policy file is shown "
        "in the baseline world",
    )
    parser.add_argument(
        "--policy",
        default="detention_first",
        help="policy file, shipped policy or strategy (default: detention_first)",
    )
    parser.add_argument(
        "--set",
        action="append",
        metavar="SECTION.FIELD=VALUE",
        help="override a parameter, repeatable (e.g. screening.tier1_sensitivity=0.8)",
    )


def effective(scenario: str, policy: str, assignments: list[str] | None) -> tuple[str, Any]:
    """Header comment and resolved parameters of ``scenario`` under ``policy``."""
    path = find(scenario)
    if detect_kind(path, read_yaml(path)) == POLICY:  # a policy file: show it in the baseline
        scenario, policy = "hong_kong_baseline", str(path)
    world = load_world(scenario)
    spec = load_policy(policy)
    overrides = check_overrides(parse_assignments(assignments))
    params = resolve_parameters(parameters_from_mapping(world.body, world.path), spec, overrides)
    chain = " <- ".join(str(p) for p in reversed(world.chain))
    lines = [
        f"# world: {world.name} ({chain})",
        f"# policy: {spec.name} (strategy {spec.strategy}"
        + (f", {spec.path})" if spec.path else ")"),
        "# precedence, lowest first: schema defaults < world file(s) < strategy lever defaults"
        " < policy file < --set",
    ]
    if overrides:
        lines.append("# --set: " + ", ".join(f"{k}={v}" for k, v in overrides.items()))
    if params.timeline:
        lines.append("# timeline: entries at or before the first week are already applied below")
    return "\n".join(lines), params


def main(args: argparse.Namespace) -> int:
    """Print the parameters as YAML."""
    header, params = effective(args.scenario, args.policy, args.set)
    body = yaml.safe_dump(params.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
    print(header)
    print(body, end="")
    return 0
