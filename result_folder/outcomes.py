"""The outcomes of a run, each declared once: name, meaning, plain label, unit, kind.

Every layer names outcomes from here: the model counts its flows and reads its stocks under these
names (``model.outcomes``), the result folders hold them as columns, and analysis labels them
(``analysis.labels``) and sums them into the official view (``analysis.calibration.official``).
Code refers to an outcome through :data:`OUTCOME` (``OUTCOME.victims_identified`` is the string
``"victims_identified"``, checked against the declaration), never by a string literal.

Three kinds: a **flow** is counted each week as it happens and summed over the run; a **stock**
is read off the model at the end of each week; a **measure** is derived from the others (in the
run summary, or by analysis). The declaration's order is the order of the result tables' columns.

Adding an outcome is one entry in :data:`DECLARED` (and, if officials report it yearly, its name
in :data:`YEARLY_VIEW`); ``docs/architecture.md`` shows it as a worked example.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["flow", "stock", "measure"]


@dataclass(frozen=True)
class Outcome:
    """One outcome of a run.

    Attributes:
        name: Its column in the result tables.
        meaning: What it counts, in a phrase (the model's documentation).
        label: Plain words for tables and figures; empty to use the name in words.
        unit: What it is counted in (``persons``, ``cases``, ``HK$``...); empty when unlabelled.
        kind: ``flow``, ``stock`` or ``measure`` (see the module).
        weekly_label: Plain words for its weekly series, when they differ (stocks).
        added_later: Absent from result folders written before it existed, read there as 0.
    """

    name: str
    meaning: str
    label: str = ""
    unit: str = ""
    kind: Kind = "flow"
    weekly_label: str = ""
    added_later: bool = False


def flow(
    name: str, meaning: str, label: str = "", unit: str = "", *, added_later: bool = False
) -> Outcome:
    """A weekly flow: counted as it happens, summed over the run."""
    return Outcome(name, meaning, label, unit, "flow", added_later=added_later)


def stock(name: str, meaning: str, label: str, unit: str, *, weekly_label: str) -> Outcome:
    """A stock read at the end of each week (``label`` names its run-summary value, if any)."""
    return Outcome(name, meaning, label, unit, "stock", weekly_label=weekly_label)


def measure(name: str, meaning: str, label: str, unit: str) -> Outcome:
    """A measure derived from flows and stocks, in the run summary or by analysis."""
    return Outcome(name, meaning, label, unit, "measure")


# fmt: off
#: Every outcome, in the order of the result tables' columns.
DECLARED: tuple[Outcome, ...] = (
    # kind(name, meaning,
    #      plain label, unit),
    flow("arrivals", "migrants who arrived",
         "Migrants who arrived", "persons"),
    flow("departures", "migrants who left at the end of their stay",
         "Migrants who left at the end of their stay", "persons"),
    flow("victims_new", "migrants who became trafficked (at arrival or later)",
         "People newly trafficked", "persons"),
    flow("encountered", "migrants who met the authorities (all routes)",
         "Migrants met by the authorities", "contacts"),
    flow("victims_encountered", "victims among them",
         "Victims met by the authorities", "contacts"),
    flow("offenders_encountered", "migrants met as immigration or criminal offenders",
         "Migrants met as offenders", "contacts"),
    flow("raided", "migrants caught in raids on illegal work and vice (the enforcement volume)",
         "Migrants caught in raids on illegal work and vice", "persons", added_later=True),
    flow("raided_illegal_work", "of them, caught in raids on illegal work (not vice): the view of "
         "the illegal workers the Immigration Department prosecutes",
         "", "", added_later=True),
    flow("initial_screenings", "tier-1 indicator screenings held",
         "Initial (tier-1) screenings held", "screenings"),
    flow("victims_screened", "victims among those screened",
         "Victims screened", "screenings"),
    flow("flagged", "screenings that flagged possible trafficking",
         "Screenings that flagged possible trafficking", "screenings"),
    flow("tier2_screenings", "in-depth (tier-2) screenings held (persons)",
         "In-depth (tier-2) screenings held", "persons"),
    flow("tier2_sessions", "in-depth interview sessions held",
         "In-depth interview sessions held", "sessions"),
    flow("supported_sessions", "in-depth sessions with a lawyer, advocate or counsellor present",
         "In-depth sessions with support present", "sessions"),
    flow("victims_identified", "victims identified (true positives)",
         "Victims identified", "persons"),
    flow("false_positives", "non-victims identified as victims",
         "Non-victims identified as victims", "persons"),
    flow("victims_identified_in_detention", "victims identified while detained",
         "Victims identified while detained", "persons"),
    flow("identified_offenders",
         "migrants identified (victims and false positives) among those met as offenders "
         "(investigations, raids, overstay, arrests), at the scene or in detention",
         "People identified among those met as offenders", "persons", added_later=True),
    flow("victims_found_in_investigations",
         "victims found by police investigating their sex-trade operator",
         "Victims found by police investigations", "persons", added_later=True),
    flow("identified_in_investigations", "of them, identified on the investigation's evidence",
         "Victims identified on investigation evidence", "persons", added_later=True),
    flow("identified_ngo_referred",
         "migrants identified (victims and false positives) among NGO referrals",
         "People identified among NGO referrals", "persons", added_later=True),
    flow("identified_workers", "migrants identified (victims and false positives) among domestic "
         "and other migrant workers",
         "", "", added_later=True),
    flow("identified_irregular", "migrants identified (victims and false positives) in the "
         "irregular group (non-refoulement claimants)",
         "", "", added_later=True),
    flow("identified_sex_trade", "migrants identified (victims and false positives) among sex "
         "workers (commercial sex), whatever the route",
         "", "", added_later=True),
    flow("detained", "migrants detained",
         "Migrants detained", "detentions"),
    flow("victims_detained", "victims detained",
         "Victims detained", "detentions"),
    flow("detention_days", "person-days in immigration detention",
         "Days in immigration detention (everyone)", "person-days"),
    flow("victim_detention_days", "victim-days in immigration detention",
         "Days victims spent in detention", "person-days"),
    flow("removed", "migrants removed from Hong Kong",
         "Migrants removed", "persons"),
    flow("victims_removed_unidentified", "victims removed without being identified",
         "Victims removed without being identified", "persons"),
    flow("support_departures", "identified people who left Hong Kong after support",
         "Identified people who left after support", "persons"),
    flow("returned", "people who came back to Hong Kong after removal or after leaving support "
         "(after_removal; 0 when off)",
         "People who came back after removal or support", "persons"),
    flow("victims_returned", "of them, re-trafficked on coming back (also in victims_new)",
         "People re-trafficked back into Hong Kong", "persons"),
    flow("victims_coached", "victims whose trafficker, noticing a screening at contact, threatened"
         " and coached them (adaptation; 0 when off)",
         "Victims coached or threatened after a screening", "persons"),
    flow("victims_moved", "of them, moved out of settings exposed to raids (adaptation)",
         "Victims moved out of raided settings", "persons"),
    flow("witnesses_cooperating", "identified victims who agreed to act as witnesses",
         "Victims cooperating as witnesses", "persons"),
    flow("investigations", "investigations of traffickers opened",
         "Investigations of traffickers opened", "cases"),
    flow("prosecutions", "prosecutions of traffickers begun",
         "Prosecutions of traffickers begun", "cases"),
    flow("convictions", "traffickers convicted",
         "Traffickers convicted", "persons"),
    flow("acquittals", "prosecutions ending without conviction",
         "Prosecutions ending without conviction", "cases"),
    flow("victims_freed", "victims freed when their trafficker was convicted",
         "Victims freed by a conviction", "persons"),
    flow("victims_absconded", "victims who escaped their trafficker and fell out of status",
         "Victims who escaped their trafficker", "persons"),
    flow("ngo_screened", "migrants screened by NGOs",
         "Migrants screened by NGOs", "screenings"),
    flow("ngo_victims_identified", "victims identified by NGOs",
         "Victims identified by NGOs", "persons"),
    flow("ngo_referrals", "NGO-identified victims referred to the authorities",
         "NGO-identified victims referred to the authorities", "persons"),
    flow("outbound_screened", "returning Hong Kong residents trafficked abroad who were screened "
         "(outbound stream; not in the inbound counts)",
         "Residents trafficked abroad screened on return", "persons", added_later=True),
    flow("outbound_identified", "of them, identified as victims (outbound stream)",
         "Residents trafficked abroad identified on return", "persons", added_later=True),
    flow("cost_hkd", "screening, detention, support and removal costs (HK$)",
         "Cost of screening, detention, support and removal", "HK$"),
    stock("population_size", "migrants present at the end of the week",
          "", "persons",
          weekly_label="Migrants present at the end of the week"),
    stock("victims_present", "victims present at the end of the week; in the run summary, every "
          "distinct person who was a victim while present",
          "Victims present during the run (distinct people)", "persons",
          weekly_label="Victims present at the end of the week (stock)"),
    stock("detainees", "people in immigration detention at the end of the week",
          "", "persons",
          weekly_label="People in detention at the end of the week"),
    stock("victims_supported", "identified victims in support at the end of the week",
          "", "persons",
          weekly_label="Identified victims in support at the end of the week"),
    stock("traffickers_active", "traffickers active at the end of the week",
          "", "persons",
          weekly_label="Traffickers active at the end of the week"),
    measure("victims_present_end", "victims present at the end of the run",
            "Victims present at the end", "persons"),
    measure("identification_rate", "victims identified per distinct victim present in the run",
            "Share of victims identified", "%"),
    measure("cost_per_victim_identified", "cost per victim identified (by analysis)",
            "Cost per victim identified", "HK$ per victim"),
    measure("cost_per_prosecution", "cost per prosecution begun (by analysis)",
            "Cost per prosecution begun", "HK$ per prosecution"),
    measure("incremental_cost_per_victim_identified",
            "extra cost per extra victim identified against a reference policy (by analysis)",
            "Extra cost per extra victim identified, against the reference", "HK$ per victim"),
    measure("traffickers_active_end", "traffickers active at the end of the run",
            "Traffickers active at the end", "persons"),
    measure("population_end", "migrants present at the end of the run",
            "Migrants present at the end", "persons"),
)
# fmt: on

#: Each outcome by name.
OUTCOMES: dict[str, Outcome] = {outcome.name: outcome for outcome in DECLARED}


class _Names:
    """The declared names as attributes: ``OUTCOME.victims_identified == "victims_identified"``.

    An undeclared name raises :class:`AttributeError`, so a misspelt outcome fails where it is
    named instead of reading a missing column.
    """

    def __getattr__(self, name: str) -> str:
        if name in OUTCOMES:
            return name
        raise AttributeError(f"no outcome {name!r} is declared in result_folder.outcomes")

    def __dir__(self) -> list[str]:
        return list(OUTCOMES)


#: The outcomes' names, one attribute each.
OUTCOME = _Names()


def names(kind: Kind) -> tuple[str, ...]:
    """The names of every outcome of one kind, in declaration order."""
    return tuple(outcome.name for outcome in OUTCOMES.values() if outcome.kind == kind)


#: The official-statistics view: the flows officials report, summed by calendar year, in the
#: order of the yearly table's columns (``analysis.calibration.official``).
YEARLY_VIEW: tuple[str, ...] = (
    OUTCOME.encountered,
    OUTCOME.offenders_encountered,
    OUTCOME.raided,
    OUTCOME.raided_illegal_work,
    OUTCOME.victims_encountered,
    OUTCOME.initial_screenings,
    OUTCOME.victims_screened,
    OUTCOME.victims_identified,
    OUTCOME.false_positives,
    OUTCOME.victims_detained,
    OUTCOME.victims_removed_unidentified,
    OUTCOME.witnesses_cooperating,
    OUTCOME.investigations,
    OUTCOME.prosecutions,
    OUTCOME.convictions,
    OUTCOME.ngo_screened,
    OUTCOME.ngo_victims_identified,
    OUTCOME.ngo_referrals,
    OUTCOME.identified_offenders,
    OUTCOME.identified_ngo_referred,
    OUTCOME.victims_found_in_investigations,
    OUTCOME.identified_in_investigations,
    OUTCOME.identified_workers,
    OUTCOME.identified_irregular,
    OUTCOME.identified_sex_trade,
    OUTCOME.outbound_screened,
    OUTCOME.outbound_identified,
)
