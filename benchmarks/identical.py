"""Check that a speed change leaves every result bit for bit as it was.

``save`` runs a fixed set of runs and writes their results (summaries, yearly and weekly tables,
the final column-store contents, the candidate clocks and the dice key) to a pickle; ``compare``
runs them again with the current code and reports, for every table and column, whether it
``equals`` the saved one. Save with the code before a change, compare after it::

    python benchmarks/identical.py save before.pkl
    python benchmarks/identical.py compare before.pkl   # exit status 1 if anything differs

The runs: ``experiments.simulate("hong_kong_baseline", policy, seed=1, years=2)`` at full scale
and ``experiments.core.replay.replay`` of ``scenarios/hong_kong_2016_2020.yaml`` (seed 3, 3 years,
``population.irregular`` 40,000 and ``encounters.overstayer_detection_rate_per_year`` 1.5, a
detention-heavy world, at ``--scale``), both under each policy.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ("detention_first", "screening_before_detention")
REPLAY_VALUES = {
    "population.irregular": 40000,
    "encounters.overstayer_detection_rate_per_year": 1.5,
}


def _capturing(module: Any, record: list) -> Callable[[], None]:
    """Make ``module.IdentificationModel`` record every model it builds; returns the undo."""
    original = module.IdentificationModel

    def build(*args: Any, **kwargs: Any) -> Any:
        model = original(*args, **kwargs)
        record.append(model)
        return model

    module.IdentificationModel = build
    return lambda: setattr(module, "IdentificationModel", original)


def _columns(model: Any) -> dict[str, np.ndarray]:
    """Every array of the model's migrant and case column stores."""
    stores = {
        "population": model.population,
        "cases": model.custody.cases,
        "traffickers": model.trafficker_table,
        "officers": model.officer_table,
        "hazards": model.hazards,  # every migrant's next candidate week (model.hazards)
    }
    arrays = {}
    for prefix, store in stores.items():
        for name, value in vars(store or object()).items():
            if isinstance(value, np.ndarray):
                arrays[f"{prefix}.{name}"] = value.copy()
    # the free-slot stack's live part only: the room above it is uninitialised (np.empty)
    arrays["population._free"] = model.population._free[: model.population._n_free].copy()
    return arrays


def _streams(model: Any) -> pd.DataFrame:
    """The run's dice key and where Mesa's own streams stand at the end.

    The model's numbers are keyed by decision, individual and week (``model.dice``), so there
    is no stream position to compare: the candidate clocks are compared with the columns.
    """
    states = {"dice": repr(model.dice.key)}
    states["mesa"] = repr((model.rng.bit_generator.state, model.random.getstate()))
    return pd.DataFrame([states])


def run_all(scale: float) -> dict[str, Any]:
    """Run every checked run; returns its results by name."""
    import experiments
    import experiments.core.replay as replay_module
    import experiments.core.scenario_model as simulation_module
    from scenarios.loader import load_scenario

    results: dict[str, Any] = {}
    world = load_scenario(ROOT / "scenarios" / "hong_kong_2016_2020.yaml")
    for policy in POLICIES:
        models: list = []
        undo = _capturing(simulation_module, models)
        try:
            summary = experiments.simulate("hong_kong_baseline", policy, seed=1, years=2)
        finally:
            undo()
        results[f"simulate/{policy}/summary"] = pd.DataFrame([summary])
        results[f"simulate/{policy}/weekly"] = models[-1].weekly()
        results[f"simulate/{policy}/columns"] = _columns(models[-1])
        results[f"simulate/{policy}/streams"] = _streams(models[-1])

        models = []
        undo = _capturing(replay_module, models)
        try:
            table = replay_module.replay(
                world, policy=policy, seed=3, years=3, scale=scale, values=REPLAY_VALUES
            )
        finally:
            undo()
        results[f"replay/{policy}/yearly"] = table
        results[f"replay/{policy}/weekly"] = models[-1].weekly()
        results[f"replay/{policy}/columns"] = _columns(models[-1])
        results[f"replay/{policy}/streams"] = _streams(models[-1])
    return results


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Names of the results (or columns) that are not identical."""
    different = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if isinstance(old, pd.DataFrame) and isinstance(new, pd.DataFrame):
            if not old.equals(new):
                different.append(name)
        elif isinstance(old, dict) and isinstance(new, dict):
            # Arrays the change added (its own bookkeeping) have nothing to compare with.
            for key in sorted(old):
                a, b = old[key], new.get(key)
                if a is None or b is None or a.dtype != b.dtype or not np.array_equal(a, b):
                    different.append(f"{name}:{key}")
        else:
            different.append(name)
    return different


def main() -> None:
    """Save or compare."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("save", "compare"))
    parser.add_argument("file", type=Path)
    parser.add_argument("--scale", type=float, default=0.25, help="scale of the replay")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    start = time.process_time()
    results = run_all(args.scale)
    print(f"{len(results)} results in {time.process_time() - start:.1f} CPU s")
    if args.action == "save":
        args.file.write_bytes(pickle.dumps(results))
        return
    different = differences(pickle.loads(args.file.read_bytes()), results)
    for name in different:
        print(f"DIFFERENT: {name}")
    print("all identical" if not different else f"{len(different)} differ")
    sys.exit(1 if different else 0)


if __name__ == "__main__":
    main()
