"""Mesa agent types: Migrant (while in the authorities' hands), Trafficker and Officer.

Migrants in the community live in the column store (``model.population``); a ``Migrant`` agent
exists only while its migrant is detained or supported as an identified victim, which is a few
hundred at Hong Kong scale. Its attributes read and write the column store, so there is one
source of truth for every migrant.
"""

from __future__ import annotations

import itertools
import weakref
from typing import TYPE_CHECKING

import mesa

from model.states import (
    FIRST_TRAFFICKED,
    Agency,
    LegalState,
    Route,
    Stage,
    TraffickerKind,
)

if TYPE_CHECKING:
    from model.model import IdentificationModel


class _IdCounters(weakref.WeakKeyDictionary):
    """Per-model counters of agent ids that do not keep finished models alive.

    Mesa 3.3's ``Agent._ids`` is a class-level ``defaultdict`` keyed by model, so every model
    ever built stays in memory (mesa issue #3179, fixed upstream by pull request #3180): a
    worker running hundreds of runs would grow by megabytes a run. This mapping holds models
    weakly and starts each model's count at 1, as Mesa does.
    """

    def __getitem__(self, model: mesa.Model) -> itertools.count:
        try:
            return super().__getitem__(model)
        except KeyError:
            counter = itertools.count(1)
            self[model] = counter
            return counter


class ModelAgent(mesa.Agent):
    """Base of the project's agent types: ids unique within a model, models not kept alive."""

    _ids = _IdCounters()


class Migrant(ModelAgent):
    """A migrant in the authorities' hands: a case with a route, a clock and a history.

    Attributes:
        slot: Index of the migrant in the column store.
        route: How they met the authorities.
        since_week: Week the case began.
        removal_week: Week of removal if detained (``None`` otherwise).
        planned_days: Days of detention until removal, drawn at detention.
        booked_days: Detention days already counted in the outcomes.
        screened: Whether an indicator screening has been held in this case.
        support_until: Last week of victim support (``None`` unless identified).
        witness: Whether the identified victim cooperates as a witness.
    """

    def __init__(self, model: IdentificationModel, slot: int, route: Route) -> None:
        super().__init__(model)
        self.slot = int(slot)
        self.route = Route(route)
        self.since_week = model.week
        self.removal_week: int | None = None
        self.planned_days = 0.0
        self.booked_days = 0.0
        self.screened = False
        self.support_until: int | None = None
        self.witness = False

    @property
    def is_victim(self) -> bool:
        """Whether the migrant is (truly) trafficked."""
        return bool(self.model.population.status[self.slot] >= FIRST_TRAFFICKED)

    @property
    def stage(self) -> Stage:
        """Pipeline stage, read from the column store."""
        return Stage(int(self.model.population.stage[self.slot]))


class Trafficker(ModelAgent):
    """A recruitment agency, employer, sex-trade operator or syndicate.

    Attributes:
        index: Position in ``model.traffickers`` (the id the column store refers to).
        kind: ``TraffickerKind``.
        capacity: Victims it can control at once.
        threat: Threat of retaliation (0-1) it projects on its victims.
        legal_state: ``LegalState``.
        next_event_week: Week of the next decision in its case (prosecution or verdict).
        has_witness: Whether a victim cooperates against it in the current case.
    """

    def __init__(
        self,
        model: IdentificationModel,
        index: int,
        kind: TraffickerKind,
        capacity: int,
        threat: float,
    ) -> None:
        super().__init__(model)
        self.index = index
        self.kind = TraffickerKind(kind)
        self.capacity = int(capacity)
        self.threat = float(threat)
        self.legal_state = LegalState.ACTIVE
        self.next_event_week: int | None = None
        self.has_witness = False

    @property
    def active(self) -> bool:
        """Whether it still operates (every state but convicted)."""
        return self.legal_state != LegalState.CONVICTED

    @property
    def under_investigation(self) -> bool:
        """Whether a case against it is open."""
        return self.legal_state in (LegalState.INVESTIGATED, LegalState.PROSECUTED)

    def recruiting_capacity(self, displacement: float) -> float:
        """Victims it is willing to control now, given enforcement pressure on it."""
        if not self.active:
            return 0.0
        if self.under_investigation:
            return self.capacity * (1.0 - displacement)
        return float(self.capacity)

    def escalate_threat(self, amount: float) -> None:
        """Raise its threat of retaliation (after an identification or an investigation)."""
        self.threat = min(1.0, self.threat + amount)


class Officer(ModelAgent):
    """A frontline officer who screens the migrants the authorities meet.

    Attributes:
        agency: ``Agency``.
        trained: Whether trained in victim identification.
        capacity: Screenings a week.
        caseload: Screenings carried out this week.
    """

    def __init__(self, model: IdentificationModel, agency: Agency, trained: bool, capacity: int):
        super().__init__(model)
        self.agency = Agency(agency)
        self.trained = bool(trained)
        self.capacity = int(capacity)
        self.caseload = 0

    @property
    def spare(self) -> int:
        """Screenings still possible this week."""
        return max(0, self.capacity - self.caseload)
