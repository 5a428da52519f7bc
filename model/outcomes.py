"""Outcomes: weekly counts of the pipeline, their DataCollector reporters and the run summary.

Flows are counted as they happen (each mechanism calls :meth:`Outcomes.add`); stocks are read
off the model at the end of each week. The run summary sums the flows over the run; for the
number of victims it counts every distinct person who was a victim while present.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from result_folder.outcomes import DECLARED, OUTCOME

if TYPE_CHECKING:
    from model.model import IdentificationModel

#: Flows counted each week, with their meaning (declared in :mod:`result_folder.outcomes`).
FLOWS: dict[str, str] = {
    outcome.name: outcome.meaning for outcome in DECLARED if outcome.kind == "flow"
}

#: Stocks read at the end of each week: the model's reporters of the declared stocks, in their
#: order (``tests/test_outcome_declaration.py``).
STOCKS: dict[str, Callable[[IdentificationModel], int]] = {
    OUTCOME.population_size: lambda m: m.population_size,
    OUTCOME.victims_present: lambda m: m.victims_present,
    OUTCOME.detainees: lambda m: m.detainee_count,
    OUTCOME.victims_supported: lambda m: m.supported_count,
    OUTCOME.traffickers_active: lambda m: m.traffickers_active,
}


class Outcomes:
    """Counters of one run: this week's flows and the running totals."""

    def __init__(self) -> None:
        self.week: dict[str, float] = dict.fromkeys(FLOWS, 0)
        self.total: dict[str, float] = dict.fromkeys(FLOWS, 0)

    def add(self, name: str, amount: float = 1) -> None:
        """Count ``amount`` of flow ``name`` in the current week."""
        self.week[name] += amount

    def close_week(self) -> None:
        """Add this week's flows to the totals and start a new week."""
        for name, value in self.week.items():
            self.total[name] += value
            self.week[name] = 0

    def reporters(self) -> dict[str, Callable[[IdentificationModel], Any]]:
        """DataCollector model reporters: every flow of the week and every stock."""
        flows = {name: (lambda m, n=name: m.outcomes.week[n]) for name in FLOWS}
        return {"week": lambda m: m.week, "year": lambda m: m.year, **flows, **STOCKS}


def summarise(model: IdentificationModel) -> dict[str, Any]:
    """One-row summary of a run: flows summed over the run, and derived measures.

    Args:
        model: A model that has run.

    Returns:
        Mapping of outcome name to value; ``victims_present`` counts distinct victims.
    """
    totals = {name: model.outcomes.total[name] + model.outcomes.week[name] for name in FLOWS}
    victims = model.victims_initial + totals[OUTCOME.victims_new]
    identified = totals[OUTCOME.victims_identified]
    summary: dict[str, Any] = {
        "policy": model.policy.name,
        "seed": model.seed,
        "years": (model.week - model.counted_from_week) / 52,
        OUTCOME.victims_present: int(victims),
        OUTCOME.victims_present_end: model.victims_present,
        OUTCOME.identification_rate: identified / victims if victims else 0.0,
        OUTCOME.traffickers_active_end: model.traffickers_active,
        OUTCOME.population_end: model.population_size,
    }
    summary.update({k: int(v) if k != OUTCOME.cost_hkd else float(v) for k, v in totals.items()})
    return summary
