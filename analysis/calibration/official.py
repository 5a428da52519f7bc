"""Yearly official statistics from a run's weekly series.

Officials report yearly counts (initial screenings, victims identified through the mechanism,
prosecutions, the NGO yield); a run records weekly flows. The reduction here is the one place
that turns one into the other, so calibration, the replay and the scale check compare the same
views with the published figures.
"""

from __future__ import annotations

import pandas as pd

#: Who is identified, by group (victims and false positives, every route).
COMPOSITION_FLOWS: tuple[str, ...] = (
    "identified_workers",
    "identified_irregular",
    "identified_sex_trade",
)
#: Weekly flows summed by year in the official-statistics view.
YEARLY_FLOWS: tuple[str, ...] = (
    "encountered",
    "offenders_encountered",
    "raided",
    "raided_illegal_work",
    "victims_encountered",
    "initial_screenings",
    "victims_screened",
    "victims_identified",
    "false_positives",
    "victims_detained",
    "victims_removed_unidentified",
    "witnesses_cooperating",
    "investigations",
    "prosecutions",
    "convictions",
    "ngo_screened",
    "ngo_victims_identified",
    "ngo_referrals",
    "identified_offenders",
    "identified_ngo_referred",
    "victims_found_in_investigations",
    "identified_in_investigations",
    *COMPOSITION_FLOWS,
    "outbound_screened",
    "outbound_identified",
)
#: Outbound flows (Hong Kong residents trafficked abroad, from 2022): absent from result folders
#: written before the stream existed, where they count as 0.
OUTBOUND_FLOWS: tuple[str, ...] = ("outbound_screened", "outbound_identified")
#: Flows added after the first result folders were written, absent from older ones (count 0).
LATER_FLOWS: tuple[str, ...] = (
    *OUTBOUND_FLOWS,
    "raided",
    "raided_illegal_work",
    "identified_offenders",
    "identified_ngo_referred",
    "victims_found_in_investigations",
    "identified_in_investigations",
    *COMPOSITION_FLOWS,
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
    found = flows["victims_identified"] + flows["false_positives"]
    return found - flows["identified_in_investigations"]


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
    stocks = weekly.groupby("year")[["victims_present", "population_size"]].mean() / scale
    table = flows.copy()
    table["identified_mechanism"] = identified_through_screening(flows)
    table["identified_official"] = table["identified_mechanism"] + flows["outbound_identified"]
    table["identified_claimants"] = flows["identified_irregular"]
    table["identified_commercial_sex"] = (
        flows["identified_sex_trade"] - flows["identified_in_investigations"]
    )
    table["screenings_official"] = flows["initial_screenings"] + flows["outbound_screened"]
    table["ngo_yield"] = (flows["ngo_victims_identified"] / flows["ngo_screened"]).fillna(0.0)
    table["victims_present"] = stocks["victims_present"]
    table["population"] = stocks["population_size"]
    table["prevalence"] = stocks["victims_present"] / stocks["population_size"]
    table.index = table.index.astype(int)
    return table
