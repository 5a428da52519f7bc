"""Patterns the model must reproduce at once, and a normalised distance for each.

A pattern compares a view of the simulated yearly official statistics (see
:func:`analysis.calibration.official.official_statistics`) with published figures:

* ``initial_screenings`` — initial screenings a year, 2016-2020 (2,500 to 7,500);
* ``identified_mechanism`` — victims identified through the official mechanism a year (6, 9, 18,
  3, 3 for 2016-2020, 1 in 2021, 3 in 2023); simulated as true plus false positives identified
  through screening, with the outbound stream from 2022 as officials total it;
* ``enforcement`` — migrants caught in raids on illegal work a year (not those caught in raids
  on vice), against the illegal workers the Immigration Department prosecuted, without those
  prosecuted for sex work: 1,103, 1,165, 1,341, 1,157 and 615 for 2016-2020 (one definition
  throughout: 2016-2017 are 1,716 and 1,594 less 613 and 429 for sex work, Immigration
  Department enforcement statistics; 2018-2020 are LegCo reply LCQ7 2023-11-29, the series
  without sex work); the volume of enforcement that feeds detention;
* ``ngo_yield`` — victims NGOs identify per person they screen (63 / 1,037 = 6.1% in 2018);
  simulated over the years named (NGO-identified over NGO-screened, pooled);
* ``prevalence_domestic`` — share of domestic workers who are trafficked (~2.4%, 2-3%);
  simulated at each year's end and averaged;
* who is identified through the mechanism (composition): ``identified_workers`` — at least 6
  of 2018's 18 were workers given a change of employer or a visa extension (US TIP report
  2019); ``identified_claimants`` — 4 of them were non-refoulement claimants (the irregular
  group); ``identified_commercial_sex`` — at most 8 in 2018 (18 less those 10; none is shown
  from vice, and 11 child victims arrested in operations were not identified) and none in 2021
  and 2022 (US TIP reports 2022 and 2023: no victim identified in operations against brothels
  or among people in commercial sex).

The distance of a pattern is the root mean square, over its points, of
``(simulated - published) / tolerance`` with ``tolerance = max(relative * |published|,
absolute)``: a distance of 1 means "off by one tolerance on average". A published bound
(``at_least`` or ``at_most``) counts only the error beyond it. A pattern may instead
take the largest of its points' errors (``over_years: max``): then a distance of 1 means
"every year within one tolerance", so one year's miss cannot hide behind the years that fit.
Patterns are combined by their maximum (every pattern must hold) or their mean.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from operator import itemgetter

import pandas as pd

from analysis.calibration import published
from result_folder.outcomes import OUTCOME


@dataclass(frozen=True)
class PatternDefinition:
    """What one pattern compares.

    Attributes:
        name: Pattern name used in configuration files.
        description: One line for reports.
        metric: Published metric in the figures table.
        yearly: Whether it is compared year by year (else one pooled value).
        simulate: Turns the simulated yearly table (restricted to the pattern's years) into a
            value per year (yearly) or one value (pooled).
        bound: ``"equal"`` (the published value), ``"at_least"`` or ``"at_most"`` (a published
            bound: only an error beyond it counts).
    """

    name: str
    description: str
    metric: str
    yearly: bool
    simulate: Callable[[pd.DataFrame], pd.Series | float]
    bound: str = "equal"

    def error(self, simulated: float, observed: float) -> float:
        """Signed error of a simulated value against the published one (0 within a bound)."""
        gap = simulated - observed
        if self.bound == "at_least":
            return min(gap, 0.0)
        if self.bound == "at_most":
            return max(gap, 0.0)
        return gap


def _screenings(table: pd.DataFrame) -> pd.Series:
    return table[OUTCOME.initial_screenings]


def _identified(table: pd.DataFrame) -> pd.Series:
    # as officials total them: from 2022 with Hong Kong residents returning from abroad
    return table["identified_official"]


def _raided(table: pd.DataFrame) -> pd.Series:
    return table[OUTCOME.raided_illegal_work]


def _view(name: str) -> Callable[[pd.DataFrame], pd.Series]:
    """A yearly view of the official-statistics table, as it is.

    An ``itemgetter``, not a closure: patterns travel to the calibration's worker processes.
    """
    return itemgetter(name)


def _prevalence(table: pd.DataFrame) -> float:
    return float(table["domestic_prevalence"].mean())


def _ngo_yield(table: pd.DataFrame) -> float:
    screened = float(table[OUTCOME.ngo_screened].sum())
    return float(table[OUTCOME.ngo_victims_identified].sum()) / screened if screened else 0.0


DEFINITIONS: dict[str, PatternDefinition] = {
    d.name: d
    for d in (
        PatternDefinition(
            "initial_screenings",
            "initial (tier-1) screenings a year",
            "initial_screenings",
            True,
            _screenings,
        ),
        PatternDefinition(
            "identified_mechanism",
            "victims identified through the official mechanism a year",
            "victims_identified_mechanism",
            True,
            _identified,
        ),
        PatternDefinition(
            "enforcement",
            "migrants caught in raids on illegal work a year (illegal workers prosecuted, "
            "without sex work)",
            "illegal_workers_prosecuted_excl_sex_work",
            True,
            _raided,
        ),
        PatternDefinition(
            "ngo_yield",
            "share of NGO-screened migrants identified as victims",
            "ngo_yield",
            False,
            _ngo_yield,
        ),
        PatternDefinition(
            "prevalence_domestic",
            "share of domestic workers trafficked",
            "prevalence_trafficked_mdw",
            False,
            _prevalence,
        ),
        PatternDefinition(
            "identified_workers",
            "migrant workers among those identified through the mechanism (at least)",
            "victims_identified_workers_at_least",
            True,
            _view(OUTCOME.identified_workers),
            "at_least",
        ),
        PatternDefinition(
            "identified_claimants",
            "non-refoulement claimants among those identified through the mechanism",
            "victims_identified_claimants",
            True,
            _view("identified_claimants"),
        ),
        PatternDefinition(
            "identified_commercial_sex",
            "people in commercial sex among those identified through the mechanism (at most)",
            "victims_identified_commercial_sex_at_most",
            True,
            _view("identified_commercial_sex"),
            "at_most",
        ),
    )
}


@dataclass(frozen=True)
class Pattern:
    """One pattern with its published target and tolerance.

    Attributes:
        definition: What is compared.
        years: Years simulated values are taken from.
        observed: Published value by year (yearly patterns) or under key ``None`` (pooled).
        relative: Tolerance as a share of the published value.
        absolute: Smallest tolerance (in the pattern's unit).
        over_years: How the points' errors combine: ``"rms"`` (root mean square) or
            ``"max"`` (the largest).
    """

    definition: PatternDefinition
    years: tuple[int, ...]
    observed: Mapping[int | None, float]
    relative: float
    absolute: float
    over_years: str = "rms"

    @property
    def name(self) -> str:
        """The pattern's name."""
        return self.definition.name

    def simulated(self, table: pd.DataFrame) -> dict[int | None, float]:
        """The simulated value(s) comparable with :attr:`observed`.

        Raises:
            KeyError: If the simulated table lacks one of the pattern's years.
        """
        missing = [y for y in self.years if y not in table.index]
        if missing:
            first, last = table.index.min(), table.index.max()
            raise KeyError(
                f"pattern '{self.name}' needs year(s) {missing}; the run covers {first}-{last}"
            )
        view = self.definition.simulate(table.loc[list(self.years)])
        if self.definition.yearly:
            return {int(y): float(view[y]) for y in self.observed}
        return {None: float(view)}

    def tolerance(self, observed: float) -> float:
        """Tolerance for one published value."""
        return max(self.relative * abs(observed), self.absolute)

    def distance(self, table: pd.DataFrame) -> float:
        """Root mean square (or largest) of the tolerance-scaled errors over the points."""
        simulated = self.simulated(table)
        errors = [
            (self.definition.error(simulated[key], obs) / self.tolerance(obs)) ** 2
            for key, obs in self.observed.items()
        ]
        if self.over_years == "max":
            return math.sqrt(max(errors))
        return math.sqrt(sum(errors) / len(errors))


def build_pattern(
    name: str,
    figures: pd.DataFrame,
    *,
    years: tuple[int, ...],
    relative: float,
    absolute: float,
    over_years: str = "rms",
) -> Pattern:
    """Build a pattern from its definition and the published figures.

    Args:
        name: One of :data:`DEFINITIONS`.
        figures: Published figures (see :func:`analysis.calibration.published.load_figures`).
        years: Years compared (yearly patterns) or pooled (the others).
        relative: Relative tolerance.
        absolute: Smallest tolerance.
        over_years: ``"rms"`` or ``"max"`` of the points' errors (see :class:`Pattern`).

    Raises:
        KeyError: If the name is unknown.
        ValueError: If ``over_years`` is neither.
        analysis.calibration.published.FiguresError: If a published value is missing.
    """
    definition = DEFINITIONS[name]
    if over_years not in ("rms", "max"):
        raise ValueError(f"unknown over_years '{over_years}'; allowed: rms, max")
    observed: dict[int | None, float]
    if definition.yearly:
        values = published.yearly(figures, definition.metric)
        missing = [y for y in years if y not in values]
        if missing:
            raise published.FiguresError(
                f"no published '{definition.metric}' for year(s) {missing}"
            )
        observed = {y: values[y] for y in years}
    elif definition.metric == "ngo_yield":
        year = _published_year(figures, "ngo_screened")
        screened = published.value(figures, "ngo_screened", year)
        found = published.value(figures, "ngo_victims_identified", year)
        observed = {None: found / screened}
    else:
        observed = {None: published.value(figures, definition.metric)}
    return Pattern(definition, tuple(years), observed, relative, absolute, over_years)


def combined_distance(distances: Mapping[str, float], how: str = "max") -> float:
    """Combine per-pattern distances by ``"max"`` (all must hold) or ``"mean"``."""
    values = list(distances.values())
    if how == "max":
        return max(values)
    if how == "mean":
        return sum(values) / len(values)
    raise ValueError(f"unknown combination '{how}'; allowed: max, mean")


def _published_year(figures: pd.DataFrame, metric: str) -> int:
    years = published.yearly(figures, metric)
    if not years:
        raise published.FiguresError(f"no published '{metric}'")
    return max(years)
