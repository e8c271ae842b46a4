"""One ICS's register cut out of the synthetic national one, for the benchmark's "reload one ICS" row.

IG teams keep a register per ICS; the synthetic generator writes England as one register. The cut
takes one ICB's share: its systems, every flow into or out of a node of the ICB (its practices,
trusts and councils by the reference hierarchy, its systems by their ``icb`` column), and the
agreements only those flows list. What stays is national: national systems and collections, the
organisations (suppliers, CSUs), the agreements other flows share. The ICS register names national
systems and agreements, as a real one would, and nothing national names the ICS's: each loads, and
reloads, on its own.

The ICB chosen is the one whose share of the flows is nearest 1/42 (England has 42 ICSs).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from graph.model import Organisation, ReferenceData, Register

ICSS = 42


def icb_of(reference: ReferenceData, register: Register) -> dict[str, str]:
    """The ICB of every node that has one: reference organisations, then the register's systems."""
    icbs = {o.org_id: o.icb for o in reference.organisations if o.icb}
    icbs.update((s.system_id, s.icb) for s in register.systems if s.icb)
    return icbs


def typical_icb(reference: ReferenceData, register: Register) -> str:
    """The ICB whose flows (into or out of its nodes) are nearest 1/42 of all."""
    icbs = icb_of(reference, register)
    touching: Counter[str] = Counter()
    for flow in register.flows:
        for icb in {icbs.get(flow.source), icbs.get(flow.destination)} - {None}:
            touching[icb] += 1  # type: ignore[index]
    share = len(register.flows) / ICSS
    return min(sorted(touching), key=lambda icb: abs(touching[icb] - share))


def split(reference: ReferenceData, register: Register, icb: str) -> tuple[Register, Register]:
    """(national without the ICB, the ICB's register named ``ics-<icb>``)."""
    icbs = icb_of(reference, register)
    own_systems = [s for s in register.systems if s.icb == icb]
    flows = [f for f in register.flows if icb in (icbs.get(f.source), icbs.get(f.destination))]
    moved = {f.flow_id for f in flows}
    rest_flows = [f for f in register.flows if f.flow_id not in moved]
    listed_elsewhere = {a for f in rest_flows for a in f.agreements}
    listed_here = {a for f in flows for a in f.agreements}
    agreements = [a for a in register.agreements if a.agreement_id in listed_here - listed_elsewhere]
    taken = {a.agreement_id for a in agreements}
    name = f"ics-{icb.lower()}"
    ics = Register(
        name=name,
        path=name,
        systems=[replace(s, source=name) for s in own_systems],
        flows=[replace(f, source_register=name) for f in flows],
        agreements=[replace(a, source_register=name) for a in agreements],
    )
    rest = Register(
        name=register.name,
        path=register.path,
        organisations=list(register.organisations),
        systems=[s for s in register.systems if s.icb != icb],
        flows=rest_flows,
        agreements=[a for a in register.agreements if a.agreement_id not in taken],
    )
    return rest, ics


def revised(register: Register) -> Register:
    """The same register with every flow changed (a note added): a reload that rewrites all of it."""
    return replace(register, flows=[replace(f, notes=f"{f.notes or ''} (revised)".strip()) for f in register.flows])


def practices_of(reference: ReferenceData) -> list[Organisation]:
    return [o for o in reference.organisations if o.org_type == "gp_practice"]
