"""Export a graph for other tools: RDF formats, JSON-LD with a context, GraphML, CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from rdflib import Graph

from ..errors import KgError
from .store import atomic_write
from .turtle import PREFIXES

FORMATS = ("turtle", "ntriples", "nquads", "trig", "jsonld", "graphml", "gexf", "csv")


def export(g: Graph, path: str | Path, fmt: str, store=None) -> list[Path]:
    """Write ``g`` (or, for nquads/trig, the store with its per-document graphs) to ``path``.
    Returns the files written (csv writes an edge list and a node list)."""
    path = Path(path)
    if fmt not in FORMATS:
        raise KgError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")
    if fmt in ("nquads", "trig") and store is not None:
        import pyoxigraph as ox

        f = ox.RdfFormat.N_QUADS if fmt == "nquads" else ox.RdfFormat.TRIG
        dataset = store.dataset()
        quads = ox.serialize(dataset, format=f, prefixes=PREFIXES) if fmt == "trig" else ox.serialize(dataset, format=f)
        assert quads is not None  # no output given: serialize returns the bytes
        atomic_write(path, quads)
        return [path]
    if fmt in ("turtle", "ntriples", "nquads", "trig"):
        name = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig"}[fmt]
        for p, ns in PREFIXES.items():
            g.bind(p, ns, override=True)
        atomic_write(path, g.serialize(format=name, encoding="utf-8"))
        return [path]
    if fmt == "jsonld":
        context = {p: str(ns) for p, ns in PREFIXES.items()}  # one compact key per property (rdfs:label)
        data = g.serialize(format="json-ld", context=context, auto_compact=True)
        atomic_write(path, data.encode("utf-8") if isinstance(data, str) else data)
        return [path]
    from .analytics import to_networkx

    G = to_networkx(g)
    if fmt in ("graphml", "gexf"):
        H = _laid_out(g, G, viz=fmt == "gexf")
        buf = io.BytesIO()
        import networkx as nx

        (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(H, buf, encoding="utf-8")
        atomic_write(path, buf.getvalue())
        return [path]
    # csv: an edge list at PATH and a node list beside it
    nodes_path = path.with_name(path.stem + ".nodes.csv")
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["source", "relation", "target", "source_label", "target_label"])
    for u, v, k in sorted(G.edges(keys=True)):
        w.writerow([u, k, v, G.nodes[u]["label"], G.nodes[v]["label"]])
    for n, d in sorted(G.nodes(data=True)):
        for a in d.get("awards", []):
            w.writerow([n, "award", "", d["label"], a])
    atomic_write(path, out.getvalue().encode("utf-8-sig"))
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["id", "label", "type", "types", "aliases"])
    for n, d in sorted(G.nodes(data=True)):
        w.writerow([n, d["label"], d["type"], ";".join(d["types"]), ";".join(d.get("aliases", []))])
    atomic_write(nodes_path, out.getvalue().encode("utf-8-sig"))
    return [path, nodes_path]


def _laid_out(g, G, viz: bool = False):
    """The graph for Gephi: nodes with type, aliases, degree, PageRank, community, a position
    (seeded, so the same each time) and the page's colour; edges with a unique id, the relation,
    the rule and the first sentence and document that state it."""
    import networkx as nx

    from .analytics import compute
    from .page import COLOURS, evidence

    stats = compute(G)
    pos = nx.spring_layout(nx.Graph(G.to_undirected()), seed=42) if len(G) else {}
    ev = evidence(g)
    H = nx.MultiDiGraph()
    for n, d in G.nodes(data=True):
        x, y = pos.get(n, (0.0, 0.0))
        colour = COLOURS.get(d["type"], "#9e9e9e")
        r, gr, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        H.add_node(
            n,
            label=d["label"],
            type=d["type"],
            types=",".join(d["types"]),
            aliases="、".join(d.get("aliases", [])),
            awards="、".join(d.get("awards", [])),
            degree=int(stats.degree.get(n, 0)),
            pagerank=round(stats.pagerank.get(n, 0.0), 6),
            community=stats.community.get(n, -1),
            x=round(float(x) * 1000, 2),
            y=round(float(y) * 1000, 2),
            colour=colour,
        )
        if viz:  # GEXF's own colour and position, which Gephi draws as they are
            H.nodes[n]["viz"] = {
                "color": {"r": r, "g": gr, "b": b, "a": 1.0},
                "position": {"x": float(x) * 1000, "y": float(y) * 1000, "z": 0.0},
            }
    for i, (u, v, k, d) in enumerate(sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1]))):
        first = (ev.get((u, k, v)) or [{}])[0]
        H.add_edge(
            u,
            v,
            key=f"e{i}",
            id=f"e{i}",
            relation=d["relation"],
            label=d["relation"],
            rule=first.get("rule", ""),
            sentence=first.get("sentence", ""),
            document=first.get("document", ""),
        )
    return H
