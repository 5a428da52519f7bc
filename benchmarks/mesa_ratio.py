"""The column store against idiomatic Mesa on a toy of the weekly loop, in one run.

Both versions run the same toy week over the same number of migrants: a migrant whose stay has
ended leaves and is replaced by an arrival (stay drawn geometric, mean 4 years); a migrant who
is not a victim becomes one with a weekly probability; a migrant meets the authorities with a
weekly probability, and a victim who does is identified with probability 0.3.

* **Idiomatic Mesa**: one ``mesa.Agent`` per migrant with a ``step()`` method, run each week
  with ``model.agents.shuffle_do("step")``; departures remove the agent and create a new one.
* **Column store** (the project's way): one numpy array per attribute; departures are read off
  the ``departure_week`` column, and the probabilistic events select their migrants with
  ``model.sampling.candidate_slots`` (binomial count, then the slots), so random numbers are
  drawn only for the migrants touched.

The real model's own rate (``benchmarks/full_scale.py``) does much more per migrant-week than
this toy; the ratio here is the speed of the two ways of writing the same loop. Usage::

    python benchmarks/mesa_ratio.py [--migrants 100000] [--weeks 10]

Writes ``benchmarks/results/mesa_ratio.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import mesa
import numpy as np

from model.sampling import candidate_slots

RESULTS = Path(__file__).resolve().parent / "results"
P_VICTIM = 0.002
P_ENCOUNTER = 0.004
P_IDENTIFY = 0.3
MEAN_STAY_WEEKS = 4 * 52


class ToyMigrant(mesa.Agent):
    """One migrant as one Mesa agent."""

    def __init__(self, model: MesaToy, week: int) -> None:
        super().__init__(model)
        self.departure_week = week + int(model.rng.geometric(1 / MEAN_STAY_WEEKS))
        self.victim = False

    def step(self) -> None:
        """One week of the toy."""
        model = self.model
        if self.departure_week <= model.week:
            self.remove()
            ToyMigrant(model, model.week)
            return
        if not self.victim and model.rng.random() < P_VICTIM:
            self.victim = True
        if model.rng.random() < P_ENCOUNTER and self.victim and model.rng.random() < P_IDENTIFY:
            model.identified += 1


class MesaToy(mesa.Model):
    """The toy week, one agent per migrant, agents activated in random order."""

    def __init__(self, migrants: int, seed: int = 1) -> None:
        super().__init__(rng=seed)
        self.week = 0
        self.identified = 0
        for _ in range(migrants):
            ToyMigrant(self, 0)

    def step(self) -> None:
        """Advance one week."""
        self.agents.shuffle_do("step")
        self.week += 1


class ColumnToy:
    """The toy week over a column store."""

    def __init__(self, migrants: int, seed: int = 1) -> None:
        self.rng = np.random.default_rng(seed)
        self.week = 0
        self.identified = 0
        self.departure_week = self.rng.geometric(1 / MEAN_STAY_WEEKS, migrants).astype(np.int32)
        self.victim = np.zeros(migrants, dtype=bool)

    def step(self) -> None:
        """Advance one week."""
        rng = self.rng
        leaving = np.flatnonzero(self.departure_week <= self.week)
        self.departure_week[leaving] = self.week + rng.geometric(1 / MEAN_STAY_WEEKS, len(leaving))
        self.victim[leaving] = False
        n = len(self.victim)
        self.victim[candidate_slots(rng, n, P_VICTIM)] = True
        met = candidate_slots(rng, n, P_ENCOUNTER)
        met = met[self.victim[met]]
        self.identified += int((rng.random(len(met)) < P_IDENTIFY).sum())
        self.week += 1


def rate(model, migrants: int, weeks: int) -> tuple[float, float]:
    """Stepping seconds and migrant-steps per second."""
    start = time.perf_counter()
    for _ in range(weeks):
        model.step()
    seconds = time.perf_counter() - start
    return seconds, migrants * weeks / seconds


def main() -> None:
    """Run both versions and print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--migrants", type=int, default=100_000)
    parser.add_argument("--weeks", type=int, default=10)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    mesa_s, mesa_rate = rate(MesaToy(args.migrants), args.migrants, args.weeks)
    column_s, column_rate = rate(ColumnToy(args.migrants), args.migrants, args.weeks)
    load_after = os.getloadavg()[0]
    print(f"{args.migrants:,} migrants x {args.weeks} weeks; load average {load:.1f} -> "
          f"{load_after:.1f}")
    print("| version | stepping s | M migrant-steps/s |")
    print("|---|---|---|")
    print(
        f"| idiomatic Mesa (Agent per migrant, shuffle_do) | {mesa_s:.2f} "
        f"| {mesa_rate / 1e6:.2f} |"
    )
    print(f"| column store (numpy, thinned sampling) | {column_s:.3f} | {column_rate / 1e6:.1f} |")
    print(f"| **ratio** | | **{column_rate / mesa_rate:.0f}x** |")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "mesa_ratio.json").write_text(json.dumps({
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "migrants": args.migrants, "weeks": args.weeks,
        "mesa_s": mesa_s, "mesa_rate": mesa_rate,
        "column_s": column_s, "column_rate": column_rate,
        "ratio": column_rate / mesa_rate, "load_before": load, "load_after": load_after,
    }, indent=2) + "\n")


if __name__ == "__main__":
    main()
