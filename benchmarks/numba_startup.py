"""What Numba would add to a run's start-up: import, first compile, and a cached first call.

The model's hot paths are vectorised numpy rather than Numba kernels because a full-scale run
must start in well under a second. This measures, in fresh processes, the cost Numba adds: the
time to import numba, to compile a small kernel (one pass over 400,000 slots, as a weekly scan
would be), and to call it in a new process when the compiled kernel is loaded from the on-disk
cache (``cache=True``), which is what every worker process would pay. Usage::

    pip install numba   # (or pip install -e ".[bench]")
    python benchmarks/numba_startup.py [--repeat 3]

Writes ``benchmarks/results/numba_startup.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"

KERNEL = '''
import numba
import numpy as np


@numba.njit(cache=True)
def due(stage, departure_week, week):
    """Slots in the community whose stay has ended (one pass)."""
    out = np.empty(stage.shape[0], np.int64)
    k = 0
    for i in range(stage.shape[0]):
        if stage[i] == 1 and departure_week[i] <= week:
            out[k] = i
            k += 1
    return out[:k]
'''

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy as np
t1 = time.perf_counter()
import numba
t2 = time.perf_counter()
sys.path.insert(0, sys.argv[1])
from kernel import due
t3 = time.perf_counter()
stage = np.ones(400_000, np.int8); week = np.arange(400_000, dtype=np.int32)
due(stage, week, 1000)
t4 = time.perf_counter()
due(stage, week, 1000)
t5 = time.perf_counter()
print(json.dumps({"numpy_s": t1 - t0, "numba_s": t2 - t1, "first_call_s": t4 - t3,
                  "second_call_s": t5 - t4}))
"""


def child(folder: str) -> dict:
    """One fresh process: import numpy and numba, call the kernel twice."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, folder],
        capture_output=True, text=True, check=True,
        env={**os.environ, "NUMBA_CACHE_DIR": str(Path(folder) / "cache")},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    try:
        import numba  # noqa: F401
    except ImportError:
        raise SystemExit("numba is not installed: pip install numba") from None
    load = os.getloadavg()[0]
    compile_runs, cached_runs = [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "kernel.py").write_text(KERNEL)
            compile_runs.append(child(folder))  # empty cache: compiles
            cached_runs.append(child(folder))  # cache written by the first: loads
    load_after = os.getloadavg()[0]

    def med(runs, key):
        return statistics.median(r[key] for r in runs)

    print(f"median of {args.repeat}; load average {load:.1f} -> {load_after:.1f}")
    print("| fresh process | import numpy s | import numba s | first call s | next call s |")
    print("|---|---|---|---|---|")
    for label, runs in (("empty cache (compiles)", compile_runs), ("cache hit", cached_runs)):
        print(f"| {label} | {med(runs, 'numpy_s'):.3f} | {med(runs, 'numba_s'):.3f} "
              f"| {med(runs, 'first_call_s'):.3f} | {med(runs, 'second_call_s'):.4f} |")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "numba_startup.json").write_text(json.dumps({
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "compile": compile_runs, "cached": cached_runs,
        "load_before": load, "load_after": load_after,
    }, indent=2) + "\n")


if __name__ == "__main__":
    main()
