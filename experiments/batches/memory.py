"""A run's memory, estimated before it starts: refuse what would exhaust the machine.

The model keeps one slot per migrant present in a column store (``model.population``):
departed migrants' slots are reused, so the store follows the largest population of the run.
That population is the initial one grown by ``population.growth_per_year`` for the run's
years (and by any larger growth or population a dated timeline sets). A growth rate inside
its allowed range can still ask for more memory than any machine has (``0.5`` for 60 years
is 1.5^60 = 3.7e10 times the start), so the estimate is checked against a stated budget.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from experiments.core.errors import UserError
from model import Parameters

#: The most memory one run's column store may take (bytes): a batch runs one per core.
MEMORY_BUDGET = 4 * 2**30
#: Bytes of a free-list entry per slot (a Python int and the list's pointer to it).
_FREE_LIST_BYTES = 36
GROWTH_FIELD = "population.growth_per_year"
_SIZE_FIELDS = ("domestic_workers", "other_workers", "sex_workers", "irregular")


@cache
def bytes_per_slot() -> int:
    """Bytes the column store takes per migrant slot, measured on the model's own store."""
    from model.population import Population

    probe = Population(capacity=1024)
    arrays = sum(v.nbytes for v in vars(probe).values() if isinstance(v, np.ndarray))
    return int(np.ceil(arrays / 1024)) + _FREE_LIST_BYTES


def peak_population(params: Parameters, years: float) -> float:
    """The most migrants present at once during a run (initial size grown for ``years``).

    The warm-up (``time.warmup_years``) grows the population too, before the first week.
    """
    years = years + params.time.warmup_years
    growth = params.population.growth_per_year
    size = float(sum(getattr(params.population, name) for name in _SIZE_FIELDS))
    for entry in params.timeline:
        changes: dict[str, Any] = entry.set
        growth = max(growth, float(changes.get(GROWTH_FIELD, growth)))
        later = [changes.get(f"population.{name}") for name in _SIZE_FIELDS]
        if any(value is not None for value in later):
            size = max(size, float(sum(v for v in later if v is not None)))
    return size * max(1.0, (1.0 + growth) ** years)


def check_memory(params: Parameters, years: float, where: str) -> None:
    """Refuse a run whose column store would exceed :data:`MEMORY_BUDGET`.

    Args:
        params: The run's parameters.
        years: Simulated years.
        where: What the user gave (a file, ``--set``), named in the message.

    Raises:
        UserError: Naming the growth field, the peak population, the memory and the budget.
    """
    peak = peak_population(params, years)
    needed = peak * bytes_per_slot()
    if needed <= MEMORY_BUDGET:
        return
    growth = params.population.growth_per_year
    raise UserError(
        f"{where}: {GROWTH_FIELD} = {growth:g} for {years:g} years grows the population to "
        f"{peak:,.3g} migrants, whose column store would need {needed / 2**30:,.3g} GiB, over "
        f"the {MEMORY_BUDGET / 2**30:g} GiB budget of one run; lower {GROWTH_FIELD}, the "
        "population or the years"
    )
