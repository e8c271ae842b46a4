"""Which data categories a national dataset carries: a curated table of the datasets NHS Digital and NHS
England release, as the data release registers name them.

The table is read in order and the first row whose pattern is found in the dataset's name (lower case,
words only: ``normalise``) gives its categories. A dataset no row names is ``other``, and the import
summary lists it so that a row can be added here.
"""

from __future__ import annotations

import re

from graph.vocab import DataCategory
from loaders.importers.names import normalise

ACUTE = DataCategory.ACUTE
AMBULANCE = DataCategory.AMBULANCE
COMMUNITY = DataCategory.COMMUNITY
DEMOGRAPHICS = DataCategory.DEMOGRAPHICS
MATERNITY = DataCategory.MATERNITY
MENTAL_HEALTH = DataCategory.MENTAL_HEALTH
OTHER = DataCategory.OTHER
PRIMARY_CARE = DataCategory.PRIMARY_CARE
PUBLIC_HEALTH = DataCategory.PUBLIC_HEALTH
SOCIAL_CARE = DataCategory.SOCIAL_CARE

# (pattern, categories): more specific rows first, as the first match wins.
TABLE: tuple[tuple[str, tuple[DataCategory, ...]], ...] = (
    # Linkage keys between two datasets: no clinical content of their own.
    (r"\bbridge\b", (OTHER,)),
    # Hospital Episode Statistics before deaths: "HES data ... Summary Hospital-level Mortality Indicator".
    (r"hospital episode statistics|\bhes\b", (ACUTE,)),
    # DSCRO "Local Provider Data" flows, named by the service they come from.
    (r"local provider data (mental health)", (MENTAL_HEALTH,)),
    (r"local provider data (emergency care|acute|diagnostic)", (ACUTE,)),
    (r"local provider data community", (COMMUNITY,)),
    (r"local provider data ambulance", (AMBULANCE,)),
    (r"local provider data primary care", (PRIMARY_CARE,)),
    (r"local provider data public health", (PUBLIC_HEALTH,)),
    (r"local provider data population", (DEMOGRAPHICS,)),
    (r"local provider data", (OTHER,)),  # demand for service, experience and outcomes, not elsewhere classified
    # Civil registrations, tracing and flagging (MRIS): who was born, died, moved.
    (
        r"mortality|\bdeaths?\b|\bbirths?\b|civil registration|vital statistics|\bmris\b|demographic|"
        r"\bpds\b|list cleaning",
        (DEMOGRAPHICS,),
    ),
    (
        r"mental health|psychological therap|\biapt\b|\bmhsds\b|\bmhmds\b|learning disabilit|assuring transformation",
        (MENTAL_HEALTH,),
    ),
    (r"maternity|\bmsds\b", (MATERNITY,)),
    (r"children and young people s health services|community services data set|\bcsds\b", (COMMUNITY,)),
    (
        r"screening|child measurement|\bncmp\b|sexual and reproductive|\bsrhad\b|immunis|vaccinat|surveillance|"
        r"cancer regist",
        (PUBLIC_HEALTH,),
    ),
    (
        r"\bgpes\b|\bgdppr\b|general practice|\bgp\b(?! census)|primary care|prescri|dispensed|diabetes audit",
        (PRIMARY_CARE,),
    ),
    (r"ambulance", (AMBULANCE,)),
    (
        r"hospital episode statistics|\bhes\b|\bsus\b|secondary uses|emergency care data|\becds\b|"
        r"diagnostic imaging|critical care|accident and emergency|patient reported outcome|\bproms\b|grouper|"
        r"costing|\bplics\b|\bshmi\b|cancer|renal|hospital",
        (ACUTE,),
    ),
    (r"social care|\basc\b", (SOCIAL_CARE,)),
    (r"\bcovid|public health", (PUBLIC_HEALTH,)),
    (r"\bgp census\b", (OTHER,)),  # the GP workforce census: about staff, not patients
)
_COMPILED = tuple((re.compile(pattern), categories) for pattern, categories in TABLE)


def categories_of(dataset: str) -> tuple[DataCategory, ...] | None:
    """The categories the table gives a dataset, or None when no row names it.

    >>> categories_of("Hospital Episode Statistics Outpatients"), categories_of("Primary Care Mortality Database")
    ((<DataCategory.ACUTE: 'acute'>,), (<DataCategory.DEMOGRAPHICS: 'demographics'>,))
    >>> categories_of("Local Provider Data - Mental Health"), categories_of("Widget census") is None
    ((<DataCategory.MENTAL_HEALTH: 'mental_health'>,), True)
    """
    name = normalise(dataset)
    for pattern, categories in _COMPILED:
        if pattern.search(name):
            return categories
    return None
