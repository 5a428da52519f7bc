"""Instructions per simulated week, counted by Valgrind: a speed figure that noise cannot move.

Wall and CPU times of the same run vary by 15-20% on the project's shared 2-core machines, even
when nothing else runs on them, which hides a change worth 5-10%. The number of machine
instructions a run executes varies by about 0.4% (with the hash seed fixed, as here). This
script runs a world under ``valgrind --tool=callgrind`` twice in fresh interpreters, set-up
alone and set-up plus ``--weeks`` weeks, and reports the instructions of the set-up (imports,
building the world, its warm-up) and of an average week (the difference over the weeks).
Instructions are not time (memory stalls and vector width are not counted), but the ratio of
two versions' counts is a steady guide to what a change saved. Needs Valgrind (``apt-get
install valgrind``); each run takes about 50 times as long as without it. Usage::

    python benchmarks/instructions.py [--scenario scenarios/hong_kong_2016_2020.yaml]
        [--weeks 52] [--label NAME]

Writes ``benchmarks/results/instructions[-LABEL].json``.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from full_scale import bytecode_caches

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"

CHILD = r"""
import sys
from model import IdentificationModel
from model.parameters import Parameters
scenario, weeks = sys.argv[1], int(sys.argv[2])
world = Parameters()
if scenario != "-":
    from scenarios.loader import load_scenario
    world = load_scenario(scenario)
model = IdentificationModel(world, rng=1)
for _ in range(weeks):
    model.step()
"""

#: A fixed hash seed: with a random one, counts of the same run differ by up to a quarter. No
#: bytecode written: otherwise the first run (set-up alone) would compile the project's modules
#: and write their caches, and the second (set-up and the weeks) would read them, so that the
#: compiling (0.26 G instructions, 5 M a week over 52 weeks) came off the weeks' count.
CHILD_ENV = {
    "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
}


def instructions(scenario: str, weeks: int) -> int:
    """Instructions executed by a fresh interpreter that builds the world and runs ``weeks``."""
    command = [
        "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
        sys.executable, "-c", CHILD, scenario, str(weeks),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=CHILD_ENV)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode or not found:
        raise SystemExit(f"valgrind run failed:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    """Count and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="-", help="scenario file (default: embedded)")
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--label", default="", help="suffix of the results file")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind not found: install it (apt-get install valgrind)")
    caches = bytecode_caches(CHILD_ENV)
    setup = instructions(args.scenario, 0)
    total = instructions(args.scenario, args.weeks)
    per_week = (total - setup) / args.weeks
    print(f"scenario {args.scenario}, {args.weeks} weeks after set-up; bytecode caches {caches}")
    print("| measure | instructions |")
    print("|---|---|")
    print(f"| set-up (interpreter, imports, world, warm-up) | {setup / 1e9:.3f} G |")
    print(f"| one week (mean of {args.weeks}) | {per_week / 1e6:.2f} M |")
    RESULTS.mkdir(exist_ok=True)
    name = f"instructions-{args.label}.json" if args.label else "instructions.json"
    (RESULTS / name).write_text(json.dumps({
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "scenario": args.scenario, "weeks": args.weeks,
        "setup_instructions": setup, "week_instructions": per_week, "bytecode_caches": caches,
    }, indent=2) + "\n")


if __name__ == "__main__":
    main()
