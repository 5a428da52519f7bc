"""Dated changes to a running world (the runtime half of the timeline).

The schema half (:mod:`model.timeline`) reads and dates the entries; here the entries due in a
week are applied to the running model at the start of that week.

Most world fields are read every week, so a new value simply takes effect. Some are read when
something is built, and are rebuilt here when they change:

* ``officers.immigration/police/labour/customs``: officers are added or retired so that each
  agency has the new head count, keeping its trained share at the policy's ``training_share``
  (deterministic: no random numbers are drawn, so policies keep common random numbers);
* ``officers.weekly_case_capacity``: every officer's capacity is reset;
* ``prevalence.trafficked_share_*`` and ``prevalence.odds_ratio_*``: the risk-model intercepts
  are solved again on the migrants present, so arrivals from then on are trafficked at the new
  rate (victims already present stay victims);
* ``behaviour.trust_mean``: the trust of migrants present is shifted to the new mean (see
  :func:`shift_trust`), so a fall in trust reaches everyone at once.

Other traits drawn when a migrant arrives or becomes a victim (debt, PTSD, awareness, fear of
punishment, length of stay) take their new values for migrants who arrive or are trafficked
from the date on. Population sizes are targets: a larger one is filled by arrivals in the week
of the change, a smaller one is reached as migrants leave at the end of their stay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from model.agents import Officer
from model.states import Agency, Stage
from model.trafficking import solve_intercepts

if TYPE_CHECKING:
    from model.model import IdentificationModel

#: Officer head counts per agency (officers are added or retired when they change).
OFFICER_COUNTS = ("immigration", "police", "labour", "customs")


def apply_due(model: IdentificationModel) -> None:
    """Apply the timeline entries dated for the model's current week (call at week start)."""
    params = model.params
    if not params.timeline:
        return
    start = params.time.start_year
    for entry in params.timeline:
        if entry.week(start) == model.week:
            apply_changes(model, entry.set)


def apply_changes(model: IdentificationModel, changes: dict[str, Any]) -> None:
    """Set already-validated world fields on the running model and rebuild what depends on them.

    Args:
        model: The running model.
        changes: Typed values by dotted path (from a validated :class:`TimelineEntry`).
    """
    old_trust = model.params.behaviour.trust_mean
    for path, value in changes.items():
        section, field = path.split(".", 1)
        setattr(getattr(model.params, section), field, value)
    if "behaviour.trust_mean" in changes:
        shift_trust(model, old_trust, model.params.behaviour.trust_mean)
    fields = {path.split(".", 1)[1] for path in changes if path.startswith("officers.")}
    if fields & set(OFFICER_COUNTS):
        staff_officers(model)
    if "weekly_case_capacity" in fields:
        for officer in model.officers:
            officer.capacity = model.params.officers.weekly_case_capacity
    if any(
        path.startswith(("prevalence.trafficked_share_", "prevalence.odds_ratio_"))
        for path in changes
    ):
        resolve_risk(model)


def staff_officers(model: IdentificationModel) -> None:
    """Add or retire officers so each agency has its current head count.

    Each agency keeps ``round(training_share * count)`` trained officers as far as the officers
    it already has allow: new officers are trained first while the agency is short of trained
    officers; retirements take untrained officers first while it has more than its share.
    """
    o = model.params.officers
    share = model.params.screening.training_share
    retired: set[int] = set()
    hired = []
    for agency in (Agency.IMMIGRATION, Agency.POLICE, Agency.LABOUR, Agency.CUSTOMS):
        staff = [x for x in model.officers if x.agency == agency]
        target = int(getattr(o, agency.name.lower()))
        trained_target = round(share * target)
        trained = [x for x in staff if x.trained]
        untrained = [x for x in staff if not x.trained]
        while len(trained) + len(untrained) > target:
            pool = untrained if (untrained and len(trained) <= trained_target) else trained
            officer = pool.pop()
            retired.add(id(officer))
            officer.remove()
        while len(trained) + len(untrained) < target:
            train = len(trained) < trained_target
            officer = Officer(model, agency, train, o.weekly_case_capacity)
            (trained if train else untrained).append(officer)
            hired.append(officer)
    model.officers = [x for x in model.officers if id(x) not in retired] + hired


def shift_trust(model: IdentificationModel, old: float, new: float) -> None:
    """Move the trust of migrants present so its mean goes from ``old`` to ``new``.

    Lower trust scales each migrant's trust by ``new / old``; higher trust scales the distrust
    (1 - trust) by ``(1 - new) / (1 - old)``. Both keep values in 0-1, keep everyone's rank and
    draw no random numbers.
    """
    trust = model.population.trust
    if new < old:
        trust *= new / old
    elif new > old:
        trust[:] = 1.0 - (1.0 - trust) * ((1.0 - new) / (1.0 - old))


def resolve_risk(model: IdentificationModel) -> None:
    """Solve the risk-model intercepts again on the migrants present (new prevalence)."""
    pop = model.population
    present = np.flatnonzero(pop.stage != Stage.ABSENT)
    model.risk_intercepts = solve_intercepts(pop, present, model.params)
