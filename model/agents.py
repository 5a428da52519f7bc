"""Mesa agent types, Trafficker and Officer, and the small column stores behind them.

Migrants are not agents: all of them, in the community and in the authorities' hands, are rows
of the column store (``model.population``), and the open cases of those detained or supported
are rows of ``model.cases.CaseTable`` (a case has no behaviour of its own, and thousands open
and close each week in a detention-heavy world). Traffickers and officers are Mesa agents: a
few thousand and a few hundred, with decisions and histories of their own. They keep their
numbers in small column stores (``TraffickerTable``, ``OfficerTable``) so that recruitment and
officer assignment are array operations over all of them.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent, Model

from model.arrays import grown
from model.states import Agency, LegalState, TraffickerKind

if TYPE_CHECKING:
    from model.model import IdentificationModel


class _IdCounters:
    """Per-model counters of agent ids that do not keep finished models alive.

    The one place the project works around a dependency (``docs/architecture.md``, "Pinned
    around"). Mesa 3.3's ``Agent._ids`` is a class-level ``defaultdict`` keyed by model, so
    every model ever built stays in memory (mesa issue #3179): a worker running hundreds of
    runs would grow by megabytes a run (``tests/test_memory.py``). Mesa 3.4.2 fixed it
    (pull request #3180: the model numbers its agents in ``register_agent``) but needs
    Python 3.12, and 3.3.1 is the newest Mesa for the project's Python 3.11. Here each model
    carries its own counter, which starts at 1 as Mesa's does and goes with the model. Under
    Mesa 3.4.2 or later ``Agent`` no longer reads ``_ids`` and this has no effect: delete it
    when the project moves to Python 3.12.
    """

    def __getitem__(self, model: Model) -> itertools.count:
        try:
            return model._project_agent_ids
        except AttributeError:
            counter = model._project_agent_ids = itertools.count(1)
            return counter


class ModelAgent(Agent):
    """Base of the project's agent types: ids unique within a model, models not kept alive."""

    _ids = _IdCounters()


class _ColumnStore:
    """Columns of one value per row (first ``count`` used), doubled in length when full."""

    columns: tuple[str, ...] = ()
    count: int

    def _next_row(self) -> int:
        """The row the next addition takes, after doubling every column if they are full."""
        row = self.count
        if row == len(getattr(self, self.columns[0])):
            for name in self.columns:
                old = getattr(self, name)
                setattr(self, name, grown(old, 2 * len(old)))
        return row


#: Added to a convicted trafficker's identity to make its replacement's (one replacement each).
REPLACEMENT_UID_STEP = 1 << 32


class TraffickerTable(_ColumnStore):
    """Column store of the traffickers' numbers, indexed by trafficker id.

    The ``Trafficker`` agents read and write their capacity, threat and legal state here, so
    that recruitment can compute every trafficker's free places with a few array operations.

    Attributes:
        count: Number of traffickers ever created.
        kind, capacity, threat, legal_state: One value per trafficker (first ``count`` used).
        uid: Each trafficker's identity for the dice (``model.dice``): its id for the initial
            traffickers, the replaced trafficker's identity plus ``REPLACEMENT_UID_STEP`` for a
            replacement, so that a trafficker is the same one in every run sharing a seed,
            whatever order other traffickers were created in.
    """

    columns = ("kind", "capacity", "threat", "legal_state", "uid")

    def __init__(self, size: int = 1024) -> None:
        self.count = 0
        self.kind = np.zeros(size, dtype=np.int8)
        self.capacity = np.zeros(size, dtype=np.int64)
        self.threat = np.zeros(size, dtype=np.float64)
        self.legal_state = np.zeros(size, dtype=np.int8)
        self.uid = np.zeros(size, dtype=np.int64)
        self._ids_by_kind: dict[int, np.ndarray] = {}

    def ids_of_kind(self, kind: int) -> np.ndarray:
        """Ids of every trafficker of ``kind`` ever created, lowest first.

        Cached until a trafficker is added (a trafficker's kind never changes).
        """
        ids = self._ids_by_kind.get(int(kind))
        if ids is None:
            ids = self._ids_by_kind[int(kind)] = np.flatnonzero(self.kind[: self.count] == kind)
        return ids

    def add(self, kind: int, capacity: int, threat: float, uid: int) -> int:
        """Append one trafficker; returns its id."""
        index = self._next_row()
        self.kind[index] = kind
        self.capacity[index] = capacity
        self.threat[index] = threat
        self.legal_state[index] = LegalState.ACTIVE
        self.uid[index] = uid
        self.count = index + 1
        self._ids_by_kind.clear()
        return index

    def recruiting_capacities(self, displacement: float) -> np.ndarray:
        """Victims each trafficker is willing to control now (see ``Trafficker``)."""
        n = self.count
        capacity = self.capacity[:n].astype(np.float64)
        state = self.legal_state[:n]
        investigated = (state == LegalState.INVESTIGATED.value) | (
            state == LegalState.PROSECUTED.value
        )
        capacity[investigated] = self.capacity[:n][investigated] * (1.0 - displacement)
        capacity[state == LegalState.CONVICTED.value] = 0.0
        return capacity


class Trafficker(ModelAgent):
    """A recruitment agency, employer, sex-trade operator or syndicate.

    Its capacity, threat and legal state live in ``model.trafficker_table`` (row ``index``).

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
        uid: int,
    ) -> None:
        super().__init__(model)
        self._table: TraffickerTable = model.trafficker_table
        self.index = self._table.add(int(kind), int(capacity), float(threat), int(uid))
        if self.index != index:
            raise ValueError(f"trafficker {index} would be row {self.index} of the table")
        self.kind = TraffickerKind(kind)
        self.next_event_week: int | None = None
        self.has_witness = False
        self.cases = 0  # investigations opened against it so far (numbers its case decisions)

    @property
    def capacity(self) -> int:
        """Victims it can control at once."""
        return int(self._table.capacity[self.index])

    @capacity.setter
    def capacity(self, value: int) -> None:
        self._table.capacity[self.index] = int(value)

    @property
    def threat(self) -> float:
        """Threat of retaliation (0-1)."""
        return float(self._table.threat[self.index])

    @threat.setter
    def threat(self, value: float) -> None:
        self._table.threat[self.index] = float(value)

    @property
    def legal_state(self) -> LegalState:
        """Where it is in the justice system."""
        return LegalState(int(self._table.legal_state[self.index]))

    @legal_state.setter
    def legal_state(self, value: LegalState) -> None:
        self._table.legal_state[self.index] = int(value)

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


class OfficerTable(_ColumnStore):
    """Column store of officers' numbers, indexed by row (``Officer.row``).

    Rows of retired officers stay (unused); which officers serve, in which order, is
    ``model.officers``.

    Attributes:
        count: Rows used.
        agency, trained, capacity, caseload: One value per row.
    """

    columns = ("agency", "trained", "capacity", "caseload")

    def __init__(self, size: int = 512) -> None:
        self.count = 0
        self.agency = np.zeros(size, dtype=np.int8)
        self.trained = np.zeros(size, dtype=bool)
        self.capacity = np.zeros(size, dtype=np.int64)
        self.caseload = np.zeros(size, dtype=np.int64)

    def add(self, agency: int, trained: bool, capacity: int) -> int:
        """Append one officer; returns its row."""
        row = self._next_row()
        self.agency[row] = agency
        self.trained[row] = trained
        self.capacity[row] = capacity
        self.caseload[row] = 0
        self.count = row + 1
        return row


class Officer(ModelAgent):
    """A frontline officer who screens the migrants the authorities meet.

    Its numbers live in ``model.officer_table`` (row ``row``).

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
        self._table: OfficerTable = model.officer_table
        self.row = self._table.add(int(agency), self.trained, int(capacity))

    @property
    def capacity(self) -> int:
        """Screenings a week."""
        return int(self._table.capacity[self.row])

    @capacity.setter
    def capacity(self, value: int) -> None:
        self._table.capacity[self.row] = int(value)

    @property
    def caseload(self) -> int:
        """Screenings carried out this week."""
        return int(self._table.caseload[self.row])

    @caseload.setter
    def caseload(self, value: int) -> None:
        self._table.caseload[self.row] = int(value)

    @property
    def spare(self) -> int:
        """Screenings still possible this week."""
        return max(0, self.capacity - self.caseload)
