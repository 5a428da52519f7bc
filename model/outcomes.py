"""Outcomes: weekly counts of the pipeline, their DataCollector reporters and the run summary.

Flows are counted as they happen (each mechanism calls :meth:`Outcomes.add`); stocks are read
off the model at the end of each week. The run summary sums the flows over the run; for the
number of victims it counts every distinct person who was a victim while present.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from model.model import IdentificationModel

#: Flows counted each week, with their meaning (also used for documentation).
FLOWS: dict[str, str] = {
    "arrivals": "migrants who arrived",
    "departures": "migrants who left at the end of their stay",
    "victims_new": "migrants who became trafficked (at arrival or later)",
    "encountered": "migrants who met the authorities (all routes)",
    "victims_encountered": "victims among them",
    "offenders_encountered": "migrants met as immigration or criminal offenders",
    "raided": "migrants caught in raids on illegal work and vice (the enforcement volume)",
    "raided_illegal_work": "of them, caught in raids on illegal work (not vice): the view of "
    "the illegal workers the Immigration Department prosecutes",
    "initial_screenings": "tier-1 indicator screenings held",
    "victims_screened": "victims among those screened",
    "flagged": "screenings that flagged possible trafficking",
    "tier2_screenings": "in-depth (tier-2) screenings held (persons)",
    "tier2_sessions": "in-depth interview sessions held",
    "supported_sessions": "in-depth sessions with a lawyer, advocate or counsellor present",
    "victims_identified": "victims identified (true positives)",
    "false_positives": "non-victims identified as victims",
    "victims_identified_in_detention": "victims identified while detained",
    "identified_offenders": "migrants identified (victims and false positives) among those met "
    "as offenders (investigations, raids, overstay, arrests), at the scene or in detention",
    "victims_found_in_investigations": "victims found by police investigating their sex-trade "
    "operator",
    "identified_in_investigations": "of them, identified on the investigation's evidence",
    "identified_ngo_referred": "migrants identified (victims and false positives) among NGO "
    "referrals",
    "identified_workers": "migrants identified (victims and false positives) among domestic "
    "and other migrant workers",
    "identified_irregular": "migrants identified (victims and false positives) in the "
    "irregular group (non-refoulement claimants)",
    "identified_sex_trade": "migrants identified (victims and false positives) among sex "
    "workers (commercial sex), whatever the route",
    "detained": "migrants detained",
    "victims_detained": "victims detained",
    "detention_days": "person-days in immigration detention",
    "victim_detention_days": "victim-days in immigration detention",
    "removed": "migrants removed from Hong Kong",
    "victims_removed_unidentified": "victims removed without being identified",
    "support_departures": "identified people who left Hong Kong after support",
    "returned": "people who came back to Hong Kong after removal or after leaving support "
    "(after_removal; 0 when off)",
    "victims_returned": "of them, re-trafficked on coming back (also in victims_new)",
    "victims_coached": "victims whose trafficker, noticing a screening at contact, threatened "
    "and coached them (adaptation; 0 when off)",
    "victims_moved": "of them, moved out of settings exposed to raids (adaptation)",
    "witnesses_cooperating": "identified victims who agreed to act as witnesses",
    "investigations": "investigations of traffickers opened",
    "prosecutions": "prosecutions of traffickers begun",
    "convictions": "traffickers convicted",
    "acquittals": "prosecutions ending without conviction",
    "victims_freed": "victims freed when their trafficker was convicted",
    "victims_absconded": "victims who escaped their trafficker and fell out of status",
    "ngo_screened": "migrants screened by NGOs",
    "ngo_victims_identified": "victims identified by NGOs",
    "ngo_referrals": "NGO-identified victims referred to the authorities",
    "outbound_screened": "returning Hong Kong residents trafficked abroad who were screened "
    "(outbound stream; not in the inbound counts)",
    "outbound_identified": "of them, identified as victims (outbound stream)",
    "cost_hkd": "screening, detention, support and removal costs (HK$)",
}

#: Stocks read at the end of each week.
STOCKS: dict[str, Callable[[IdentificationModel], int]] = {
    "population_size": lambda m: m.population_size,
    "victims_present": lambda m: m.victims_present,
    "detainees": lambda m: m.detainee_count,
    "victims_supported": lambda m: m.supported_count,
    "traffickers_active": lambda m: m.traffickers_active,
}


class Outcomes:
    """Counters of one run: this week's flows and the running totals."""

    def __init__(self) -> None:
        self.week: dict[str, float] = dict.fromkeys(FLOWS, 0)
        self.total: dict[str, float] = dict.fromkeys(FLOWS, 0)

    def add(self, name: str, amount: float = 1) -> None:
        """Count ``amount`` of flow ``name`` in the current week."""
        self.week[name] += amount

    def close_week(self) -> None:
        """Add this week's flows to the totals and start a new week."""
        for name, value in self.week.items():
            self.total[name] += value
            self.week[name] = 0

    def reporters(self) -> dict[str, Callable[[IdentificationModel], Any]]:
        """DataCollector model reporters: every flow of the week and every stock."""
        flows = {name: (lambda m, n=name: m.outcomes.week[n]) for name in FLOWS}
        return {"week": lambda m: m.week, "year": lambda m: m.year, **flows, **STOCKS}


def summarise(model: IdentificationModel) -> dict[str, Any]:
    """One-row summary of a run: flows summed over the run, and derived measures.

    Args:
        model: A model that has run.

    Returns:
        Mapping of outcome name to value; ``victims_present`` counts distinct victims.
    """
    totals = {name: model.outcomes.total[name] + model.outcomes.week[name] for name in FLOWS}
    victims = model.victims_initial + totals["victims_new"]
    summary: dict[str, Any] = {
        "policy": model.policy.name,
        "seed": model.seed,
        "years": (model.week - model.counted_from_week) / 52,
        "victims_present": int(victims),
        "victims_present_end": model.victims_present,
        "identification_rate": totals["victims_identified"] / victims if victims else 0.0,
        "traffickers_active_end": model.traffickers_active,
        "population_end": model.population_size,
    }
    summary.update({k: int(v) if k != "cost_hkd" else float(v) for k, v in totals.items()})
    return summary
