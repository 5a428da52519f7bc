"""Each victim who met the authorities: who they were when first met, and what became of them.

Under common random numbers (``model.dice``) a migrant is the same person in every run of a
pair, so the victims one policy identifies and the other misses can be named. For every victim
met by the authorities in the reported weeks (a contact by any route, or identified on an
investigation's evidence), the run keeps one row: the person's identity, group, route of first
contact, form of exploitation, fear of retaliation, debt still owed, PTSD and weeks since
arrival, all as they were at first contact, and the person's **fate** by the end of the run:

* ``identified`` — identified as a victim (at contact, in detention, on evidence);
* ``removed`` — detained, then removed from Hong Kong without being identified;
* ``left`` — left Hong Kong unidentified at the end of their stay;
* ``present`` — still in Hong Kong unidentified (in the community or in detention).

Rows are written by the batch next to each run's tables (``fates/<run_id>.parquet``, compact
dtypes); ``analysis.who`` compares them between policies.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from model.arrays import GrowingArray
from model.states import FIRST_TRAFFICKED, Exploitation, Group, Route

if TYPE_CHECKING:
    from model.model import IdentificationModel


class Fate(IntEnum):
    """What became of a victim who met the authorities (by the end of the run)."""

    PRESENT = 0
    IDENTIFIED = 1
    REMOVED = 2
    LEFT = 3


#: Columns of a fates table and their storage types (categories are stored as dictionaries).
COLUMNS = {
    "person_id": "int64",
    "group": "category",
    "route": "category",
    "exploitation": "category",
    "fear_retaliation": "float32",
    "debt_months": "float32",
    "ptsd": "bool",
    "weeks_since_arrival": "int32",
    "week_met": "int32",
    "fate": "category",
}


def _names(enum: type[IntEnum]) -> list[str]:
    return [member.name.lower() for member in enum]


class Fates:
    """The victims met by the authorities in one run (one row each, in order of first contact).

    Args:
        model: The model (its population, week and parameters are read at first contact).
    """

    def __init__(self, model: IdentificationModel) -> None:
        self.model = model
        self._person = GrowingArray(np.int64)
        self._fate = GrowingArray(np.int8)
        self._met: list[dict[str, np.ndarray]] = []  # who they were, one batch of contacts each
        self._row_of_slot = np.full(0, -1, dtype=np.int64)
        self._row_of_person: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._fate)

    def _rows(self, slots: np.ndarray) -> np.ndarray:
        """Row of each slot's person (-1 if not recorded); a reused slot's old row is not its."""
        pop = self.model.population
        if len(self._row_of_slot) < pop.capacity:
            grown = np.full(pop.capacity, -1, dtype=np.int64)
            grown[: len(self._row_of_slot)] = self._row_of_slot
            self._row_of_slot = grown
        rows = self._row_of_slot[slots]
        known = rows >= 0
        known[known] = self._person.values[rows[known]] == pop.person_id[slots[known]]
        return np.where(known, rows, -1)

    def met(self, slots: np.ndarray, route: Route) -> None:
        """Record the victims among ``slots`` met by ``route``, unless met before."""
        model, pop = self.model, self.model.population
        slots = slots[pop.status[slots] >= FIRST_TRAFFICKED]
        if len(slots) == 0:
            return
        slots = slots[self._rows(slots) < 0]
        if len(slots) == 0:
            return
        # A person met before in another slot (back after removal: ``model.after_removal``)
        # keeps their first row and its fate.
        again = [self._row_of_person.get(int(p), -1) for p in pop.person_id[slots]]
        again = np.asarray(again, dtype=np.int64)
        self._row_of_slot[slots[again >= 0]] = again[again >= 0]
        slots = slots[again < 0]
        if len(slots) == 0:
            return
        first = len(self)
        self._row_of_slot[slots] = np.arange(first, first + len(slots))
        self._row_of_person.update(
            zip(pop.person_id[slots].tolist(), range(first, first + len(slots)), strict=True)
        )
        debt = pop.current_debt(
            slots, model.week, model.params.prevalence.debt_repaid_months_per_month
        )
        self._met.append(
            {
                "group": pop.group[slots],
                "route": np.full(len(slots), int(route)),
                "exploitation": pop.status[slots],
                "fear_retaliation": pop.fear_retaliation[slots],
                "debt_months": debt,
                "ptsd": pop.ptsd[slots],
                "weeks_since_arrival": model.week - pop.arrival_week[slots],
                "week_met": np.full(len(slots), model.week),
            }
        )
        self._person.extend(pop.person_id[slots])
        self._fate.extend(np.full(len(slots), Fate.PRESENT, dtype=np.int8))

    def _settle(self, slots: np.ndarray, fate: Fate) -> None:
        """Give the recorded, still unsettled persons of ``slots`` their ``fate``."""
        if len(slots) == 0 or len(self) == 0:
            return
        rows = self._rows(np.asarray(slots, dtype=np.int64))
        rows = rows[rows >= 0]
        fates = self._fate.values
        rows = rows[fates[rows] == Fate.PRESENT]
        fates[rows] = fate

    def identified(self, slots: np.ndarray) -> None:
        """Migrants ``slots`` were identified as victims."""
        self._settle(slots, Fate.IDENTIFIED)

    def removed(self, slots: np.ndarray) -> None:
        """Migrants ``slots`` were removed from Hong Kong (those unidentified: ``removed``)."""
        self._settle(slots, Fate.REMOVED)

    def left(self, slots: np.ndarray) -> None:
        """Migrants ``slots`` left Hong Kong at the end of their stay."""
        self._settle(slots, Fate.LEFT)

    def table(self) -> pd.DataFrame:
        """One row per victim met, in order of first contact (compact dtypes, named codes)."""
        data = {"person_id": self._person.values.copy()}
        for name in COLUMNS:
            if name not in ("person_id", "fate"):
                parts = [batch[name] for batch in self._met]
                data[name] = np.concatenate(parts) if parts else np.zeros(0)
        data["fate"] = self._fate.values.copy()
        frame = pd.DataFrame(data)
        for name, enum in (
            ("group", Group),
            ("route", Route),
            ("exploitation", Exploitation),
            ("fate", Fate),
        ):
            frame[name] = pd.Categorical.from_codes(
                frame[name].astype(np.int64), categories=_names(enum)
            )
        return frame.astype(COLUMNS)
