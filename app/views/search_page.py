"""The search results page (``/views/search``), for a search box submitted without its script, and where
each kind of match leads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.views.network import Links, render_page
from graph.vocab import OrgType


def hit_url(links: Links, hit: Mapping[str, Any]) -> str | None:
    """An ICB opens its page, a flow its page, anything else its lineage view.

    Organisations have no page of their own here: their lineage view shows what they send.
    """
    if hit["kind"] == "flow":
        return links.flow_page(hit["id"])
    if hit["type"] == OrgType.ICB.value:
        return links.icb_page(hit["id"])
    return links.node(hit["id"])


def search_page(links: Links, query: str, hits: list[dict[str, Any]], limit: int) -> str:
    return render_page(
        "search.html",
        query=query,
        hits=[{**hit, "url": hit_url(links, hit), "type_words": hit["type"].replace("_", " ")} for hit in hits],
        limit=limit,
    )
