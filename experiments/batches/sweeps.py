"""Parameter draws of a batch: a full grid, or a Latin hypercube over ranges.

A draw is one set of swept parameter values (``section.field -> value``). Draws are numbered
from 0 in a fixed order, so the same batch file always gives the same draws.
"""

from __future__ import annotations

import difflib
import itertools
import math
from typing import Any

import numpy as np
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from experiments.batches.config import Sweep
from experiments.core.errors import UserError
from experiments.core.seeds import sampler_rng
from model.parameters import Parameters
from scenarios.problems import allowed, bounds


def parameter_annotation(path: str, where: str) -> Any:
    """The type of the parameter at dotted ``path``; see :func:`parameter_field`."""
    return parameter_field(path, where).annotation


def draw_count(sweep: Sweep | None) -> int:
    """How many draws a sweep gives, without building them (a grid's product of lengths)."""
    if sweep is None:
        return 1
    if sweep.grid is not None:
        return math.prod(len(values) for values in sweep.grid.values())
    assert sweep.latin_hypercube is not None
    return sweep.latin_hypercube.samples


def parameter_field(path: str, where: str) -> FieldInfo:
    """The schema field of the parameter at dotted ``path`` (``screening.tier1_sensitivity``).

    Args:
        path: Dotted field path in the parameter schema.
        where: Where the path was given (for the message), e.g. ``"sweep.grid"``.

    Raises:
        UserError: If the path does not name a parameter, with the closest names.
    """
    model: type[BaseModel] = Parameters
    parts = path.split(".")
    for depth, part in enumerate(parts):
        fields = model.model_fields
        if part not in fields:
            known = list(fields)
            close = difflib.get_close_matches(part, known, n=1)
            hint = f" Did you mean '{'.'.join([*parts[:depth], close[0]])}'?" if close else ""
            prefix = ".".join(parts[:depth]) or "the top level"
            raise UserError(
                f"{where}: '{path}' is not a parameter.{hint} "
                f"Names under {prefix}: {', '.join(known)}"
            )
        annotation = fields[part].annotation
        last = depth == len(parts) - 1
        is_section = isinstance(annotation, type) and issubclass(annotation, BaseModel)
        if last and not is_section:
            return fields[part]
        if last or not is_section:
            raise UserError(
                f"{where}: '{path}' is not a parameter; use section.field, "
                "e.g. screening.tier1_sensitivity"
            )
        model = annotation
    raise AssertionError("unreachable")


def draws(sweep: Sweep | None, root_seed: int) -> list[dict[str, Any]]:
    """The parameter sets of a sweep, in draw order; ``[{}]`` (one empty draw) without a sweep.

    The Latin hypercube uses ``scipy.stats.qmc.LatinHypercube`` seeded from the batch's root
    seed, so the draws are reproducible. Integer parameters are rounded to whole numbers.

    Raises:
        UserError: If a swept name is not a parameter.
    """
    if sweep is None:
        return [{}]
    if sweep.grid is not None:
        for name in sweep.grid:
            parameter_annotation(name, "sweep.grid")
        names = list(sweep.grid)
        return [
            dict(zip(names, combo, strict=True))
            for combo in itertools.product(*sweep.grid.values())
        ]
    from scipy.stats import qmc  # only for Latin hypercubes: keeps scipy out of the workers

    lhs = sweep.latin_hypercube
    assert lhs is not None
    where = "sweep.latin_hypercube.ranges"
    fields = {name: parameter_field(name, where) for name in lhs.ranges}
    kinds = {name: info.annotation for name, info in fields.items()}
    for name, kind in kinds.items():
        if kind not in (int, float):
            raise UserError(
                f"{where}: '{name}' is not a number "
                f"({getattr(kind, '__name__', kind)}); sweep it with a grid instead"
            )
        low, high = bounds(fields[name])
        given_low, given_high = lhs.ranges[name]
        if (low is not None and given_low < low) or (high is not None and given_high > high):
            raise UserError(
                f"{where}.{name}: the range [{given_low:g}, {given_high:g}] goes outside the "
                f"parameter's allowed values ({allowed(fields[name])}); narrow the range"
            )
    sampler = qmc.LatinHypercube(d=len(lhs.ranges), rng=sampler_rng(root_seed))
    low, high = np.array(list(lhs.ranges.values()), dtype=float).T
    points = qmc.scale(sampler.random(lhs.samples), low, high)
    result = []
    for row in points:
        draw = {}
        for (name, kind), value in zip(kinds.items(), row, strict=True):
            draw[name] = round(float(value)) if kind is int else float(value)
        result.append(draw)
    return result


def effective_value(params: Parameters, path: str) -> Any:
    """The value of dotted ``path`` in ``params``, as a plain scalar (enums as their value)."""
    node: Any = params
    for part in path.split("."):
        node = getattr(node, part)
    return getattr(node, "value", node)
