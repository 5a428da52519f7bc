"""A policy that starts at a date: the past replayed under today's practice, then the policy.

With ``time.policy_start_year`` set (after ``time.start_year``), a run replays the years before
it under the status quo, Hong Kong's practice: the detention-first strategy with its own levers
(:data:`STATUS_QUO_LEVERS`: unsupported in-depth screening in one session, no non-punishment
assurance, no trauma-informed interviewing, no witness visa), whatever policy the run compares.
In the first week of that year the run's own policy and levers take over. Levers that describe
the screening practice rather than the reform (sensitivity, specificity, training, the weekly
chance of screening a detainee) are the run's throughout.

Runs of different policies on one seed therefore share their past exactly: they draw the same
numbers until the policy starts. The run's totals (the summary) count from the policy's start,
so a comparison of policies compares what each does from then on; the weekly series keeps every
week, the replayed years included, so the replay can be held against the published record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from model.outcomes import Outcomes
from model.population import WEEKS_PER_YEAR
from model.strategies.detention_first import DetentionFirst

if TYPE_CHECKING:
    from model.model import IdentificationModel
    from model.parameters import Parameters
    from model.run_spec import RunSpec

#: The levers of today's practice, set during the replayed years whatever the run's policy.
STATUS_QUO_LEVERS: dict[str, Any] = {
    **DetentionFirst.lever_defaults,
    "non_punishment": False,
    "trauma_informed": False,
    "witness_visa": False,
}


def policy_start_week(params: Parameters) -> int:
    """Week in which the run's policy starts (0, the first reported week, when not set)."""
    year = params.time.policy_start_year
    if year <= params.time.start_year:
        return 0
    return round((year - params.time.start_year) * WEEKS_PER_YEAR)


def begin_with_status_quo(model: IdentificationModel, spec: RunSpec) -> None:
    """Run today's practice until the policy starts (nothing to do when it starts at once).

    Sets ``model.policy`` to detention-first under the run's policy name (results keep the
    run's name) and ``model.params.screening`` to the status quo's levers.
    """
    model.policy_start_week = policy_start_week(model.params)
    model.counted_from_week = 0
    if model.policy_start_week <= 0:
        return
    model.params.screening = model.params.screening.model_copy(update=STATUS_QUO_LEVERS)
    model.policy = DetentionFirst(model)
    model.policy.name = spec.policy_name


def start_policy_if_due(model: IdentificationModel, spec: RunSpec) -> None:
    """In the policy's first week: its strategy and levers take over, and the totals restart.

    The victims present then are the run's initial victims, as after a warm-up.
    """
    if model.policy_start_week <= 0 or model.week != model.policy_start_week:
        return
    model.params.screening = spec.params.screening.model_copy(deep=True)
    model.policy = spec.strategy(model)
    model.policy.name = spec.policy_name
    model.outcomes.total = Outcomes().total
    model.victims_initial = model.victims_present
    model.counted_from_week = model.week
