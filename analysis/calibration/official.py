"""Yearly official statistics from a run's weekly series.

Officials report yearly counts (initial screenings, victims identified through the mechanism,
prosecutions, the NGO yield); a run records weekly flows. The reduction here is the one place
that turns one into the other, so calibration, the replay and the scale check compare the same
views with the published figures.
"""

from __future__ import annotations

import pandas as pd

from result_folder.outcomes import DECLARED, OUTCOME, YEARLY_VIEW

#: Weekly flows summed by year in the official-statistics view (declared with the outcomes).
YEARLY_FLOWS: tuple[str, ...] = YEARLY_VIEW
#: Flows added after the first result folders were written, absent from older ones (count 0).
LATER_FLOWS: tuple[str, ...] = tuple(
    outcome.name for outcome in DECLARED if outcome.kind == "flow" and outcome.added_later
)


def identified_through_screening(flows: pd.DataFrame) -> pd.Series:
    """People identified through the screening mechanism: what officials count as identified.

    True plus false positives of every screening (by officers at contact or in detention, and
    of NGO referrals), without the victims identified on the evidence of a sex-trafficking
    investigation (``identified_in_investigations``): those were never screened, so they are
    not "identified through the screening mechanism" (US TIP report 2019 counts 18 that way in
    2018, against 29 identified through all channels).

    Args:
        flows: Yearly (or weekly) flows with ``victims_identified``, ``false_positives`` and
            ``identified_in_investigations``.
    """
    found = flows[OUTCOME.victims_identified] + flows[OUTCOME.false_positives]
    return found - flows[OUTCOME.identified_in_investigations]


def official_statistics(weekly: pd.DataFrame, scale: float = 1.0) -> pd.DataFrame:
    """Sum a run's weekly series by calendar year into official-statistics views.

    Args:
        weekly: The model's weekly series (``model.weekly()``), with a ``year`` column.
        scale: Population scale of the run; counts are divided by it.

    Returns:
        Indexed by ``year``: the yearly flows of :data:`YEARLY_FLOWS` (rescaled), then
        ``identified_mechanism`` (inbound: true plus false positives identified through the
        screening mechanism, i.e. without the victims identified on an investigation's
        evidence, who were never screened),
        ``identified_official`` and ``screenings_official`` (inbound plus the outbound stream,
        as officials total them from 2022), who is identified through the screening mechanism:
        ``identified_workers`` (domestic and other migrant workers), ``identified_claimants``
        (the irregular group, non-refoulement claimants) and ``identified_commercial_sex``
        (sex workers, without those identified on an investigation's evidence), which add up
        to ``identified_mechanism``, ``ngo_yield`` (NGO-identified victims per migrant
        screened by NGOs), ``victims_present`` and ``population`` (yearly
        means, rescaled) and ``prevalence`` (victims present per migrant present).
    """
    weekly = weekly.assign(**{n: 0 for n in LATER_FLOWS if n not in weekly.columns})
    flows = weekly.groupby("year")[list(YEARLY_FLOWS)].sum() / scale
    stocks = (
        weekly.groupby("year")[[OUTCOME.victims_present, OUTCOME.population_size]].mean() / scale
    )
    table = flows.copy()
    table["identified_mechanism"] = identified_through_screening(flows)
    table["identified_official"] = (
        table["identified_mechanism"] + flows[OUTCOME.outbound_identified]
    )
    table["identified_claimants"] = flows[OUTCOME.identified_irregular]
    table["identified_commercial_sex"] = (
        flows[OUTCOME.identified_sex_trade] - flows[OUTCOME.identified_in_investigations]
    )
    table["screenings_official"] = (
        flows[OUTCOME.initial_screenings] + flows[OUTCOME.outbound_screened]
    )
    table["ngo_yield"] = (
        flows[OUTCOME.ngo_victims_identified] / flows[OUTCOME.ngo_screened]
    ).fillna(0.0)
    table[OUTCOME.victims_present] = stocks[OUTCOME.victims_present]
    table["population"] = stocks[OUTCOME.population_size]
    table["prevalence"] = stocks[OUTCOME.victims_present] / stocks[OUTCOME.population_size]
    table.index = table.index.astype(int)
    return table
