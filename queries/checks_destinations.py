"""The IG checks on where data goes: identifiable-to-analytics and offshore.

Both look at the system a live flow goes into. Offshore looks only at destinations: data held in a
system hosted abroad got there through a flow into it, which is the one to report (and to fix); a flow
out of it moves the same data again and adds nothing to fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from graph.model import System
from graph.store import CypherRunner, Row
from graph.view import GraphView
from graph.vocab import ANALYTICAL_PLATFORMS, Identifiability
from queries.checks import LIVE_FLOWS_CYPHER, PERSONAL, check, finding, in_order, secondary_uses
from queries.flows import carrying

PLATFORM_TYPES = tuple(sorted(t.value for t in ANALYTICAL_PLATFORMS))
# hosting_location values read as the UK, after lower-casing, trimming and dropping full stops.
UK = ("uk", "united kingdom", "gb", "great britain", "england", "wales", "scotland", "northern ireland")


def in_uk(hosting_location: str) -> bool:
    """Whether a recorded hosting location is the UK, as the Cypher reads it.

    >>> in_uk("United Kingdom"), in_uk(" U.K. "), in_uk("Ireland")
    (True, True, False)
    """
    return hosting_location.strip().lower().replace(".", "") in UK


# --- identifiable-to-analytics ---------------------------------------------------------------------


def identifiable_to_analytics_rows(records: Iterable[Mapping[str, Any]]) -> list[Row]:
    return [
        finding(
            "identifiable-to-analytics",
            r["flow_id"],
            None,
            f"Flow {r['flow_id']} sends identifiable data from {r['source']} into {r['destination']} "
            f"({r['system_type'].replace('_', ' ')}), a secondary-use analytical platform, for "
            f"{', '.join(secondary_uses(r['purposes']))}: pseudonymise it before it enters (e.g. through a "
            "DSCRO or the platform's pseudonymisation service), or record why identifiable data is needed.",
        )
        for r in in_order(records)
    ]


def identifiable_to_analytics_networkx(view: GraphView, params: Mapping[str, Any]) -> list[Row]:
    records = []
    for flow in carrying(view, params["as_of"], None):
        destination = view.nodes[flow.destination]
        if (
            flow.identifiability is Identifiability.IDENTIFIABLE
            and isinstance(destination, System)
            and destination.system_type in ANALYTICAL_PLATFORMS
            and secondary_uses(flow.purposes)
        ):
            records.append(
                {
                    "flow_id": flow.flow_id,
                    "source": flow.source,
                    "destination": flow.destination,
                    "system_type": destination.system_type.value,
                    "purposes": [p.value for p in flow.purposes],
                }
            )
    return identifiable_to_analytics_rows(records)


IDENTIFIABLE_TO_ANALYTICS_CYPHER = f"""
{LIVE_FLOWS_CYPHER} AND b:System AND b.system_type IN $platforms AND f.identifiability = 'identifiable'
  AND any(p IN f.purposes WHERE p <> 'direct_care')
RETURN f.flow_id AS flow_id, a.id AS source, b.id AS destination, b.system_type AS system_type,
       f.purposes AS purposes
"""


def identifiable_to_analytics_cypher(run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
    return identifiable_to_analytics_rows(
        run(IDENTIFIABLE_TO_ANALYTICS_CYPHER, as_of=params["as_of"].isoformat(), platforms=list(PLATFORM_TYPES))
    )


IDENTIFIABLE_TO_ANALYTICS = check(
    "identifiable-to-analytics",
    "Live flows of identifiable data into a secondary-use analytical platform (a system of type "
    "phm_platform, sde, fdp_instance or data_warehouse) for a secondary use. A flow for direct care "
    "alone (e.g. a trust's operational use of its own FDP instance) is not reported.",
    identifiable_to_analytics_networkx,
    identifiable_to_analytics_cypher,
)


# --- offshore --------------------------------------------------------------------------------------


def offshore_rows(records: Iterable[Mapping[str, Any]]) -> list[Row]:
    return [
        finding(
            "offshore",
            r["flow_id"],
            None,
            f"Flow {r['flow_id']} sends {r['identifiability']} personal data from {r['source']} to system "
            f"{r['destination']}, hosted in {r['hosting_location']}, outside the UK: confirm a UK adequacy "
            "regulation or an international data transfer agreement covers it, or host it in the UK.",
        )
        for r in in_order(records)
    ]


def offshore_networkx(view: GraphView, params: Mapping[str, Any]) -> list[Row]:
    records = []
    for flow in carrying(view, params["as_of"], None):
        destination = view.nodes[flow.destination]
        if (
            flow.identifiability.personal
            and isinstance(destination, System)
            and destination.hosting_location is not None
            and not in_uk(destination.hosting_location)
        ):
            records.append(
                {
                    "flow_id": flow.flow_id,
                    "source": flow.source,
                    "destination": flow.destination,
                    "identifiability": flow.identifiability.value,
                    "hosting_location": destination.hosting_location,
                }
            )
    return offshore_rows(records)


OFFSHORE_CYPHER = f"""
{LIVE_FLOWS_CYPHER} AND b:System AND f.identifiability IN $personal AND b.hosting_location IS NOT NULL
  AND NOT replace(toLower(trim(b.hosting_location)), '.', '') IN $uk
RETURN f.flow_id AS flow_id, a.id AS source, b.id AS destination, f.identifiability AS identifiability,
       b.hosting_location AS hosting_location
"""


def offshore_cypher(run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
    return offshore_rows(run(OFFSHORE_CYPHER, as_of=params["as_of"].isoformat(), personal=list(PERSONAL), uk=list(UK)))


OFFSHORE = check(
    "offshore",
    "Live flows of personal (identifiable or pseudonymised) data into a system whose hosting_location "
    "is recorded and is not the UK (UK, United Kingdom, GB, Great Britain or one of its four nations, "
    "in any case). Flows out of such a system are not reported again.",
    offshore_networkx,
    offshore_cypher,
)
