"""``tipsim schema``: write the JSON Schemas of world and policy files, for editors."""

from __future__ import annotations

import argparse
from pathlib import Path

from scenarios.files import POLICY, WORLD
from scenarios.schema import schema_text, write_schemas


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``tipsim schema``."""
    parser.add_argument(
        "--out",
        type=Path,
        help="folder to write world.schema.json and policy.schema.json into "
        "(the shipped copies are in scenarios/schema); without it one schema is printed",
    )
    parser.add_argument(
        "--kind",
        choices=(WORLD, POLICY),
        default=WORLD,
        help="schema to print when --out is not given (default: world)",
    )


def main(args: argparse.Namespace) -> int:
    """Write both schemas into a folder, or print one."""
    if args.out is None:
        print(schema_text(args.kind), end="")
        return 0
    if args.out.suffix == ".json":
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(schema_text(args.kind), encoding="utf-8")
        print(f"wrote {args.out}")
        return 0
    for path in write_schemas(args.out):
        print(f"wrote {path}")
    return 0
