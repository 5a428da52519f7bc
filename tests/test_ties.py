"""Community ties: the contact graph has the stated degree and clustering, communities follow
the nationality shares, arrivals are seated, departed people drop out, and the graph alone
changes no result."""

from __future__ import annotations

import numpy as np
import pytest

from model import IdentificationModel, ties
from model.states import Group
from tests.expectations import assert_share

SMALL = {
    "population.domestic_workers": 6000,
    "population.other_workers": 300,
    "population.sex_workers": 500,
    "population.irregular": 800,
}


def model_with_ties(seed: int = 4, **options) -> IdentificationModel:
    overrides = {**SMALL, "ties.enabled": True}
    overrides.update({f"ties.{k}": v for k, v in options.items()})
    return IdentificationModel(rng=seed, overrides=overrides)


def test_off_no_graph_is_built():
    model = IdentificationModel(rng=4, overrides=SMALL)
    assert ties.circles(model) is None
    source, contact = ties.contacts(model, np.arange(10))
    assert len(source) == len(contact) == 0


def test_the_graph_alone_changes_no_result():
    """Ties draw only from their own dice: a run with them is the run without them."""
    on = model_with_ties().run(1.0)
    off = IdentificationModel(rng=4, overrides=SMALL).run(1.0)
    assert on == off


def test_degree_and_clustering_are_those_stated():
    """Clustering of the tied is tie_probability; degree q (members - 1)(1 - isolated)."""
    model = model_with_ties(circle_size=10, tie_probability=0.5, isolated_share=0.2)
    pop, table = model.population, ties.circles(model)
    slots = np.flatnonzero(pop.present)
    adjacency = ties.graph(model)
    lonely = ties.isolated(model, pop.person_id[slots])
    mean_degree, clustering = ties.degree_and_clustering(adjacency, slots[~lonely])
    members = np.bincount(table.circle[slots], minlength=len(table.seat_slot))
    expected = 0.5 * (members[table.circle[slots[~lonely]]] - 1) * 0.8
    assert mean_degree == pytest.approx(expected.mean(), rel=0.05)
    assert clustering == pytest.approx(0.5, abs=0.03)
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    assert (degree[slots[lonely]] == 0).all()
    assert (adjacency != adjacency.T).nnz == 0  # ties are mutual


def test_communities_follow_the_nationality_shares():
    model = model_with_ties()
    pop, table = model.population, ties.circles(model)
    domestic = np.flatnonzero(pop.present & (pop.group == Group.DOMESTIC))
    filipino = table.community[domestic] == Group.DOMESTIC * len(ties.NATIONALITIES)
    assert_share(filipino.mean(), ties.NATIONALITY_SHARES[Group.DOMESTIC][0], len(domestic))
    # A circle holds one community only.
    slots = np.flatnonzero(pop.present)
    circle, community = table.circle[slots], table.community[slots]
    first = np.full(len(table.seat_slot), -1)
    first[circle] = community
    assert (first[circle] == community).all()


def test_arrivals_are_seated_and_departed_people_have_no_ties():
    model = model_with_ties()
    model.run(1.0)
    pop, table = model.population, ties.circles(model)
    slots = np.flatnonzero(pop.present)
    assert (pop.arrival_week[slots] > 0).sum() > 500
    assert (table.circle[slots] >= 0).mean() > 0.99
    source, contact = ties.contacts(model, slots)
    assert pop.present[contact].all()
    assert (pop.group[slots[source]] == pop.group[contact]).all()
