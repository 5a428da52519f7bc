"""The vectorised bookkeeping gives exactly what the plain per-item Python it replaced gave.

Each array version (free-slot stack, derived counts, officer assignment, trafficker capacities,
detention-day sums, the departure calendar) is checked against a small plain-Python reference
on random inputs, with the same random stream where one is used, so the model's results stay
bit-for-bit the same.
"""

import numpy as np
import pytest

from model import IdentificationModel, population
from model.agents import OfficerTable
from model.arrays import GrowingArray, codes_present, repeats, sorted_unique
from model.custody import Custody
from model.departures import HORIZON_WEEKS
from model.dice import Decision
from model.population import Arrivals, Population, arrival_ids
from model.rationing import epoch
from model.screening import PLACES_PER_OFFICER
from model.states import FIRST_TRAFFICKED, Agency, Group, LegalState, Stage


class ListFreeSlots:
    """The original free list: a Python list used as a stack."""

    def __init__(self, capacity):
        self.capacity = capacity
        self.free = list(range(capacity - 1, -1, -1))

    def allocate(self, count):
        if count > len(self.free):
            extra = max(count - len(self.free), self.capacity // 4)
            old, self.capacity = self.capacity, self.capacity + extra
            self.free = list(range(self.capacity - 1, old - 1, -1)) + self.free
        return [self.free.pop() for _ in range(count)]

    def release(self, idx):
        self.free.extend(int(i) for i in np.sort(idx)[::-1])


def test_free_slot_stack_hands_out_slots_in_the_order_of_a_list_stack():
    rng = np.random.default_rng(0)
    pop, reference = Population(capacity=50), ListFreeSlots(50)
    occupied: list[int] = []
    for _ in range(300):
        if occupied and rng.random() < 0.5:
            size = int(rng.integers(1, len(occupied) + 1))
            chosen = rng.choice(len(occupied), size=size, replace=False)
            idx = np.array([occupied[i] for i in chosen])
            occupied = [s for i, s in enumerate(occupied) if i not in set(chosen.tolist())]
            pop.stage[idx] = Stage.COMMUNITY  # release expects occupied slots
            pop.release(idx)
            reference.release(idx)
        else:
            count = int(rng.integers(0, 30))
            got = pop.allocate(count)
            assert got.tolist() == reference.allocate(count)
            pop.stage[got] = Stage.COMMUNITY
            occupied += got.tolist()
        assert pop.capacity == reference.capacity
        assert pop.size == pop.capacity - len(reference.free)


@pytest.mark.parametrize("seed", range(5))
def test_array_helpers_give_what_np_unique_gives(seed):
    rng = np.random.default_rng(seed)
    for size in (0, 1, 2, 7, 300, 3000):
        for dtype in (np.int8, np.int64):
            codes = rng.integers(0, 9, size).astype(dtype)
            assert codes_present(codes).dtype == np.unique(codes).dtype
            assert codes_present(codes).tolist() == np.unique(codes).tolist()
        values = rng.integers(0, 2 * size + 1, size)
        assert sorted_unique(values).tolist() == np.unique(values).tolist()
        assert repeats(values) == (len(np.unique(values)) < size)


def test_departure_calendar_finds_what_a_scan_of_every_slot_finds():
    """Arrivals, stays postponed, slots freed and reused, overdue migrants kept in custody."""
    rng = np.random.default_rng(4)
    pop = Population(capacity=400)
    for week in range(-30, 4 * HORIZON_WEEKS):
        due = pop.due_to_leave(week)
        assert due.tolist() == np.flatnonzero(pop.departure_week <= week).tolist()
        # Most due migrants leave; some are held (stay overdue) and some stay on longer.
        held = rng.random(len(due)) < 0.2
        pop.release(due[~held])
        staying = due[held][rng.random(int(held.sum())) < 0.3]
        pop.postpone_departure(staying, week + int(rng.integers(1, 3 * HORIZON_WEEKS)))
        present = np.flatnonzero(pop.present)
        pop.release(present[rng.random(len(present)) < 0.02])  # removals, support ends
        count = int(rng.integers(0, 40))
        stays = rng.geometric(1 / 20, count).astype(np.int32)
        no = np.zeros(count, dtype=bool)
        arrivals = Arrivals(
            group=np.zeros(count, dtype=np.int8),
            first_contract=no,
            young=no,
            debt_months=np.zeros(count, dtype=np.float32),
            documents_confiscated=no,
            trust=np.zeros(count, dtype=np.float32),
        )
        pop.settle(arrivals, week, stays, arrival_ids(week, arrivals.group))
        assert pop.departures.covers(pop.departure_week)


@pytest.mark.parametrize("slack", [0, 4096])
def test_victim_and_control_counts_follow_every_change(slack, monkeypatch):
    monkeypatch.setattr(population, "CONTROL_LIST_SLACK", slack)  # 0: the list is often rebuilt
    rng = np.random.default_rng(1)
    pop = Population(capacity=200)
    slots = pop.allocate(200)
    pop.stage[slots] = Stage.COMMUNITY
    pop.group[slots] = rng.integers(0, len(Group), 200)
    for _ in range(300):
        idx = rng.choice(slots, size=int(rng.integers(1, 20)), replace=False)
        action = rng.integers(0, 4)
        if action == 0:
            pop.set_status(idx, rng.integers(0, 5, len(idx)).astype(np.int8))
        elif action == 1:
            free = idx[~pop.controlled[idx]]
            pop.take_control(free, rng.integers(0, 7, len(free)))
        elif action == 2:
            pop.end_control(idx)
        else:  # the migrants leave and others take their slots
            pop.release(idx)
            slots = np.concatenate((slots[~np.isin(slots, idx)], pop.allocate(len(idx))))
            pop.stage[slots] = Stage.COMMUNITY
        for trafficker in range(7):
            expected = np.flatnonzero((pop.trafficker == trafficker) & pop.controlled)
            assert pop.controlled_by(trafficker).tolist() == expected.tolist()
        victims = pop.status >= FIRST_TRAFFICKED
        expected = np.bincount(pop.group[victims], minlength=len(Group))
        assert pop.victims_by_group.tolist() == expected.tolist()
        held = np.bincount(pop.trafficker[pop.controlled], minlength=7)
        assert pop.held_by(7).tolist() == held.tolist()


def reference_assignment(dice, officers, person_ids, agency, week):
    """The assignment spelt out over officer objects (dicts here), one claimant at a time.

    Each pool's free places (an officer's numbers from its caseload up to its capacity) sit on
    a circle at their hashed positions; the claimants with the lowest priority numbers, as
    many as there are free places, each want the first free place clockwise of their own
    position; where several want one place the lowest priority number takes it, and the others
    try again clockwise of their positions, until all are placed.
    """
    decision = Decision.OFFICER_PLACE
    assigned = {}
    waiting = list(range(len(person_ids)))
    for own in (True, False):
        pool = [o for o in officers if (o["agency"] == agency) == own]
        free = [(o, k) for o in pool for k in range(o["caseload"], o["capacity"])]
        if not free or not waiting:
            continue
        names = np.array([o["row"] * PLACES_PER_OFFICER + k for o, k in free])
        at = dice.uniforms(decision, names, epoch(week), 2).tolist()
        ids = np.array([person_ids[i] for i in waiting], dtype=np.int64)
        position = dict(zip(waiting, dice.uniforms(decision, ids, week, 0).tolist(), strict=True))
        priority = dict(zip(waiting, dice.uniforms(decision, ids, week, 1).tolist(), strict=True))
        pending = sorted(waiting, key=lambda i: priority[i])[: len(free)]
        taken = [False] * len(free)
        while pending:
            wants = {}
            for i in pending:
                ahead = [p for p in range(len(free)) if not taken[p] and at[p] >= position[i]]
                behind = [p for p in range(len(free)) if not taken[p]]
                p = min(ahead or behind, key=lambda p: at[p])
                wants.setdefault(p, []).append(i)
            pending = []
            for p, claimants in wants.items():
                winner = min(claimants, key=lambda i: priority[i])
                taken[p] = True
                free[p][0]["caseload"] += 1
                assigned[winner] = free[p][0]["row"]
                pending += [i for i in claimants if i != winner]
        waiting = [i for i in waiting if i not in assigned]
    return [assigned.get(i, -1) for i in range(len(person_ids))]


@pytest.mark.parametrize("seed", range(5))
def test_officer_assignment_matches_the_per_officer_loop(seed, small_world):
    model = IdentificationModel(small_world, "detention_first", rng=seed)
    table: OfficerTable = model.officer_table
    setup = np.random.default_rng(seed)
    table.caseload[: table.count] = setup.integers(0, 4, table.count)
    officers = [
        {"row": o.row, "agency": o.agency, "capacity": o.capacity, "caseload": o.caseload}
        for o in model.officers
    ]
    for _ in range(6):
        count, agency = int(setup.integers(0, 40)), Agency(int(setup.integers(0, 4)))
        person_ids = setup.choice(10**6, size=count, replace=False)
        got = model.screening.assign_officers(person_ids, agency)
        expected = reference_assignment(model.dice, officers, person_ids, agency, model.week)
        assert got.tolist() == expected
        assert [o.caseload for o in model.officers] == [o["caseload"] for o in officers]


def test_trafficker_capacities_match_each_agents_own_rule(small_world):
    model = IdentificationModel(small_world, "detention_first", rng=2)
    states = np.random.default_rng(2).integers(0, len(LegalState), len(model.traffickers))
    for trafficker, state in zip(model.traffickers, states, strict=True):
        trafficker.legal_state = LegalState(int(state))
    for displacement in (0.0, 0.35, 1.0):
        expected = [t.recruiting_capacity(displacement) for t in model.traffickers]
        got = model.trafficker_table.recruiting_capacities(displacement)
        assert got.tolist() == expected


def test_detention_days_are_summed_as_a_loop_sums_them(small_world):
    model = IdentificationModel(small_world, "detention_first", rng=3)
    custody = Custody(model)
    days = np.random.default_rng(3).exponential(30.0, 500) * 1e-3 + 1e5
    model.outcomes.week["detention_days"] = 0.1
    custody._add_in_order("detention_days", days)
    expected = 0.1
    for value in days:
        expected += float(value)
    assert model.outcomes.week["detention_days"] == expected
    assert 0.1 + float(np.sum(days)) != expected, "inputs where summation order matters"


def test_counts_and_caches_stay_right_through_staffing_changes_and_growth():
    """The 2016-2020 replay at 1/20 scale (officers hired mid-run, the population growing), and
    a store grown by extra free slots: the stack, counts and case columns must follow."""
    from experiments.core.replay import scale_world
    from model.invariants import violations
    from scenarios.loader import load_scenario

    world = scale_world(load_scenario("hong_kong_2016_2020"), 0.05)
    model = IdentificationModel(world, "screening_before_detention", rng=4)
    staff = len(model.officers)
    for week in range(4 * 52):
        model.step()
        assert violations(model) == [], f"week {week}"
    assert len(model.officers) > staff, "the timeline hires officers"
    grown = IdentificationModel(world, "detention_first", rng=4)
    grown.population._grow(7)  # extra free slots at the bottom of the stack
    for week in range(26):
        grown.step()
        assert violations(grown) == [], f"week {week} after growing the store"


def test_column_stores_keep_every_row_as_their_storage_doubles():
    table = OfficerTable(size=2)
    rows = [table.add(i % 4, i % 2 == 0, i) for i in range(9)]
    assert rows == list(range(9)) and table.count == 9 and len(table.agency) == 16
    assert table.capacity[:9].tolist() == list(range(9)) and not table.capacity[9:].any()
    assert table.trained[:9].tolist() == [i % 2 == 0 for i in range(9)]
    growing = GrowingArray(capacity=2)
    for chunk in (np.arange(3), np.arange(3, 4), np.arange(4, 11)):
        growing.extend(chunk)
    assert growing.values.tolist() == list(range(11))
