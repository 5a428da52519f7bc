"""Community ties: a sparse contact graph of migrants by nationality and sector (off by default).

Migrants gather by nationality (Sunday gatherings in Central and Causeway Bay, nationality
organisations) and work in sectors (the model's groups). Each **community** is a nationality x
group; within it each migrant belongs to one **circle** (friends met on the day off, an
agency's or an employer's cohort) of about ``ties.circle_size`` people. Two members of a circle
are tied with ``ties.tie_probability`` (so the clustering coefficient of the non-isolated is
about that chance), unless either is **isolated** (``ties.isolated_share``: live-in workers
without a rest day, phones taken), who has no ties. The expected degree of a non-isolated
member is ``tie_probability x (members - 1) x (1 - isolated_share)``; with the defaults (12,
0.6, 0.25) about 5, within the 4-8 close ties the evidence suggests.

Storage is arrays only, at 400,000 migrants:

* circle membership is a sparse table with one row per circle and a fixed number of seats
  (``SEATS_PER_MEMBER x circle_size``): the slot and the ``person_id`` in each seat (a CSR
  matrix whose rows all have the same length, so a row is found without an index); a seat
  whose person has left (the slot's ``person_id`` no longer matches) is free for an arrival;
* whether two members are tied is a pure function of their identities (``model.dice``, a hash
  of the pair), so no edge is stored and an arrival's ties cost nothing to create;
* each slot's community and circle (two small integer columns kept here, grown with the
  population).

The graph is built once at set-up from the initial population and grows with arrivals: each
arrival takes a free seat in a circle of its community (a circle drawn from its identity,
then the next ones if full). :func:`graph` gives it as a SciPy CSR adjacency matrix (for
measurement: degrees, clustering).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.dice import Decision
from model.states import Group

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

    from model.model import IdentificationModel

#: Nationalities (the communities' first key).
NATIONALITIES = (
    "philippines",
    "indonesia",
    "south_asia",
    "vietnam",
    "mainland",
    "thailand",
    "other",
)
#: Share of each nationality per group (rows in ``Group`` order; each row sums to 1).
#: Domestic workers: Immigration Department, end of October 2018 (Asia Times, November 2018):
#: 210,773 Filipino, 165,077 Indonesian, 4,483 Indian, 4,808 others (Thai, Bangladeshi,
#: Nepali) of 385,141. Irregular migrants: non-refoulement claimants by nationality at
#: end-September 2022 (LCQ10, 23 November 2022): Vietnamese 3,056, Indonesian 2,470, Pakistani,
#: Indian, Bangladeshi, Nepali and Sri Lankan 6,721, Filipino 1,343, others 1,371 of 14,961.
#: Other workers and sex workers: assumptions (imported workers mostly from the mainland;
#: migrant sex workers from the mainland, Thailand and Vietnam).
NATIONALITY_SHARES = np.array(
    [
        [0.547, 0.429, 0.012, 0.0, 0.0, 0.0, 0.012],
        [0.10, 0.0, 0.10, 0.0, 0.70, 0.0, 0.10],
        [0.0, 0.0, 0.0, 0.15, 0.50, 0.20, 0.15],
        [0.090, 0.165, 0.449, 0.204, 0.0, 0.0, 0.092],
    ]
)
#: Seats of a circle per expected member: room for circles to fill unevenly and to grow.
SEATS_PER_MEMBER = 2
#: Further circles of the community an arrival tries when its own is full.
TRIES = 8


def nationality(dice, ids: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each person's nationality, drawn from their group's shares (keyed by identity)."""
    cumulative = np.cumsum(NATIONALITY_SHARES, axis=1)
    cumulative[:, -1] = 1.0
    u = dice.uniforms(Decision.NATIONALITY, ids)
    out = np.empty(len(ids), dtype=np.int16)
    for group in range(len(cumulative)):
        members = groups == group
        out[members] = np.searchsorted(cumulative[group], u[members], side="right")
    return out


def communities(dice, ids: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Community (group x nationality) of each person."""
    return groups.astype(np.int16) * len(NATIONALITIES) + nationality(dice, ids, groups)


@dataclass
class Circles:
    """Circle membership of the present migrants (see the module docstring).

    Attributes:
        seat_slot: Slot in each seat, ``(circles, seats)``; -1 if never taken.
        seat_person: ``person_id`` of who took each seat (a seat is live while it matches).
        first_circle: First circle of each community (circles of a community are contiguous).
        circle_count: Circles of each community.
        community: Community of each slot (-1 if none).
        circle: Circle of each slot (-1 if none: no free seat was found).
    """

    seat_slot: np.ndarray
    seat_person: np.ndarray
    first_circle: np.ndarray
    circle_count: np.ndarray
    community: np.ndarray
    circle: np.ndarray

    def fit(self, capacity: int) -> None:
        """Grow the slot columns with the population's arrays."""
        if len(self.community) < capacity:
            extra = capacity - len(self.community)
            self.community = np.concatenate([self.community, np.full(extra, -1, np.int16)])
            self.circle = np.concatenate([self.circle, np.full(extra, -1, np.int32)])


def circles(model: IdentificationModel) -> Circles | None:
    """The model's circles, or ``None`` when ties are off."""
    return getattr(model, "circles", None)


def build(model: IdentificationModel) -> None:
    """Build the circles of the initial population (set-up); nothing when ties are off."""
    params = model.params.ties
    if not params.enabled:
        return
    pop = model.population
    slots = np.flatnonzero(pop.present)
    ids = pop.person_id[slots]
    groups = pop.group[slots]
    community = communities(model.dice, ids, groups)
    n_communities = len(Group) * len(NATIONALITIES)
    sizes = np.bincount(community, minlength=n_communities)
    count = np.maximum(1, np.ceil(sizes / params.circle_size)).astype(np.int64)
    first = np.concatenate([[0], np.cumsum(count)[:-1]])
    seats = SEATS_PER_MEMBER * params.circle_size
    table = Circles(
        seat_slot=np.full((int(count.sum()), seats), -1, dtype=np.int32),
        seat_person=np.full((int(count.sum()), seats), -1, dtype=np.int64),
        first_circle=first,
        circle_count=count,
        community=np.full(pop.capacity, -1, dtype=np.int16),
        circle=np.full(pop.capacity, -1, dtype=np.int32),
    )
    # Members of a community (in slot order, which is random in the traits) dealt round its
    # circles; a stable sort of small integers is a radix sort.
    order = np.argsort(community, kind="stable")
    slots, ids, community = slots[order], ids[order], community[order]
    rank = np.arange(len(slots)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    circle = first[community] + rank % count[community]
    seat = rank // count[community]
    table.seat_slot[circle, seat] = slots
    table.seat_person[circle, seat] = ids
    table.community[slots] = community
    table.circle[slots] = circle
    model.circles = table


def join(model: IdentificationModel, slots: np.ndarray) -> None:
    """Seat arrivals ``slots`` in circles of their communities (nothing when ties are off)."""
    table = circles(model)
    if table is None or len(slots) == 0:
        return
    pop = model.population
    table.fit(pop.capacity)
    ids = pop.person_id[slots]
    community = communities(model.dice, ids, pop.group[slots])
    table.community[slots] = community
    table.circle[slots] = -1
    count = table.circle_count[community]
    start = model.dice.integers(Decision.CIRCLE, ids, 0, 1 << 30) % count
    waiting = np.arange(len(slots))
    for attempt in range(TRIES):
        if len(waiting) == 0:
            break
        who = slots[waiting]
        circle = (
            table.first_circle[community[waiting]] + (start[waiting] + attempt) % count[waiting]
        )
        seated = _take_seats(table, pop.person_id, circle, who)
        waiting = waiting[~seated]


def _take_seats(table: Circles, person_id: np.ndarray, circle: np.ndarray, slots: np.ndarray):
    """Give each of ``slots`` a free seat in its ``circle`` where one is left; which got one.

    Arrivals for the same circle take its free seats in turn: the ``r``-th of them (in their
    order) the ``r``-th free seat, so no seat is given twice.
    """
    order = np.argsort(circle, kind="stable")
    ordered = circle[order]
    first = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    rank = np.empty(len(circle), dtype=np.int64)
    rank[order] = np.arange(len(ordered)) - np.repeat(first, np.diff(np.r_[first, len(ordered)]))
    seat_slots = table.seat_slot[circle]
    free = (seat_slots < 0) | (person_id[np.maximum(seat_slots, 0)] != table.seat_person[circle])
    pick = free & (np.cumsum(free, axis=1) - 1 == rank[:, None])
    seated = pick.any(axis=1)
    column = pick.argmax(axis=1)[seated]
    rows = circle[seated]
    table.seat_slot[rows, column] = slots[seated]
    table.seat_person[rows, column] = person_id[slots[seated]]
    table.circle[slots[seated]] = rows
    return seated


def isolated(model: IdentificationModel, ids: np.ndarray) -> np.ndarray:
    """Whether each person has no ties (keyed by identity, fixed for life)."""
    return model.dice.bernoulli(Decision.ISOLATED, ids, model.params.ties.isolated_share)


def tied(model: IdentificationModel, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether persons ``a`` and ``b`` (identities, pairwise, in the same circle) are tied."""
    low, high = np.minimum(a, b), np.maximum(a, b)
    pair = (low << 32) + high
    chance = model.params.ties.tie_probability
    return (
        model.dice.bernoulli(Decision.TIE, pair, chance) & ~isolated(model, a) & ~isolated(model, b)
    )


def contacts(model: IdentificationModel, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The present contacts of migrants ``slots``: pairs ``(index into slots, contact slot)``.

    A migrant who is not seated (ties off, or no free seat) has none.
    """
    table = circles(model)
    empty = np.zeros(0, dtype=np.int64)
    if table is None or len(slots) == 0:
        return empty, empty
    pop = model.population
    table.fit(pop.capacity)
    circle = table.circle[slots]
    seated = np.flatnonzero(circle >= 0)
    if len(seated) == 0:
        return empty, empty
    rows = circle[seated]
    members = table.seat_slot[rows].astype(np.int64)
    live = (members >= 0) & (pop.person_id[np.maximum(members, 0)] == table.seat_person[rows])
    live &= members != slots[seated][:, None]
    source, column = np.nonzero(live)
    contact = members[source, column]
    source = seated[source]
    keep = tied(model, pop.person_id[slots[source]], pop.person_id[contact])
    return source[keep], contact[keep]


def graph(model: IdentificationModel) -> csr_matrix:
    """The contact graph of the present migrants as a SciPy CSR adjacency matrix over slots."""
    from scipy.sparse import csr_matrix

    pop = model.population
    slots = np.flatnonzero(pop.present)
    source, contact = contacts(model, slots)
    n = pop.capacity
    data = np.ones(len(source), dtype=np.int8)
    return csr_matrix((data, (slots[source], contact)), shape=(n, n))


def degree_and_clustering(adjacency: csr_matrix, slots: np.ndarray) -> tuple[float, float]:
    """Mean degree of ``slots`` and the mean local clustering of those with two ties or more."""
    a = adjacency.astype(np.float64)
    degree = np.asarray(a.sum(axis=1)).ravel()
    triangles = np.asarray((a @ a).multiply(a).sum(axis=1)).ravel() / 2
    d = degree[slots]
    possible = d * (d - 1) / 2
    some = possible > 0
    return float(d.mean()), float((triangles[slots][some] / possible[some]).mean())
