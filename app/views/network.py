"""Drawing a view with pyvis and rendering it as one self-contained HTML page.

pyvis builds the network (nodes, edges, vis-network options). Its own template pulls Bootstrap and
vis-network from CDNs, so the page is rendered with our template instead, with vis-network's script and
stylesheet (shipped inside the pyvis package) inlined: the page makes no request to any other host.

Names are data, not markup: every text reaches the page through Jinja's autoescaping or ``tojson`` (which
escapes ``<``, ``>`` and ``&``), and tooltips become DOM text nodes, never HTML. A Content-Security-Policy
with a per-page nonce allows only the page's own scripts, so even an injected attribute could not run.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pyvis
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pyvis.network import Network

from app.views.style import GROUP_STYLE, SYMBOL, node_style, node_tip, short
from graph.store import Query, Row

TEMPLATES = Path(__file__).parent / "templates"
VIS = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"

Ask = Callable[[Query, Mapping[str, Any]], list[Row]]
"""How a view runs a lookup: the API's cached ``AppState.ask``, or ``store.run`` for the CLI."""


@cache
def environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined)


@cache
def vis_assets() -> tuple[str, str]:
    """vis-network's script and stylesheet, as pyvis ships them.

    The stylesheet's inline images (205 kB of its 220 kB) are the icons of the navigation and editing
    buttons, which the views never turn on; they are dropped so each page is that much lighter.
    """
    script = (VIS / "vis-network.min.js").read_text(encoding="utf-8")
    style = (VIS / "vis-network.css").read_text(encoding="utf-8")
    return script, re.sub(r"background-image:url\([^)]*\)", "background-image:none", style)


@dataclass(frozen=True, slots=True)
class Links:
    """Where a click leads. ``base`` None draws pages without links (``icsgraph view`` files)."""

    base: str | None = ""

    def _to(self, path: str, params: Mapping[str, Any] | Sequence[tuple[str, Any]] = ()) -> str | None:
        if self.base is None:
            return None
        pairs = list(params.items()) if isinstance(params, Mapping) else list(params)
        query = urlencode([(k, str(v)) for k, v in pairs if v is not None])
        return f"{self.base.rstrip('/')}{path}" + (f"?{query}" if query else "")

    def node(self, identifier: str, expand: Sequence[str] = (), **params: Any) -> str | None:
        pairs = [*params.items(), *(("expand", e) for e in expand)]
        return self._to(f"/views/node/{quote(identifier, safe='')}", pairs)

    def org(self, identifier: str, **params: Any) -> str | None:
        """An organisation's own page."""
        return self._to(f"/views/org/{quote(identifier, safe='')}", params)

    def icb(self, code: str, expand: Sequence[str] = (), **params: Any) -> str | None:
        return self._to(f"/views/icb/{quote(code, safe='')}", [*params.items(), *(("expand", e) for e in expand)])

    def chain(self, source: str, target: str, **params: Any) -> str | None:
        return self._to("/views/chain", {"source": source, "target": target, **params})

    def flow(self, flow_id: str) -> str | None:
        return self._to(f"/api/flows/{quote(flow_id, safe='')}")

    def flow_page(self, flow_id: str, **params: Any) -> str | None:
        return self._to(f"/views/flow/{quote(flow_id, safe='')}", params)

    def icb_page(self, code: str, **params: Any) -> str | None:
        """The ICB's page (its numbers, practices left out, findings); ``icb`` is its network."""
        return self._to(f"/views/icb/{quote(code, safe='')}/overview", params)

    def findings(self, **params: Any) -> str | None:
        return self._to("/views/findings", params)

    def query(self, name: str, params: Mapping[str, Any] | None = None) -> str | None:
        return self._to(f"/views/query/{quote(name, safe='')}", params or {})

    def api_query(self, name: str, params: Mapping[str, Any] | None = None) -> str | None:
        return self._to(f"/api/queries/{quote(name, safe='')}", params or {})

    def page(self, path: str) -> str | None:
        return self._to(path)


def nav(*pairs: tuple[str, str | None]) -> list[tuple[str, str]]:
    """Navigation links, leaving out those a page without links cannot have."""
    return [(label, href) for label, href in pairs if href is not None]


@dataclass(frozen=True, slots=True)
class LegendEntry:
    symbol: str
    colour: str
    label: str


@dataclass
class Picture:
    """One view: its network and the words around it."""

    title: str
    canvas: Canvas
    subtitle: str = ""
    notes: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    table: tuple[Sequence[str], Sequence[Sequence[str]]] | None = None


class Canvas:
    """A pyvis network that remembers which kinds it drew, for the legend."""

    def __init__(self, links: Links, *, physics: bool = True) -> None:
        self.links = links
        self.net = Network(directed=True)
        self.physics = physics
        self._legend: dict[str, LegendEntry] = {}
        self._nodes: set[str] = set()

    def has(self, identifier: str) -> bool:
        return identifier in self._nodes

    def note(self, key: str, symbol: str, colour: str, label: str) -> None:
        self._legend.setdefault(key, LegendEntry(SYMBOL.get(symbol, symbol), colour, label))

    def node(
        self,
        record: Mapping[str, Any],
        *,
        extra: Sequence[str] = (),
        href: str | None = None,
        emphasis: bool = False,
        **options: Any,
    ) -> None:
        """Draw a graph node; a click opens its own page (an organisation's) or view (a system's lineage) unless
        ``href`` says otherwise."""
        identifier = str(record["id"])
        if identifier in self._nodes:
            return
        shape, colour, label = node_style(record)
        self.note(f"node:{label}", shape, colour, label)
        self.add(
            identifier,
            short(str(record["name"])),
            node_tip(record, extra),
            shape,
            colour,
            href=href
            or (self.links.org(identifier) if record["kind"] == "organisation" else self.links.node(identifier)),
            size=26 if emphasis else 16,
            borderWidth=4 if emphasis else 1,
            **options,
        )

    def group(self, identifier: str, label: str, tip: str, count: int, href: str | None) -> None:
        """One node standing for ``count`` practices; a click expands it."""
        shape, colour = GROUP_STYLE
        self.note("group", shape, colour, "practices of a PCN, grouped (click to expand)")
        self.add(identifier, label, tip, shape, colour, href=href, size=min(12 + 3 * count, 45))

    def add(self, identifier: str, label: str, tip: str, shape: str, colour: str, **options: Any) -> None:
        if identifier in self._nodes:
            return
        self._nodes.add(identifier)
        options = {key: value for key, value in options.items() if value is not None}
        self.net.add_node(identifier, label=label, title=tip, shape=shape, color=colour, **options)

    def edge(self, source: str, target: str, tip: str, colour: str, **options: Any) -> None:
        self.net.add_edge(source, target, title=tip, color=colour, **options)

    def legend(self) -> list[LegendEntry]:
        return sorted(self._legend.values(), key=lambda entry: (entry.symbol, entry.label))

    def options(self) -> dict[str, Any]:
        big = len(self.net.nodes) > 150
        return {
            "autoResize": True,
            "nodes": {"font": {"size": 13, "face": "sans-serif"}},
            "edges": {
                # "dynamic" curves add a physics body per edge: seconds more to settle an ICB's 300 arrows.
                "smooth": {"enabled": True, "type": "continuous"},
                "font": {"size": 10, "align": "middle", "strokeWidth": 3},
                "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}},
            },
            "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False, "keyboard": False},
            # Kamada-Kawai seeding (improvedLayout) costs seconds on a few hundred nodes; Barnes-Hut alone suffices.
            "layout": {"improvedLayout": False, "randomSeed": 7},
            "physics": {
                "enabled": self.physics,
                "solver": "barnesHut",
                "barnesHut": {"gravitationalConstant": -9000, "springLength": 140, "avoidOverlap": 0.2},
                "stabilization": {"enabled": True, "iterations": 120 if big else 200, "fit": True},
            },
        }


def render(picture: Picture, *, site: bool = False) -> str:
    """The whole page: one HTML document with everything inlined.

    ``site`` adds the site's navigation and search box, for pages a server serves (a file written by
    ``icsgraph view`` has no server to search).
    """
    return render_network("network.html", picture, site=site)


def render_network(template: str, picture: Picture, **context: Any) -> str:
    """A page holding ``picture``'s network (``network_script.html``) and whatever else ``template`` shows."""
    script, style = vis_assets()
    nodes, edges, *_ = picture.canvas.net.get_network_data()
    data = {"nodes": nodes, "edges": edges, "options": picture.canvas.options()}
    return (
        environment()
        .get_template(template)
        .render(
            picture=picture,
            legend=picture.canvas.legend(),
            data=data,
            vis_script=script,
            vis_style=style,
            nonce=secrets.token_urlsafe(16),
            **context,
        )
    )


def render_page(template: str, **context: Any) -> str:
    """A page without a network (the index), with the same policy and style."""
    return environment().get_template(template).render(nonce=secrets.token_urlsafe(16), **context)
