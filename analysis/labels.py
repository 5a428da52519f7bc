"""Plain words and units for outcome names, and calendar dates for week indices.

Tables, figures and headline sentences name outcomes through :data:`LABELS` so a reader sees
"Victims identified (persons)" rather than ``victims_identified``. ``victims_present`` is two
things: in run summaries the number of *distinct* people who were victims while present during
the run; in weekly series the *stock* of victims present at the end of each week. The two are
named apart (:func:`label` and :func:`weekly_label`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Outcome -> (plain words, unit). Outcomes not listed fall back to their name in words.
LABELS: dict[str, tuple[str, str]] = {
    "victims_present": ("Victims present during the run (distinct people)", "persons"),
    "victims_present_end": ("Victims present at the end", "persons"),
    "victims_new": ("People newly trafficked", "persons"),
    "victims_encountered": ("Victims met by the authorities", "contacts"),
    "victims_screened": ("Victims screened", "screenings"),
    "victims_identified": ("Victims identified", "persons"),
    "identification_rate": ("Share of victims identified", "%"),
    "witnesses_cooperating": ("Victims cooperating as witnesses", "persons"),
    "investigations": ("Investigations of traffickers opened", "cases"),
    "prosecutions": ("Prosecutions of traffickers begun", "cases"),
    "convictions": ("Traffickers convicted", "persons"),
    "false_positives": ("Non-victims identified as victims", "persons"),
    "victims_detained": ("Victims detained", "detentions"),
    "victim_detention_days": ("Days victims spent in detention", "person-days"),
    "detention_days": ("Days in immigration detention (everyone)", "person-days"),
    "victims_removed_unidentified": ("Victims removed without being identified", "persons"),
    "detained": ("Migrants detained", "detentions"),
    "removed": ("Migrants removed", "persons"),
    "encountered": ("Migrants met by the authorities", "contacts"),
    "cost_hkd": ("Cost of screening, detention, support and removal", "HK$"),
    "cost_per_victim_identified": ("Cost per victim identified", "HK$ per victim"),
    "cost_per_prosecution": ("Cost per prosecution begun", "HK$ per prosecution"),
    "incremental_cost_per_victim_identified": (
        "Extra cost per extra victim identified, against the reference",
        "HK$ per victim",
    ),
    "victims_freed": ("Victims freed by a conviction", "persons"),
    "traffickers_active_end": ("Traffickers active at the end", "persons"),
    "population_end": ("Migrants present at the end", "persons"),
    "arrivals": ("Migrants who arrived", "persons"),
    "departures": ("Migrants who left at the end of their stay", "persons"),
    "offenders_encountered": ("Migrants met as offenders", "contacts"),
    "raided": ("Migrants caught in raids on illegal work and vice", "persons"),
    "initial_screenings": ("Initial (tier-1) screenings held", "screenings"),
    "flagged": ("Screenings that flagged possible trafficking", "screenings"),
    "tier2_screenings": ("In-depth (tier-2) screenings held", "persons"),
    "tier2_sessions": ("In-depth interview sessions held", "sessions"),
    "supported_sessions": ("In-depth sessions with support present", "sessions"),
    "victims_identified_in_detention": ("Victims identified while detained", "persons"),
    "identified_offenders": ("People identified among those met as offenders", "persons"),
    "victims_found_in_investigations": ("Victims found by police investigations", "persons"),
    "identified_in_investigations": ("Victims identified on investigation evidence", "persons"),
    "identified_ngo_referred": ("People identified among NGO referrals", "persons"),
    "support_departures": ("Identified people who left after support", "persons"),
    "returned": ("People who came back after removal or support", "persons"),
    "victims_returned": ("People re-trafficked back into Hong Kong", "persons"),
    "victims_coached": ("Victims coached or threatened after a screening", "persons"),
    "victims_moved": ("Victims moved out of raided settings", "persons"),
    "acquittals": ("Prosecutions ending without conviction", "cases"),
    "victims_absconded": ("Victims who escaped their trafficker", "persons"),
    "ngo_screened": ("Migrants screened by NGOs", "screenings"),
    "ngo_victims_identified": ("Victims identified by NGOs", "persons"),
    "ngo_referrals": ("NGO-identified victims referred to the authorities", "persons"),
    "outbound_screened": ("Residents trafficked abroad screened on return", "persons"),
    "outbound_identified": ("Residents trafficked abroad identified on return", "persons"),
}
#: Weekly series: the stocks read at the end of each week, named as stocks.
WEEKLY_LABELS: dict[str, tuple[str, str]] = {
    "victims_present": ("Victims present at the end of the week (stock)", "persons"),
    "population_size": ("Migrants present at the end of the week", "persons"),
    "detainees": ("People in detention at the end of the week", "persons"),
    "victims_supported": ("Identified victims in support at the end of the week", "persons"),
    "traffickers_active": ("Traffickers active at the end of the week", "persons"),
}


def words(metric: str) -> str:
    """Plain words for an outcome, without the unit."""
    return LABELS.get(metric, (metric.replace("_", " ").capitalize(), ""))[0]


def unit(metric: str) -> str:
    """The unit of an outcome (empty when unknown)."""
    return LABELS.get(metric, ("", ""))[1]


def label(metric: str) -> str:
    """Plain words and unit of a run-summary outcome, e.g. ``Victims identified (persons)``."""
    text, measure = LABELS.get(metric, (words(metric), ""))
    return f"{text} ({measure})" if measure else text


def weekly_label(metric: str) -> str:
    """Plain words and unit of a weekly series (stocks named as stocks)."""
    text, measure = WEEKLY_LABELS.get(metric, LABELS.get(metric, (words(metric), "")))
    return f"{text} ({measure})" if measure else text


def week_dates(weekly: pd.DataFrame) -> pd.Series:
    """Calendar date of each row's week: the run's first 1 January plus ``week`` weeks.

    The start year is the run's ``time.start_year``, recovered from the weekly ``year`` column
    (the calendar year of week ``w`` is ``start_year + w // 52``, see the model's ``year``).
    Without a ``year`` column the week index is returned unchanged.
    """
    if "year" not in weekly.columns:
        return weekly["week"]
    week = weekly["week"].to_numpy(dtype=int)
    start = weekly["year"].to_numpy(dtype=int) - week // 52
    first = (start - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    return pd.Series(first + week * np.timedelta64(7, "D"), index=weekly.index)
