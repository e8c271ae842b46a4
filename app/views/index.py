"""The ways into the views that the home page (``app.views.home``) lists below its national picture: the
ICB networks, the systems, forms for lineage and chains, and every query."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from app.views.network import Ask, Links
from app.views.style import words
from graph.store import RegisterInfo
from queries.lookups import ICBS, SYSTEMS
from queries.registry import NamedQuery

MAX_SYSTEMS = 500


def index_context(
    ask: Ask, links: Links, catalogue: Iterable[NamedQuery], registers: Sequence[RegisterInfo]
) -> dict[str, Any]:
    """What the "more views" part of the home page shows."""
    icbs = [
        {"code": row["icb"], "name": row["name"] or row["icb"], "flows": row["flows"], "href": links.icb(row["icb"])}
        for row in ask(ICBS, {})
    ]
    page = ask(SYSTEMS, {"where": {}, "limit": MAX_SYSTEMS, "offset": 0})[0]
    systems = [
        {
            "id": record["id"],
            "name": record["name"],
            "type": words(record["system_type"]),
            "icb": record["icb"] or "",
            "href": links.node(record["id"]),
            "upstream": links.node(record["id"], direction="upstream"),
        }
        for record in page["items"]
    ]
    questions: list[dict[str, Any]] = []
    for query in catalogue:
        described = query.describe()
        questions.append(
            {
                **described,
                "action": links.query(query.name),
                "api": links.api_query(query.name),
                "inputs": [
                    {**p, "choices": p["choices"] or (["true", "false"] if p["type"] == "boolean" else [])}
                    for p in described["parameters"]
                ],
            }
        )
    return dict(
        icbs=icbs,
        systems=systems,
        systems_total=page["total"],
        queries=questions,
        registers=[info.as_dict() for info in registers],
        node_base=links.page("/views/node/"),
        chain_action=links.page("/views/chain"),
    )
