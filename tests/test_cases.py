"""The open-case table: opening order, records and growth, and what policies get from it."""

import numpy as np
import pytest

from model import IdentificationModel
from model.cases import CaseTable
from model.invariants import violations
from model.states import Route


def test_open_slots_keep_the_order_an_insertion_ordered_dict_keeps():
    """Random opens and closes against the dict of cases the table replaced."""
    rng = np.random.default_rng(5)
    table = CaseTable(capacity=8)  # grown as higher slots arrive
    reference: dict[int, tuple[int, int]] = {}  # slot -> (route, week), in opening order
    for week in range(300):
        batch = rng.choice(400, size=int(rng.integers(0, 12)), replace=False)
        batch = np.concatenate((batch, batch[:2]))  # a slot given twice opens once
        route = Route(int(rng.integers(0, len(Route))))
        opened = table.open(batch, route, week)
        expected_new = []
        for slot in batch.tolist():
            if slot not in reference:
                reference[slot] = (int(route), week)
                expected_new.append(slot)
        assert opened.tolist() == expected_new
        if reference and rng.random() < 0.7:
            keys = list(reference)
            closing = rng.choice(keys, size=int(rng.integers(1, len(keys) + 1)), replace=False)
            table.close(closing)
            for slot in closing.tolist():
                del reference[slot]
        assert table.slots.tolist() == list(reference)
        assert len(table) == len(reference)
        slots = table.slots
        assert table.route[slots].tolist() == [r for r, _ in reference.values()]
        assert table.since_week[slots].tolist() == [w for _, w in reference.values()]
        assert np.flatnonzero(table.is_open).tolist() == sorted(reference)


def test_an_open_case_keeps_its_record_and_closed_slots_are_cleared():
    table = CaseTable(capacity=4)
    table.open(np.array([3, 1]), Route.RAID, week=2)
    table.screened[3] = True
    table.open(np.array([1, 7]), Route.NGO_REFERRAL, week=5)  # 1 is open: route, week kept
    assert table.slots.tolist() == [3, 1, 7]
    assert table.route[[3, 1, 7]].tolist() == [Route.RAID, Route.RAID, Route.NGO_REFERRAL]
    assert table.since_week[[3, 1, 7]].tolist() == [2, 2, 5]
    assert 7 in table and 2 not in table and 10**9 not in table
    table.witness[1] = True
    table.close(np.array([3, 1]))
    assert table.slots.tolist() == [7]
    assert not (table.screened[[1, 3]].any() or table.witness[[1, 3]].any())
    assert table.since_week[[1, 3]].tolist() == [-1, -1]
    with pytest.raises(KeyError, match="no open case for slot"):
        table.close(np.array([3]))


def test_a_slots_array_already_read_does_not_change_and_cannot_be_written():
    table = CaseTable()
    table.open(np.array([4, 2, 9]), Route.RAID, week=0)
    before = table.slots
    table.open(np.array([5]), Route.RAID, week=1)
    table.close(np.array([2]))
    assert before.tolist() == [4, 2, 9]
    assert table.slots.tolist() == [4, 9, 5]
    with pytest.raises(ValueError, match="read-only"):
        table.slots[0] = 1


class _Recording:
    """Wraps a policy's ``in_detention`` and records the detainees it is given."""

    def __init__(self, model: IdentificationModel) -> None:
        self.model = model
        self.given: list[np.ndarray] = []
        self.inner = model.policy.in_detention
        model.policy.in_detention = self

    def __call__(self, detainees: np.ndarray) -> None:
        custody, pop = self.model.custody, self.model.population
        slots = custody.cases.slots
        expected = slots[pop.removal_week[slots] > self.model.week]
        assert detainees.dtype == np.int64
        assert detainees.tolist() == expected.tolist(), "detainees in case-opening order"
        assert (np.diff(custody.cases.since_week[detainees]) >= 0).all()
        self.given.append(detainees)
        self.inner(detainees)


@pytest.mark.parametrize("policy", ["detention_first", "screening_before_detention"])
def test_policies_get_the_waiting_detainees_slots_in_opening_order(small_world, policy):
    model = IdentificationModel(small_world, policy, rng=6)
    recording = _Recording(model)
    for week in range(40):
        model.step()
        assert violations(model) == [], f"week {week}"
    assert sum(len(d) for d in recording.given) > 100, "the test needs detainees"


def test_screening_in_detention_at_probability_zero_screens_no_detainee(small_world):
    model = IdentificationModel(
        small_world, "detention_first", rng=7, screening__offender_screening_probability=0.0
    )
    for _ in range(10):
        model.step()
    detainees = model.custody.detainees()
    unscreened = int((~model.custody.cases.screened[detainees]).sum())
    assert unscreened == len(detainees) > 0, "no screening in detention at probability 0"
    model.policy.screen_some_detainees(detainees)  # probability 0: screens no one
    assert not model.custody.cases.screened[detainees].any()


def test_detainees_screened_in_detention_are_not_screened_again(small_world):
    model = IdentificationModel(
        small_world, "detention_first", rng=8, screening__offender_screening_probability=1.0
    )
    for _ in range(6):
        model.step()
    cases = model.custody.cases
    detainees = model.custody.detainees()
    screened = detainees[cases.screened[detainees]]
    assert len(screened) > 0, "the test needs screened detainees"
    week = dict(model.outcomes.week)
    model.screening.start_week()  # officers free again
    model.policy.screen_some_detainees(screened)
    assert model.outcomes.week == week
