"""The parameter schema: every number the model uses, with its unit, range and source.

Defaults describe the Hong Kong baseline (about 2018-2019). Parameters fall into two kinds:

* **world** sections (the uncertainties): population, prevalence, encounters, officers,
  support services, disclosure behaviour, detention, justice, traffickers, costs;
* the **policy** section ``screening`` (the levers a government chooses).

A scenario file sets world sections; a policy sets the ``screening`` section. Every field
carries ``unit`` and ``source`` metadata (``json_schema_extra``) so that the parameter
reference and the ODD document can be generated from this module.
"""

from __future__ import annotations

import typing
from enum import StrEnum
from functools import cache
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    create_model,
    field_validator,
)

from model.timeline import FIXED_SECTIONS, DatedChange

ASSUMPTION = "assumption"


def param(
    default: Any,
    *,
    unit: str,
    source: str,
    description: str,
    ge: float | None = None,
    le: float | None = None,
) -> Any:
    """Declare one model parameter with its unit, range and source.

    Args:
        default: Hong Kong baseline value.
        unit: Unit of measurement ("persons", "per year", "share", "log-odds", ...).
        source: Where the value comes from, or ``"assumption: ..."`` with the reasoning.
        description: What the parameter means in the model.
        ge: Smallest allowed value (inclusive).
        le: Largest allowed value (inclusive).

    Returns:
        A pydantic ``Field`` carrying the metadata.
    """
    return Field(
        default,
        ge=ge,
        le=le,
        description=description,
        json_schema_extra={"unit": unit, "source": source},
    )


def is_number_type(annotation: Any) -> bool:
    """Whether a field holds a number (``int``, ``float`` or an optional one), not a flag."""
    if annotation in (int, float):
        return True
    arguments = typing.get_args(annotation)
    return bool(arguments) and all(a in (int, float, type(None)) for a in arguments)


def refuse_flag_as_number(value: Any, info: ValidationInfo, fields: dict[str, Any]) -> Any:
    """Refuse ``true``/``false`` (or ``on``/``yes`` read as YAML) for a number field.

    Pydantic would take ``True`` as 1 and 1.0: ``domestic_workers: true`` would mean one
    worker, ``trafficked_share_domestic=on`` everyone trafficked.
    """
    field = fields.get(info.field_name or "")
    if isinstance(value, bool) and field is not None and is_number_type(field.annotation):
        raise ValueError(f"a number is required, not the flag {str(value).lower()}")
    return value


class Section(BaseModel):
    """Base of every parameter section: unknown keys are refused, assignments validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_not_flags(cls, value: Any, info: ValidationInfo) -> Any:
        return refuse_flag_as_number(value, info, cls.model_fields)


class LegalRegime(StrEnum):
    """How trafficking can be charged."""

    PATCHWORK = "patchwork"
    DEDICATED_LAW = "dedicated_law"


# --------------------------------------------------------------------------------------------
# World sections
# --------------------------------------------------------------------------------------------


class TimeParameters(Section):
    """Calendar of a run."""

    start_year: int = param(
        2018,
        unit="calendar year",
        ge=2000,
        le=2100,
        source=ASSUMPTION + ": baseline is 2018-2019",
        description="Calendar year of the first simulated week (used by dated timelines).",
    )
    warmup_years: float = param(
        0.0,
        unit="years",
        ge=0,
        le=50,
        source=ASSUMPTION + ": off by default (results as without a warm-up); about one mean "
        "stay of the groups that turn over fastest (2-3 years) brings detention, support and "
        "open cases near their steady level",
        description="Years simulated before the first reported week, under the start-of-run "
        "world and the run's policy, so that stocks start near equilibrium; excluded from the "
        "summary and the weekly series.",
    )
    policy_start_year: int = param(
        0,
        unit="calendar year (0: from the first week)",
        ge=0,
        le=2100,
        source="a choice of study: the main job sets 2025 (the reform would start now); 0 "
        "runs the policy from the first week, as a counterfactual of the past",
        description="Calendar year in whose first week the run's policy starts. Before it the "
        "years are replayed under today's practice (detention-first, unsupported, one "
        "session), the same for every policy on a seed; the summary counts from the "
        "policy's start, the weekly series keeps every week.",
    )


class PopulationParameters(Section):
    """Who is present and how the population turns over."""

    domestic_workers: int = param(
        385_000,
        unit="persons",
        ge=0,
        le=2_000_000,
        source="Asia Times (October 2018): 385,141 foreign domestic helpers",
        description="Migrant domestic workers present at the start.",
    )
    other_workers: int = param(
        10_000,
        unit="persons",
        ge=0,
        le=500_000,
        source=ASSUMPTION + ": imported workers outside the domestic-helper scheme, order of "
        "magnitude of the Supplementary Labour Scheme quota",
        description="Other regular migrant workers present at the start.",
    )
    sex_workers: int = param(
        5_000,
        unit="persons",
        ge=0,
        le=200_000,
        source=ASSUMPTION + ": 613 prosecuted for sex work in 2016 at an assumed yearly "
        "enforcement rate of about 0.1",
        description="Migrant sex workers present at the start.",
    )
    irregular: int = param(
        12_000,
        unit="persons",
        ge=0,
        le=500_000,
        source=ASSUMPTION + ": irregular and undocumented migrants, order of magnitude of the "
        "13,000 non-refoulement claimants in 2018-2019",
        description="Irregular or undocumented migrants present at the start.",
    )
    mean_stay_years_domestic: float = param(
        6.0,
        unit="years",
        ge=0.1,
        le=40,
        source=ASSUMPTION + ": three two-year contracts on average",
        description="Mean length of stay of a domestic worker (sets the weekly departure rate).",
    )
    mean_stay_years_other: float = param(
        3.0,
        unit="years",
        ge=0.1,
        le=40,
        source=ASSUMPTION,
        description="Mean length of stay of other migrant workers.",
    )
    mean_stay_years_sex: float = param(
        1.0,
        unit="years",
        ge=0.05,
        le=40,
        source=ASSUMPTION + ": short visitor-visa stays",
        description="Mean length of stay of migrant sex workers.",
    )
    mean_stay_years_irregular: float = param(
        2.0,
        unit="years",
        ge=0.05,
        le=40,
        source=ASSUMPTION,
        description="Mean length of stay of irregular migrants who are never caught.",
    )
    growth_per_year: float = param(
        0.0,
        unit="share per year",
        ge=-0.5,
        le=0.5,
        source=ASSUMPTION + ": 385,141 (2018) to 399,320 (2019) and 373,884 (2020) is flat "
        "within +-4%",
        description="Yearly growth of every group's target size, compounded weekly from the date "
        "of each change (a timeline change of the rate compounds from its own date).",
    )
    first_contract_share: float = param(
        0.4,
        unit="share of arrivals",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="Share of arrivals on their first contract abroad (a risk trait).",
    )
    young_share: float = param(
        0.3,
        unit="share of arrivals",
        ge=0,
        le=1,
        source=ASSUMPTION + ": about 3 in 10 foreign domestic helpers are under 30 "
        "(2016 by-census, rounded)",
        description="Share of arrivals aged under 30 (a risk trait).",
    )
    indebted_share: float = param(
        0.7,
        unit="share of arrivals",
        ge=0,
        le=1,
        source=ASSUMPTION + ": illegal placement fees are widespread (US TIP reports 2015-2016)",
        description="Share of arrivals who owe recruitment debt.",
    )
    debt_months_mean: float = param(
        7.0,
        unit="months of salary",
        ge=0,
        le=36,
        source="US TIP reports 2015-2016: up to 80% of salary for the first 7-8 months",
        description="Mean recruitment debt of indebted arrivals (exponentially distributed).",
    )
    documents_confiscated_share: float = param(
        0.3,
        unit="share of arrivals",
        ge=0,
        le=1,
        source=ASSUMPTION + ": passport confiscation widely reported (Justice Centre 2016); "
        "value not measured",
        description="Share of arrivals whose identity documents are held by an agency or "
        "employer (a risk trait).",
    )


class PrevalenceParameters(Section):
    """How many migrants are exploited or trafficked, and how that changes."""

    trafficked_share_domestic: float = param(
        0.024,
        unit="share of domestic workers",
        ge=0,
        le=1,
        source="Justice Centre Hong Kong 'Coming Clean' (2016): 14% of the 17% in forced labour "
        "were trafficked into it",
        description="Share of domestic workers trafficked for labour (at the start and, as a "
        "target, among arrivals).",
    )
    forced_labour_share_domestic: float = param(
        0.17,
        unit="share of domestic workers",
        ge=0,
        le=1,
        source="Justice Centre Hong Kong 'Coming Clean' (2016), n~1000",
        description="Share of domestic workers in forced labour (includes the trafficked).",
    )
    trafficked_share_other: float = param(
        0.03,
        unit="share of other workers",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="Share of other migrant workers trafficked for labour.",
    )
    trafficked_share_sex: float = param(
        0.15,
        unit="share of sex workers",
        ge=0,
        le=1,
        source=ASSUMPTION + ": US TIP reports describe debt bondage in the sex trade",
        description="Share of migrant sex workers trafficked for sexual exploitation.",
    )
    trafficked_share_irregular: float = param(
        0.05,
        unit="share of irregular migrants",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="Share of irregular migrants trafficked (labour or forced criminality).",
    )
    criminality_share_irregular: float = param(
        0.3,
        unit="share of trafficked irregular migrants",
        ge=0,
        le=1,
        source=ASSUMPTION + ": drug-courier and forced-criminality cases in US TIP reports",
        description="Share of trafficked irregular migrants exploited for forced criminality "
        "rather than labour.",
    )
    odds_ratio_first_contract: float = param(
        2.0,
        unit="odds ratio",
        ge=0.1,
        le=20,
        source=ASSUMPTION,
        description="Odds ratio of being trafficked at arrival for a first-contract worker.",
    )
    odds_ratio_young: float = param(
        1.5,
        unit="odds ratio",
        ge=0.1,
        le=20,
        source=ASSUMPTION,
        description="Odds ratio of being trafficked at arrival for an arrival under 30.",
    )
    odds_ratio_debt_per_7_months: float = param(
        2.0,
        unit="odds ratio per 7 months of debt",
        ge=0.1,
        le=20,
        source=ASSUMPTION,
        description="Odds ratio of being trafficked per 7 months of salary owed.",
    )
    odds_ratio_documents_confiscated: float = param(
        3.0,
        unit="odds ratio",
        ge=0.1,
        le=20,
        source=ASSUMPTION,
        description="Odds ratio of being trafficked when documents are confiscated.",
    )
    escalation_rate_per_year: float = param(
        0.02,
        unit="per year",
        ge=0,
        le=1,
        source=ASSUMPTION + ": 'someone might transition into being trafficked after they "
        "enter Hong Kong' (seed article, 2023)",
        description="Yearly rate at which a migrant in forced labour comes under a "
        "trafficker's control.",
    )
    debt_repaid_months_per_month: float = param(
        0.8,
        unit="months of debt per month",
        ge=0,
        le=1,
        source="US TIP reports 2015-2016: up to 80% of salary withheld",
        description="Debt repaid per month worked.",
    )


class BehaviourParameters(Section):
    """Awareness, fear, trauma and trust of migrants; escape from control."""

    victims_threatened_share: float = param(
        0.47,
        unit="share of victims",
        ge=0,
        le=1,
        source="Kiss et al. 2015, Lancet Global Health (Mekong, n=1015): 47% threatened",
        description="Share of victims who have been threatened (high fear of retaliation).",
    )
    victims_ptsd_share: float = param(
        0.36,
        unit="share of victims",
        ge=0,
        le=1,
        source="Abas et al. 2013 (35.8%); Kiss et al. 2015 (38.9%)",
        description="Share of victims with post-traumatic stress disorder.",
    )
    non_victims_ptsd_share: float = param(
        0.05,
        unit="share of non-victims",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="Share of other migrants with PTSD.",
    )
    victims_aware_share: float = param(
        0.3,
        unit="share of victims",
        ge=0,
        le=1,
        source=ASSUMPTION + ": 'others might not even realise they have been trafficked' "
        "(seed article, 2023)",
        description="Share of victims aware at the start that they are trafficked.",
    )
    awareness_rate_per_year: float = param(
        0.2,
        unit="per year",
        ge=0,
        le=10,
        source=ASSUMPTION,
        description="Yearly rate at which an unaware victim becomes aware.",
    )
    trust_mean: float = param(
        0.35,
        unit="0-1 scale",
        ge=0,
        le=1,
        source=ASSUMPTION + ": migrants fear authorities (seed articles); NGOs report more "
        "caution after 2020",
        description="Mean trust in the authorities (beta distributed, concentration 4).",
    )
    fear_punishment_offender: float = param(
        0.8,
        unit="0-1 scale",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="Fear of punishment of migrants in breach of immigration rules.",
    )
    fear_punishment_regular: float = param(
        0.3,
        unit="0-1 scale",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="Fear of punishment of migrants in a regular situation.",
    )
    absconding_rate_per_year: float = param(
        0.1,
        unit="per year",
        ge=0,
        le=10,
        source=ASSUMPTION + ": victims who flee an employer or agency become overstayers",
        description="Yearly rate at which a trafficked migrant escapes and falls out of status.",
    )
    overstay_rate_per_year: float = param(
        0.002,
        unit="per year",
        ge=0,
        le=1,
        source=ASSUMPTION + ": non-victims overstaying after a contract ends",
        description="Yearly rate at which a regular migrant who is not a victim overstays.",
    )


class EncounterParameters(Section):
    """Routes by which migrants meet the authorities."""

    raid_rate_per_year: float = param(
        0.1,
        unit="per year",
        ge=0,
        le=5,
        source="Immigration Department: 1,341 illegal workers prosecuted in 2018 (excl. sex "
        "work) over ~12,000 irregular migrants; 429-613 for sex work 2016-2017 over ~5,000",
        description="Yearly rate at which an irregular migrant or sex worker is caught in an "
        "enforcement raid on illegal work or vice.",
    )
    raid_victim_relative_risk: float = param(
        1.5,
        unit="rate ratio",
        ge=0,
        le=20,
        source=ASSUMPTION + ": victims are over-represented among offenders (seed articles)",
        description="How much likelier a trafficked migrant is to be caught in a raid.",
    )
    overstayer_detection_rate_per_year: float = param(
        0.5,
        unit="per year",
        ge=0,
        le=20,
        source=ASSUMPTION,
        description="Yearly rate at which an overstayer is caught.",
    )
    arrest_rate_per_year: float = param(
        0.009,
        unit="per year",
        ge=0,
        le=5,
        source=ASSUMPTION + ": the police screen arrested persons for trafficking indicators "
        "in all districts from 2018 (Chief Secretary blog 2019-03-10). No count of migrants "
        "arrested is published; the rate is sized so that the baseline's yearly initial "
        "screenings under detention-first approach the published ~7,500 (2018-2019): "
        "7,500 - ~2,200 screenings from the other routes - ~2,000 non-refoulement claimants "
        "= ~3,300 arrested persons screened; detention-first screens ~88% of detainees before "
        "removal, so ~3,700 arrests a year = 0.009 x ~412,000 migrants",
        description="Yearly rate at which a migrant in the community is arrested by the police "
        "for an offence other than an immigration offence (and, being arrested, screened). "
        "Arrested migrants are offenders: detained at once under detention-first.",
    )
    arrest_victim_relative_risk: float = param(
        2.0,
        unit="rate ratio",
        ge=0,
        le=20,
        source=ASSUMPTION + ": victims are made to commit offences (forced criminality, "
        "theft or drug couriering under control) and are over-represented among arrested "
        "persons, as among raided offenders (raid_victim_relative_risk)",
        description="How much likelier a trafficked migrant is to be arrested.",
    )
    claimant_screening_rate_per_year: float = param(
        0.17,
        unit="per year",
        ge=0,
        le=52,
        source=ASSUMPTION + ": 4 of the 18 victims identified through the mechanism in 2018 "
        "were non-refoulement claimants (US TIP report 2019). The model's irregular group "
        "(~12,000) stands for the claimants; ~2,000 claimant screenings a year (new claims "
        "and claimants interviewed in the Unified Screening Mechanism) / 12,000 = 0.17",
        description="Yearly rate at which an irregular migrant (a non-refoulement claimant) is "
        "screened at an Immigration Department claim interview. Claimants are not offenders: "
        "they are screened at the office and let go if not identified.",
    )
    complaint_rate_per_year: float = param(
        0.01,
        unit="per year",
        ge=0,
        le=5,
        source=ASSUMPTION + ": Labour Department claims and police reports by migrants in "
        "forced labour",
        description="Yearly rate at which a migrant in forced labour or trafficked complains to "
        "the authorities, before trust and fear.",
    )
    self_referral_rate_per_year: float = param(
        0.05,
        unit="per year",
        ge=0,
        le=5,
        source="Germany 2015 (cited by Horio and Ballard 2017): 5.5% of victims self-identify",
        description="Yearly rate at which an aware victim seeks help from the authorities, "
        "before trust and fear.",
    )
    routine_visa_screening: bool = param(
        False,
        unit="switch",
        source="US TIP report 2022: from 2021 domestic workers applying "
        "for a new or renewed visa are screened",
        description="Whether visa applications of domestic workers include an indicator "
        "screening (a routine, non-offender contact).",
    )
    visa_applications_per_year: float = param(
        0.5,
        unit="per worker per year",
        ge=0,
        le=5,
        source="two-year standard employment contract",
        description="Yearly rate of visa applications per domestic worker.",
    )
    routine_screening_coverage: float = param(
        0.02,
        unit="share of visa applications",
        ge=0,
        le=1,
        source="initial screenings rose only from ~7,500 (2019) to 7,678 (2021), so few "
        "applications can include a screening interview",
        description="Share of visa applications that include an indicator screening when "
        "routine screening is on.",
    )
    outbound_returnees_per_year: float = param(
        0.0,
        unit="persons per year",
        ge=0,
        le=10_000,
        source="Security Bureau to LegCo (HKFP 2024-11-26): 46 Hong Kong residents lured into "
        "scam compounds abroad sought help in 2022, 43 returned; none reported again until the "
        "second quarter of 2024, after which 16 of 28 had returned by 2025-01-12 (Security "
        "Bureau). A world sets it by date (hong_kong_2016_2020: 43 in 2022, 0 in 2023, 20 a "
        "year from 2024-04: 16 in the 0.78 year to 2025-01-12); the default, none, is the "
        "world before 2022",
        description="Hong Kong residents trafficked abroad who return and are screened a year "
        "(the outbound stream, counted apart from inbound migrants).",
    )
    outbound_identification_share: float = param(
        0.5,
        unit="share of returnees screened",
        ge=0,
        le=1,
        source=ASSUMPTION + ": returnees come forward seeking help, but some went "
        "willingly or were not held by force, and the mechanism identifies only part of them",
        description="Share of screened returnees identified as victims of trafficking.",
    )
    vice_screening_at_scene: bool = param(
        False,
        unit="switch",
        source="US TIP report 2019: in July 2018 the government declared that police screened "
        "for trafficking all non-local individuals found in prostitution",
        description="Whether the police screen the sex workers caught in raids on vice at the "
        "scene, before detention, also under detention-first (other raided, overstaying and "
        "arrested offenders are still detained first). Screening-before-detention screens them "
        "at the scene anyway.",
    )
    vice_raids_disrupted: bool = param(
        False,
        unit="switch",
        source="SCMP 2019-08-31: during the 2019 protests the police stopped regular foot "
        "patrols, and joint operations against organised crime took a hit; sex-trafficking "
        "investigations fell from 136 (2018) to 9 (2019) and arrests from 19 to 5 (US TIP "
        "report 2020)",
        description="Whether raids on vice run at ``disrupted_vice_raid_share`` of their usual "
        "rate, as in the 2019 protests and the COVID-19 year that followed. Police arrests "
        "for other offences are not changed: published initial screenings held at 7,500 in "
        "2019, so the police's other screening contacts did not fall (assumption).",
    )
    disrupted_vice_raid_share: float = param(
        0.5,
        unit="share of the usual rate",
        ge=0,
        le=1,
        source=ASSUMPTION + ": no count of vice raids is published for 2019-2020; the "
        "calibration fits it (prior 0.05-1)",
        description="Share of the usual rate of raids on vice carried out while they are "
        "disrupted. Raids on illegal work (Immigration Department) follow their own published "
        "volumes.",
    )
    sex_trafficking_investigations_per_year: float = param(
        0.0,
        unit="investigations per year",
        ge=0,
        le=10_000,
        source="a switch, off (0) in the Hong Kong worlds: the 19 (2016), 37 (2017), 136 "
        "(2018) and 9 (2019) 'cases related to sex trafficking' of the US TIP reports 2018 and "
        "2020 are cases under prostitution-related offences, and none is shown to have "
        "identified a victim (US TIP report 2019: 2018's 18 identified were workers and "
        "claimants, 11 child victims arrested in operations were not identified; US TIP "
        "reports 2022 and 2023: none identified in brothel operations or in commercial sex)",
        description="Police investigations of sex-trade operators opened a year on intelligence "
        "(not from a screening). Each targets an operator not already under investigation; the "
        "police find the victims it controls who are at large.",
    )
    investigation_identification_probability: float = param(
        0.02,
        unit="probability per victim found",
        ge=0,
        le=1,
        source=ASSUMPTION + ": the evidence an investigation gathers (records, surveillance, "
        "other witnesses) identifies some victims without their own disclosure (UNODC "
        "proactive-investigation guidance); no Hong Kong figure; used only where "
        "sex_trafficking_investigations_per_year is on",
        description="Chance that a victim found in a sex-trafficking investigation is "
        "identified on the investigation's evidence, whatever the screening policy. The "
        "others are met as sex workers caught in a raid on vice.",
    )


class NGOParameters(Section):
    """Civil-society outreach, screening and referral."""

    screenings_per_year: float = param(
        1_037,
        unit="persons per year",
        ge=0,
        le=100_000,
        source="Civil Society Anti-Human Trafficking Task Force 2018 (27 NGOs): 1,037 screened",
        description="Migrants screened by NGOs a year.",
    )
    victim_relative_contact: float = param(
        2.5,
        unit="rate ratio",
        ge=0,
        le=100,
        source="NGO yield 6.1% (63/1,037) against prevalence ~2.4%: clients self-select",
        description="How much likelier a trafficked domestic worker is to reach an NGO.",
    )
    disclosure_boost: float = param(
        2.0,
        unit="log-odds",
        ge=0,
        le=10,
        source=ASSUMPTION + ": NGO interviews are supported and confidential",
        description="Setting term of an interview with an NGO (its own screening, or an "
        "official screening of a referral it accompanies).",
    )
    referral_consent: float = param(
        0.3,
        unit="share of NGO-identified victims",
        ge=0,
        le=1,
        source=ASSUMPTION + ": 63 NGO identifications against 18 official ones in 2018",
        description="Share of NGO-identified victims who agree to be referred to the authorities.",
    )
    outreach_disrupted: bool = param(
        False,
        unit="switch",
        source="Protests from June 2019, mostly at weekends: domestic workers were advised to "
        "keep away from protest areas on their day off (Fair Employment Agency 2019-06 and "
        "2019-08; HelperChoice 2019), and were caught in the clashes in Central where they "
        "gather on Sundays (CNA 2019-10-13); from March 2020 COVID-19 bans on gatherings of "
        "more than four people (SCMP 2020-03-29)",
        description="Whether NGO outreach runs at ``disrupted_outreach_share`` of "
        "``screenings_per_year``, as in the 2019 protests and the COVID-19 year that followed: "
        "NGOs meet domestic workers where they gather on their day off.",
    )
    disrupted_outreach_share: float = param(
        0.5,
        unit="share of the usual outreach",
        ge=0,
        le=1,
        source=ASSUMPTION + ": no count of NGO screenings is published for 2019-2020; the "
        "calibration fits it (prior 0.05-1)",
        description="Share of the usual NGO screenings carried out while outreach is disrupted.",
    )


class OfficerParameters(Section):
    """Frontline officers who meet migrants."""

    immigration: int = param(
        120,
        unit="officers",
        ge=0,
        le=10_000,
        source=ASSUMPTION + ": frontline screening officers; 98 anti-trafficking posts funded "
        "from 2019-20 (Chief Secretary blog 2019-03-10) across agencies",
        description="Immigration Department officers handling encounters.",
    )
    police: int = param(
        120,
        unit="officers",
        ge=0,
        le=10_000,
        source=ASSUMPTION + ": police extended screening to all districts in 2018",
        description="Police officers handling encounters.",
    )
    labour: int = param(
        20,
        unit="officers",
        ge=0,
        le=10_000,
        source=ASSUMPTION,
        description="Labour Department officers handling complaints.",
    )
    customs: int = param(
        10,
        unit="officers",
        ge=0,
        le=10_000,
        source=ASSUMPTION,
        description="Customs officers handling encounters.",
    )
    weekly_case_capacity: int = param(
        5,
        unit="cases per officer per week",
        ge=0,
        le=200,
        source=ASSUMPTION,
        description="Screenings one officer can carry out in a week.",
    )
    sensitivity_untrained_factor: float = param(
        0.5,
        unit="multiplier",
        ge=0,
        le=1,
        source=ASSUMPTION + ": untrained officers miss indicators (seed articles)",
        description="Tier-1 sensitivity of an untrained officer relative to a trained one.",
    )
    specificity_untrained: float = param(
        0.9,
        unit="probability",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="Tier-1 specificity of an untrained officer.",
    )
    interview_quality_trained: float = param(
        0.7,
        unit="0-1 scale",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="Interview quality of a trained officer.",
    )
    interview_quality_untrained: float = param(
        0.3,
        unit="0-1 scale",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="Interview quality of an untrained officer.",
    )


class SupportParameters(Section):
    """Lawyers, NGO advocates and counsellors available to screenings and victims."""

    weekly_sessions: int = param(
        40,
        unit="sessions per week",
        ge=0,
        le=100_000,
        source=ASSUMPTION + ": a few dozen lawyers, advocates and counsellors across NGOs",
        description="Supported interview sessions available a week (tier-2 screening).",
    )
    victim_support_weeks: int = param(
        26,
        unit="weeks",
        ge=1,
        le=520,
        source=ASSUMPTION + ": shelter and support under the Action Plan for the duration of "
        "the case",
        description="Weeks an identified victim is supported before leaving the pipeline.",
    )
    identified_victims_stay_share: float = param(
        0.4,
        unit="share",
        ge=0,
        le=1,
        source="US TIP report 2019: 6 of 18 identified in 2018 got a change of employer or a "
        "visa extension (rounded up for witnesses)",
        description="Share of identified victims who stay in Hong Kong after support.",
    )


class DisclosureParameters(Section):
    """Logistic model of a victim disclosing at an interview (coefficients in log-odds)."""

    intercept: float = param(
        -1.5,
        unit="log-odds",
        ge=-30,
        le=30,
        source="set so that an unsupported victim discloses in about 1 interview in 10; "
        "5.5% self-identification (Germany 2015) as a proxy",
        description="Log-odds of disclosure with every factor at zero.",
    )
    support: float = param(
        1.5,
        unit="log-odds",
        ge=-10,
        le=10,
        source=ASSUMPTION + ": seed article (2023) argues support lets victims disclose; the "
        "Hong Kong worlds set +1.0, prior +0.4 to +1.7 (Eagly and Shafer 2015: represented "
        "immigrants had 15 times the odds of seeking relief, confounded, an upper bound; "
        "Hershkowitz, Lamb and Katz 2014: supportive protocol, more allegations; "
        "docs/evidence.md, evidence table)",
        description="Effect of a lawyer, advocate or counsellor being present.",
    )
    trust: float = param(
        1.0,
        unit="log-odds per unit trust",
        ge=-10,
        le=10,
        source=ASSUMPTION,
        description="Effect of trust in the authorities (0-1).",
    )
    fear_of_retaliation: float = param(
        -1.5,
        unit="log-odds per unit fear",
        ge=-10,
        le=10,
        source=ASSUMPTION + ": victims 'terrified of coming forward' (seed article, 2023)",
        description="Effect of fear of the trafficker's retaliation (0-1).",
    )
    fear_of_punishment: float = param(
        -1.5,
        unit="log-odds per unit fear",
        ge=-10,
        le=10,
        source=ASSUMPTION + "; the Hong Kong worlds set -1.0, prior -1.6 to -0.4 (Comino, "
        "Mastrobuoni and Nicolo 2020: undocumented victims report 17% of crimes, about 20 "
        "points more after the 1986 amnesty, +1.05 log-odds; docs/evidence.md, evidence table)",
        description="Effect of fear of criminal punishment or removal (0-1).",
    )
    debt: float = param(
        -0.5,
        unit="log-odds per 7 months of debt",
        ge=-10,
        le=10,
        source=ASSUMPTION,
        description="Effect of remaining recruitment debt.",
    )
    trauma: float = param(
        -1.0,
        unit="log-odds",
        ge=-10,
        le=10,
        source=ASSUMPTION + ": PTSD impairs recall and disclosure (Abas et al. 2013)",
        description="Effect of PTSD.",
    )
    awareness: float = param(
        1.0,
        unit="log-odds",
        ge=-10,
        le=10,
        source=ASSUMPTION,
        description="Effect of the victim knowing they are trafficked.",
    )
    interview_quality: float = param(
        1.0,
        unit="log-odds per unit quality",
        ge=-10,
        le=10,
        source=ASSUMPTION,
        description="Effect of interview quality (0-1).",
    )
    session_trauma_relief: float = param(
        0.3,
        unit="share per session",
        ge=0,
        le=1,
        source=ASSUMPTION + ": social support adjusted odds ratio 0.64 for PTSD (Abas et al. 2013)",
        description="Share of the trauma effect removed by each supported session already held.",
    )
    later_session: float = param(
        0.0,
        unit="log-odds per supported session held before",
        ge=-10,
        le=10,
        source="0 by default (each session is a fresh draw, trauma relief aside); the Hong "
        "Kong worlds set +0.7, prior +0.3 to +1.2, not fitted but drawn from it for each "
        "ensemble member (the calibration's carried: block; today's practice never holds a "
        "second session) (Hershkowitz et al. 2021: 104 of 204 "
        "children reluctant in a supportive first interview disclosed in a second; Faller and "
        "Nelson-Gardell 2010, randomised: 56.6% against 29.5% credible disclosure with more "
        "sessions; children, so a transfer; docs/evidence.md, evidence table)",
        description="Rapport built by each supported session already held in this screening: "
        "added to the log-odds of disclosure at each later session.",
    )
    in_detention: float = param(
        -1.0,
        unit="log-odds",
        ge=-10,
        le=10,
        source=ASSUMPTION + ": seed article (2023): detained victims are treated as offenders, "
        "which 'leaves them reluctant to come forward'; -1 (odds of disclosure x0.37) is an "
        "order of magnitude; the Hong Kong worlds keep -1.0, prior -2.0 to -0.3 (Detention "
        "Action 2017: of 16 detained men with indicators 9 referred, 2 recognised; the UK "
        "small-boats data show the opposite sign where disclosure stops removal; "
        "docs/evidence.md, evidence table)",
        description="Setting term of an interview held in immigration detention (against an "
        "interview at an office after a complaint, self-referral or visa application).",
    )
    at_arrest_scene: float = param(
        -0.5,
        unit="log-odds",
        ge=-10,
        le=10,
        source=ASSUMPTION + ": seed article (2023): victims met when 'arrested' are treated as "
        "offenders; half the detention term, since confinement and removal are not yet under "
        "way; prior -1.0 to 0 in the Hong Kong calibration (no quantitative study: Ditmore "
        "2009, qualitative; docs/evidence.md, evidence table)",
        description="Setting term of an interview at first contact after a raid or an overstay "
        "arrest.",
    )
    trafficker_present: float = param(
        -1.0,
        unit="log-odds",
        ge=-10,
        le=10,
        source=ASSUMPTION + ": victims fear the trafficker's retaliation (seed article, 2023); "
        "taken as large as the detention term; prior -2.5 to -0.5 in the Hong Kong "
        "calibration (no quantitative study; child-interview studies give the direction only: "
        "Hershkowitz, Horowitz and Lamb 2005; docs/evidence.md, evidence table)",
        description="Setting term when the trafficker is present: a victim still under the "
        "trafficker's control met at the arrest scene.",
    )


class DetentionParameters(Section):
    """Immigration detention and removal."""

    removal_days: float = param(
        28.0,
        unit="days",
        ge=0,
        le=3_650,
        source=ASSUMPTION,
        description="Mean days from detention to removal: the minimum processing time plus a "
        "gamma-distributed wait (rounded down to weeks; 0 removes within the week of "
        "detention).",
    )
    removal_min_days: float = param(
        7.0,
        unit="days",
        ge=0,
        le=3_650,
        source=ASSUMPTION + ": removal needs a travel document and a booked passage, which "
        "takes at least a week; with it no detainee is removed in the week of detention (an "
        "exponential clock of mean 28 days removed ~22% in their first week)",
        description="Minimum days from detention to removal (processing time). It applies up to "
        "the mean: a removal_days below it holds every detainee exactly removal_days.",
    )
    removal_shape: float = param(
        2.0,
        unit="gamma shape",
        ge=0.1,
        le=100,
        source=ASSUMPTION + ": waits beyond the minimum vary (documents, flights, appeals) "
        "with a coefficient of variation of 1/sqrt(2); 1 with removal_min_days 0 is the "
        "memoryless (exponential) clock",
        description="Shape of the gamma-distributed wait beyond the minimum; its scale is "
        "chosen so that the mean time to removal is removal_days.",
    )
    cost_per_day_hkd: float = param(
        1_000.0,
        unit="HK$ per person-day",
        ge=0,
        le=100_000,
        source="Immigration Department reply RDCD-0000297-23 (2 June 2023): Castle Peak Bay "
        "Immigration Centre cost HK$165.44M in 2022-23 (staff 123.65, medical 13.24, "
        "facilities 11.63, meals 9.01, other treatment 7.91); inference: over its 400-500 "
        "places (GovHK 2010; Secretary for Security 2021) that is HK$907-1,133 a detainee-day "
        "at full occupancy (more if not full); the HK$530 'detention quarter charge' "
        "(Immigration Department, 2021-23) is a recoverable tariff, a lower bound. Range "
        "530-1,500",
        description="Cost of one day of immigration detention.",
    )


class JusticeParameters(Section):
    """Witness cooperation, investigation, prosecution and conviction."""

    regime: LegalRegime = param(
        LegalRegime.PATCHWORK,
        unit="category",
        source="seed article (2023): no comprehensive anti-trafficking law; labour trafficking "
        "charged as lesser offences",
        description="'patchwork' (today) or 'dedicated_law' (a Palermo-aligned offence).",
    )
    cooperation_intercept: float = param(
        -0.5,
        unit="log-odds",
        ge=-30,
        le=30,
        source=ASSUMPTION,
        description="Log-odds that an identified victim cooperates as a witness, factors at 0.",
    )
    cooperation_support: float = param(
        1.0,
        unit="log-odds",
        ge=-10,
        le=10,
        source=ASSUMPTION,
        description="Effect of support on cooperation.",
    )
    cooperation_trust: float = param(
        1.0,
        unit="log-odds per unit trust",
        ge=-10,
        le=10,
        source=ASSUMPTION,
        description="Effect of trust on cooperation.",
    )
    cooperation_fear: float = param(
        -1.5,
        unit="log-odds per unit fear",
        ge=-10,
        le=10,
        source=ASSUMPTION,
        description="Effect of fear of retaliation on cooperation.",
    )
    cooperation_witness_visa: float = param(
        1.5,
        unit="log-odds",
        ge=-10,
        le=10,
        source=ASSUMPTION + ": victims fear loss of earnings (seed article, 2023)",
        description="Effect of a visa extension or fee waiver for witnesses.",
    )
    raid_lead_probability: float = param(
        0.02,
        unit="probability",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="Chance that catching a trafficked migrant in a raid opens an "
        "investigation of the trafficker without any witness.",
    )
    no_witness_factor: float = param(
        0.2,
        unit="multiplier",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="Prosecution chance of a case without a cooperating witness, relative to "
        "one with a witness.",
    )
    investigation_weeks: int = param(
        12,
        unit="weeks",
        ge=0,
        le=520,
        source=ASSUMPTION,
        description="Weeks from opening an investigation to the decision to prosecute.",
    )
    trial_weeks: int = param(
        40,
        unit="weeks",
        ge=0,
        le=520,
        source=ASSUMPTION,
        description="Weeks from charge to verdict.",
    )
    prosecution_probability_sex: float = param(
        0.4,
        unit="probability",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="Chance an investigation of sexual exploitation leads to a prosecution.",
    )
    prosecution_probability_labour_patchwork: float = param(
        0.1,
        unit="probability",
        ge=0,
        le=1,
        source="US TIP report 2020: 14 labour-trafficking investigations, 2 prosecutions (2018)",
        description="Chance an investigation of labour exploitation or forced criminality "
        "leads to a prosecution under today's patchwork of offences.",
    )
    prosecution_probability_labour_dedicated: float = param(
        0.4,
        unit="probability",
        ge=0,
        le=1,
        source=ASSUMPTION + ": as for sexual exploitation once an offence exists",
        description="The same under a dedicated anti-trafficking law.",
    )
    conviction_probability_sex: float = param(
        0.6,
        unit="probability",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="Chance a prosecution for sexual exploitation ends in a conviction.",
    )
    conviction_probability_labour_patchwork: float = param(
        0.2,
        unit="probability",
        ge=0,
        le=1,
        source="US TIP reports 2018-2021: 0-2 labour-trafficking convictions a year",
        description="Chance a labour prosecution ends in a conviction under the patchwork.",
    )
    conviction_probability_labour_dedicated: float = param(
        0.6,
        unit="probability",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="The same under a dedicated law.",
    )


class TraffickerParameters(Section):
    """Traffickers: how many, how they recruit, threaten and respond to enforcement."""

    agency_share_labour: float = param(
        0.6,
        unit="share of labour victims",
        ge=0,
        le=1,
        source=ASSUMPTION + ": debt bondage through placement agencies (US TIP reports)",
        description="Share of labour-trafficked domestic workers controlled by recruitment "
        "agencies (the rest by employers).",
    )
    victims_per_agency: float = param(
        15.0,
        unit="persons",
        ge=1,
        le=1_000,
        source=ASSUMPTION,
        description="Mean victims a recruitment agency controls at the start.",
    )
    victims_per_employer: float = param(
        1.0,
        unit="persons",
        ge=1,
        le=100,
        source=ASSUMPTION,
        description="Mean victims an exploiting employer controls.",
    )
    victims_per_operator: float = param(
        6.0,
        unit="persons",
        ge=1,
        le=1_000,
        source=ASSUMPTION,
        description="Mean victims a sex-trade operator controls.",
    )
    victims_per_syndicate: float = param(
        10.0,
        unit="persons",
        ge=1,
        le=1_000,
        source=ASSUMPTION,
        description="Mean victims a syndicate controls (forced criminality, irregular labour).",
    )
    spare_capacity: float = param(
        0.25,
        unit="share",
        ge=0,
        le=10,
        source=ASSUMPTION,
        description="Recruitment capacity beyond the victims held at the start.",
    )
    threat_escalation: float = param(
        0.2,
        unit="0-1 scale per event",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="Rise in a trafficker's threat level when one of its victims is identified "
        "or it is investigated (retaliation).",
    )
    displacement: float = param(
        0.5,
        unit="share",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="Share of a trafficker's recruitment capacity withdrawn while it is under "
        "investigation (moves into lying low).",
    )
    replacement_probability: float = param(
        0.5,
        unit="probability",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="Chance a convicted trafficker is replaced by a new one of the same kind.",
    )


class CostParameters(Section):
    """Unit costs in Hong Kong dollars (2019-2023 prices; detention's is in ``detention``).

    No Hong Kong source gives a unit cost of a screening, a tier-2 session, a week of support or
    a removal: each is inferred from published totals, and says how. Costs are booked as they
    happen (screenings, sessions, support weeks, detention days, removals) into ``cost_hkd``;
    they change no decision in the model.
    """

    tier1_screening_hkd: float = param(
        500.0,
        unit="HK$ per screening",
        ge=0,
        le=1e6,
        source="inference: HK$62M recurrent for 98 new anti-trafficking posts in the 2019-20 "
        "Budget (Chief Secretary's blog, 10 March 2019) is ~HK$633,000 a post-year, ~HK$350 "
        "an officer-hour over ~1,800 working hours; an initial screening is a questionnaire "
        "of about 1-1.5 officer-hours. Range 300-2,000; the upper bound HK$8,000-9,000 "
        "(HK$62M over the 6,900-7,700 screenings a year of 2019-2021) charges every new post "
        "to screening",
        description="Cost of one indicator (tier-1) screening.",
    )
    tier2_session_hkd: float = param(
        3_000.0,
        unit="HK$ per session",
        ge=0,
        le=1e6,
        source="inference: an in-depth interview runs 'many hours' (US TIP report 2022): about "
        "a working day of an officer (~HK$2,800 at HK$350 an hour, as for tier1_screening_hkd) "
        "plus an interpreter; no Hong Kong figure. Range 2,000-20,000",
        description="Cost of one in-depth (tier-2) session, support included.",
    )
    victim_support_week_hkd: float = param(
        3_500.0,
        unit="HK$ per victim-week",
        ge=0,
        le=1e6,
        source="inference: no unit cost of the government-subvented shelters is published; "
        "Bethune House (NGO shelter, ~700 residents a year on ~HK$1M, SCMP 2018) is ~HK$90 a "
        "bed-night, a volunteer-run lower bound (HK$630 a week); a detainee-day at Castle Peak "
        "Bay costs ~HK$907-1,133 (see detention.cost_per_day_hkd), an institutional upper "
        "bound of ~HK$7,900 a week. HK$3,500 (HK$500 a day: shelter, medical and financial "
        "support) lies between. Range 630-10,500",
        description="Cost of supporting an identified victim for a week.",
    )
    removal_hkd: float = param(
        10_000.0,
        unit="HK$ per removal",
        ge=0,
        le=1e6,
        source="inference: no Hong Kong cost per removal is published (the Security Bureau's "
        "HK$45M for repatriating rejected non-refoulement claimants and HK$9.6M 'total "
        "expenditure on repatriation' in 2019-20 conflict, access-to-information request "
        "'Expenditure on repatriation', 2021); Australia spent A$4,081 a removal in 2006-07 "
        "(airfare and escorts); a one-way fare to Manila or Jakarta with an escort for some "
        "gives HK$5,000-25,000. 0 leaves removals out of the cost",
        description="Cost of removing one migrant from Hong Kong (travel document, passage, "
        "escort), booked in the week of removal.",
    )


class AfterRemovalParameters(Section):
    """Life after removal: victims sent home may be re-trafficked and come back (off by default).

    Off, a victim removed or leaving after support is gone for good, as in the model without
    this section; every draw of the mechanism is then skipped, so results are those without it.
    """

    enabled: bool = param(
        False,
        unit="switch",
        source=ASSUMPTION + ": off keeps the model as calibrated before the mechanism existed; "
        "IOM (Jobe 2010) finds re-trafficking 'frequently within two years' of exit, highest "
        "for people forcibly returned without referral",
        description="Whether victims who leave Hong Kong (removed unidentified, or leaving "
        "after support) may be re-trafficked and come back.",
    )
    return_probability: float = param(
        0.15,
        unit="probability per victim removed unidentified",
        ge=0,
        le=1,
        source="inference: re-trafficking within two years of a removal without referral "
        "10-30% (IOM, Jobe 2010: 79 recorded cases among >14,000 assisted, a floor the IOM "
        "calls far below the true level, highest risk for those forcibly returned without "
        "referral; Chen et al. 2023, J. Interpersonal Violence 38: 23 of 87 survivors "
        "re-trafficked, odds ratio 5.29 for a history of being undocumented) times the share "
        "re-trafficked back into Hong Kong rather than elsewhere (no figure; Seefar 2016: 77% "
        "of returned migrant workers want to go abroad again). Range 0.01-0.4",
        description="Chance that a victim removed without being identified is re-trafficked "
        "and comes back to Hong Kong under a trafficker's control.",
    )
    identified_factor: float = param(
        0.4,
        unit="multiplier",
        ge=0,
        le=1,
        source=ASSUMPTION + ": an identified and supported victim goes home with referral and "
        "without the debt unresolved; one third to one half of the unidentified risk (no "
        "study compares the two directly)",
        description="Chance of coming back re-trafficked of an identified victim who leaves "
        "after support, relative to return_probability.",
    )
    return_delay_weeks: float = param(
        39.0,
        unit="weeks",
        ge=0,
        le=520,
        source="inference: IOM (Jobe 2010) re-trafficking 'frequently within two years' of "
        "exit; an exponential wait with a mean of 6-12 months after the minimum puts ~90% "
        "within two years. Range 13-104",
        description="Mean weeks from leaving Hong Kong to coming back re-trafficked (the "
        "minimum plus an exponential wait).",
    )
    return_min_weeks: float = param(
        8.0,
        unit="weeks",
        ge=0,
        le=520,
        source=ASSUMPTION + ": a new recruitment, travel documents and a Hong Kong visa take "
        "about two months at least (capped at the mean)",
        description="Minimum weeks from leaving Hong Kong to coming back re-trafficked.",
    )


class TiesParameters(Section):
    """Community ties: the contact graph by nationality and sector (``model/ties.py``).

    Off by default. The graph changes no result by itself: learning from others' fates
    (``learning``) acts through it.
    """

    enabled: bool = param(
        False,
        unit="switch",
        source=ASSUMPTION + ": off keeps the model as calibrated before the mechanism existed",
        description="Whether migrants have community ties (the contact graph is built).",
    )
    circle_size: int = param(
        12,
        unit="persons",
        ge=2,
        le=200,
        source=ASSUMPTION + ": domestic workers meet on their day off in groups by nationality "
        "(Sunday gatherings in Central and Causeway Bay, Guardian 2017) and cope through 'other "
        "migrant domestic workers' (Choy, Chang & Man 2022); 'nearly half' turn to friends in "
        "Hong Kong when unhappy (HelperChoice and Enrich 2022). No measured group size: a "
        "circle of 12 gives ~5 ties to the non-isolated with the other defaults, within the "
        "4-8 close ties suggested. Range 5-30",
        description="Mean members of a circle (friends met on the day off, an agency's or "
        "employer's cohort) within a community (nationality x group).",
    )
    tie_probability: float = param(
        0.6,
        unit="probability per pair",
        ge=0,
        le=1,
        source=ASSUMPTION + ": sets the clustering coefficient of the non-isolated (friends of "
        "friends meet at the same gathering); no measured clustering of migrant networks in "
        "Hong Kong (Yu et al. 2022 find clustering by occupation in an exposure network, not "
        "a friendship one). Range 0.2-0.9",
        description="Chance that two members of a circle are tied.",
    )
    isolated_share: float = param(
        0.25,
        unit="share of migrants",
        ge=0,
        le=1,
        source="Anjara, Nellums et al. 2017 (Singapore, n=182): 'nearly 20%' of domestic "
        "workers isolated or very isolated; HOME 2015 (Singapore, n=670): 40% without a "
        "weekly rest day, 73% restricted by the employer, phones often taken in the first "
        "6-8 months. Range 0.1-0.5",
        description="Share of migrants with no ties (kept by a person for life).",
    )


class LearningParameters(Section):
    """Learning from others' fates through community ties (``model/learning.py``).

    Off by default; acts only with ``ties.enabled``. No study gives a numeric rate at which
    migrants update fear or trust from a contact's fate: the direction is sourced (vicarious
    experience moves attitudes to the police), the sizes are stated assumptions to sweep.
    """

    enabled: bool = param(
        False,
        unit="switch",
        source=ASSUMPTION + ": off keeps the model as calibrated before the mechanism existed",
        description="Whether migrants' fear of punishment and trust move when a contact is "
        "removed or identified and supported.",
    )
    rate: float = param(
        0.2,
        unit="share of the gap per fate witnessed",
        ge=0,
        le=1,
        source=ASSUMPTION + ": vicarious experience, hearing of someone else's good or bad "
        "encounter, moves attitudes to the police (Rosenbaum et al. 2005, Police Quarterly); "
        "one positive visit 'substantially' improved willingness to cooperate (Peyton, "
        "Sierra-Arevalo & Rand 2019, PNAS). No numeric learning rate found. Range 0.05-0.5",
        description="Share of the gap between a migrant's fear of punishment (trust) and the "
        "signal closed by one contact's good fate (identified and supported).",
    )
    negativity: float = param(
        2.0,
        unit="multiplier",
        ge=0,
        le=10,
        source=ASSUMPTION + ": bad vicarious experiences weigh more and prior negative views "
        "persist (Rosenbaum et al. 2005). Range 1-3",
        description="How much more one contact's removal moves fear and trust than a good "
        "fate (the rate of bad news is rate x negativity, capped at 1).",
    )
    half_life_weeks: float = param(
        13.0,
        unit="weeks",
        ge=0.5,
        le=520,
        source=ASSUMPTION + ": the best-designed studies find short-term changes of trust in "
        "police after events (Nagel & Nivette 2022, J. Experimental Criminology; Peyton et al. "
        "2019: effects still large at 21 days). Range 4-52",
        description="Half-life of what was learnt: a learnt change of fear or trust halves "
        "in this many weeks.",
    )
    help_seeking_fear_weight: float = param(
        1.0,
        unit="share per unit of fear",
        ge=0,
        le=10,
        source=ASSUMPTION + ": victims fear punishment and removal and are 'reluctant to come "
        "forward' (seed articles); a learnt rise of fear of punishment of 0.1 lowers "
        "complaints and self-referral by 10%. Range 0-3",
        description="How much a learnt rise of fear of punishment lowers complaints and "
        "self-referral (their rate is scaled by max(0, 1 - weight x rise)).",
    )


class AdaptationParameters(Section):
    """Traffickers adapt to screening at contact (``model/adaptation.py``; off by default).

    No study measures how often victims are coached to lie to screening or how fast
    traffickers adapt once screening starts: the evidence is qualitative (oaths, scripts) or
    about displacement, so the sizes are stated assumptions to sweep.
    """

    enabled: bool = param(
        False,
        unit="switch",
        source=ASSUMPTION + ": off keeps the model as calibrated before the mechanism existed",
        description="Whether traffickers answer their victims being screened at contact.",
    )
    notice_probability: float = param(
        0.5,
        unit="probability per trafficker and week",
        ge=0,
        le=1,
        source=ASSUMPTION + ": a trafficker learns of a screening from the victim, other "
        "victims or the setting; no figure. Range 0.1-1",
        description="Chance that a trafficker learns that one of its victims was screened at "
        "contact (at most once a week).",
    )
    coaching_fear: float = param(
        0.2,
        unit="0-1 scale per event",
        ge=0,
        le=1,
        source=ASSUMPTION + ": victims sworn to oaths never to report (Dunkerley 2017; "
        "Millett-Barrett 2019), agency-run rings coaching false statements to Immigration "
        "(Immigration Department press releases 2013-2020); no rate. As "
        "traffickers.threat_escalation. Range 0-0.5",
        description="Rise of the fear of retaliation of a trafficker's victims when it notices "
        "a screening at contact (threats and coaching).",
    )
    move_probability: float = param(
        0.5,
        unit="probability per event",
        ge=0,
        le=1,
        source="inference: displacement after enforcement is large, of the order of 0.5-1.0 "
        "of the targeted activity (Cyprus 2010: registered artistes 1,200 to 365 and trafficking "
        "moved to bars and 'sex cafes'; FOSTA 2018: online ads -75%, street arrests +58% in "
        "one city); the share of traffickers who move is an assumption. Range 0-1",
        description="Chance that a trafficker who notices a screening moves its victims out of "
        "exposed settings (raided venues, the street).",
    )
    hide_weeks: float = param(
        26.0,
        unit="weeks",
        ge=0,
        le=520,
        source=ASSUMPTION + ": until the trafficker judges the setting safe again; no figure. "
        "Range 4-104",
        description="Weeks a moved victim cannot be caught in a raid.",
    )


# --------------------------------------------------------------------------------------------
# Policy section
# --------------------------------------------------------------------------------------------


class ScreeningLevers(Section):
    """The levers a screening policy sets (the policy section of the parameters)."""

    tier1_sensitivity: float = param(
        0.6,
        unit="probability",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="Chance that a trained officer's indicator screening flags a victim.",
    )
    tier1_specificity: float = param(
        0.95,
        unit="probability",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="Chance that a trained officer's indicator screening clears a non-victim.",
    )
    tier2_false_positive_rate: float = param(
        0.02,
        unit="probability",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="Chance an in-depth screening of a flagged non-victim wrongly identifies a "
        "victim.",
    )
    tier2_sessions: int = param(
        1,
        unit="sessions",
        ge=1,
        le=10,
        source=ASSUMPTION,
        description="In-depth interview sessions a flagged migrant is offered.",
    )
    tier2_support: bool = param(
        False,
        unit="switch",
        source="seed article (2023): today no support in screening",
        description="Whether lawyers, advocates or counsellors support in-depth screening "
        "(drawn from the support capacity).",
    )
    offender_screening_probability: float = param(
        0.5,
        unit="probability per week",
        ge=0,
        le=1,
        source=ASSUMPTION + ": detainees are 'not ordinarily screened' (seed article, 2023)",
        description="Weekly chance that a detained offender is given an indicator screening "
        "(detention-first); screening at contact is immediate under screening-first policies.",
    )
    non_punishment: bool = param(
        False,
        unit="switch",
        source="seed article (2023); Palermo Protocol practice",
        description="Assurance that victims will not be punished for offences they were "
        "compelled to commit.",
    )
    non_punishment_relief: float = param(
        0.6,
        unit="share",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="Share of the fear-of-punishment effect removed by a non-punishment assurance.",
    )
    trauma_informed: bool = param(
        False,
        unit="switch",
        source="seed article (2023)",
        description="Whether interviews are trauma-informed.",
    )
    trauma_informed_relief: float = param(
        0.5,
        unit="share",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="Share of the trauma effect removed by trauma-informed interviewing.",
    )
    trauma_informed_quality: float = param(
        0.2,
        unit="0-1 scale",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="Interview quality added by trauma-informed interviewing (capped at 1).",
    )
    witness_visa: bool = param(
        False,
        unit="switch",
        source="US TIP report 2019: only 6 of 18 identified victims got a visa extension or "
        "change of employer",
        description="Visa extension and fee waiver for victims who act as witnesses.",
    )
    training_share: float = param(
        0.3,
        unit="share of officers",
        ge=0,
        le=1,
        source=ASSUMPTION + ": 880 officials trained in 2020 (US TIP report 2021) out of several "
        "thousand who meet migrants",
        description="Share of frontline officers trained in victim identification.",
    )
    ngo_referral_share: float = param(
        1.0,
        unit="multiplier",
        ge=0,
        le=10,
        source=ASSUMPTION + ": 1 keeps the world's NGO referral consent as it is",
        description="Multiplier on the NGO referral consent (a referral pathway the policy "
        "funds or chills).",
    )


# --------------------------------------------------------------------------------------------
# The whole parameter set
# --------------------------------------------------------------------------------------------

WORLD_SECTIONS: tuple[str, ...] = (
    "time",
    "population",
    "prevalence",
    "behaviour",
    "encounters",
    "ngo",
    "officers",
    "support",
    "disclosure",
    "detention",
    "justice",
    "traffickers",
    "costs",
    "after_removal",
    "ties",
    "learning",
    "adaptation",
)
POLICY_SECTIONS: tuple[str, ...] = ("screening",)


def world_fields() -> dict[str, tuple[Any, Any]]:
    """Every field a timeline may change: ``"section.field"`` -> (annotation, FieldInfo)."""
    fields = {}
    for section in WORLD_SECTIONS:
        if section in FIXED_SECTIONS:
            continue
        section_cls = Parameters.model_fields[section].annotation
        for name, info in section_cls.model_fields.items():
            fields[f"{section}.{name}"] = (info.annotation, info)
    return fields


@cache
def changes_model() -> type[BaseModel]:
    """A pydantic model whose fields are the world fields by dotted path (all optional).

    Validating an entry's ``set`` mapping through it types and ranges every value with the
    schema's own constraints and refuses unknown paths, reporting each problem separately.
    """
    definitions = {}
    for path, (annotation, info) in world_fields().items():
        field = Field(
            None,
            alias=path,
            description=info.description,
            json_schema_extra=info.json_schema_extra,
        )
        field.metadata = list(info.metadata)  # ge/le constraints
        definitions[path.replace(".", "__")] = (annotation, field)
    fields = {path.replace(".", "__"): info for path, (_, info) in world_fields().items()}

    def numbers_are_not_flags(cls, value: Any, info: ValidationInfo) -> Any:
        return refuse_flag_as_number(value, info, fields)

    return create_model(
        "TimelineChanges",
        __config__=ConfigDict(extra="forbid", populate_by_name=False),
        __validators__={
            "numbers_are_not_flags": field_validator("*", mode="before")(numbers_are_not_flags)
        },
        **definitions,
    )


def _changes_schema(schema: dict[str, Any]) -> None:
    """JSON Schema of ``set``: the world fields by dotted path."""
    generated = changes_model().model_json_schema()
    definitions = generated.pop("$defs", {})

    def inline(node: Any) -> Any:  # the host schema has its own $defs: resolve ours here
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(definitions[node["$ref"].rsplit("/", 1)[-1]])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    schema.clear()
    schema.update(inline(generated))
    for field in schema["properties"].values():
        field.pop("default", None)  # absent means unchanged
    schema["minProperties"] = 1


class TimelineEntry(DatedChange):
    """One dated change: the fields in ``set`` take their values from ``date`` on."""

    set: dict[str, Any] = Field(
        description="World fields by dotted path (e.g. ngo.screenings_per_year) and new values.",
        json_schema_extra=_changes_schema,
    )

    @field_validator("set", mode="after")
    @classmethod
    def _typed(cls, value: dict[str, Any]) -> dict[str, Any]:
        if not value:
            raise ValueError("an entry must set at least one field")
        typed = changes_model().model_validate(value)
        return typed.model_dump(by_alias=True, exclude_unset=True)


class Parameters(Section):
    """All parameters of one run; defaults are the Hong Kong baseline."""

    time: TimeParameters = Field(default_factory=TimeParameters)
    population: PopulationParameters = Field(default_factory=PopulationParameters)
    prevalence: PrevalenceParameters = Field(default_factory=PrevalenceParameters)
    behaviour: BehaviourParameters = Field(default_factory=BehaviourParameters)
    encounters: EncounterParameters = Field(default_factory=EncounterParameters)
    ngo: NGOParameters = Field(default_factory=NGOParameters)
    officers: OfficerParameters = Field(default_factory=OfficerParameters)
    support: SupportParameters = Field(default_factory=SupportParameters)
    disclosure: DisclosureParameters = Field(default_factory=DisclosureParameters)
    detention: DetentionParameters = Field(default_factory=DetentionParameters)
    justice: JusticeParameters = Field(default_factory=JusticeParameters)
    traffickers: TraffickerParameters = Field(default_factory=TraffickerParameters)
    costs: CostParameters = Field(default_factory=CostParameters)
    after_removal: AfterRemovalParameters = Field(default_factory=AfterRemovalParameters)
    ties: TiesParameters = Field(default_factory=TiesParameters)
    learning: LearningParameters = Field(default_factory=LearningParameters)
    adaptation: AdaptationParameters = Field(default_factory=AdaptationParameters)
    screening: ScreeningLevers = Field(default_factory=ScreeningLevers)
    timeline: list[TimelineEntry] = Field(
        default_factory=list,
        description="Dated changes to world fields (see model.timeline, model.world_changes).",
    )

    def updated(self, changes: dict[str, Any]) -> Parameters:
        """Return a validated copy with nested ``changes`` deep-merged in.

        Args:
            changes: Nested mapping, e.g. ``{"screening": {"tier1_sensitivity": 0.8}}``.

        Returns:
            A new, validated parameter set.

        Raises:
            pydantic.ValidationError: If a key is unknown or a value is out of range.
        """
        return Parameters.model_validate(deep_merge(self.model_dump(), changes))


def deep_merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Merge ``changes`` into a copy of ``base``, recursing into nested mappings.

    Args:
        base: The mapping to start from (not modified).
        changes: Values that win; nested mappings are merged key by key.

    Returns:
        The merged mapping.
    """
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def nest_dotted(flat: dict[str, Any], separator: str = ".") -> dict[str, Any]:
    """Turn ``{"screening.tier1_sensitivity": 0.8}`` into ``{"screening": {...: 0.8}}``.

    Args:
        flat: Keys are field paths joined by ``separator``.
        separator: ``"."`` for the command line, ``"__"`` for keyword arguments.

    Returns:
        The nested mapping.
    """
    nested: dict[str, Any] = {}
    for path, value in flat.items():
        parts = path.split(separator)
        node = nested
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return nested
