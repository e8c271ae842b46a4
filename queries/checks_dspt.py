"""The IG check on the Data Security and Protection Toolkit: ``dspt``.

Every organisation with access to NHS patient data and systems must publish a DSPT assessment each
year, and meet its standards. The statuses come from the reference data (``loaders.dspt``: the bundled
2020/21 extract, or a newer file named by ``$ICSGRAPH_DSPT``), by ODS code, so a register's own CSU or
supplier carries its status as a trust does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from graph.model import Organisation
from graph.store import CypherRunner, Row
from graph.view import GraphView
from graph.vocab import DSPT_MET
from queries.checks import check, finding, in_order
from queries.checks_roles import roles_text
from queries.flows import carrying, live
from queries.registry import Param


def dspt_rows(records: Iterable[Mapping[str, Any]]) -> list[Row]:
    """One finding per organisation and flow; the status, its year and its publication date in the reason."""
    rows = []
    for r in in_order(records, "org_id"):
        held = f"{r['org_id']} ({r['name']}) is {roles_text(r['roles'])} on flow {r['flow_id']}"
        if r["status"] is None:
            reason = (
                f"{held}, but has no DSPT status on record: an organisation that processes NHS patient data must "
                "publish a Data Security and Protection Toolkit assessment that meets its standards; ask for it, "
                "and load a newer DSPT status file (ICSGRAPH_DSPT) if it has one."
            )
        else:
            when = [
                f"{r['edition']} assessment" if r["edition"] else "",
                f"published {r['published']}" if r["published"] else "",
            ]
            dated = f" ({', '.join(part for part in when if part)})" if any(when) else ""
            reason = (
                f"{held}, but its latest DSPT status is '{r['status']}'{dated}, not Standards Met or Standards "
                "Exceeded: ask for its improvement plan or a newer assessment, and load a newer DSPT status file "
                "(ICSGRAPH_DSPT) if there is one."
            )
        rows.append(finding("dspt", r["flow_id"], r["org_id"], reason))
    return rows


def dspt_networkx(view: GraphView, params: Mapping[str, Any]) -> list[Row]:
    held: dict[tuple[str, str], list[str]] = defaultdict(list)
    for flow in carrying(view, params["as_of"], None):
        for org_id, role in flow.roles():
            node = view.nodes[org_id]
            if not isinstance(node, Organisation) or node.dspt_status in DSPT_MET:
                continue
            if node.dspt_status is None and not params["unrecorded"]:
                continue
            held[flow.flow_id, org_id].append(role.value)
    records = []
    for (flow_id, org_id), roles in held.items():
        node = view.nodes[org_id]
        assert isinstance(node, Organisation)
        records.append(
            {
                "flow_id": flow_id,
                "org_id": org_id,
                "name": node.name,
                "roles": roles,
                "status": node.dspt_status,
                "edition": node.dspt_edition,
                "published": node.dspt_published.isoformat() if node.dspt_published else None,
            }
        )
    return dspt_rows(records)


# Nearly every role on a national graph is a practice's, and many practices hold roles on several flows:
# the roles are grouped by organisation before its node is looked up, so each organisation costs one
# index seek, not one per flow.
DSPT_CYPHER = f"""
MATCH ()-[f:FLOW]->() WHERE {live("f")}
UNWIND [c IN coalesce(f.controllers, []) | [c, CASE WHEN f.joint THEN 'joint_controller' ELSE 'controller' END]]
     + [p IN coalesce(f.processors, []) | [p, 'processor']]
     + [s IN coalesce(f.sub_processors, []) | [s, 'sub_processor']]
     + CASE WHEN f.recipient_controller IS NULL THEN [] ELSE [[f.recipient_controller, 'recipient_controller']] END
     AS held
WITH held[0] AS org_id, f.flow_id AS flow_id, collect(held[1]) AS roles
WITH org_id, collect([flow_id, roles]) AS on_flows
MATCH (o:Node {{id: org_id}})
WHERE o:Organisation AND NOT coalesce(o.dspt_status, '') IN $met AND ($unrecorded OR o.dspt_status IS NOT NULL)
UNWIND on_flows AS on_flow
RETURN on_flow[0] AS flow_id, org_id, o.name AS name, on_flow[1] AS roles, o.dspt_status AS status,
       o.dspt_edition AS edition, o.dspt_published AS published
"""


def dspt_cypher(run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
    return dspt_rows(
        run(DSPT_CYPHER, as_of=params["as_of"].isoformat(), met=list(DSPT_MET), unrecorded=params["unrecorded"])
    )


DSPT = check(
    "dspt",
    "Organisations holding a role on a live flow (controller, joint controller, processor, sub-processor or "
    "recipient controller) whose latest Data Security and Protection Toolkit status is not Standards Met or "
    "Standards Exceeded, or who have none on record. Statuses come from the DSPT reference file (bundled: "
    "trusts, CSUs and CCGs, 2020/21; a newer one with ICSGRAPH_DSPT). One row per organisation and flow.",
    dspt_networkx,
    dspt_cypher,
    params=(
        Param(
            "unrecorded",
            bool,
            "Also report organisations with no DSPT status on record (false: only those whose status falls short)",
            default=True,
        ),
    ),
)
