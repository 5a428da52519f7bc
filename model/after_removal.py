"""Life after removal: victims who leave Hong Kong may be re-trafficked and come back.

Without this mechanism a victim removed unidentified is lost for good. With it
(``after_removal.enabled``):

* a victim **removed unidentified** comes back re-trafficked with ``return_probability``; a
  victim **identified** who leaves after support (the others stay, regularised, as witnesses or
  workers: ``support.identified_victims_stay_share``) with ``return_probability x
  identified_factor``;
* the time away is ``return_min_weeks`` plus an exponential wait, mean ``return_delay_weeks``
  in all (the minimum is capped at the mean);
* on coming back the person settles in their old group (same identity, ``person_id``), with a
  new recruitment debt, confiscated documents with the population's share, their old trust, a
  new stay; a trafficker of the kind that held them before (an agency for a domestic worker
  whose trafficker is not known) takes control if one has room, as for any new victim, and
  the person counts again among the victims present (``victims_new``, and
  ``victims_returned``). Without room the person comes back as a migrant not trafficked.

Every draw is keyed by the person's identity and the week (``model.dice``), so a policy that
removes someone changes only that person's later path. Off, nothing is drawn or stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from model import ties
from model.dice import Decision
from model.population import Arrivals, mean_stay_weeks, offender_group
from model.states import TraffickerKind
from model.trafficking import assign_traffickers, make_victims
from result_folder.outcomes import OUTCOME

if TYPE_CHECKING:
    from model.model import IdentificationModel

#: The kind of trafficker who re-traffics a returnee whose former trafficker is not known.
KIND_OF_GROUP = np.array(
    [
        TraffickerKind.AGENCY,  # domestic workers: through a recruitment agency
        TraffickerKind.AGENCY,
        TraffickerKind.OPERATOR,
        TraffickerKind.SYNDICATE,
    ],
    dtype=np.int8,
)
_COLUMNS = {
    "person_id": np.int64,
    "group": np.int8,
    "young": bool,
    "trust": np.float32,
    "kind": np.int8,
    "week": np.int64,
}


@dataclass
class Away:
    """People away from Hong Kong who will come back re-trafficked: one row each."""

    columns: dict[str, np.ndarray] = field(
        default_factory=lambda: {name: np.zeros(0, dtype) for name, dtype in _COLUMNS.items()}
    )

    def __len__(self) -> int:
        return len(self.columns["week"])

    def add(self, rows: dict[str, np.ndarray]) -> None:
        """Append rows (one array per column)."""
        for name, dtype in _COLUMNS.items():
            self.columns[name] = np.concatenate([self.columns[name], rows[name].astype(dtype)])

    def take_due(self, week: int) -> dict[str, np.ndarray]:
        """Remove and return the rows due back by ``week``, in the order they left."""
        due = self.columns["week"] <= week
        taken = {name: values[due] for name, values in self.columns.items()}
        self.columns = {name: values[~due] for name, values in self.columns.items()}
        return taken


def away(model: IdentificationModel) -> Away:
    """The model's people away (created on first use)."""
    if getattr(model, "people_away", None) is None:
        model.people_away = Away()
    return model.people_away


def leave(model: IdentificationModel, slots: np.ndarray, identified: bool) -> None:
    """Victims among ``slots``, about to leave Hong Kong, may come back later re-trafficked.

    Called before their slots are freed.

    Args:
        model: The model.
        slots: Migrants leaving (removed unidentified, or leaving after support).
        identified: Whether they were identified (the chance is then ``identified_factor``
            times lower).
    """
    params = model.params.after_removal
    if not params.enabled or len(slots) == 0:
        return
    pop = model.population
    victims = slots[pop.is_victim(slots)]
    if len(victims) == 0:
        return
    chance = params.return_probability * (params.identified_factor if identified else 1.0)
    ids = pop.person_id[victims]
    back = model.dice.bernoulli(Decision.COMES_BACK, ids, chance, model.week)
    victims, ids = victims[back], ids[back]
    if len(victims) == 0:
        return
    minimum = min(params.return_min_weeks, params.return_delay_weeks)
    wait = model.dice.exponentials(
        Decision.TIME_AWAY, ids, params.return_delay_weeks - minimum, model.week
    )
    former = pop.trafficker[victims]
    kind = np.where(
        former >= 0,
        model.trafficker_table.kind[np.maximum(former, 0)],
        KIND_OF_GROUP[pop.group[victims]],
    )
    away(model).add(
        {
            "person_id": ids,
            "group": pop.group[victims],
            "young": pop.young[victims],
            "trust": pop.trust[victims],
            "kind": kind,
            "week": model.week + np.maximum(1, np.ceil(minimum + wait)).astype(np.int64),
        }
    )


def come_back(model: IdentificationModel) -> None:
    """People due back this week settle again; traffickers with room take them back."""
    if getattr(model, "people_away", None) is None or len(model.people_away) == 0:
        return
    rows = model.people_away.take_due(model.week)
    count = len(rows["week"])
    if count == 0:
        return
    pop, params, dice, week = model.population, model.params, model.dice, model.week
    ids, groups = rows["person_id"], rows["group"]
    debt = dice.exponentials(
        Decision.DEBT_ON_RETURN, ids, max(params.population.debt_months_mean, 1e-9), week
    )
    arrivals = Arrivals(
        group=groups,
        first_contract=np.zeros(count, dtype=bool),
        young=rows["young"],
        debt_months=debt.astype(np.float32),
        documents_confiscated=dice.bernoulli(
            Decision.DOCUMENTS_ON_RETURN, ids, params.population.documents_confiscated_share, week
        ),
        trust=rows["trust"],
    )
    mean = mean_stay_weeks(params)[groups]
    stay = dice.geometric(Decision.STAY_ON_RETURN, ids, 1.0 / np.maximum(mean, 1.0), week)
    idx = pop.settle(arrivals, week, stay.astype(np.int32), ids)  # the same person, back
    model.hazards.start(idx, week)
    ties.join(model, idx)
    pop.fear_punishment[idx] = np.where(
        offender_group(groups),
        params.behaviour.fear_punishment_offender,
        params.behaviour.fear_punishment_regular,
    )
    model.outcomes.add(OUTCOME.arrivals, count)
    model.outcomes.add(OUTCOME.returned, count)
    traffickers = assign_traffickers(model, rows["kind"], ids)
    placed = traffickers >= 0
    make_victims(model, idx[placed], traffickers[placed])
    retrafficked = int(np.count_nonzero(placed))
    model.outcomes.add(OUTCOME.victims_new, retrafficked)
    model.outcomes.add(OUTCOME.victims_returned, retrafficked)
