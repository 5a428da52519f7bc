"""The one seed rule of every study (batch, calibration, sensitivity, scale check).

Every random number of a study comes from its **root seed** through a spawn key:

* **Run number k** is seeded ``SeedSequence(root, spawn_key=(k,))`` — the same child that
  ``SeedSequence(root).spawn(n)[k]`` gives. In a batch, k is the replicate: every world, policy
  and parameter draw of replicate k uses the same child, so policies are compared pair by pair
  on the same simulated world (**common random numbers**). In a sensitivity analysis, k is the
  sample: both policies of a sample run on its child. In a calibration, k is the run's number
  in submission order (each run has its own parameter set).
* **The study's own sampler** (Latin hypercube draws, ABC-SMC proposals) is seeded
  ``SeedSequence(root, spawn_key=(SAMPLER_STREAM,))``, a key no run number reaches.
* **The draw of ensemble members** of a batch over a calibrated ensemble is seeded
  ``SeedSequence(root, spawn_key=(ENSEMBLE_STREAM,))``, apart from the sampler.
* **The carried inputs of a calibration's ensemble** (terms the fitted years cannot inform,
  drawn from their priors for each member) are seeded
  ``SeedSequence(root, spawn_key=(CARRIED_STREAM,))``.
* **The box shares of a calibration's proposal densities** (recycling every run into the
  posterior, :mod:`experiments.calibration.recycling`) are estimated from
  ``SeedSequence(root, spawn_key=(RECYCLING_STREAM,))``.

Inside a run every random number is keyed by the decision, the individual and the week
(``model.dice``), not by how many numbers were drawn before, so a policy that treats one
migrant differently changes no other individual's numbers: paired runs stay paired migrant by
migrant.

A seed is recorded as its root entropy and spawn key (``"<root>:<k>"``), from which it is
rebuilt exactly; results therefore do not depend on which process or machine ran them.
"""

from __future__ import annotations

import numpy as np

#: The largest root seed (seeds are stored as 64-bit signed integers in result tables).
MAX_SEED = 2**63 - 1
#: Spawn key of a study's own sampler stream (above any run number).
SAMPLER_STREAM = 2**32 - 1
#: Spawn key of the stream that draws a batch's ensemble members (above any run number).
ENSEMBLE_STREAM = 2**32 - 2
#: Spawn key of the stream that draws each ensemble member's carried inputs from their priors.
CARRIED_STREAM = 2**32 - 3
#: Spawn key of the stream that estimates each proposal density's share inside the prior box.
RECYCLING_STREAM = 2**32 - 4


def run_seed(root: int, number: int) -> np.random.SeedSequence:
    """The seed of run ``number`` of a study with root seed ``root``."""
    return np.random.SeedSequence(root, spawn_key=(number,))


def run_seeds(root: int, count: int) -> list[np.random.SeedSequence]:
    """The seeds of runs ``0 .. count - 1`` (replicates of a batch)."""
    return np.random.SeedSequence(root).spawn(count)


def sampler_rng(root: int) -> np.random.Generator:
    """The generator of a study's own sampler (designs, proposals)."""
    return np.random.default_rng(np.random.SeedSequence(root, spawn_key=(SAMPLER_STREAM,)))


def ensemble_rng(root: int) -> np.random.Generator:
    """The generator that draws a batch's members from a calibrated ensemble."""
    return np.random.default_rng(np.random.SeedSequence(root, spawn_key=(ENSEMBLE_STREAM,)))


def seed_text(entropy: int, spawn_key: tuple[int, ...]) -> str:
    """A seed as stored in result tables: ``<entropy>:<spawn key joined by '.'>``."""
    return f"{entropy}:{'.'.join(map(str, spawn_key))}"


def carried_rng(root: int) -> np.random.Generator:
    """The generator that draws the carried inputs of a calibration's ensemble members."""
    return np.random.default_rng(np.random.SeedSequence(root, spawn_key=(CARRIED_STREAM,)))


def recycling_rng(root: int) -> np.random.Generator:
    """The generator that estimates a calibration's proposal densities' shares in the box."""
    return np.random.default_rng(np.random.SeedSequence(root, spawn_key=(RECYCLING_STREAM,)))
