"""The IG checks on roles and their agreements: role-holders, processor-contracts, joint-arrangements
and agreement-expiry.

An agreement is paperwork for particular processing, not a blanket licence between two bodies, so
processor-contracts and joint-arrangements count only the agreements that govern the flow
(``queries.agreements.governs``: the flow lists it, or its ``covers`` names the flow or a system at either
end); one that names the right parties but governs other flows is named in the finding, the hint an IG
officer needs. agreement-expiry, which asks whether a flow's own paperwork is running out, looks at the
agreements the flow lists.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from graph.model import Organisation, Role
from graph.plan import FLOW_AGREEMENTS_INDEX, FLOW_ROLES_INDEX, visible
from graph.store import CypherRunner, Row
from graph.view import GraphView
from graph.vocab import AgreementType
from queries.agreements import governing, governs_cypher
from queries.checks import LIVE_FLOWS_CYPHER, check, finding, in_order
from queries.flows import carrying, live, within
from queries.registry import Param, ParamError

ROLE_ORDER = (Role.CONTROLLER, Role.JOINT_CONTROLLER, Role.PROCESSOR, Role.SUB_PROCESSOR, Role.RECIPIENT_CONTROLLER)
ORG_TYPE_LABELS = {
    "ics": "integrated care system",
    "pcn": "primary care network",
    "sub_icb_location": "sub-ICB location",
    "region": "NHS England region",
}
PROCESSOR_COVER = (AgreementType.ART28_CONTRACT.value, AgreementType.DSA.value)
VALID_AGREEMENT_CYPHER = visible("x") + " AND " + within("x", "start", "`end`")


def memberships(view: GraphView, as_of: date, types: Iterable[str]) -> dict[str, set[str]]:
    """Each organisation's agreements of these types valid at ``as_of``, by id.

    Two organisations share an agreement when their sets meet: a set intersection, not a scan of
    every agreement, which matters when thousands of practices each hold their own contract.
    """
    wanted = set(types)
    member: dict[str, set[str]] = defaultdict(set)
    for agreement in view.agreements.values():
        if agreement.agreement_type in wanted and agreement.valid_at(as_of):
            for party in agreement.parties:
                member[party].add(agreement.agreement_id)
    return member


# --- role-holders ----------------------------------------------------------------------------------


# Clauses per Lucene query, under its limit of 1,024: an id is one clause for each property indexed.
CLAUSES = 1000
AGREEMENT_TERMS = CLAUSES  # one property: the flow's agreements
ROLE_TERMS = CLAUSES // 4  # four: controllers, processors, sub_processors, recipient_controller


def lucene_terms(ids: Sequence[str]) -> str:
    r"""A Lucene query matching any of ``ids`` exactly (each quoted, its quotes and backslashes escaped).

    >>> lucene_terms(['a-1', 'b"2'])
    '"a-1" OR "b\\"2"'
    """
    return " OR ".join('"' + i.replace("\\", "\\\\").replace('"', '\\"') + '"' for i in ids)


def roles_text(roles: Iterable[str]) -> str:
    """The roles an organisation holds on one flow, in words and in a fixed order.

    >>> roles_text(["sub_processor", "joint_controller", "sub_processor"])
    'joint controller and sub-processor'
    """
    held = sorted(set(roles), key=lambda role: ROLE_ORDER.index(Role(role)))
    return " and ".join(role.replace("_", " ").replace("sub ", "sub-") for role in held)


def role_holders_rows(records: Iterable[Mapping[str, Any]]) -> list[Row]:
    rows = []
    for r in in_order(records, "org_id"):
        roles = roles_text(r["roles"])
        label = ORG_TYPE_LABELS.get(r["org_type"], r["org_type"].replace("_", " "))
        reason = (
            f"{r['org_id']} ({r['name']}, {label}) is not a legal entity, so cannot lawfully hold a role, "
            f"but is named {roles} on flow {r['flow_id']}: name the legal entity that holds it instead "
            "(e.g. the ICB, or the member practices or trusts)."
        )
        rows.append(finding("role-holders", r["flow_id"], r["org_id"], reason))
    return rows


def role_holders_networkx(view: GraphView, params: Mapping[str, Any]) -> list[Row]:
    held: dict[tuple[str, str], list[str]] = defaultdict(list)
    for flow in carrying(view, params["as_of"], None):
        for org_id, role in flow.roles():
            node = view.nodes[org_id]
            if isinstance(node, Organisation) and not node.is_legal_entity:
                held[flow.flow_id, org_id].append(role.value)
    records = []
    for (flow_id, org_id), roles in held.items():
        node = view.nodes[org_id]
        assert isinstance(node, Organisation)
        records.append(
            {"flow_id": flow_id, "org_id": org_id, "name": node.name, "org_type": node.org_type.value, "roles": roles}
        )
    return role_holders_rows(records)


# The bodies that are not legal entities are few (ICSs, PCNs, regions...) and fetched first; the flows
# naming one in a role are then found through a full-text index of the flows' role holders
# (``graph.neo4j_schema``), so only they are read, not every flow of the graph (a full scan took 2.7 s at
# x10). Each role on such a flow is then a look-up in a parameter list (hashed once per query).
NOT_LEGAL_ENTITIES_CYPHER = "MATCH (o:Organisation) WHERE NOT o.is_legal_entity RETURN o.id AS id"
ROLE_HOLDERS_CYPHER = f"""
CALL db.index.fulltext.queryRelationships('{FLOW_ROLES_INDEX}', $terms) YIELD relationship AS f
WITH f, [c IN coalesce(f.controllers, []) WHERE c IN $bodies |
         [c, CASE WHEN f.joint THEN 'joint_controller' ELSE 'controller' END]]
      + [p IN coalesce(f.processors, []) WHERE p IN $bodies | [p, 'processor']]
      + [s IN coalesce(f.sub_processors, []) WHERE s IN $bodies | [s, 'sub_processor']]
      + CASE WHEN f.recipient_controller IN $bodies THEN [[f.recipient_controller, 'recipient_controller']] ELSE [] END
      AS held_roles
WHERE held_roles <> [] AND {live("f")}
UNWIND held_roles AS held
MATCH (o:Node {{id: held[0]}})
RETURN f.flow_id AS flow_id, o.id AS org_id, o.name AS name, o.org_type AS org_type, collect(held[1]) AS roles
"""


def role_holders_cypher(run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
    bodies = sorted(r["id"] for r in run(NOT_LEGAL_ENTITIES_CYPHER))
    found: dict[tuple[str, str], Row] = {}
    for start in range(0, len(bodies), ROLE_TERMS):
        terms = lucene_terms(bodies[start : start + ROLE_TERMS])
        # A flow naming bodies of several batches is found once per batch, with the same roles.
        for r in run(ROLE_HOLDERS_CYPHER, terms=terms, bodies=bodies, as_of=params["as_of"].isoformat()):
            found[r["flow_id"], r["org_id"]] = r
    return role_holders_rows(found.values())


ROLE_HOLDERS = check(
    "role-holders",
    "Controller, joint controller, processor, sub-processor or recipient controller roles on live flows "
    "held by a body that is not a legal entity (an ICS, PCN, sub-ICB location or region, unless a "
    "register says otherwise). One row per organisation and flow.",
    role_holders_networkx,
    role_holders_cypher,
)


# --- processor-contracts ---------------------------------------------------------------------------


def elsewhere_hint(ids: Sequence[str], names: str, fix: str) -> str:
    """What to say of agreements that name the right parties but do not govern the flow (none: nothing).

    >>> print(elsewhere_hint(["shcr-jca"], "both", "record one."))  # doctest: +NORMALIZE_WHITESPACE
    ; shcr-jca names both but does not govern this flow: if it covers this processing, list it on the flow or
    add the flow (or its system) to its covers, otherwise record one.
    """
    if not ids:
        return ""
    if len(ids) == 1:
        said, it = f"{ids[0]} names {names} but does not govern this flow", "it covers"
    else:
        said, it = f"{', '.join(ids)} name {names} but do not govern this flow", "one covers"
    return (
        f"; {said}: if {it} this processing, list it on the flow or add the flow (or its system) to its covers, "
        f"otherwise {fix}"
    )


def processor_contracts_rows(records: Iterable[Mapping[str, Any]], as_of: date) -> list[Row]:
    rows = []
    for r in in_order(records, "org_id", "role"):
        if r["role"] == Role.PROCESSOR.value:
            role, others = "processor", f"a controller of the flow ({', '.join(r['counterparts'])})"
        else:
            role, others = "sub-processor", f"a controller or processor of the flow ({', '.join(r['counterparts'])})"
        fix = "record one (agreement_type art28_contract) in agreements.csv and list it on the flow."
        missing = (
            f"{r['org_id']} is {role} on flow {r['flow_id']}, but no Art 28 contract or data sharing agreement "
            f"valid at {as_of.isoformat()} that governs the flow names it together with {others}"
        )
        hint = elsewhere_hint(sorted(set(r["elsewhere"])), "both", fix)
        rows.append(finding("processor-contracts", r["flow_id"], r["org_id"], missing + (hint or f": {fix}")))
    return rows


def usable(view: GraphView, as_of: date, types: Iterable[str]) -> set[str]:
    """The ids of the agreements of one of ``types`` valid at ``as_of``."""
    wanted = set(types)
    return {i for i, a in view.agreements.items() if a.agreement_type in wanted and a.valid_at(as_of)}


def party_sets(view: GraphView) -> dict[str, frozenset[str]]:
    """Each agreement's parties as a set, by agreement id, built once per view."""
    return view.index("agreement parties", lambda v: {i: frozenset(a.parties) for i, a in v.agreements.items()})


def naming_both(
    contracts: Mapping[str, set[str]], parties: Mapping[str, frozenset[str]], org_id: str, counterparts: Sequence[str]
) -> set[str]:
    """The agreements of ``contracts`` naming ``org_id`` and one of ``counterparts``, read from the smaller
    side: a supplier is party to a contract with each of thousands of practices."""
    others = [contracts.get(c, set()) for c in counterparts]
    if len(contracts.get(org_id, ())) <= sum(map(len, others)):
        return {a for a in contracts.get(org_id, ()) if not parties[a].isdisjoint(counterparts)}
    return {a for held in others for a in held if org_id in parties[a]}


def processor_contracts_networkx(view: GraphView, params: Mapping[str, Any]) -> list[Row]:
    as_of = params["as_of"]
    contracts = memberships(view, as_of, PROCESSOR_COVER)
    parties, valid = party_sets(view), usable(view, as_of, PROCESSOR_COVER)
    records = []
    for flow in carrying(view, as_of, None):
        if not flow.processors and not flow.sub_processors:
            continue
        governed = governing(view, flow) & valid
        # A processor answers to a controller; a sub-processor is engaged by a processor (Art 28(4)),
        # so its contract may be with either.
        held = [(p, Role.PROCESSOR, flow.controllers) for p in flow.processors]
        held += [(s, Role.SUB_PROCESSOR, flow.controllers + flow.processors) for s in flow.sub_processors]
        for org_id, role, counterparts in held:
            if any(org_id in parties[g] and not parties[g].isdisjoint(counterparts) for g in governed):
                continue
            naming = naming_both(contracts, parties, org_id, counterparts)
            records.append(
                {
                    "flow_id": flow.flow_id,
                    "org_id": org_id,
                    "role": role.value,
                    "counterparts": list(counterparts),
                    "elsewhere": sorted(naming - governed),
                }
            )
    return processor_contracts_rows(records, as_of)


# Cypher has no hash sets, so "which contracts name this processor and a counterpart" is a join done by
# grouping: a row per (processor, counterpart) pair a flow needs covered and a row per pair a valid
# contract names, grouped on the pair. Testing every contract for every flow instead took 26 s on a 30k-flow
# graph whose practices each hold their own contract; looking up each flow's governing contracts and testing
# their parties took 3 s, a shared care record's contract with hundreds of parties read again for each of
# thousands of flows. Contract pairs are made only for the organisations that process on some live flow, so
# a DSA with thousands of parties stays linear. A need is covered when a contract naming its pair governs
# its flow (``governs_cypher`` on the two maps, which carry the fields the rule reads); for the needs left
# uncovered, the contracts naming the pair are the finding's hint. The join carries a need's index, not
# the need: grouping on whole needs, lists and all, cost more than the scan.
# The valid contracts are fetched apart, before the needs: matched inside the union below, with the
# generation's test on them, the planner chose a plan that ran out of transaction memory at national scale.
PROCESSOR_CONTRACTS_CYPHER = f"""
CALL () {{
  MATCH ()-[f:FLOW]->()
  WITH f, coalesce(f.processors, []) AS processors, coalesce(f.sub_processors, []) AS sub_processors
  WHERE processors + sub_processors <> [] AND {live("f")}
  WITH f, processors, sub_processors,
       {{flow_id: f.flow_id, source: f.source, destination: f.destination, agreements: f.agreements}} AS flow
  UNWIND [p IN processors | flow {{.*, org_id: p, role: 'processor', counterparts: f.controllers}}]
       + [s IN sub_processors | flow {{.*, org_id: s, role: 'sub_processor', counterparts: f.controllers + processors}}]
       AS need
  RETURN collect(need) AS needs
}}
CALL () {{
  MATCH (x:Agreement) WHERE x.agreement_type IN $types AND {VALID_AGREEMENT_CYPHER}
  RETURN collect(x {{.id, .covers, .parties}}) AS contracts
}}
CALL (needs, contracts) {{
  CALL (needs, contracts) {{
    UNWIND range(0, size(needs) - 1) AS i
    UNWIND needs[i].counterparts AS other
    RETURN needs[i].org_id AS org_id, other, i, null AS contract
    UNION ALL
    UNWIND needs AS need
    WITH collect(DISTINCT need.org_id) AS engaged
    UNWIND contracts AS x
    UNWIND [p IN x.parties WHERE p IN engaged] AS org_id
    UNWIND x.parties AS other
    RETURN org_id, other, null AS i, {{id: x.id, covers: x.covers}} AS contract
  }}
  WITH org_id, other, collect(i) AS needing, collect(contract) AS naming
  UNWIND needing AS i
  WITH i, naming, needs[i] AS need
  WITH i, naming, any(x IN naming WHERE {governs_cypher("x", "need")}) AS covered
  WITH i, collect(covered) AS covers, collect(naming) AS namings
  WHERE NOT true IN covers
  RETURN i, reduce(all = [], n IN namings | all + [x IN n | x.id]) AS naming
}}
WITH needs[i] AS need, naming
RETURN need.flow_id AS flow_id, need.org_id AS org_id, need.role AS role, need.counterparts AS counterparts,
       naming AS elsewhere
"""


def processor_contracts_cypher(run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
    records = run(PROCESSOR_CONTRACTS_CYPHER, as_of=params["as_of"].isoformat(), types=list(PROCESSOR_COVER))
    return processor_contracts_rows(records, params["as_of"])


PROCESSOR_CONTRACTS = check(
    "processor-contracts",
    "Processors and sub-processors on live flows with no art28_contract or dsa agreement valid at the "
    "date that governs the flow (the flow lists it, or its covers names the flow or a system at either "
    "end) and whose parties include them and one of the flow's controllers (for a sub-processor: a "
    "controller or a processor of the flow). An agreement naming those parties but not governing the flow "
    "does not count; the finding names it.",
    processor_contracts_networkx,
    processor_contracts_cypher,
)


# --- joint-arrangements ----------------------------------------------------------------------------


def joint_arrangements_rows(records: Iterable[Mapping[str, Any]], as_of: date) -> list[Row]:
    rows = []
    for r in in_order(records):
        controllers = ", ".join(r["controllers"])
        fix = "record one (agreement_type art26_arrangement) whose parties include every controller of the flow."
        missing = (
            f"Flow {r['flow_id']} has joint controllers {controllers}, but no Art 26 arrangement valid at "
            f"{as_of.isoformat()} that governs the flow names all of them"
        )
        hint = elsewhere_hint(sorted(r["elsewhere"]), "all of them", fix)
        if hint:
            rows.append(finding("joint-arrangements", r["flow_id"], None, missing + hint))
            continue
        # Of the arrangements governing the flow, the one missing the fewest controllers is the one to extend.
        partial = sorted(r["partial"], key=lambda p: (len(p["missing"]), p["id"]))
        closest = (
            f" ({partial[0]['id']} leaves out {', '.join(partial[0]['missing'])})" if partial else " (none governs it)"
        )
        rows.append(finding("joint-arrangements", r["flow_id"], None, f"{missing}{closest}: {fix}"))
    return rows


def joint_arrangements_networkx(view: GraphView, params: Mapping[str, Any]) -> list[Row]:
    as_of = params["as_of"]
    art26 = [AgreementType.ART26_ARRANGEMENT.value]
    arrangements = memberships(view, as_of, art26)
    valid = usable(view, as_of, art26)
    records = []
    for flow in carrying(view, as_of, None):
        if not flow.joint:
            continue
        governed = governing(view, flow) & valid
        missing = {a: [c for c in flow.controllers if a not in arrangements[c]] for a in governed}
        if any(not left_out for left_out in missing.values()):
            continue
        naming_all = set.intersection(*(arrangements[c] for c in flow.controllers))
        partial = [{"id": a, "missing": m} for a, m in missing.items()]
        records.append(
            {
                "flow_id": flow.flow_id,
                "controllers": list(flow.controllers),
                "partial": partial,
                "elsewhere": sorted(naming_all - governed),
            }
        )
    return joint_arrangements_rows(records, as_of)


# The same join by grouping as for processor contracts: per controller, its joint flows meet its
# arrangements; per (flow, arrangement), the controllers they share, and whether the arrangement governs
# the flow (``governs_cypher`` on the two maps). An arrangement covers the flow when it governs it and
# shares all of them; one sharing all but not governing the flow is the finding's hint. The flows left
# open (a few dozen on a national graph) are matched once more against the valid arrangements, read once,
# for those that govern them: one naming none of the controllers never meets the flow in the join, yet it
# is the arrangement to extend.
JOINT_ARRANGEMENTS_CYPHER = f"""
CALL () {{
  {LIVE_FLOWS_CYPHER} AND f.joint
  UNWIND f.controllers AS party
  RETURN party, {{flow_id: f.flow_id, controllers: f.controllers, source: f.source, destination: f.destination,
                  agreements: f.agreements}} AS flow, null AS arrangement
  UNION ALL
  MATCH (x:Agreement) WHERE x.agreement_type = 'art26_arrangement' AND {VALID_AGREEMENT_CYPHER}
  UNWIND x.parties AS party
  RETURN party, null AS flow, {{id: x.id, covers: x.covers}} AS arrangement
}}
WITH party, collect(flow) AS flows, collect(arrangement) AS arrangements
UNWIND flows AS flow
UNWIND CASE WHEN arrangements = [] THEN [null] ELSE arrangements END AS arrangement
WITH flow, arrangement, collect(DISTINCT party) AS shared
WITH flow, collect(CASE WHEN arrangement IS NOT NULL
                        THEN {{id: arrangement.id, shared: shared, governs: {governs_cypher("arrangement", "flow")}}}
                   END) AS met
WHERE none(m IN met WHERE m.governs AND size(m.shared) = size(flow.controllers))
WITH collect({{flow: flow, met: met}}) AS open
CALL () {{
  MATCH (x:Agreement) WHERE x.agreement_type = 'art26_arrangement' AND {VALID_AGREEMENT_CYPHER}
  RETURN collect({{id: x.id, covers: x.covers, parties: x.parties}}) AS arrangements
}}
UNWIND open AS o
WITH o.flow AS flow, o.met AS met, arrangements
RETURN flow.flow_id AS flow_id, flow.controllers AS controllers,
       [x IN arrangements WHERE {governs_cypher("x", "flow")} |
        {{id: x.id, missing: [c IN flow.controllers WHERE NOT c IN x.parties]}}] AS partial,
       [m IN met WHERE NOT m.governs AND size(m.shared) = size(flow.controllers) | m.id] AS elsewhere
"""


def joint_arrangements_cypher(run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
    records = run(JOINT_ARRANGEMENTS_CYPHER, as_of=params["as_of"].isoformat())
    return joint_arrangements_rows(records, params["as_of"])


JOINT_ARRANGEMENTS = check(
    "joint-arrangements",
    "Live flows whose controllers act jointly (joint true) with no art26_arrangement valid at the date "
    "that governs the flow (the flow lists it, or its covers names the flow or a system at either end) "
    "and whose parties include every controller of the flow. An arrangement naming them all but "
    "not governing the flow does not count; the finding names it.",
    joint_arrangements_networkx,
    joint_arrangements_cypher,
)


# --- agreement-expiry ------------------------------------------------------------------------------


def horizon(params: Mapping[str, Any]) -> date:
    """The last day an agreement may end and still be reported as expiring soon."""
    within_days = params["within_days"]
    if within_days < 0:
        raise ParamError(f"parameter 'within_days': {within_days} is negative; use 0 or more days")
    as_of: date = params["as_of"]
    try:
        return as_of + timedelta(days=within_days)
    except OverflowError:
        raise ParamError(
            f"parameter 'within_days': {within_days} days after {as_of.isoformat()} is past the last date "
            "there is (9999-12-31); use fewer days"
        ) from None


def agreement_expiry_rows(records: Iterable[Mapping[str, Any]], as_of: date) -> list[Row]:
    rows = []
    for r in in_order(records, "agreement_id"):
        end = date.fromisoformat(r["end"])
        agreement = f"agreement {r['agreement_id']} ({r['agreement_type']})"
        if end < as_of:
            reason = (
                f"Flow {r['flow_id']} is live but {agreement} expired on {r['end']}: renew it, or record its "
                "successor and list it on the flow."
            )
        else:
            days = (end - as_of).days
            when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
            reason = (
                f"Flow {r['flow_id']} relies on {agreement}, which expires on {r['end']} ({when}): renew it in time."
            )
        rows.append(finding("agreement-expiry", r["flow_id"], None, reason))
    return rows


def agreement_expiry_networkx(view: GraphView, params: Mapping[str, Any]) -> list[Row]:
    last = horizon(params)
    records = []
    for flow in carrying(view, params["as_of"], None):
        for agreement_id in flow.agreements:
            agreement = view.agreements[agreement_id]
            if agreement.end is not None and agreement.end <= last:
                records.append(
                    {
                        "flow_id": flow.flow_id,
                        "agreement_id": agreement_id,
                        "agreement_type": agreement.agreement_type.value,
                        "end": agreement.end.isoformat(),
                    }
                )
    return agreement_expiry_rows(records, params["as_of"])


# The agreements ending by the horizon are few and fetched first; the flows listing one are then found
# through a full-text index of the flows' agreement ids (``graph.neo4j_schema``: one exact term per id),
# so only they are read and asked whether they are live, not every flow of the graph (a full scan took
# 2.5 s at x10).
ENDING_CYPHER = f"""
MATCH (x:Agreement) WHERE x.`end` IS NOT NULL AND x.`end` <= $last AND {visible("x")}
RETURN x.id AS id, x.agreement_type AS agreement_type, x.`end` AS end
"""
LISTING_CYPHER = f"""
CALL db.index.fulltext.queryRelationships('{FLOW_AGREEMENTS_INDEX}', $terms) YIELD relationship AS f
WHERE {live("f")}
RETURN f.flow_id AS flow_id, f.agreements AS agreements
"""


def agreement_expiry_cypher(run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
    ending = {r["id"]: r for r in run(ENDING_CYPHER, last=horizon(params).isoformat())}
    ids = sorted(ending)
    found: dict[str, list[dict[str, Any]]] = {}
    for start in range(0, len(ids), AGREEMENT_TERMS):
        terms = lucene_terms(ids[start : start + AGREEMENT_TERMS])
        listing = run(LISTING_CYPHER, terms=terms, as_of=params["as_of"].isoformat())
        for flow in listing:
            # A flow listing ids of several batches is found once per batch, with the same findings.
            found[flow["flow_id"]] = [
                {
                    "flow_id": flow["flow_id"],
                    "agreement_id": agreement_id,
                    "agreement_type": ending[agreement_id]["agreement_type"],
                    "end": ending[agreement_id]["end"],
                }
                for agreement_id in flow["agreements"]
                if agreement_id in ending
            ]
    return agreement_expiry_rows([r for records in found.values() for r in records], params["as_of"])


AGREEMENT_EXPIRY = check(
    "agreement-expiry",
    "Agreements listed on live flows that have expired at the date (end before as_of), or expire "
    "within within_days days of it. One row per flow and agreement.",
    agreement_expiry_networkx,
    agreement_expiry_cypher,
    params=(
        Param(
            "within_days",
            int,
            "Also report agreements ending within this many days after as_of (0: those ending on as_of)",
            default=0,
        ),
    ),
)
