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

from typing import Any

import numpy as np
from mesa import DataCollector, Model

from model import after_removal, justice, learning, ties
from model.agents import Officer, OfficerTable, TraffickerTable
from model.calendar import weeks, year_of
from model.custody import Custody
from model.dice import Decision, Dice
from model.encounters import draw_encounters, encounter_bounds
from model.fates import Fates
from model.hazards import Hazards
from model.outbound import screen_returnees
from model.outcomes import Outcomes, summarise
from model.parameters import Parameters
from model.policy_start import begin_with_status_quo, start_policy_if_due
from model.population import Population, group_sizes
from model.run_spec import RunSpec, nested_overrides, specify
from model.screening import ScreeningService
from model.states import FIRST_TRAFFICKED, Agency, Group, Route, Stage, TraffickerKind
from model.strategies import ScreeningStrategy
from model.trafficking import (
    dynamics_bounds,
    escalate,
    seed_initial_victims,
    solve_intercepts,
    victim_dynamics,
)
from model.turnover import arrive, count_victims, depart, settle_arrivals
from model.warmup import warm_up, warmup_weeks
from model.world_changes import apply_due as apply_timeline
from result_folder.outcomes import OUTCOME


def weekly_bounds(params: Parameters) -> dict:
    """The largest weekly probability of every weekly event about a migrant (``model.hazards``)."""
    return {**dynamics_bounds(params), **encounter_bounds(params)}


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


class IdentificationModel(Model):
    """Migrants, traffickers and officers under one screening policy, one week a step.

    The model reads no files: it takes a resolved :class:`~model.run_spec.RunSpec` (made by
    ``scenarios.resolve.resolve_run`` from world and policy files) or, for work in Python,
    ``Parameters`` and a registered strategy, combined here by :func:`model.run_spec.specify`.
    ``experiments.ScenarioModel`` is the same model taking file paths and shipped names.

    Args:
        world: A :class:`~model.run_spec.RunSpec`, a ``Parameters`` object, or ``None`` for the
            embedded Hong Kong baseline.
        policy: A registered strategy's name or class (or a ``PolicyChoice``); not used with a
            ``RunSpec``, which names its own.
        rng: Seed (int), ``numpy.random.SeedSequence`` or ``None``. All policies given the same
            seed start from the same population, and every decision about one individual in
            one week gets the same random number under each of them (``model.dice``).
        years: Stop (``running = False``) after this many years; ``None`` runs until stopped.
        overrides: Parameter overrides, ``{"section.field": value}``.
        **kwargs: More overrides as ``section__field=value`` keywords (e.g.
            ``screening__tier1_sensitivity=0.8``, as ``mesa.batch_run`` passes them); they win
            over ``overrides``.

    Raises:
        TypeError: For a file path (read it with ``scenarios.resolve.resolve_run`` or use
            ``experiments.ScenarioModel``), or a policy or overrides given with a ``RunSpec``.

    Attributes:
        params: The effective parameters.
        policy: The screening policy object.
        population: Column store of migrants.
        traffickers: All traffickers ever created, by id.
        officers: Officer agents.
        outcomes: Weekly and total counts.
        fates: Each victim met by the authorities and their fate (``model.fates``).
        datacollector: Mesa DataCollector with one model reporter per outcome.
    """

    def __init__(
        self,
        world: RunSpec | Parameters | None = None,
        policy: Any = None,
        rng: Any = None,
        years: float | None = None,
        overrides: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        spec = _run_spec(world, policy, nested_overrides(overrides, kwargs))
        seeds = seed_sequence(rng)
        super().__init__(rng=int(seeds.generate_state(1, dtype=np.uint32)[0]))
        self.seed = rng if isinstance(rng, int) else describe_seed(seeds)
        # Every random number of the run: keyed by decision, individual and week (model.dice).
        self.dice = Dice.from_seed(seeds)
        self.hazards = Hazards(self, weekly_bounds)

        # A copy: dated changes set fields on the running model's parameters.
        self.params = spec.params.model_copy(deep=True)
        self.policy: ScreeningStrategy = spec.strategy(self)
        self.policy.name = spec.policy_name  # a policy file's own name, e.g. ..._plus
        self.spec = spec
        begin_with_status_quo(self, spec)  # today's practice until time.policy_start_year
        self.horizon = None if years is None else weeks(years)

        # Index of the current week: 0 during the first reported step, negative in the warm-up.
        self.week = -warmup_weeks(self.params)
        self.outcomes = Outcomes()
        self.fates = Fates(self)
        self.traffickers: list = []
        self.traffickers_by_kind: dict[int, list[int]] = {int(k): [] for k in TraffickerKind}
        self.open_cases: set[int] = set()
        self.trafficker_capacity_cache: tuple[float, np.ndarray] | None = None
        self.trafficker_rings: dict = {}  # by (kind, traffickers created): trafficking.py
        self.trafficker_table = TraffickerTable()
        self.officer_table = OfficerTable()
        self.screening = ScreeningService(self)
        self.custody = Custody(self)

        self._populate()
        ties.build(self)
        self.officers = self._recruit_officers()
        self._count_stocks()
        self.victims_initial = self.victims_present
        self.datacollector = DataCollector(model_reporters=self.outcomes.reporters())
        warm_up(self)

    # ------------------------------------------------------------------ set-up
    def _populate(self) -> None:
        params = self.params
        sizes = group_sizes(params)
        total = int(sizes.sum())
        # Room for the population present, not for growth: the store grows by a quarter when
        # it is full, so a short run never holds memory for years it does not simulate, and
        # the store's size depends only on the run (not on how long a caller says it is).
        self.population = Population(capacity=max(16, int(total * 1.05) + 64))
        groups = np.repeat(np.arange(len(Group), dtype=np.int8), sizes)
        idx = settle_arrivals(self, groups, initial=True)
        # The initial population arrived over the past two years (debt partly repaid).
        before = self.dice.integers(Decision.ARRIVED_BEFORE, self.population.person_id[idx], 0, 104)
        self.population.arrival_week[idx] = self.week - before
        self.risk_intercepts = solve_intercepts(self.population, idx, params)
        seed_initial_victims(self, idx)

    def _recruit_officers(self) -> list[Officer]:
        o = self.params.officers
        counts = {
            Agency.IMMIGRATION: o.immigration,
            Agency.POLICE: o.police,
            Agency.LABOUR: o.labour,
            Agency.CUSTOMS: o.customs,
        }
        officers = []
        for agency, count in counts.items():
            # One uniform per officer, keyed by agency and number within it: a higher training
            # share trains a superset.
            numbers = int(agency) * 1_000_000 + np.arange(count)
            draws = self.dice.uniforms(Decision.OFFICER_TRAINED, numbers)
            for draw in draws:
                trained = draw < self.params.screening.training_share
                officers.append(Officer(self, agency, trained, o.weekly_case_capacity))
        return officers

    # ------------------------------------------------------------------ the week
    @property
    def year(self) -> int:
        """Calendar year of the current week."""
        return year_of(self.week, self.params.time.start_year)

    def step(self) -> None:
        """Advance the model by one week."""
        start_policy_if_due(self, self.spec)
        apply_timeline(self)
        learning.forget(self)
        self.screening.start_week()
        depart(self)
        arrive(self)
        after_removal.come_back(self)
        escalate(self)
        victim_dynamics(self)
        justice.advance_cases(self)
        self._count_stocks()
        contacts_of_week = draw_encounters(self)
        self.screening.ration_contacts(contacts_of_week, self.policy.screens_at_contact)
        for contacts in contacts_of_week:
            self._record_contacts(contacts)
            self.policy.at_contact(contacts)
        self.screening.end_contacts()
        screen_returnees(self)
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
        self.fates.met(slots, contacts.route)
        self.outcomes.add(OUTCOME.encountered, len(slots))
        self.outcomes.add(OUTCOME.victims_encountered, int(np.count_nonzero(victim)))
        if contacts.offender:
            self.outcomes.add(OUTCOME.offenders_encountered, len(slots))
            if contacts.route == Route.RAID:
                self.outcomes.add(OUTCOME.raided, len(slots))
                if not contacts.vice:
                    self.outcomes.add(OUTCOME.raided_illegal_work, len(slots))
            # A raid that catches a controlled victim may lead police to the trafficker.
            controlled = slots[pop.controlled[slots]]
            leads = self.dice.bernoulli(
                Decision.RAID_LEAD,
                pop.person_id[controlled],
                self.params.justice.raid_lead_probability,
                self.week,
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
        for _ in range(weeks(years)):
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


def _run_spec(world: Any, policy: Any, overrides: dict[str, Any]) -> RunSpec:
    """The run specification of the model's arguments (see :class:`IdentificationModel`)."""
    if isinstance(world, RunSpec):
        if policy is not None or overrides:
            raise TypeError(
                "a RunSpec is already resolved: give the policy and overrides when making it "
                "(scenarios.resolve.resolve_run or model.run_spec.specify)"
            )
        return world
    if world is not None and not isinstance(world, Parameters):
        raise TypeError(
            f"IdentificationModel reads no files: got {world!r}. Pass Parameters or a RunSpec "
            "(scenarios.resolve.resolve_run(path, policy)), or use "
            "experiments.ScenarioModel(scenario=path, ...) for scenario files and shipped names"
        )
    return specify(world, "detention_first" if policy is None else policy, overrides)
