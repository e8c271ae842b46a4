"""IG defects planted in the synthetic register at documented rates, and the list of what was planted.

``RATES`` is the table: for each defect, the IG check that must find it, what it is a share of (its
population, counted in the register as built, before ``--scale`` copies), and the share or count.
Each defect is planted on its own flows, never two on one flow, and changes nothing another check
reads, so that every check finds exactly the flows listed in ``Planted`` records, no more, no fewer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from random import Random

from graph.model import Flow, Organisation, System
from graph.vocab import ANALYTICAL_PLATFORMS, CldcBasis, DataCategory, Identifiability, OptOutStatus, OrgType, Purpose
from loaders.synth.ics import since
from loaders.synth.records import DIRECT_CARE, PREFIX, Records

ANCHOR = date(2026, 11, 25)
"""The day the planted findings are dated for: agreements expire before it, COPI reliance is after 2022."""
EXPIRY_WINDOW_DAYS = 30
NOT_SPECIAL = (DataCategory.DEMOGRAPHICS, DataCategory.WIDER_DETERMINANTS)


@dataclass(frozen=True, slots=True)
class Rate:
    """One kind of defect: which check finds it, of what population, at what share (or how many)."""

    check: str
    what: str
    population: str
    share: float | None = None
    count: int | None = None

    def planted(self, population: int) -> int:
        return self.count if self.count is not None else round((self.share or 0.0) * population)


RATES: dict[str, Rate] = {
    "offshore": Rate("offshore", "hosted in the United States", "virtual ward remote monitoring systems", 0.25),
    "pcn-controller": Rate(
        "role-holders", "a PCN named controller of its practices' hub records", "ICSs (one PCN each)", count=3
    ),
    "no-dpa": Rate(
        "processor-contracts", "no data processing agreement with the GP system supplier", "practices", 0.01
    ),
    "ascld-dsa": Rate("processor-contracts", "council not party to the ASC-CLD DSA naming the CSU", "councils", 0.02),
    "art26-gap": Rate(
        "joint-arrangements", "not party to the Art 26 arrangement", "practices in a shared care record", 0.015
    ),
    "expired": Rate("agreement-expiry", "expired before 2026-11-25", "practice sign-ups and trust DSAs", 0.01),
    "expiring": Rate(
        "agreement-expiry", f"expires within {EXPIRY_WINDOW_DAYS} days", "practice sign-ups and trust DSAs", 0.005
    ),
    "copi": Rate("copi", "relies on COPI after 30 June 2022", "trust feeds under s251", 0.05),
    "identifiable-to-analytics": Rate(
        "identifiable-to-analytics", "sent identifiable", "s251 feeds into analytical platforms", 0.01
    ),
    "ndop": Rate("opt-outs", "national data opt-out not applied", "s251 feeds for secondary use", 0.02),
    "type1": Rate("opt-outs", "Type 1 opt-out not applied", "practice feeds for secondary use", 0.01),
    "no-art6": Rate("lawful-basis", "no Art 6 basis", "flows of personal data", 0.01),
    "no-art9": Rate("lawful-basis", "no Art 9 condition", "flows of personal health data", 0.005),
    "no-cldc": Rate("lawful-basis", "no CLDC basis", "flows of identifiable data for direct care", 0.005),
}


@dataclass(frozen=True, slots=True)
class Planted:
    """A finding the check must report: on ``flow_id`` (and ``org_id`` for role checks), from ``unit``.

    ``unit`` is what the rate counts: the system hosted abroad, the agreement that expired, the flow.
    """

    defect: str
    check: str
    flow_id: str
    org_id: str | None
    unit: str


S251_FEEDS = ("phm", "risk", "phm-trust", "phm-shcr", "sde-phm", "sde-trust")
PRACTICE_FEEDS = ("phm", "risk")


class Planter:
    """Plants each defect in turn on flows no other defect has touched."""

    def __init__(self, records: Records, rng: Random, reference: Iterable[Organisation]) -> None:
        self.r, self.rng = records, rng
        self.reference = {o.org_id: o for o in reference}
        self.used: set[str] = set()
        self.planted: list[Planted] = []
        self.populations: dict[str, int] = {}
        self.alive = {i for i, f in records.flows.items() if f.live_at(ANCHOR)}

    def live(self, kinds: Iterable[str] | None = None, test: Callable[[Flow], bool] = lambda f: True) -> list[Flow]:
        wanted = set(kinds) if kinds is not None else None
        return [
            f
            for f in self.r.flows.values()
            if f.flow_id not in self.used
            and f.flow_id in self.alive
            and (wanted is None or self.r.kinds[f.flow_id] in wanted)
            and test(f)
        ]

    def pick(self, defect: str, population: list[str]) -> list[str]:
        self.populations[defect] = len(population)
        n = RATES[defect].planted(len(population))
        return sorted(self.rng.sample(sorted(population), min(n, len(population))))

    def mark(
        self, defect: str, flow: Flow, org_id: str | None = None, unit: str | None = None, **changes: object
    ) -> None:
        note = f"[synthetic defect: {RATES[defect].what}]"
        notes = f"{flow.notes} {note}" if flow.notes else note
        self.r.flows[flow.flow_id] = replace(flow, notes=notes, **changes)  # type: ignore[arg-type]
        self.used.add(flow.flow_id)
        self.planted.append(Planted(defect, RATES[defect].check, flow.flow_id, org_id, unit or flow.flow_id))

    # --- the defects, in the order planted -------------------------------------------------------------

    def offshore(self) -> None:
        systems = self.pick("offshore", [s for s in self.r.systems if s.endswith("-rpm")])
        for system_id in systems:
            self.r.systems[system_id] = replace(self.r.systems[system_id], hosting_location="United States")
        for flow in self.live(test=lambda f: f.destination in systems and f.identifiability.personal):
            self.mark("offshore", flow, unit=flow.destination)

    def pcn_controller(self) -> None:
        """A PCN recorded as controller of its member practices' enhanced access hub records."""
        members: dict[str, dict[str, list[str]]] = {}
        for flow in self.r.flows.values():
            practice = self.reference.get(flow.source)
            if self.r.kinds[flow.flow_id] == "gp" and practice and practice.pcn and practice.icb:
                members.setdefault(practice.icb, {}).setdefault(practice.pcn, []).append(flow.flow_id)
        icbs = [icb for icb, pcns in members.items() if any(len(m) > 1 for m in pcns.values())]
        for icb in self.pick("pcn-controller", icbs):
            pcn = self.rng.choice(sorted(p for p, m in members[icb].items() if len(m) > 1))
            for gp_flow in members[icb][pcn]:
                own = self.r.flows[gp_flow]
                flow_id = self.r.flow(
                    "pcn-hub",
                    f"{PREFIX}{own.source.lower()}-hub",
                    own.source,
                    own.destination,
                    [DataCategory.PRIMARY_CARE],
                    [Purpose.DIRECT_CARE],
                    Identifiability.IDENTIFIABLE,
                    [pcn],
                    DIRECT_CARE,
                    type1=OptOutStatus.NOT_APPLICABLE,
                    valid_from=since(date(2022, 10, 1), self.reference[own.source].valid_from),
                    transport="enhanced access hub",
                )
                self.alive.add(flow_id)
                self.mark("pcn-controller", self.r.flows[flow_id], org_id=pcn, unit=icb)

    def no_dpa(self) -> None:
        gp = {f.source: f for f in self.live(["gp"])}
        for practice in self.pick("no-dpa", list(gp)):
            flow = gp[practice]
            for agreement_id in flow.agreements:
                del self.r.agreements[agreement_id]
            self.mark("no-dpa", flow, org_id=flow.processors[0], unit=practice, agreements=())

    def ascld_dsa(self) -> None:
        feeds = {f.controllers[0]: f for f in self.live(["ascld"])}
        for council in self.pick("ascld-dsa", list(feeds)):
            flow = feeds[council]
            dsa = self.r.agreements[flow.agreements[-1]]
            self.r.agreements[dsa.agreement_id] = replace(dsa, parties=tuple(p for p in dsa.parties if p != council))
            self.mark("ascld-dsa", flow, org_id=flow.processors[0], unit=council)

    def art26_gap(self) -> None:
        joint = {f.flow_id: f for f in self.live(["shcr"], lambda f: self.kind_of(f.source) == OrgType.GP_PRACTICE)}
        for flow_id in self.pick("art26-gap", list(joint)):
            flow = joint[flow_id]
            art26 = self.r.agreements[flow.agreements[0]]
            parties = tuple(p for p in art26.parties if p not in flow.controllers)
            self.r.agreements[art26.agreement_id] = replace(art26, parties=parties)
            self.mark("art26-gap", flow, valid_from=max(date(2026, 10, 1), flow.valid_from or date.min))

    def expiry(self) -> None:
        listing: dict[str, list[Flow]] = {}
        for flow in self.live():
            for agreement_id in flow.agreements:
                listing.setdefault(agreement_id, []).append(flow)
        candidates = [a for a in listing if a.endswith(("-signup", "-dsa-dw", "-dsa-sde"))]
        expired = self.pick("expired", candidates)
        expiring = self.pick("expiring", [a for a in candidates if a not in expired])
        # Expired: ended between April 2025 (or its start, for a practice that opened since) and the day
        # before the anchor. Expiring: ends within the window after it.
        for defect, chosen, first, last in (
            ("expired", expired, date(2025, 4, 30), ANCHOR - timedelta(days=1)),
            ("expiring", expiring, ANCHOR + timedelta(days=1), ANCHOR + timedelta(days=EXPIRY_WINDOW_DAYS)),
        ):
            for agreement_id in chosen:
                agreement = self.r.agreements[agreement_id]
                earliest = max(first, agreement.start or first)
                end = earliest + timedelta(days=self.rng.randint(0, (last - earliest).days))
                self.r.agreements[agreement_id] = replace(agreement, end=end)
                for flow in listing[agreement_id]:
                    self.mark(defect, flow, unit=agreement_id)

    def copi(self) -> None:
        for flow in self.chosen("copi", self.live(["phm-trust", "sde-trust"])):
            start = date(2023, self.rng.randint(1, 12), 1)
            self.mark(
                "copi",
                flow,
                cldc_basis=CldcBasis.COPI,
                legal_instruments=("COPI notice 2020",),
                ndop=OptOutStatus.NOT_APPLICABLE,
                valid_from=start,
            )

    def identifiable(self) -> None:
        into_platform = self.live(S251_FEEDS, lambda f: self.kind_of(f.destination) in ANALYTICAL_PLATFORMS)
        for flow in self.chosen("identifiable-to-analytics", into_platform):
            self.mark("identifiable-to-analytics", flow, identifiability=Identifiability.IDENTIFIABLE)

    def opt_outs(self) -> None:
        for flow in self.chosen("ndop", self.live(S251_FEEDS)):
            self.mark("ndop", flow, ndop=OptOutStatus.NOT_APPLIED)
        for flow in self.chosen("type1", self.live(PRACTICE_FEEDS)):
            self.mark("type1", flow, type1=OptOutStatus.NOT_APPLIED)

    def lawful_basis(self) -> None:
        personal = self.live(test=lambda f: f.identifiability.personal)
        for flow in self.chosen("no-art6", personal):
            self.mark("no-art6", flow, art6=())
        health = self.live(
            test=lambda f: f.identifiability.personal and any(c not in NOT_SPECIAL for c in f.data_categories)
        )
        for flow in self.chosen("no-art9", health):
            self.mark("no-art9", flow, art9=())
        direct = self.live(
            test=lambda f: f.identifiability is Identifiability.IDENTIFIABLE and f.purposes == (Purpose.DIRECT_CARE,)
        )
        for flow in self.chosen("no-cldc", direct):
            self.mark("no-cldc", flow, cldc_basis=None)

    def chosen(self, defect: str, flows: list[Flow]) -> list[Flow]:
        return [self.r.flows[i] for i in self.pick(defect, [f.flow_id for f in flows])]

    def kind_of(self, node_id: str) -> str | None:
        node: Organisation | System | None = self.r.systems.get(node_id) or self.reference.get(node_id)
        return node.node_type if node else None


def plant(records: Records, rng: Random, reference: Iterable[Organisation]) -> tuple[list[Planted], dict[str, int]]:
    """Plant every defect of ``RATES`` in ``records``; the findings expected, and each population's size."""
    planter = Planter(records, rng, reference)
    planter.offshore()
    planter.pcn_controller()
    planter.no_dpa()
    planter.ascld_dsa()
    planter.art26_gap()
    planter.expiry()
    planter.copi()
    planter.identifiable()
    planter.opt_outs()
    planter.lawful_basis()
    return planter.planted, planter.populations
