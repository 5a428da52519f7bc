"""Enumerations of the states a migrant, a case or a trafficker can be in.

Every migrant slot holds exactly one value of each enumeration; the integer codes are what the
column store (``model.population``) keeps in its numpy arrays.

In array operations the model writes a member's code (``Stage.COMMUNITY.value``, or a constant
such as :data:`FIRST_TRAFFICKED`) rather than the member. numpy takes an ``IntEnum`` member, an
``int`` subclass, for a 64-bit integer array instead of a Python number, so comparing it with an
``int8`` column first casts the whole column: 3-5 us more per operation on a few thousand slots,
some forty times a week (``benchmarks/README.md``). The results are the same either way.
"""

from __future__ import annotations

from enum import IntEnum


class Group(IntEnum):
    """Migrant group."""

    DOMESTIC = 0
    OTHER = 1
    SEX = 2
    IRREGULAR = 3


class Exploitation(IntEnum):
    """Exploitation status; the three TRAFFICKED_* values make a migrant a victim."""

    NONE = 0
    FORCED_LABOUR = 1
    TRAFFICKED_LABOUR = 2
    TRAFFICKED_SEX = 3
    TRAFFICKED_CRIMINALITY = 4


FIRST_TRAFFICKED = int(Exploitation.TRAFFICKED_LABOUR)


class LegalStatus(IntEnum):
    """Immigration status."""

    REGULAR = 0
    OVERSTAYER = 1
    ILLEGAL_WORKER = 2


class Stage(IntEnum):
    """Where a migrant slot is in the pipeline; each slot is in exactly one stage."""

    ABSENT = 0
    COMMUNITY = 1
    DETAINED = 2
    SUPPORTED = 3


class Route(IntEnum):
    """How a migrant came to meet the authorities."""

    RAID = 0
    OVERSTAY = 1
    COMPLAINT = 2
    SELF_REFERRAL = 3
    VISA_APPLICATION = 4
    NGO_REFERRAL = 5
    ARREST = 6
    NON_REFOULEMENT_CLAIM = 7
    INVESTIGATION = 8  # found by police investigating a sex-trade operator


#: Routes whose migrants are met as offenders (detained at once under detention-first): raids,
#: overstay arrests, migrants arrested by the police for other offences, and sex workers found
#: in an investigation of their operator (working illegally).
OFFENDER_ROUTES = frozenset({Route.RAID, Route.OVERSTAY, Route.ARREST, Route.INVESTIGATION})


class Agency(IntEnum):
    """Government agency of an officer."""

    IMMIGRATION = 0
    POLICE = 1
    LABOUR = 2
    CUSTOMS = 3


class TraffickerKind(IntEnum):
    """Kind of trafficker."""

    AGENCY = 0
    EMPLOYER = 1
    OPERATOR = 2
    SYNDICATE = 3


class LegalState(IntEnum):
    """Where a trafficker is in the justice system."""

    ACTIVE = 0
    INVESTIGATED = 1
    PROSECUTED = 2
    CONVICTED = 3
