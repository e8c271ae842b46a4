"""A synthetic flow register for all of England, on the real national reference data.

Pure: the reference data, each practice's GP system supplier, a seed and a scale in; a ``Register``
out, with the IG defects planted in it (``loaders.synth.defects.RATES``) listed beside it. Every
active English practice, open trust and council of the reference data appears under its real code;
what is made up (systems, flows, agreements, bodies the reference data lacks) has a lower-case
``syn-`` id, which no ODS code can be. The same seed gives the same register, record for record.

>>> from graph.model import ReferenceData
>>> synthesise(ReferenceData(), {}).register.counts()["organisations"] > 0
True
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from operator import attrgetter
from random import Random

from graph.model import Flow, Organisation, ReferenceData, Register, within
from graph.vocab import OrgType
from loaders.synth.defects import ANCHOR, RATES, Planted, plant
from loaders.synth.ics import Ics, Plan, Tier
from loaders.synth.national import SDES, build_national, cover_hosting, csu_of
from loaders.synth.records import Records
from loaders.synth.sources import local_authority_flows, practice_flows, trust_flows

__all__ = ["ANCHOR", "NAME", "RATES", "TIER_COUNTS", "Planted", "Synthesis", "Tier", "describe", "synthesise"]

NAME = "synthetic-england"
TRUSTS = (
    OrgType.ACUTE_TRUST,
    OrgType.COMMUNITY_TRUST,
    OrgType.MENTAL_HEALTH_TRUST,
    OrgType.AMBULANCE_TRUST,
    OrgType.COMBINED_TRUST,
)
FLOW_FIELDS = attrgetter(*(f.name for f in fields(Flow)))
TIER_COUNTS = {Tier.SHCR_ONLY: 2, Tier.LEADING: 10, Tier.BEHIND: 8}
"""How many ICSs of each tier; the rest are ``developing``. A leading ICS needs a mental health trust."""


@dataclass(slots=True)
class Synthesis:
    """The register, each ICB's tier, the findings planted and the size of each defect's population."""

    register: Register
    tiers: dict[str, Tier]
    planted: list[Planted]
    populations: dict[str, int]


@dataclass(slots=True)
class England:
    """The reference organisations the register covers, by ICB, in code order."""

    icbs: list[Organisation]
    practices: dict[str, list[Organisation]]
    trusts: dict[str, list[Organisation]]
    councils: dict[str, list[Organisation]]

    @classmethod
    def of(cls, reference: ReferenceData) -> England:
        """Active practices, open trusts and councils that have an English ICB; Welsh ones are left out."""
        icbs: list[Organisation] = []
        practices, trusts, councils = defaultdict(list), defaultdict(list), defaultdict(list)
        for org in sorted(reference.organisations, key=lambda o: o.org_id):
            if not within(ANCHOR, None, org.valid_to):  # closed by the anchor (opening later is kept)
                continue
            if org.org_type is OrgType.ICB:
                icbs.append(org)
            elif org.icb is None:
                continue
            elif org.org_type is OrgType.GP_PRACTICE:
                practices[org.icb].append(org)
            elif org.org_type in TRUSTS:
                trusts[org.icb].append(org)
            elif org.org_type is OrgType.LOCAL_AUTHORITY:
                councils[org.icb].append(org)
        return cls(icbs, dict(practices), dict(trusts), dict(councils))


def resolve_suppliers(practices: Sequence[Organisation], suppliers: Mapping[str, str]) -> dict[str, str]:
    """Each practice's supplier, EMIS or TPP; one the national file lacks gets its ICB's usual one.

    >>> a, b = (Organisation(c, c, OrgType.GP_PRACTICE) for c in ("A1", "A2"))
    >>> resolve_suppliers([a, b], {"A1": "TPP"})
    {'A1': 'TPP', 'A2': 'TPP'}
    """
    known = {p.org_id: suppliers[p.org_id] for p in practices if suppliers.get(p.org_id) in ("EMIS", "TPP")}
    usual = Counter(known.values()).most_common(1)[0][0] if known else "EMIS"
    return {p.org_id: known.get(p.org_id, usual) for p in practices}


def assign_tiers(england: England, rng: Random) -> dict[str, Tier]:
    """Each ICB's tier, drawn at random within ``TIER_COUNTS``."""
    order = [icb.org_id for icb in england.icbs]
    rng.shuffle(order)
    tiers = dict.fromkeys(order[: TIER_COUNTS[Tier.SHCR_ONLY]], Tier.SHCR_ONLY)

    def mental_health(icb: str) -> bool:
        kinds = (OrgType.MENTAL_HEALTH_TRUST, OrgType.COMBINED_TRUST)
        return any(t.org_type in kinds for t in england.trusts.get(icb, ()))

    can_lead = [icb for icb in order if icb not in tiers and mental_health(icb) and england.practices.get(icb)]
    tiers.update(dict.fromkeys(can_lead[: TIER_COUNTS[Tier.LEADING]], Tier.LEADING))
    rest = [icb for icb in order if icb not in tiers]
    tiers.update(dict.fromkeys(rest[: TIER_COUNTS[Tier.BEHIND]], Tier.BEHIND))
    tiers.update(dict.fromkeys(rest[TIER_COUNTS[Tier.BEHIND] :], Tier.DEVELOPING))
    return dict(sorted(tiers.items()))


def replicate(records: Records, planted: list[Planted], scale: int) -> list[Planted]:
    """``scale - 1`` copies of every system and flow: each copy of a flow joins the copies of its systems.

    The copies keep the organisations, agreements, tiers and defect rates: a stress load, not a new
    England. Copy ``k`` of ``x`` is ``x-xk``; an agreement covering a system or flow covers its copies too.
    """
    systems, flows = list(records.systems.values()), list(records.flows.values())
    system_ids = set(records.systems)
    for agreement in [a for a in records.agreements.values() if a.covers]:
        copied = [c + f"-x{k}" for k in range(2, scale + 1) for c in agreement.covers]
        records.agreements[agreement.agreement_id] = replace(agreement, covers=agreement.covers + tuple(copied))
    copies = list(planted)
    for k in range(2, scale + 1):
        suffix = f"-x{k}"
        for system in systems:
            twin = replace(system, system_id=system.system_id + suffix, name=f"{system.name} (copy {k})")
            records.systems[twin.system_id] = twin
        for flow in flows:
            # Built from a tuple of the fields: dataclasses.replace takes three times as long, which
            # shows at scale 10. The first three fields are flow_id, source and destination.
            _, source, destination, *rest = FLOW_FIELDS(flow)
            copy = Flow(
                flow.flow_id + suffix,
                source + suffix if source in system_ids else source,
                destination + suffix if destination in system_ids else destination,
                *rest,
            )
            records.flows[copy.flow_id] = copy
            records.kinds[copy.flow_id] = records.kinds[flow.flow_id]
        copies += [replace(p, flow_id=p.flow_id + suffix) for p in planted]
    return copies


def synthesise(
    reference: ReferenceData, suppliers: Mapping[str, str], *, seed: int = 0, scale: int = 1, name: str = NAME
) -> Synthesis:
    """The synthetic register for ``reference``; ``suppliers`` maps practice codes to EMIS or TPP."""
    if scale < 1:
        raise ValueError(f"scale must be 1 or more, not {scale}")
    england = England.of(reference)
    tiers = assign_tiers(england, Random(f"{seed}:tiers"))
    records = Records()
    councils = [la for icb in sorted(england.councils) for la in england.councils[icb]]
    by_csu: dict[str, list[str]] = defaultdict(list)
    for council in councils:
        by_csu[csu_of(council)].append(council.org_id)
    build_national(records, [icb.org_id for icb in england.icbs], SDES.values(), by_csu)
    for icb in england.icbs:
        practices = england.practices.get(icb.org_id, [])
        trusts = england.trusts.get(icb.org_id, [])
        if not practices and not trusts:
            continue
        ics = Ics(
            icb,
            tiers[icb.org_id],
            practices,
            trusts,
            england.councils.get(icb.org_id, []),
            resolve_suppliers(practices, suppliers),
        )
        # Each ICS draws from its own stream, so a change in one leaves the others as they were.
        plan = Plan(ics, Random(f"{seed}:{icb.org_id}"))
        plan.systems(records)
        plan.agreements(records)
        for practice in practices:
            practice_flows(records, plan, practice)
        for trust in trusts:
            trust_flows(records, plan, trust)
        for council in ics.local_authorities:
            local_authority_flows(records, plan, council)
        plan.platform_links(records)
    cover_hosting(records)
    planted, populations = plant(records, Random(f"{seed}:defects"), reference.organisations)
    planted = replicate(records, planted, scale)
    return Synthesis(records.register(name), tiers, planted, populations)


def describe(synthesis: Synthesis, seed: int, scale: int) -> str:
    """A README for the written register: what is real, the tiers, and the defects planted at which rates."""
    counts = synthesis.register.counts()
    lines = [
        f"# Synthetic England (seed {seed}, scale {scale})",
        "",
        "**The flows, systems and agreements in this register are synthetic.** The GP practices, trusts,",
        "councils, ICBs and PCNs are real organisations under their real codes, from the bundled reference data;",
        "what they are said to send, to whom and on what basis is made up. Do not read it as a statement about",
        "any organisation. Made-up ids start with `syn-`; `X24` (NHS England) and `0AR` (NECS) are real codes.",
        "",
        f"Generated by `icsgraph synth --seed {seed} --scale {scale}`; dates are chosen so that the planted",
        f"findings appear as of {ANCHOR.isoformat()}. " + ", ".join(f"{n} {kind}" for kind, n in counts.items()) + ".",
        "",
        "## ICSs by tier",
        "",
        "| tier | ICBs |",
        "| --- | --- |",
    ]
    for tier in Tier:
        icbs = [icb for icb, t in synthesis.tiers.items() if t is tier]
        lines.append(f"| `{tier.value}` | {len(icbs)}: {', '.join(icbs)} |")
    lines += [
        "",
        "## Planted IG defects",
        "",
        "Rates are of the register before `--scale` copies; each copy of a flow carries its defect.",
        "",
        "| defect | check | what | share of | population | planted | findings |",
        "| --- | --- | --- | --- | ---: | ---: | ---: |",
    ]
    findings = Counter(p.defect for p in synthesis.planted)
    units = Counter(p.defect for p in {(p.defect, p.unit): p for p in synthesis.planted}.values())
    for defect, rate in RATES.items():
        share = f"{rate.count} of" if rate.count is not None else f"{rate.share:.1%} of"
        lines.append(
            f"| {defect} | `{rate.check}` | {rate.what} | {share} {rate.population} "
            f"| {synthesis.populations.get(defect, 0)} | {units[defect]} | {findings[defect]} |"
        )
    return "\n".join(lines) + "\n"
