"""The IG checks on legal bases: lawful-basis, opt-outs and copi; and what every check shares.

A check is a named query of kind ``check``: one row per finding, with the same four columns for every
check (``flow_id``, ``org_id``, ``rule``, ``reason``), so the CLI and the API can list findings of
all checks together. Only flows live at ``as_of`` count.

Each check's two engines find the same facts (the networkx one from the records, the Cypher one in
its WHERE clauses) and hand them to one shared function that writes the rows, so the reason texts
cannot drift apart between the stores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from graph.store import CypherRunner, Row
from graph.view import GraphView
from graph.vocab import CldcBasis, DataCategory, Identifiability, OptOutStatus, OrgType, Purpose, SystemType
from queries.flows import carrying, live
from queries.registry import AS_OF, CypherImpl, NamedQuery, NetworkxImpl, Param, declare

CHECK_COLUMNS = ("flow_id", "org_id", "rule", "reason")
PERSONAL = (Identifiability.IDENTIFIABLE.value, Identifiability.PSEUDONYMISED.value)
# Every category but these is health or care data, special category under Art 9, when personal.
NOT_SPECIAL = (DataCategory.DEMOGRAPHICS.value, DataCategory.WIDER_DETERMINANTS.value)
# Opt-out statuses that satisfy a check: honoured, or lawfully set aside (e.g. by a CAG approval).
HONOURED = (OptOutStatus.APPLIED.value, OptOutStatus.EXEMPT.value)
COPI_END = date(2022, 6, 30)

LIVE_FLOWS_CYPHER = f"MATCH (a:Node)-[f:FLOW]->(b:Node) WHERE {live('f')}"


def finding(rule: str, flow_id: str | None, org_id: str | None, reason: str) -> Row:
    return {"flow_id": flow_id, "org_id": org_id, "rule": rule, "reason": reason}


def in_order(records: Iterable[Mapping[str, Any]], *fields: str) -> list[Mapping[str, Any]]:
    """Found facts by flow, then by ``fields``, which tell apart the findings on one flow.

    The order is total, so rows come out the same on every store.
    """
    return sorted(records, key=lambda r: (r["flow_id"], *(r[f] for f in fields)))


def secondary_uses(purposes: Sequence[str]) -> list[str]:
    """The secondary-use purposes of a flow: every purpose but direct care, in the order recorded."""
    return [purpose for purpose in purposes if purpose != Purpose.DIRECT_CARE.value]


def check(
    name: str,
    description: str,
    networkx: NetworkxImpl,
    cypher: CypherImpl,
    params: tuple[Param, ...] = (),
) -> NamedQuery:
    """Declare a check: kind ``check``, ``as_of`` first, the shared finding columns."""
    return declare(
        NamedQuery(
            name=name,
            description=description,
            params=(AS_OF, *params),
            columns=CHECK_COLUMNS,
            networkx=networkx,
            cypher=cypher,
            kind="check",
        )
    )


# --- lawful-basis ----------------------------------------------------------------------------------


def lawful_basis_rows(records: Iterable[Mapping[str, Any]]) -> list[Row]:
    rows = []
    for r in in_order(records, "layer"):
        flow = f"Flow {r['flow_id']} from {r['source']} to {r['destination']}"
        if r["layer"] == "art6":
            reason = (
                f"{flow} carries {r['identifiability']} personal data but records no UK GDPR Art 6 lawful basis: "
                "record one in art6 (NHS bodies mostly use 6(1)(e) public task or 6(1)(c) legal obligation)."
            )
        elif r["layer"] == "art9":
            special = ", ".join(c for c in r["categories"] if c not in NOT_SPECIAL)
            reason = (
                f"{flow} carries {r['identifiability']} health data ({special}), special category data, but "
                "records no Art 9 condition: record one in art9 (e.g. 9(2)(h) health or social care, "
                "9(2)(i) public health, 9(2)(j) research)."
            )
        elif r["cldc_basis"] is None:
            reason = (
                f"{flow} carries identifiable data but records no common law duty of confidentiality basis: "
                "record cldc_basis (e.g. implied_consent for direct care, s251, statutory_direction)."
            )
        else:
            reason = (
                f"{flow} carries identifiable data but records cldc_basis not_confidential, which only "
                "anonymised or aggregate data can be: record the basis that sets the duty aside "
                "(e.g. implied_consent for direct care, s251, statutory_direction)."
            )
        rows.append(finding("lawful-basis", r["flow_id"], None, reason))
    return rows


def lawful_basis_networkx(view: GraphView, params: Mapping[str, Any]) -> list[Row]:
    records = []
    for flow in carrying(view, params["as_of"], None):
        if not flow.identifiability.personal:
            continue
        facts = {
            "flow_id": flow.flow_id,
            "source": flow.source,
            "destination": flow.destination,
            "identifiability": flow.identifiability.value,
            "categories": [c.value for c in flow.data_categories],
            "cldc_basis": flow.cldc_basis.value if flow.cldc_basis else None,
        }
        if not flow.art6:
            records.append({**facts, "layer": "art6"})
        if not flow.art9 and any(c not in NOT_SPECIAL for c in flow.data_categories):
            records.append({**facts, "layer": "art9"})
        identifiable = flow.identifiability is Identifiability.IDENTIFIABLE
        if identifiable and flow.cldc_basis in (None, CldcBasis.NOT_CONFIDENTIAL):
            records.append({**facts, "layer": "cldc"})
    return lawful_basis_rows(records)


# The flows missing nothing are dropped before anything else is read of them (whether they are live,
# their ids): they are nearly all of them.
LAWFUL_BASIS_CYPHER = f"""
MATCH (a)-[f:FLOW]->(b) WHERE f.identifiability IN $personal
WITH a, b, f, [layer IN [
  CASE WHEN size(coalesce(f.art6, [])) = 0 THEN 'art6' END,
  CASE WHEN size(coalesce(f.art9, [])) = 0 AND any(c IN f.data_categories WHERE NOT c IN $not_special)
       THEN 'art9' END,
  CASE WHEN f.identifiability = 'identifiable' AND coalesce(f.cldc_basis, 'not_confidential') = 'not_confidential'
       THEN 'cldc' END
] WHERE layer IS NOT NULL] AS missing
WHERE missing <> [] AND {live("f")}
UNWIND missing AS layer
RETURN f.flow_id AS flow_id, a.id AS source, b.id AS destination, f.identifiability AS identifiability,
       f.data_categories AS categories, f.cldc_basis AS cldc_basis, layer
"""


def lawful_basis_cypher(run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
    return lawful_basis_rows(
        run(
            LAWFUL_BASIS_CYPHER,
            as_of=params["as_of"].isoformat(),
            personal=list(PERSONAL),
            not_special=list(NOT_SPECIAL),
        )
    )


LAWFUL_BASIS = check(
    "lawful-basis",
    "Live flows missing a layer of legal basis: personal (identifiable or pseudonymised) data with no "
    "Art 6 basis; personal health data (any category but demographics and wider_determinants) with no "
    "Art 9 condition; identifiable data with no common law duty of confidentiality basis (or one "
    "recorded as not_confidential). One row per flow per missing layer.",
    lawful_basis_networkx,
    lawful_basis_cypher,
)


# --- opt-outs --------------------------------------------------------------------------------------


def opt_outs_rows(records: Iterable[Mapping[str, Any]]) -> list[Row]:
    rows = []
    for r in in_order(records, "opt_out"):
        uses = ", ".join(secondary_uses(r["purposes"]))
        status = f"recorded as {r['status']}" if r["status"] else "not recorded"
        if r["opt_out"] == "ndop":
            reason = (
                f"Flow {r['flow_id']} from {r['source']} to {r['destination']} uses {r['identifiability']} data "
                f"for secondary use ({uses}) under s251 support, but the national data opt-out is {status}: "
                "apply it (ndop applied), or record ndop exempt if the CAG approval exempts the flow."
            )
        else:
            reason = (
                f"Flow {r['flow_id']} takes {r['identifiability']} GP data out of {r['source']} to "
                f"{r['destination']} for secondary use ({uses}), but the Type 1 opt-out is {status}: apply it "
                "(type1 applied), unless the flow is made under a statutory direction or is exempt."
            )
        rows.append(finding("opt-outs", r["flow_id"], None, reason))
    return rows


# A flow out of the practice: from the practice itself or from its GP clinical system, but not into a
# GP clinical system, which is still the practice's own record.
FROM_PRACTICE = (OrgType.GP_PRACTICE.value, SystemType.GP_CLINICAL_SYSTEM.value)


def opt_outs_networkx(view: GraphView, params: Mapping[str, Any]) -> list[Row]:
    records = []
    for flow in carrying(view, params["as_of"], None):
        if not flow.identifiability.personal or not secondary_uses(flow.purposes):
            continue
        facts = {
            "flow_id": flow.flow_id,
            "source": flow.source,
            "destination": flow.destination,
            "identifiability": flow.identifiability.value,
            "purposes": [p.value for p in flow.purposes],
        }
        if flow.cldc_basis is CldcBasis.S251 and flow.ndop not in HONOURED:
            records.append({**facts, "opt_out": "ndop", "status": flow.ndop.value if flow.ndop else None})
        if (
            DataCategory.PRIMARY_CARE in flow.data_categories
            # node_type is what the Cypher reads as coalesce(n.org_type, n.system_type).
            and view.nodes[flow.source].node_type in FROM_PRACTICE
            and view.nodes[flow.destination].node_type != SystemType.GP_CLINICAL_SYSTEM.value
            and flow.cldc_basis is not CldcBasis.STATUTORY_DIRECTION
            and flow.type1 not in HONOURED
        ):
            records.append({**facts, "opt_out": "type1", "status": flow.type1.value if flow.type1 else None})
    return opt_outs_rows(records)


# As for lawful-basis, flows with no opt-out missing are dropped before the rest of them is read.
OPT_OUTS_CYPHER = f"""
MATCH (a)-[f:FLOW]->(b)
WHERE f.identifiability IN $personal AND any(p IN f.purposes WHERE p <> 'direct_care')
WITH a, b, f, [m IN [
  CASE WHEN f.cldc_basis = 's251' AND NOT coalesce(f.ndop, '') IN $honoured
       THEN {{opt_out: 'ndop', status: f.ndop}} END,
  CASE WHEN 'primary_care' IN f.data_categories
        AND coalesce(a.org_type, a.system_type) IN $from_practice
        AND coalesce(b.system_type, '') <> 'gp_clinical_system'
        AND coalesce(f.cldc_basis, '') <> 'statutory_direction'
        AND NOT coalesce(f.type1, '') IN $honoured
       THEN {{opt_out: 'type1', status: f.type1}} END
] WHERE m IS NOT NULL] AS missing
WHERE missing <> [] AND {live("f")}
UNWIND missing AS m
RETURN f.flow_id AS flow_id, a.id AS source, b.id AS destination, f.identifiability AS identifiability,
       f.purposes AS purposes, m.opt_out AS opt_out, m.status AS status
"""


def opt_outs_cypher(run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
    return opt_outs_rows(
        run(
            OPT_OUTS_CYPHER,
            as_of=params["as_of"].isoformat(),
            personal=list(PERSONAL),
            honoured=list(HONOURED),
            from_practice=list(FROM_PRACTICE),
        )
    )


OPT_OUTS = check(
    "opt-outs",
    "Live flows of personal data for a secondary use (any purpose but direct_care) where an opt-out "
    "is due but not recorded as applied or exempt: the national data opt-out when the CLDC basis is "
    "s251; the Type 1 opt-out when primary care data leaves a practice (from a gp_practice or a "
    "gp_clinical_system, not into another gp_clinical_system), unless under a statutory direction.",
    opt_outs_networkx,
    opt_outs_cypher,
)


# --- copi ------------------------------------------------------------------------------------------


def copi_rows(records: Iterable[Mapping[str, Any]]) -> list[Row]:
    return [
        finding(
            "copi",
            r["flow_id"],
            None,
            f"Flow {r['flow_id']} from {r['source']} to {r['destination']} relies on a COPI notice "
            "(cldc_basis copi), but the general COPI notices expired on 30 June 2022: record another basis "
            "(s251 support, a statutory direction, explicit consent) or cease the flow.",
        )
        for r in in_order(records)
    ]


def copi_networkx(view: GraphView, params: Mapping[str, Any]) -> list[Row]:
    if params["as_of"] <= COPI_END:
        return []
    return copi_rows(
        {"flow_id": flow.flow_id, "source": flow.source, "destination": flow.destination}
        for flow in carrying(view, params["as_of"], None)
        if flow.cldc_basis is CldcBasis.COPI
    )


COPI_CYPHER = f"""
{LIVE_FLOWS_CYPHER} AND f.cldc_basis = 'copi' AND $as_of > $copi_end
RETURN f.flow_id AS flow_id, a.id AS source, b.id AS destination
"""


def copi_cypher(run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
    return copi_rows(run(COPI_CYPHER, as_of=params["as_of"].isoformat(), copi_end=COPI_END.isoformat()))


COPI = check(
    "copi",
    "Live flows that rely on a COPI notice (cldc_basis copi) after the general notices expired on "
    "30 June 2022, i.e. when as_of is later than that.",
    copi_networkx,
    copi_cypher,
)
