"""Two policies side by side on the same seed: the model the ``tipsim explore`` dashboard steps.

:class:`PolicyPair` is a Mesa model holding one :class:`experiments.ScenarioModel` per policy,
built from the same world, the same overrides and the same seed, so both start from the same
population and each individual gets the same random numbers for each decision in each week
under both (common random numbers, ``model.dice``); each step advances both by one
week. Its ``DataCollector`` records, per week, each policy's weekly flows and running totals
under the column names ``"<outcome> | <policy>"``.

World sliders are *multipliers* of the chosen world's own values (1 keeps the world as it is),
so choosing a different world is never undone by a slider left at its default; lever sliders set
the screening levers of both policies.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import mesa

from experiments.core.scenario_model import ScenarioModel
from result_folder.outcomes import OUTCOME
from scenarios.loader import load_scenario

#: Outcomes the dashboard follows, weekly and as running totals, with their plain label.
FOLLOWED: dict[str, str] = {
    OUTCOME.victims_encountered: "Victims met by the authorities",
    OUTCOME.victims_screened: "Victims screened",
    OUTCOME.victims_identified: "Victims identified",
    OUTCOME.victims_detained: "Victims detained",
    OUTCOME.victims_removed_unidentified: "Victims removed unidentified",
}

#: The identification funnel, in order: (outcome, plain label).
FUNNEL: tuple[tuple[str, str], ...] = (
    ("victims_total", "Victims present (distinct people)"),
    (OUTCOME.victims_encountered, "Met by the authorities"),
    (OUTCOME.victims_screened, "Screened"),
    (OUTCOME.victims_identified, "Identified"),
)

#: World multipliers: slider name -> (plain label, the world fields it scales).
WORLD_FACTORS: dict[str, tuple[str, tuple[str, ...]]] = {
    "prevalence_factor": (
        "Share of migrants trafficked (× world's value)",
        (
            "prevalence.trafficked_share_domestic",
            "prevalence.forced_labour_share_domestic",
            "prevalence.trafficked_share_other",
            "prevalence.trafficked_share_sex",
            "prevalence.trafficked_share_irregular",
        ),
    ),
    "encounter_factor": (
        "Rates of meeting the authorities (× world's value)",
        (
            "encounters.raid_rate_per_year",
            "encounters.overstayer_detection_rate_per_year",
            "encounters.complaint_rate_per_year",
            "encounters.self_referral_rate_per_year",
        ),
    ),
}


def column(outcome: str, policy: str) -> str:
    """Data-collector column of ``outcome`` for ``policy``."""
    return f"{outcome} | {policy}"


class PolicyPair(mesa.Model):
    """A baseline and a reform policy run side by side in the same world on the same seed.

    Args:
        world: Shipped world name or scenario path.
        reform: Policy under test (registry name, shipped policy name or file).
        baseline: Policy it is compared with.
        seed: Seed shared by both runs.
        years: Stop after this many years.
        prevalence_factor: Multiplier of the world's trafficked shares.
        encounter_factor: Multiplier of the world's rates of meeting the authorities.
        **kwargs: Screening levers for both policies, ``screening__field=value``; any other
            ``section__field`` override is passed on as well.

    Raises:
        ValueError: If the two policies are the same (there would be nothing to compare).
    """

    def __init__(
        self,
        world: str = "hong_kong_baseline",
        reform: str = "screening_before_detention",
        baseline: str = "detention_first",
        seed: int = 1,
        years: float = 2.0,
        prevalence_factor: float = 1.0,
        encounter_factor: float = 1.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(rng=int(seed))
        params = load_scenario(world)
        self.world = world
        self.seed = int(seed)
        self.years = float(years)
        self.start = dt.date(params.time.start_year, 1, 1)
        overrides = dict(kwargs)  # named so for Mesa's SolaraViz, which looks for **kwargs
        for name, factor in (
            ("prevalence_factor", prevalence_factor),
            ("encounter_factor", encounter_factor),
        ):
            for path in WORLD_FACTORS[name][1]:
                section, field = path.split(".")
                value = getattr(getattr(params, section), field)
                overrides[path] = min(value * float(factor), _upper(section, field))
        self.policies = (baseline, reform)
        self.runs = {
            name: ScenarioModel(params, name, rng=int(seed), years=years, overrides=overrides)
            for name in dict.fromkeys(self.policies)
        }
        if len(self.runs) < 2:
            raise ValueError(f"choose two different policies to compare (both are {baseline!r})")
        self._last_week: dict[str, dict[str, float]] = {}
        self.datacollector = mesa.DataCollector(model_reporters=self._reporters())

    def _reporters(self) -> dict[str, Any]:
        reporters: dict[str, Any] = {"date": lambda m: m.date}
        for name in self.runs:
            for outcome in FOLLOWED:
                reporters[column(outcome, name)] = lambda m, o=outcome, n=name: m.weekly(n, o)
                reporters[column(f"{outcome}_total", name)] = lambda m, o=outcome, n=name: m.total(
                    n, o
                )
            reporters[column(OUTCOME.victims_present, name)] = lambda m, n=name: (
                m.runs[n].victims_present
            )
        return reporters

    @property
    def date(self) -> dt.date:
        """First day of the week just simulated (the start date before the first step)."""
        week = max(0, self.week - 1)
        return self.start + dt.timedelta(weeks=week)

    @property
    def week(self) -> int:
        """Weeks simulated so far."""
        return next(iter(self.runs.values())).week

    def levers(self, policy: str) -> dict[str, Any]:
        """The screening levers ``policy``'s model runs with, as the model holds them."""
        return self.runs[policy].params.screening.model_dump()

    def weekly(self, policy: str, outcome: str) -> float:
        """Flow ``outcome`` of the week just simulated under ``policy``."""
        return self._last_week.get(policy, {}).get(outcome, 0)

    def total(self, policy: str, outcome: str) -> float:
        """Flow ``outcome`` summed over the weeks simulated under ``policy``."""
        return self.runs[policy].outcomes.total[outcome]

    def funnel(self, policy: str) -> dict[str, float]:
        """Running totals of the identification funnel under ``policy``."""
        summary = self.runs[policy].summary()
        names = {"victims_total": OUTCOME.victims_present}  # the summary counts distinct victims
        return {key: summary[names.get(key, key)] for key, _ in FUNNEL}

    def step(self) -> None:
        """Advance both policies by one week and record both."""
        self._last_week = {}
        for name, run in self.runs.items():
            run.step()
            self._last_week[name] = {o: run.datacollector.model_vars[o][-1] for o in FOLLOWED}
        self.running = all(run.running for run in self.runs.values())
        self.datacollector.collect(self)


def _upper(section: str, field: str) -> float:
    """Largest value the schema allows for ``section.field`` (infinity if unbounded)."""
    from model.parameters import Parameters

    info = Parameters.model_fields[section].annotation.model_fields[field]
    for rule in info.metadata:
        if hasattr(rule, "le"):
            return float(rule.le)
    return float("inf")


__all__ = ["FOLLOWED", "FUNNEL", "WORLD_FACTORS", "PolicyPair", "column"]
