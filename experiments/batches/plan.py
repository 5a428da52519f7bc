"""The runs of a batch: worlds x policies x draws x replicates, with their seeds.

Seeds follow the one rule of :mod:`experiments.core.seeds`: replicate *r* is run number *r*, and
every world, policy and draw of replicate *r* uses its seed (common random numbers: policies
are compared pair by pair on the same simulated world).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from experiments.batches.config import BatchConfig, drawn_members
from experiments.batches.memory import check_memory
from experiments.batches.sweeps import draw_count, draws, effective_value, parameter_annotation
from experiments.core.errors import UserError, describe
from experiments.core.progress import Progress
from experiments.core.seeds import run_seeds, seed_text
from model import Parameters, RunSpec
from scenarios.loader import ScenarioError, load_scenario, resolve_path, validation_problems
from scenarios.policy_loader import load_policy
from scenarios.resolve import read_policy, resolve_run

#: The most runs one batch may plan (a bigger study is several batches).
MAX_RUNS = 100_000
#: The most bytes the batch manifest may take (estimated before anything is written).
MAX_MANIFEST_BYTES = 64 * 2**20
#: Estimated manifest bytes per run, besides its paths and swept values (measured: ~330).
_ENTRY_BYTES = 400


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs to execute one run (plain data, picklable).

    Attributes:
        run_id: ``<world>__<policy>__d<draw>__r<replicate>``.
        world: Stem of the world file.
        world_path: Absolute path of the world file.
        policy: The policy's own name (a policy file's ``name:``, else the strategy's name).
        policy_arg: The policy as given in the batch file (a policy file as an absolute path).
        draw: Index of the parameter draw.
        replicate: Index of the replicate.
        entropy: Root seed entropy.
        spawn_key: Spawn key of the replicate's seed (``(replicate,)``).
        years: Simulated years.
        overrides: Flat ``section.field -> value`` (fixed overrides and the draw's values).
        swept: The draw's values (``section.field -> value``), stored as ``param:`` columns.
        spec: The run's resolved parameters and strategy: exactly what the batch hashed, so a
            worker reads no file and a file edited mid-batch changes nothing.
    """

    run_id: str
    world: str
    world_path: str
    policy: str
    policy_arg: str
    draw: int
    replicate: int
    entropy: int
    spawn_key: tuple[int, ...]
    years: float
    overrides: dict[str, Any] = field(default_factory=dict)
    swept: dict[str, Any] = field(default_factory=dict)
    spec: RunSpec | None = field(default=None, compare=False, repr=False)

    @property
    def seed_text(self) -> str:
        """The seed as stored in result tables: ``<entropy>:<spawn key joined by '.'>``."""
        return seed_text(self.entropy, self.spawn_key)

    def seed_sequence(self) -> np.random.SeedSequence:
        """Rebuild the run's ``SeedSequence``."""
        return np.random.SeedSequence(self.entropy, spawn_key=self.spawn_key)


@dataclass
class BatchPlan:
    """The runs of a batch in a fixed order, with the inputs they read."""

    tasks: list[RunTask]
    draws: list[dict[str, Any]]
    inputs: dict[str, str]  # "<world>/<policy>/d<draw>" -> sha256 of the effective parameters

    def by_id(self) -> dict[str, RunTask]:
        """Tasks keyed by run id."""
        return {task.run_id: task for task in self.tasks}


def run_id(world: str, policy: str, draw: int, replicate: int) -> str:
    """The run's identifier, safe as a file name."""
    return _safe(f"{world}__{policy}__d{draw:03d}__r{replicate:04d}")


def is_policy_file(policy: str) -> bool:
    """Whether ``policy`` is given as a file path rather than a name."""
    return policy.endswith((".yaml", ".yml")) or "/" in policy or "\\" in policy


def policy_name(policy: str) -> str:
    """A policy's name as results record it: a policy file's ``name:`` (as ``tipsim run``).

    Shipped policy names and strategy names are their own name. A file that cannot be read
    falls back to its stem (the plan refuses it with its problems before anything runs).
    """
    try:
        return load_policy(policy).name
    except ScenarioError:
        return Path(policy).stem if is_policy_file(policy) else policy


def build_plan(
    config: BatchConfig, batch_file: Path, progress: bool | None = False
) -> BatchPlan:
    """Expand a batch into runs, validating every world, policy and parameter set first.

    A plan of more than :data:`MAX_RUNS` runs, or whose manifest would exceed
    :data:`MAX_MANIFEST_BYTES`, is refused before any world is read.

    Args:
        config: The batch definition.
        batch_file: The batch file (relative world paths not found from the current folder are
            looked up next to it).
        progress: Show progress while the parameter sets are checked (``None``: a bar on a
            terminal, plain lines elsewhere; ``False``, the default: none).

    Returns:
        The plan; nothing has run yet.

    Raises:
        UserError: Naming the batch file and what is wrong.
    """
    check_size(config, batch_file)
    worlds = _load_worlds(config, batch_file)
    for name in config.overrides:
        parameter_annotation(name, f"{batch_file}: overrides")
    try:
        parameter_sets = draws(config.sweep, config.seed)
    except UserError as err:
        raise UserError(f"{batch_file}: {err}") from None
    _check_policies(config, batch_file, next(iter(worlds.values())))
    names = {policy: policy_name(_policy_arg(policy, batch_file)) for policy in config.policies}
    levers = _member_levers(config, batch_file)
    normalised, specs = _validate_draws(
        config, batch_file, worlds, parameter_sets, names, progress, levers
    )
    inputs = {key: spec.digest() for key, spec in specs.items()}
    seeds = run_seeds(config.seed, config.replicates)
    tasks = [
        RunTask(
            run_id=run_id(path.stem, names[policy], draw, replicate),
            world=path.stem,
            world_path=str(path),
            policy=names[policy],
            policy_arg=_policy_arg(policy, batch_file),
            draw=draw,
            replicate=replicate,
            entropy=int(child.entropy),
            spawn_key=tuple(int(k) for k in child.spawn_key),
            years=config.years,
            overrides={**levers.get(path, {}), **config.overrides, **swept},
            swept=swept,
            spec=specs[_input_key(path.stem, names[policy], draw)],
        )
        for path in worlds
        for policy in config.policies
        for draw, swept in enumerate(normalised)
        for replicate, child in enumerate(seeds)
    ]
    if len({task.run_id for task in tasks}) < len(tasks):
        raise UserError(
            f"{batch_file}: two worlds or two policies share a name once made safe for file "
            f"names ({', '.join(sorted({task.world for task in tasks}))}; "
            f"{', '.join(sorted({task.policy for task in tasks}))}); rename one"
        )
    return BatchPlan(tasks=tasks, draws=normalised, inputs=inputs)


def check_size(config: BatchConfig, batch_file: Path) -> int:
    """The number of runs of a batch; refused up front when the plan or manifest is too big.

    Raises:
        UserError: Naming the batch file, the size and the limit.
    """
    count = draw_count(config.sweep)
    runs = len(config.worlds) * len(config.policies) * count * config.replicates
    shape = (
        f"{len(config.worlds)} world(s) x {len(config.policies)} policies x {count:,} "
        f"draw(s) x {config.replicates:,} replicate(s)"
    )
    if runs > MAX_RUNS:
        raise UserError(
            f"{batch_file}: the batch plans {runs:,} runs ({shape}), more than the "
            f"{MAX_RUNS:,} one batch may hold; split it into several batches or lower "
            "replicates or the sweep"
        )
    paths = sum(len(w) for w in config.worlds) + sum(len(p) for p in config.policies)
    swept = len(config.sweep.grid or {}) if config.sweep and config.sweep.grid else 0
    if config.sweep and config.sweep.latin_hypercube:
        swept = len(config.sweep.latin_hypercube.ranges)
    per_run = _ENTRY_BYTES + 2 * paths + 40 * swept
    estimate = runs * per_run
    if estimate > MAX_MANIFEST_BYTES:
        raise UserError(
            f"{batch_file}: the manifest of {runs:,} runs ({shape}) would take about "
            f"{estimate / 2**20:,.0f} MiB, more than the {MAX_MANIFEST_BYTES / 2**20:,.0f} MiB "
            "allowed; split the batch into several"
        )
    return runs


def _load_worlds(config: BatchConfig, batch_file: Path) -> dict[Path, Parameters]:
    """Find and validate every world file of the batch."""
    worlds = {}
    for world in config.worlds:
        try:
            path = _world_path(world, batch_file)
            worlds[path] = load_scenario(path)
        except ScenarioError as err:
            raise UserError(f"{batch_file}: worlds: {err}") from None
    return worlds


def _member_levers(config: BatchConfig, batch_file: Path) -> dict[Path, dict[str, Any]]:
    """Calibrated screening levers of the ensemble members a batch drew, by member file.

    They apply to every run of the member, below the batch's own overrides and sweep.
    """
    if config.ensemble is None:
        return {}
    from experiments.core.ensemble import member_levers

    rows = drawn_members(config, batch_file).to_dict("records")
    return {Path(str(row["path"])).resolve(): member_levers(row) for row in rows}


def _check_policies(config: BatchConfig, batch_file: Path, world: Parameters) -> None:
    """Fail early, naming the batch file, if a policy is unknown or its file is unusable."""
    for policy in config.policies:
        try:
            resolve_run(world, _policy_arg(policy, batch_file))
        except ValidationError:
            pass  # the policy file's levers are checked with each draw
        except Exception as err:
            message = describe(err)
            if message is None:
                raise
            raise UserError(f"{batch_file}: policies: {message}") from None


def _validate_draws(
    config: BatchConfig,
    batch_file: Path,
    worlds: dict[Path, Parameters],
    parameter_sets: list[dict[str, Any]],
    names: dict[str, str],
    progress: bool | None = False,
    levers: dict[Path, dict[str, Any]] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, RunSpec]]:
    """Resolve every world x policy x draw once, before anything runs.

    Returns:
        The draws with schema-typed values, and the resolved run of each world, policy and
        draw (its digest is recorded, so a changed world file, policy file or default is
        noticed on resume).
    """
    normalised: list[dict[str, Any]] = []
    specs: dict[str, RunSpec] = {}
    checks = Progress(
        len(parameter_sets), "planning: checking parameter sets", unit="set", enabled=progress
    )
    # Each policy file is read once, not once per world and draw.
    policies = {p: read_policy(_policy_arg(p, batch_file)) for p in config.policies}
    for number, swept in enumerate(parameter_sets):
        typed: dict[str, Any] = {}
        for path, world in worlds.items():
            for policy in config.policies:
                try:
                    values = {**(levers or {}).get(path, {}), **config.overrides, **swept}
                    spec = resolve_run(world, policies[policy], values)
                except ValidationError as err:
                    problems = "; ".join(validation_problems(err))
                    where = f"draw {number} {swept}" if swept else "overrides"
                    raise UserError(
                        f"{batch_file}: {where} is invalid for world {path.stem} and policy "
                        f"{policy}: {problems}"
                    ) from None
                check_memory(spec.params, config.years, f"{batch_file}: world {path.stem}")
                typed = {name: effective_value(spec.params, name) for name in swept}
                specs[_input_key(path.stem, names[policy], number)] = spec
        normalised.append(typed)
        checks.update()
    checks.close()
    return normalised, specs


def _input_key(world: str, policy: str, draw: int) -> str:
    """``<world>/<policy>/d<draw>``: the key of a resolved run in the plan's inputs."""
    return f"{world}/{policy}/d{draw}"


def _world_path(world: str, batch_file: Path) -> Path:
    """Find a world: as given, next to the batch file, or in the shipped scenario library."""
    given = Path(world)
    if not given.is_absolute() and not given.is_file():
        beside = batch_file.parent / given
        if beside.is_file():
            return beside.resolve()
    return resolve_path(world).resolve()


def _policy_arg(policy: str, batch_file: Path) -> str:
    """A policy file as an absolute path (workers may run elsewhere); a name as it is."""
    for candidate in (Path(policy), batch_file.parent / policy):
        if is_policy_file(policy) and candidate.is_file():
            return str(candidate.resolve())
    return policy


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)
