"""The Mesa model of how trafficking victims are identified, or missed, under a screening policy.

One step is one week:

1. population turnover (departures, arrivals) and recruitment by traffickers among arrivals;
2. escalation into trafficking, awareness, escape and overstaying;
3. decisions due in open cases against traffickers (prosecution, verdicts);
4. encounters with the authorities by route, each batch handled by the screening policy;
5. the policy's handling of detainees; removals that are due;
6. the end of victim support; outcomes are recorded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import mesa
import numpy as np

from model import justice
from model.agents import Officer
from model.custody import Custody
from model.encounters import draw_encounters
from model.outcomes import Outcomes, summarise
from model.parameters import Parameters, nest_dotted
from model.policies import POLICIES, ScreeningPolicy, get_policy
from model.population import Population, draw_arrivals, draw_stay_weeks, group_sizes
from model.screening import ScreeningService
from model.states import FIRST_TRAFFICKED, Agency, Group, Stage, TraffickerKind
from model.timeline import apply_due as apply_timeline
from model.timeline import settle as settle_timeline
from model.trafficking import escalate, seed_initial_victims, solve_intercepts, victim_dynamics
from model.turnover import arrive, count_victims, depart
from model.warmup import warm_up, warmup_weeks

WEEKS_PER_YEAR = 52
STREAMS = ("world", "encounter", "screening", "justice", "officers")


def resolve_parameters(
    world: Parameters | str | Path | None,
    policy: Any,
    overrides: dict[str, Any] | None = None,
) -> Parameters:
    """Combine a world, a policy and user overrides into one parameter set.

    Precedence, lowest first: the world's parameters, the strategy's ``lever_defaults``, the
    policy file's ``screening`` levers, then ``overrides`` (nested, or flat with
    ``section.field`` or ``section__field`` keys). The world's timeline entries dated at or
    before the first week are folded into the world first, so overrides win over them; later
    entries still change their fields at their week (see ``model.timeline``).

    Args:
        world: ``Parameters``, a scenario path or name, or ``None`` for the baseline.
        policy: A strategy class, a registry name, a shipped policy file's name, a policy file
            path, or a :class:`PolicyChoice`.
        overrides: Parameter overrides.

    Raises:
        pydantic.ValidationError: If an override names an unknown field or is out of range.
    """
    choice = _policy(policy)
    params = settle_timeline(_world(world)).updated(
        {"screening": {**choice.strategy.lever_defaults, **choice.levers}}
    )
    if overrides:
        flat = {k.replace("__", "."): v for k, v in overrides.items()}
        params = params.updated(nest_dotted(flat))
    return settle_timeline(params)


def seed_sequence(rng: Any) -> np.random.SeedSequence:
    """Turn an int, a SeedSequence, a Generator or None into a SeedSequence."""
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, np.random.Generator):
        return np.random.SeedSequence(int(rng.integers(2**63)))
    if rng is None:
        return np.random.SeedSequence()
    return np.random.SeedSequence(int(rng))


def describe_seed(seeds: np.random.SeedSequence) -> str:
    """Name a seed sequence so it can be given again: ``"<entropy>"`` or ``"<entropy>:<key>"``.

    A spawned child (one replicate of a batch) is named by its root entropy and spawn key,
    e.g. ``"20240601:3"``; ``np.random.SeedSequence(20240601, spawn_key=(3,))`` recreates it.
    """
    key = ".".join(str(k) for k in seeds.spawn_key)
    return f"{seeds.entropy}:{key}" if key else str(seeds.entropy)


class IdentificationModel(mesa.Model):
    """Migrants, traffickers and officers under one screening policy, one week a step.

    Args:
        scenario: A scenario YAML path, a ``Parameters`` object, or ``None`` for the embedded
            Hong Kong baseline.
        policy: Registry name of a screening strategy, name of a shipped policy file
            (``scenarios/policies/*.yaml``) or path of a policy file.
        rng: Seed (int), ``numpy.random.SeedSequence`` or ``None``. All policies given the same
            seed start from the same population and share random streams.
        years: Stop (``running = False``) after this many years; ``None`` runs until stopped.
        **overrides: Parameter overrides, ``section__field=value`` (e.g.
            ``screening__tier1_sensitivity=0.8``).

    Attributes:
        params: The effective parameters.
        policy: The screening policy object.
        population: Column store of migrants.
        traffickers: All traffickers ever created, by id.
        officers: Officer agents.
        outcomes: Weekly and total counts.
        datacollector: Mesa DataCollector with one model reporter per outcome.
    """

    def __init__(
        self,
        scenario: str | Path | Parameters | None = None,
        policy: Any = "detention_first",
        rng: Any = None,
        years: float | None = None,
        **overrides: Any,
    ) -> None:
        seeds = seed_sequence(rng)
        super().__init__(rng=int(seeds.generate_state(1, dtype=np.uint32)[0]))
        self.seed = rng if isinstance(rng, int) else describe_seed(seeds)
        streams = dict(zip(STREAMS, seeds.spawn(len(STREAMS)), strict=True))
        self.rng_world = np.random.default_rng(streams["world"])
        self.rng_encounter = np.random.default_rng(streams["encounter"])
        self.rng_screening = np.random.default_rng(streams["screening"])
        self.rng_justice = np.random.default_rng(streams["justice"])
        rng_officers = np.random.default_rng(streams["officers"])

        choice = _policy(policy)
        self.params = resolve_parameters(scenario, choice, overrides)
        self.policy: ScreeningPolicy = choice.strategy(self)
        self.policy.name = choice.name  # a policy file's own name, e.g. ..._plus
        self.horizon = None if years is None else round(years * WEEKS_PER_YEAR)

        # Index of the current week: 0 during the first reported step, negative in the warm-up.
        self.week = -warmup_weeks(self.params)
        self.outcomes = Outcomes()
        self.traffickers: list = []
        self.traffickers_by_kind: dict[int, list[int]] = {int(k): [] for k in TraffickerKind}
        self.open_cases: set[int] = set()
        self.trafficker_capacity_cache: tuple[float, np.ndarray] | None = None
        self.screening = ScreeningService(self)
        self.custody = Custody(self)

        self._populate()
        self.officers = self._recruit_officers(rng_officers)
        self._count_stocks()
        self.victims_initial = self.victims_present
        self.datacollector = mesa.DataCollector(model_reporters=self.outcomes.reporters())
        warm_up(self)

    # ------------------------------------------------------------------ set-up
    def _populate(self) -> None:
        params = self.params
        sizes = group_sizes(params)
        total = int(sizes.sum())
        growth = max(1.0, (1 + params.population.growth_per_year) ** 10)
        self.population = Population(capacity=max(16, int(total * growth * 1.05) + 64))
        groups = np.repeat(np.arange(len(Group), dtype=np.int8), sizes)
        rng = self.rng_world
        arrivals = draw_arrivals(rng, groups, params)
        idx = self.population.settle(arrivals, self.week, draw_stay_weeks(rng, groups, params))
        # The initial population arrived over the past two years (debt partly repaid).
        self.population.arrival_week[idx] = self.week - rng.integers(0, 104, len(idx))
        behaviour = params.behaviour
        irregular = np.isin(groups, (Group.SEX, Group.IRREGULAR))
        self.population.fear_punishment[idx] = np.where(
            irregular, behaviour.fear_punishment_offender, behaviour.fear_punishment_regular
        )
        self.population.ptsd[idx] = rng.random(len(idx)) < behaviour.non_victims_ptsd_share
        self.risk_intercepts = solve_intercepts(self.population, idx, params)
        seed_initial_victims(self, idx)

    def _recruit_officers(self, rng: np.random.Generator) -> list[Officer]:
        o = self.params.officers
        counts = {
            Agency.IMMIGRATION: o.immigration,
            Agency.POLICE: o.police,
            Agency.LABOUR: o.labour,
            Agency.CUSTOMS: o.customs,
        }
        officers = []
        for agency, count in counts.items():
            # One uniform draw per officer: a higher training share trains a superset.
            draws = rng.random(count)
            for draw in draws:
                trained = draw < self.params.screening.training_share
                officers.append(Officer(self, agency, trained, o.weekly_case_capacity))
        return officers

    # ------------------------------------------------------------------ the week
    @property
    def year(self) -> int:
        """Calendar year of the current week."""
        return self.params.time.start_year + self.week // WEEKS_PER_YEAR

    def step(self) -> None:
        """Advance the model by one week."""
        apply_timeline(self)
        self.screening.start_week()
        depart(self)
        arrive(self)
        escalate(self)
        victim_dynamics(self)
        justice.advance_cases(self)
        self._count_stocks()
        for contacts in draw_encounters(self):
            self._record_contacts(contacts)
            self.policy.at_contact(contacts)
        self.policy.in_detention(self.custody.detainees())
        self.custody.remove_due()
        self.custody.end_support()
        self._count_stocks()
        self.datacollector.collect(self)
        self.outcomes.close_week()
        self.week += 1
        if self.horizon is not None and self.week >= self.horizon:
            self.running = False

    def _record_contacts(self, contacts) -> None:
        slots = contacts.slots
        if len(slots) == 0:
            return
        pop = self.population
        victim = pop.status[slots] >= FIRST_TRAFFICKED
        self.outcomes.add("encountered", len(slots))
        self.outcomes.add("victims_encountered", int(victim.sum()))
        if contacts.offender:
            self.outcomes.add("offenders_encountered", len(slots))
            # A raid that catches a controlled victim may lead police to the trafficker.
            controlled = slots[pop.controlled[slots]]
            leads = self.rng_justice.random(len(controlled)) < (
                self.params.justice.raid_lead_probability
            )
            for slot in controlled[leads]:
                justice.open_investigation(
                    self, self.traffickers[int(pop.trafficker[slot])], witness=False
                )

    def _count_stocks(self) -> None:
        self.victims_present, self.domestic_victims = count_victims(self)

    # ------------------------------------------------------------------ stocks
    @property
    def population_size(self) -> int:
        """Number of migrants present."""
        return self.population.size

    @property
    def detainee_count(self) -> int:
        """Migrants in immigration detention."""
        return self.custody.detained_count

    @property
    def supported_count(self) -> int:
        """Identified victims receiving support."""
        return self.custody.supported_count

    @property
    def traffickers_active(self) -> int:
        """Traffickers not convicted."""
        return sum(len(ids) for ids in self.traffickers_by_kind.values())

    # ------------------------------------------------------------------ running
    def run(self, years: float) -> dict[str, Any]:
        """Run for ``years`` and return the run summary."""
        for _ in range(round(years * WEEKS_PER_YEAR)):
            self.step()
        return self.summary()

    def summary(self) -> dict[str, Any]:
        """One-row summary of the run so far."""
        return summarise(self)

    def weekly(self):
        """Weekly time series as a pandas DataFrame (one row per week)."""
        return self.datacollector.get_model_vars_dataframe()

    def stage_counts(self) -> dict[str, int]:
        """Number of migrant slots in each stage (ABSENT counts free slots)."""
        counts = np.bincount(self.population.stage, minlength=len(Stage))
        return {stage.name.lower(): int(counts[stage]) for stage in Stage}


def _world(scenario: str | Path | Parameters | None) -> Parameters:
    if scenario is None:
        return Parameters()
    if isinstance(scenario, Parameters):
        return scenario
    from scenarios.loader import load_scenario  # the YAML boundary lives outside model/

    return load_scenario(scenario)


class PolicyChoice(NamedTuple):
    """A resolved policy: its name, its strategy class and the levers its file sets."""

    name: str
    strategy: type[ScreeningPolicy]
    levers: dict[str, Any]


def _policy(policy: Any) -> PolicyChoice:
    if isinstance(policy, PolicyChoice):
        return policy
    if isinstance(policy, type) and issubclass(policy, ScreeningPolicy):
        return PolicyChoice(policy.name, policy, {})
    if isinstance(policy, str) and policy in POLICIES:
        return PolicyChoice(policy, POLICIES[policy], {})
    if isinstance(policy, str | Path):
        from scenarios.policy_loader import load_policy  # the YAML boundary lives outside model/

        policy = load_policy(policy)
    # A policy read from a file (``scenarios.policy_loader.PolicySpec``).
    return PolicyChoice(policy.name, get_policy(policy.strategy), dict(policy.levers))
