"""Checks that must hold after every week of a run; used by the tests and for debugging.

Each check returns a sentence per violation, so a failing test says what broke.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.population import NO_WEEK
from model.states import FIRST_TRAFFICKED, Group, Stage
from result_folder.outcomes import OUTCOME

if TYPE_CHECKING:
    from model.model import IdentificationModel


def violations(model: IdentificationModel) -> list[str]:
    """Return every broken invariant of the model's current state (empty when all hold)."""
    pop = model.population
    found: list[str] = []
    stages = np.bincount(pop.stage, minlength=len(Stage))
    if len(stages) != len(Stage) or stages.sum() != pop.capacity:
        found.append(f"stage codes outside {[s.name for s in Stage]}")
    present = pop.present
    if int(present.sum()) != pop.size:
        found.append(f"{int(present.sum())} slots occupied but population size is {pop.size}")
    by_group = np.bincount(pop.group[present], minlength=len(Group))
    if not np.array_equal(by_group, pop.group_count):
        found.append(f"group counts {pop.group_count.tolist()} != occupied {by_group.tolist()}")
    table = model.custody.cases
    open_slots = table.slots
    in_hands = set(np.flatnonzero((pop.stage == Stage.DETAINED) | (pop.stage == Stage.SUPPORTED)))
    cases = set(open_slots.tolist())
    if in_hands != cases:
        found.append(
            f"{len(in_hands ^ cases)} migrants detained or supported without a case, or cases "
            "without such a migrant"
        )
    if len(cases) != len(open_slots) or cases != set(np.flatnonzero(table.is_open).tolist()):
        found.append("the open cases' slots repeat a slot or differ from the open-case column")
    elif len(open_slots) and (np.diff(table.since_week[open_slots]) < 0).any():
        found.append("the open cases' slots are not in the order the cases were opened")
    detained = pop.removal_week[open_slots] != NO_WEEK
    supported = pop.support_until[open_slots] != NO_WEEK
    for slot in open_slots[detained == supported]:
        found.append(f"case of slot {slot} is both or neither detained and supported")
    expected = np.where(detained, Stage.DETAINED, Stage.SUPPORTED)
    for slot in open_slots[(detained != supported) & (pop.stage[open_slots] != expected)]:
        found.append(f"case of slot {slot} disagrees with the column store's stage")
    closed = ~table.is_open
    if (
        (table.since_week[closed] != -1).any()
        or table.screened[closed].any()
        or table.witness[closed].any()
    ):
        found.append("a slot without a case holds a case record (week opened, screening, witness)")
    controlled = np.flatnonzero(pop.controlled)
    if (pop.status[controlled] < FIRST_TRAFFICKED).any():
        found.append("a migrant is controlled by a trafficker but not trafficked")
    if (pop.stage[controlled] != Stage.COMMUNITY).any():
        found.append("a migrant in the authorities' hands is still controlled by a trafficker")
    owners = np.unique(pop.trafficker[controlled])
    if any(not model.traffickers[int(t)].active for t in owners):
        found.append("a convicted trafficker still controls victims")
    if (pop.person_id[present] < 0).any() or (pop.person_id[~present] >= 0).any():
        found.append("person ids out of step with occupied slots")
    without_case = np.ones(pop.capacity, dtype=bool)
    without_case[list(cases)] = False
    if (pop.removal_week[without_case] != NO_WEEK).any() or (
        pop.support_until[without_case] != NO_WEEK
    ).any():
        found.append("a slot without a case has a removal or support date")
    service = model.screening
    if service._serving is model.officers and service._serving_rows.tolist() != [
        o.row for o in model.officers
    ]:
        found.append("model.officers was changed in place: assign a new list to change staff")
    victims = pop.status >= FIRST_TRAFFICKED
    free = ~present
    if (
        (pop.status[free] != 0).any()
        or (pop.trafficker[free] != -1).any()
        or pop.controlled[free].any()
        or (pop.victim_since[free] != -1).any()
        or pop.identified[free].any()
    ):
        found.append("a free slot holds a status, trafficker, control or identification")
    recount = np.bincount(pop.group[victims & present], minlength=len(Group))
    if not np.array_equal(recount, pop.victims_by_group):
        found.append(
            f"victims by group {pop.victims_by_group.tolist()} != recount {recount.tolist()}"
        )
    held = np.bincount(pop.trafficker[controlled], minlength=len(model.traffickers))
    if not np.array_equal(held, pop.held_by(len(model.traffickers))):
        found.append("victims held per trafficker out of step with the controlled column")
    if len(pop._free) and not np.array_equal(
        np.sort(pop._free[: pop._n_free]), np.flatnonzero(~present)
    ):
        found.append("the free-slot stack differs from the slots that are free")
    pairs = controlled * 2**32 + pop.trafficker[controlled]
    listed = pop._control_slots.values * 2**32 + pop._control_owner.values
    if not np.isin(pairs, listed).all():
        found.append("a controlled migrant is missing from the control list (take_control)")
    if not pop.departures.covers(pop.departure_week):
        found.append("a migrant leaving before the calendar's horizon is not in the calendar")
    return found


def funnel_violations(totals: dict[str, float]) -> list[str]:
    """Check the order of the identification funnel on cumulative counts."""
    chain = [
        (OUTCOME.victims_identified, OUTCOME.victims_screened),
        (OUTCOME.victims_screened, OUTCOME.victims_encountered),
        (OUTCOME.victims_encountered, OUTCOME.encountered),
        (OUTCOME.initial_screenings, OUTCOME.encountered),
        (OUTCOME.flagged, OUTCOME.initial_screenings),
        (OUTCOME.tier2_screenings, OUTCOME.flagged),
        (OUTCOME.victims_identified_in_detention, OUTCOME.victims_identified),
        (OUTCOME.victims_detained, OUTCOME.detained),
        (OUTCOME.victims_removed_unidentified, OUTCOME.removed),
        (OUTCOME.convictions, OUTCOME.prosecutions),
        (OUTCOME.prosecutions, OUTCOME.investigations),
    ]
    return [
        f"{low} ({totals[low]:g}) exceeds {high} ({totals[high]:g})"
        for low, high in chain
        if totals[low] > totals[high]
    ]
