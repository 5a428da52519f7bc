"""The accepted parameter sets as a scenario ensemble that batches can use.

``FOLDER/ensemble/`` holds one world file per accepted set, ``member_000.yaml`` ...; each
``extends`` the calibrated scenario (by a path relative to the member file) and sets the
calibrated world values, so it loads with ``tipsim run`` and in a batch's ``worlds`` list like
any scenario. ``ensemble.csv`` lists the members with their ABC weights, distances and every
calibrated value, and ``batch.yaml`` is a ready-to-run policy comparison drawing from them.

Calibrated **screening levers** (``screening.*``, e.g. the false-positive rates of tier-1 and
tier-2 screening: how Hong Kong's officers screen, shared by every policy) cannot live in a
world file, where levers are refused. They are kept in ``ensemble.csv`` and applied to each run
of the member as overrides (:func:`member_levers`) by ensemble batches (``ensemble:``) and
``tipsim forecast``; a policy file's own levers of the same name would lose to them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from experiments.core.errors import UserError
from experiments.core.parameter_space import ParameterSpace
from experiments.core.seeds import carried_rng, ensemble_rng
from model.parameters import nest_dotted

ENSEMBLE_DIR = "ensemble"
LISTING = "ensemble.csv"
#: Calibrated values under this prefix are screening levers: kept in the listing, not the files.
LEVER_PREFIX = "screening."
#: Columns of an ensemble listing that are not calibrated inputs.
NOT_INPUTS = ("member", "weight", "distance", "path")


def member_document(
    values: dict[str, Any], extends: str, name: str, description: str
) -> dict[str, Any]:
    """The YAML mapping of one ensemble member (its world values; levers stay in the listing)."""
    world = {k: _plain(v) for k, v in values.items() if not k.startswith(LEVER_PREFIX)}
    return {
        "name": name,
        "extends": extends,
        "description": description,
        **nest_dotted(world),
    }


def member_levers(row: Mapping[str, Any]) -> dict[str, Any]:
    """The calibrated screening levers of one listing row (``screening.*`` columns)."""
    return {
        str(k): _plain(v)
        for k, v in row.items()
        if str(k).startswith(LEVER_PREFIX) and not pd.isna(v)
    }


def write_ensemble(
    accepted: pd.DataFrame,
    parameters: Sequence[str],
    scenario: Path,
    folder: Path,
    *,
    calibration: str,
    policies: Sequence[str] = ("detention_first", "screening_before_detention"),
    years: int = 5,
    replicates: int = 1,
    carried: ParameterSpace | None = None,
    seed: int = 0,
) -> list[Path]:
    """Write one world file per accepted set, the listing and a batch file.

    Carried inputs (not fitted: the calibrated years cannot inform them) are drawn from their
    priors, one draw per member from the calibration seed's carried stream
    (:func:`experiments.core.seeds.carried_rng`), and written like the fitted values.

    Args:
        accepted: Accepted sets (columns: the parameters, ``weight``, ``distance``, ``number``).
        parameters: Names of the calibrated parameters (``section.field``).
        scenario: The calibrated scenario file (members extend it).
        folder: The calibration's output folder; members go to ``folder/ensemble``.
        calibration: Name of the calibration (recorded in each member).
        policies: Policies of the batch file.
        years: Years of the batch file.
        replicates: Replicates per member in the batch file.
        carried: The carried inputs' ranges, or ``None``.
        seed: The calibration's root seed (draws the carried inputs).

    Returns:
        Paths of the member files.
    """
    target = folder / ENSEMBLE_DIR
    target.mkdir(parents=True, exist_ok=True)
    extends = os.path.relpath(scenario.resolve(), target.resolve())
    paths, rows = [], []
    draws = carried_draws(carried, len(accepted), seed)
    for i, record in enumerate(accepted.to_dict("records")):
        values = {p: record[_column(accepted, p)] for p in parameters} | draws[i]
        member = f"member_{i:03d}"
        description = (
            f"Accepted set {i} of calibration '{calibration}' (run {record['number']}, "
            f"distance {record['distance']:.3f}, weight {record['weight']:.4f})."
        )
        levers = {k: v for k, v in values.items() if k.startswith(LEVER_PREFIX)}
        if levers:
            description += (
                " Its calibrated screening levers ("
                + ", ".join(f"{k} = {_plain(v):.6g}" for k, v in levers.items())
                + f") are in {LISTING}; ensemble batches and tipsim forecast apply them."
            )
        document = member_document(values, extends, f"{calibration}_{member}", description)
        path = target / f"{member}.yaml"
        _write_text(path, yaml.safe_dump(document, sort_keys=False))
        paths.append(path)
        rows.append(
            {"member": path.name, "weight": record["weight"], "distance": record["distance"]}
            | values
        )
    _write_text(target / LISTING, pd.DataFrame(rows).to_csv(index=False))
    batch = {
        "name": f"{calibration}_ensemble",
        "ensemble": {"folder": ".", "members": len(paths)},
        "policies": list(policies),
        "replicates": replicates,
        "years": years,
        "seed": 1,
        "output": f"results/{calibration}_ensemble",
    }
    _write_text(target / "batch.yaml", yaml.safe_dump(batch, sort_keys=False))
    return paths


def carried_draws(carried: ParameterSpace | None, members: int, seed: int) -> list[dict]:
    """Each member's draw of the carried inputs from their priors (empty dicts if none)."""
    if carried is None:
        return [{} for _ in range(members)]
    points = carried.from_unit(carried_rng(seed).random((members, len(carried))))
    return [carried.to_values(point) for point in points]


def read_ensemble(folder: Path) -> pd.DataFrame:
    """The listing of an ensemble folder, with member paths resolved.

    Args:
        folder: A calibration output folder or its ``ensemble`` sub-folder.
    """
    folder = listing_path(folder).parent
    listing = pd.read_csv(folder / LISTING)
    _check_listing(listing, folder / LISTING)
    listing["path"] = [folder / name for name in listing["member"]]
    return listing


def member_inputs(folder: Path) -> pd.DataFrame:
    """The calibrated inputs of each member of an ensemble, indexed by the member file's stem.

    Raises:
        UserError: The listing cannot be read, naming the folder.
    """
    try:
        listing = read_ensemble(folder)
    except (OSError, ValueError) as err:
        raise UserError(f"{folder}: cannot read the ensemble listing ({err})") from None
    listing.index = [Path(name).stem for name in listing["member"]]
    return listing.drop(columns=[c for c in NOT_INPUTS if c in listing.columns])


def _check_listing(listing: pd.DataFrame, path: Path) -> None:
    """Refuse a listing with an empty or non-numeric value: nothing falls back to a default.

    Raises:
        UserError: Naming the file, the column and the member of the first bad value.
    """
    if "member" not in listing.columns or listing["member"].isna().any():
        raise UserError(f"{path}: member: every row needs its member file (member_NNN.yaml)")
    for column in listing.columns:
        if column == "member":
            continue
        values = pd.to_numeric(listing[column], errors="coerce")
        bad = ~np.isfinite(values.to_numpy(dtype=float))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            value = listing[column].iloc[row]
            shown = "an empty value" if pd.isna(value) else repr(str(value))
            raise UserError(
                f"{path}: {column}: member {listing['member'].iloc[row]} has {shown}, not a "
                "finite number; every member needs every value (nothing falls back to a "
                "default: rewrite the listing with tipsim calibrate)"
            )


def listing_path(folder: Path) -> Path:
    """The ``ensemble.csv`` of an ensemble folder or of the calibration folder holding it."""
    folder = Path(folder)
    if (folder / ENSEMBLE_DIR / LISTING).is_file():
        return folder / ENSEMBLE_DIR / LISTING
    return folder / LISTING


def draw_members(folder: Path, members: int, seed: int) -> pd.DataFrame:
    """Draw ensemble members by ABC weight, with replacement: a sample of the posterior.

    Systematic resampling (Kitagawa 1996; Douc, Cappé and Moulines 2005): one uniform ``u``
    places ``members`` evenly spaced pointers ``(u + k) / members`` on the members' cumulative
    weights, so each member is drawn ``floor(members * w)`` or ``ceil(members * w)`` times.
    Independent (multinomial) draws give the same expected counts with far more spread: with
    the shipped weights, 16 of them gave one member of weight 0.23 half the draws.
    Each distinct member drawn is kept once, with ``draws`` (how often it was drawn) and
    ``weight`` = draws / members, so a weighted mean over the kept members is the Monte Carlo
    mean over the posterior. The draw depends only on ``seed`` (see
    :func:`experiments.core.seeds.ensemble_rng`).

    Args:
        folder: An ensemble folder (or the calibration folder holding it).
        members: How many members to draw.
        seed: The batch's root seed.

    Returns:
        The listing's rows of the members drawn, in listing order, with ``path``, ``draws``,
        ``weight`` (draw share) and ``abc_weight`` (the calibration's weight).

    Raises:
        UserError: The folder holds no readable listing, or its weights are unusable.
    """
    try:
        listing = read_ensemble(folder)
    except (OSError, ValueError, KeyError) as err:
        raise UserError(
            f"{folder}: not a calibrated ensemble folder ({LISTING} with member and weight "
            f"columns could not be read: {err}); write one with tipsim calibrate"
        ) from None
    if "weight" not in listing.columns:  # (no member column: read_ensemble refused it)
        raise UserError(
            f"{listing_path(folder)}: missing column weight; an ensemble listing needs one row "
            "per member with its file (member) and its ABC weight (weight)"
        )
    weights = pd.to_numeric(listing["weight"], errors="coerce").to_numpy(dtype=float)
    if len(weights) == 0 or not np.isfinite(weights).all() or (weights < 0).any():
        raise UserError(f"{folder / LISTING}: weight: needs finite weights >= 0, one per member")
    if weights.sum() <= 0:
        raise UserError(f"{folder / LISTING}: weight: the weights add up to 0")
    missing = [str(p) for p in listing["path"] if not Path(p).is_file()]
    if missing:
        raise UserError(f"{folder}: member file(s) missing: {', '.join(missing)}")
    counts = systematic_counts(ensemble_rng(seed), weights / weights.sum(), members)
    drawn = listing.assign(abc_weight=weights, draws=counts)[counts > 0].copy()
    drawn["weight"] = drawn["draws"] / members
    return drawn.reset_index(drop=True)


def systematic_counts(rng: np.random.Generator, weights: np.ndarray, draws: int) -> np.ndarray:
    """How often each of the normalised ``weights`` is drawn by systematic resampling."""
    pointers = (rng.random() + np.arange(draws)) / draws
    cumulative = np.cumsum(weights)
    # Rescale so that rounding cannot leave a pointer past the last member of positive weight;
    # members of weight 0 repeat their predecessor's value and are never picked.
    cumulative /= cumulative[-1]
    picks = np.searchsorted(cumulative, pointers, side="right")
    return np.bincount(picks, minlength=len(weights))


def _column(frame: pd.DataFrame, parameter: str) -> str:
    if parameter not in frame.columns:
        raise KeyError(f"accepted sets lack parameter '{parameter}'")
    return parameter


def _plain(value: Any) -> Any:
    """Turn numpy scalars into plain Python numbers (for YAML)."""
    return value.item() if hasattr(value, "item") else value


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
