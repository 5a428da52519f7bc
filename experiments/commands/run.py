"""``tipsim run``: run one scenario under one or more policies with one seed."""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.batches.config import MAX_YEARS, check_years
from experiments.batches.memory import check_memory
from experiments.commands.options import seed_argument
from experiments.core.errors import UserError
from experiments.core.overrides import parse_assignments
from experiments.core.progress import Progress
from experiments.core.provenance import code_identity, now
from experiments.core.storage import write_parquet_atomic, write_text_atomic
from model import STRATEGIES, IdentificationModel
from model.calendar import weeks
from result_folder.layout import RUN_SUMMARY, RUN_WEEKLY
from result_folder.outcomes import OUTCOME
from scenarios.compose import check_overrides
from scenarios.loader import load_scenario, resolve_path
from scenarios.policy_loader import load_policy
from scenarios.resolve import resolve_run

#: The file of a run folder that records how it was made (arguments, code identity).
RUN_FILE = "run.json"

#: Outcomes shown in the printed table (all are stored).
TABLE_COLUMNS = [
    OUTCOME.victims_present,
    OUTCOME.victims_encountered,
    OUTCOME.initial_screenings,
    OUTCOME.victims_identified,
    OUTCOME.false_positives,
    OUTCOME.victims_detained,
    OUTCOME.victims_removed_unidentified,
    OUTCOME.victim_detention_days,
    OUTCOME.witnesses_cooperating,
    OUTCOME.investigations,
    OUTCOME.prosecutions,
    OUTCOME.convictions,
    OUTCOME.identification_rate,
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``tipsim run``."""
    parser.add_argument("scenario", help="scenario YAML file (or a shipped scenario's name)")
    parser.add_argument("--years", type=float, default=5.0, help="simulated years (default 5)")
    parser.add_argument("--seed", type=seed_argument, default=1, help="root seed (default 1)")
    parser.add_argument(
        "--policy",
        action="append",
        metavar="POLICY",
        help="policy to run, repeatable: a policy file, a shipped policy's name "
        f"(scenarios/policies) or a strategy (default: {', '.join(STRATEGIES)})",
    )
    parser.add_argument(
        "--set",
        action="append",
        metavar="SECTION.FIELD=VALUE",
        help="override a parameter, repeatable (e.g. screening.tier1_sensitivity=0.8)",
    )
    parser.add_argument("--out", type=Path, default=Path("results"), help="results folder")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def main(args: argparse.Namespace) -> int:
    """Run every chosen policy on the same seed, store and print the summaries."""
    if not 0 < args.years <= MAX_YEARS:  # also refuses NaN
        raise UserError(f"--years {args.years:g}: must be a number of years > 0 and at most 200")
    try:
        check_years(args.years)
    except ValueError as err:
        raise UserError(f"--years {args.years:g}: {err}") from None
    path = resolve_path(args.scenario)
    world = load_scenario(path)
    names = args.policy or list(STRATEGIES)
    policies = [load_policy(name) for name in names]
    duplicates = sorted({p.name for p in policies if [q.name for q in policies].count(p.name) > 1})
    if duplicates:
        raise UserError(f"--policy: the same policy name is given twice: {', '.join(duplicates)}")
    overrides = check_overrides(parse_assignments(args.set))
    # Resolve (and so validate) every combination before the first run starts.
    runs = [resolve_run(world, policy, overrides) for policy in policies]
    for spec in runs:
        check_memory(spec.params, args.years, str(path))
    settings = {
        "scenario": str(path),
        "seed": args.seed,
        "years": args.years,
        "policies": [policy.name for policy in policies],
        "set": overrides,
        # What decides the results: a changed world or policy file is a different run.
        "parameters": hashlib.sha256(
            "".join(spec.params.model_dump_json() for spec in runs).encode()
        ).hexdigest(),
    }
    folder = args.out / run_folder(path.stem, args.seed, args.years, settings)

    summaries, weekly = [], []
    horizon = weeks(args.years)
    for policy, spec in zip(policies, runs, strict=True):
        model = IdentificationModel(spec, rng=args.seed)
        with Progress(
            horizon, policy.name, unit="week", enabled=False if args.quiet else None
        ) as bar:
            for _ in range(horizon):
                model.step()
                bar.update()
        summary = model.summary()
        summary["scenario"] = path.stem
        summaries.append(summary)
        series = model.weekly()
        series.insert(0, "policy", policy.name)
        series.insert(1, "seed", args.seed)
        weekly.append(series)

    table = pd.DataFrame(summaries)
    write_parquet_atomic(table, folder / RUN_SUMMARY)
    write_parquet_atomic(pd.concat(weekly, ignore_index=True), folder / RUN_WEEKLY)
    write_text_atomic(
        json.dumps({**settings, "code": code_identity(), "created": now()}, indent=1, default=str),
        folder / RUN_FILE,
    )

    shown = table.set_index("policy")[TABLE_COLUMNS].T
    print(f"scenario {path.stem}, seed {args.seed}, {args.years:g} years")
    print(shown.map(_format_value).to_string())
    print(f"results: {folder / RUN_SUMMARY}, {folder / RUN_WEEKLY}")
    return 0


def _format_value(value: float) -> str:
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() else f"{value:.4f}"


def run_folder(scenario: str, seed: int, years: float, settings: dict[str, Any]) -> str:
    """``<scenario>-seed<S>-<Y>y-<digest>``: the digest (8 hex digits) of the run's settings.

    The policies, the ``--set`` overrides and the effective parameters decide the digest, so
    two different runs never share a folder and the same run always gets the same one.
    """
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", scenario)
    decisive = {k: v for k, v in settings.items() if k != "scenario"}  # a path: content counts
    digest = hashlib.sha256(json.dumps(decisive, sort_keys=True, default=str).encode())
    return f"{safe}-seed{seed}-{years:g}y-{digest.hexdigest()[:8]}"
