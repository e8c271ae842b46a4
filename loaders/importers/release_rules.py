"""The mapping rules of the release registers, one function each: what a cell of a published register
becomes in a spec register. ``docs/import.md`` lists them; ``loaders.importers.release_register`` applies
them.
"""

from __future__ import annotations

import re
from datetime import date

from graph.model import Organisation
from graph.vocab import CldcBasis, Identifiability, OptOutStatus, OrgType, Purpose, canonical_article
from loaders.importers.names import normalise, slug

NHS_DIGITAL = Organisation("X26", "NHS Digital", OrgType.OTHER, source="")
NHS_ENGLAND = Organisation("X24", "NHS England", OrgType.NHS_ENGLAND, source="")
MERGER = date(2023, 2, 1)  # NHS Digital merged into NHS England
# National bodies a register names as recipients, found under their ODS codes.
NATIONAL = {normalise(o.name): o for o in (NHS_DIGITAL, NHS_ENGLAND)} | {
    "health and social care information centre": NHS_DIGITAL
}
OPT_OUTS = {
    "y": OptOutStatus.APPLIED,
    "yes": OptOutStatus.APPLIED,
    "n": OptOutStatus.NOT_APPLIED,
    "no": OptOutStatus.NOT_APPLIED,
    "not applicable": OptOutStatus.NOT_APPLICABLE,
    "n a": OptOutStatus.NOT_APPLICABLE,
}


def discloser(period: tuple[date, date]) -> Organisation:
    """NHS Digital (``X26``), or NHS England (``X24``) for registers from February 2023 on."""
    return NHS_ENGLAND if period[0] >= MERGER else NHS_DIGITAL


def dataset_system_id(dataset: str) -> str:
    """``drr-`` + the dataset name lower-cased, runs of characters other than ``a-z0-9`` one ``-``.

    >>> dataset_system_id("Bespoke Extract : SUS PbR A&E")
    'drr-bespoke-extract-sus-pbr-a-e'
    """
    return "drr-" + slug(dataset)


def identifiability_of(text: str) -> Identifiability | None:
    """ "Data provided to customer" (any case or spacing): Identifiable, Pseudonymised, Anonymised - ICO code
    compliant, Aggregated-Small Numbers Suppressed.

    >>> identifiability_of("Anonymised -ICO Code Compliant"), identifiability_of("Aggregated-Small Numbers Suppressed")
    (<Identifiability.ANONYMISED: 'anonymised'>, <Identifiability.AGGREGATE: 'aggregate'>)
    """
    words = normalise(text)
    for stem, value in (
        ("identifiable", Identifiability.IDENTIFIABLE),
        ("pseudonymi", Identifiability.PSEUDONYMISED),
        ("anonymi", Identifiability.ANONYMISED),
        ("aggregat", Identifiability.AGGREGATE),
    ):
        if words.startswith(stem):
            return value
    return None


def ndop_of(text: str) -> OptOutStatus | None:
    """Patient opt-outs applied: ``Y`` applied, ``N`` not applied (``Yes``, ``No``, ``Not applicable`` too).

    Raises ``ValueError`` for any other text; a blank cell is None, not recorded.

    >>> ndop_of("Y"), ndop_of(" no "), ndop_of("")
    (<OptOutStatus.APPLIED: 'applied'>, <OptOutStatus.NOT_APPLIED: 'not_applied'>, None)
    """
    words = normalise(text)
    if not words:
        return None
    if words not in OPT_OUTS:
        raise ValueError(text)
    return OPT_OUTS[words]


CLDC_RULES: tuple[tuple[re.Pattern[str], CldcBasis], ...] = (
    (re.compile(r"section 251|\bs\.? ?251\b"), CldcBasis.S251),
    (re.compile(r"consent"), CldcBasis.EXPLICIT_CONSENT),
    (re.compile(r"non identifiable|anonymi[sz]ed|aggregate|not confidential"), CldcBasis.NOT_CONFIDENTIAL),
    (re.compile(r"\bact\b|\bsection\b|\bs\.? ?\d+|regulations|direction"), CldcBasis.STATUTORY_DIRECTION),
)


def cldc_of(text: str) -> CldcBasis | None:
    """The common law basis a legal-basis text gives: section 251 support, informed consent, data that is not
    confidential, a statutory gateway (an Act, section or direction); else None, left empty.

    >>> cldc_of("Section 251 approval is in place for the flow of identifiable data")
    <CldcBasis.S251: 's251'>
    >>> cldc_of("Health and Social Care Act 2012"), cldc_of("Informed Patient consent to permit the release")
    (<CldcBasis.STATUTORY_DIRECTION: 'statutory_direction'>, <CldcBasis.EXPLICIT_CONSENT: 'explicit_consent'>)
    >>> cldc_of("Other-non-identifiable aggregate care home level data"), cldc_of("Legitimate interest") is None
    (<CldcBasis.NOT_CONFIDENTIAL: 'not_confidential'>, True)
    """
    words = normalise(text)
    for pattern, basis in CLDC_RULES:
        if pattern.search(words):
            return basis
    return None


ARTICLE = re.compile(r"\bart(?:icle)?\.?\s*([69])\s*\(\s*([12])\s*\)\s*\(?\s*([a-j])\s*\)?", re.IGNORECASE)


def articles_in(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The UK GDPR Art 6 and Art 9 references a legal-basis text cites, canonical; none when it cites none.

    >>> articles_in("UK GDPR Article 6(1)(e) and Article 9(2)(h); Health and Social Care Act 2012")
    (('6(1)(e)',), ('9(2)(h)',))
    """
    found = [canonical_article(f"{art}({para})({letter})") for art, para, letter in ARTICLE.findall(text)]
    cited = [article for article in dict.fromkeys(found) if article]
    return tuple(a for a in cited if a.startswith("6")), tuple(a for a in cited if a.startswith("9"))


def purposes_of(text: str) -> tuple[Purpose, ...]:
    """The register's purpose where it gives one in the vocabulary's words; ``other`` otherwise."""
    wanted = normalise(text).replace(" ", "_")
    matched = [purpose for purpose in Purpose if purpose.value == wanted]
    return tuple(matched) or (Purpose.OTHER,)


def collapsed(text: str) -> str:
    """A text with its runs of white space one space, as legal-basis texts are told apart and kept."""
    return " ".join(text.split())
