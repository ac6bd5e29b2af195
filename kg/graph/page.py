"""The interactive network page: one offline HTML file (pyvis's vis-network inlined).

Node colour and shape by type with a legend, size by PageRank, Chinese edge labels,
a search box over every name, filters by type and relation, a physics toggle, and a
panel that shows a node's names and relations or an edge's source sentence and rule.
All text goes into the page as JSON and is shown with textContent, never as HTML.
"""

from __future__ import annotations

import html
import json
import math
from importlib import resources
from string import Template
from typing import cast

import networkx as nx
from pyvis.network import Network
from rdflib import Graph, Literal
from rdflib.namespace import PROV, RDF, RDFS

from ..model import RELATIONS, TYPES
from ..namespaces import KG
from . import analytics

COLOURS = {
    "Company": "#e4572e",
    "Institution": "#4c72b0",
    "Project": "#55a868",
    "Place": "#f0b400",
    "Person": "#8172b2",
    "Award": "#9e9e9e",
}
SHAPES = {
    "Company": "dot",
    "Institution": "square",
    "Project": "triangle",
    "Place": "diamond",
    "Person": "star",
    "Award": "box",
}
TYPE_ZH = {
    "Company": "企业",
    "Institution": "机构",
    "Project": "项目",
    "Place": "地点",
    "Person": "人物",
    "Award": "荣誉",
}
REL_ZH = {
    "locatedIn": "位于",
    "partOf": "属于",
    "withinDivision": "隶属",
    "subOrganizationOf": "下属于",
    "memberOf": "成员",
    "foundedBy": "发起成立",
    "cooperatesWith": "合作",
    "develops": "开发",
    "builds": "承建",
    "worksFor": "任职于",
    "award": "获评",
}
SYMBOLS = {"Company": "●", "Institution": "■", "Project": "▲", "Place": "◆", "Person": "★", "Award": "▬"}
EVIDENCE_PER_EDGE = 5  # sentences shown for one edge
LAYOUT_THRESHOLD = 800  # above this many nodes the layout is computed in Python, physics off
LAYOUT_SEED = 42  # the browser's layout of a small graph, and the communities: the same each time
COMMUNITY_COLOURS = [  # a community's colour, by its rank in size (the largest first); then grey
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
]  # fmt: skip


def evidence(g: Graph) -> dict[tuple[str, str, str], list[dict]]:
    """(subject, relation, object) → the sentences, documents and rules behind it."""
    out: dict[tuple[str, str, str], list[dict]] = {}
    for a in g.subjects(RDF.type, KG.Assertion):
        s, p, o = (next(g.objects(a, x), None) for x in (RDF.subject, RDF.predicate, RDF.object))
        if s is None or p is None or o is None:
            continue
        sent = next(g.objects(a, KG.sentence), None)
        doc_iri = next(g.objects(sent, PROV.wasDerivedFrom), None) if sent is not None else None
        doc = next((str(x) for x in g.objects(doc_iri, RDFS.label)), str(doc_iri)) if doc_iri else ""
        rule_iri = next(g.objects(a, KG.rule), None)
        rule = next((str(x) for x in g.objects(rule_iri, RDFS.label)), "") if rule_iri else ""
        out.setdefault((str(s), str(p).rsplit("#", 1)[-1], str(o)), []).append(
            {
                "sentence": str(next(g.objects(sent, KG.text), "")) if sent is not None else "",
                "document": doc,
                "rule": rule,
                "start": int(cast("Literal | int", next(g.objects(a, KG.start), 0))),
                "end": int(cast("Literal | int", next(g.objects(a, KG.end), 0))),
            }
        )
    for v in out.values():
        v.sort(key=lambda e: (e["document"], e["start"], e["rule"]))
    return out


EVIDENCE_QUERY = """
PREFIX kg: <https://kg.example.org/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?s ?p ?o ?sentence ?doc ?rule ?start ?end WHERE {
  ?a a kg:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:sentence ?sn ;
     kg:start ?start ; kg:end ?end .
  ?sn kg:text ?sentence .
  OPTIONAL { ?sn prov:wasDerivedFrom ?d . ?d rdfs:label ?doc }
  OPTIONAL { ?a kg:rule ?r . ?r rdfs:label ?rule } }"""


def store_evidence(
    ox_store, subjects: list[str] | None = None, wanted: set | None = None, most: int = 0
) -> dict[tuple[str, str, str], list[dict]]:
    """Evidence of the relations whose subject is one of ``subjects`` (all when None); with
    ``wanted``, only of those (subject, relation, object) keys, and at most ``most`` each."""
    out: dict[tuple[str, str, str], list[dict]] = {}
    if subjects is not None:
        return _evidence_for(ox_store, subjects, wanted, most)
    for row in ox_store.query(EVIDENCE_QUERY):
        key = (row["s"].value, row["p"].value.rsplit("#", 1)[-1], row["o"].value)
        out.setdefault(key, []).append(
            {
                "sentence": row["sentence"].value,
                "document": row["doc"].value if row["doc"] else "",
                "rule": row["rule"].value if row["rule"] else "",
                "start": int(row["start"].value),
                "end": int(row["end"].value),
            }
        )
    for v in out.values():
        v.sort(key=lambda e: (e["document"], e["start"], e["rule"]))
    return out


def _evidence_for(
    ox_store, subjects: list[str], wanted: set | None = None, most: int = 0
) -> dict[tuple[str, str, str], list[dict]]:
    """The same as the evidence query, in queries that start from the given subjects and
    the chosen assertions (Oxigraph joins in written order; the one big query is slow),
    two at a time."""
    import pyoxigraph as ox

    from .analytics import tsv_parallel, tsv_rows

    dg = ox.DefaultGraph()
    labels: dict[str, str] = {}

    def label(iri: str) -> str:
        if iri not in labels:
            labels[iri] = next(
                (
                    q.object.value
                    for q in ox_store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(str(RDFS.label)), None, dg)
                ),
                "",
            )
        return labels[iri]

    out: dict[tuple[str, str, str], list[dict]] = {}
    chosen = _assertions(ox_store, subjects, wanted, most)
    for text in tsv_parallel(ox_store, [DETAILS_QUERY % " ".join(f"<{a}>" for a in part) for part in _halves(chosen)]):
        for _, s, p, o, sentence, start, end, doc, rule in tsv_rows(text):
            out.setdefault((s[0], p[0].rsplit("#", 1)[-1], o[0]), []).append(
                {
                    "sentence": sentence[0],
                    "document": label(doc[0]) if doc else "",
                    "rule": label(rule[0]) if rule else "",
                    "start": int(start[0]),
                    "end": int(end[0]),
                }
            )
    for v in out.values():
        v.sort(key=lambda e: (e["document"], e["start"], e["rule"]))
    return out


DETAILS_QUERY = """PREFIX kg: <https://kg.example.org/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?a ?s ?p ?o ?sentence ?start ?end ?d ?r WHERE { VALUES ?a { %s }
  ?a rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:sentence ?sn ; kg:start ?start ; kg:end ?end .
  ?sn kg:text ?sentence . OPTIONAL { ?sn prov:wasDerivedFrom ?d } OPTIONAL { ?a kg:rule ?r } }"""
ASSERTIONS_QUERY = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?s ?a ?p ?o WHERE { VALUES ?s { %s } ?a rdf:subject ?s . ?a rdf:predicate ?p . ?a rdf:object ?o }"""


def _assertions(ox_store, subjects: list[str], wanted: set | None, most: int) -> list:
    """The IRIs of the assertions about ``subjects`` (of the ``wanted`` keys, at most
    ``most`` each, in IRI order), found by one query read as TSV."""
    from .analytics import tsv_parallel, tsv_rows

    if not subjects:
        return []
    texts = tsv_parallel(ox_store, [ASSERTIONS_QUERY % " ".join(f"<{s}>" for s in part) for part in _halves(subjects)])
    rows = sorted((r for t in texts for r in tsv_rows(t)), key=lambda r: r[1][0])
    taken: dict[tuple, int] = {}
    out = []
    for (s, _), (a, _), (p, _), (o, _) in rows:
        k = (s, p.rsplit("#", 1)[-1], o)
        if wanted is not None and (k not in wanted or most and taken.get(k, 0) >= most):
            continue
        taken[k] = taken.get(k, 0) + 1
        out.append(a)
    return out


def _halves(items: list) -> list[list]:
    mid = (len(items) + 1) // 2
    return [part for part in (items[:mid], items[mid:]) if part]


def select(
    G: nx.MultiDiGraph,
    focus: str | None = None,
    hops: int = 1,
    types: list[str] | None = None,
    relations: list[str] | None = None,
) -> nx.MultiDiGraph:
    """The part of the graph a view shows: a neighbourhood, some types, some relations."""
    H = G
    if relations:
        H = nx.MultiDiGraph(
            ((u, v, k, d) for u, v, k, d in H.edges(keys=True, data=True) if d["relation"] in relations)
        )
        H.add_nodes_from((n, G.nodes[n]) for n in G.nodes)
    if types:
        H = H.subgraph([n for n, d in H.nodes(data=True) if set(d["types"]) & set(types)]).copy()
    if focus is not None:
        H = H.subgraph(analytics.neighbourhood(H, focus, hops)).copy()
    return H


def find_node(G: nx.MultiDiGraph, name: str) -> list[str]:
    """Nodes whose label or alias is ``name`` (exactly, else containing it)."""
    exact = [n for n, d in G.nodes(data=True) if name == d["label"] or name in d.get("aliases", [])]
    if exact:
        return exact
    return [n for n, d in G.nodes(data=True) if name in d["label"] or any(name in a for a in d.get("aliases", []))]


def short_id(iri: str) -> str:
    """A page-local node id: the IRI without its base."""
    from urllib.parse import unquote

    return "e:" + unquote(iri.rsplit("/", 1)[-1])


def communities(H: nx.MultiDiGraph) -> dict[str, int]:
    """Louvain communities of the connected nodes, numbered by size (0 the largest), seeded."""
    simple = nx.Graph(H.to_undirected())
    simple.remove_nodes_from([n for n in list(simple) if simple.degree(n) == 0])
    if not simple.number_of_edges():
        return {}
    parts = nx.community.louvain_communities(simple, seed=LAYOUT_SEED)
    ranked = sorted(parts, key=lambda p: (-len(p), sorted(p)[0]))
    return {n: i for i, part in enumerate(ranked) for n in part}


TIMELINE_QUERY = """
PREFIX kg: <https://kg.example.org/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?x ?stage ?date ?written ?p ?o ?text WHERE {
  ?a rdf:subject ?x ; rdf:predicate ?p ; rdf:object ?o ; kg:sentence ?sn .
  ?sn kg:text ?text .
  OPTIONAL { ?a kg:stage ?stage } OPTIONAL { ?a kg:date ?date } OPTIONAL { ?a kg:dateText ?written }
  FILTER(BOUND(?date) || BOUND(?stage) || (?p = kg:award && BOUND(?written)))
}"""
TIMELINE_MOST = 30  # events of one entity on the page, the earliest first


def timeline(rows, wanted: set[str]) -> dict[str, list[dict]]:
    """Each wanted entity's dated events and stages, in date order (the undated last): rows of
    TIMELINE_QUERY as (entity, stage, date, date as written, predicate, object, sentence) strings."""
    out: dict[str, list[dict]] = {}
    for x, stage, date, written, p, o, text in rows:
        if x not in wanted:
            continue
        what = p.rsplit("#", 1)[-1]
        item = {"date": date, "written": written, "stage": stage, "relation": what, "sentence": text}
        if what == "award":
            item["title"] = o
        out.setdefault(x, []).append(item)
    for items in out.values():
        items.sort(key=lambda i: (i["date"] == "", i["date"], i["sentence"]))
        del items[TIMELINE_MOST:]
    return out


def rdflib_timeline(g: Graph, wanted: set[str]) -> dict[str, list[dict]]:
    rows = ([str(v) if v is not None else "" for v in cast(tuple, row)] for row in g.query(TIMELINE_QUERY))
    return timeline(rows, wanted)


def store_timeline(ox_store, wanted: set[str]) -> dict[str, list[dict]]:
    """The same as TIMELINE_QUERY, from index scans: the assertions with a stage, a date or
    (of an award) a date as written, then the few look-ups of those about a wanted entity
    (7× faster than the query on a 2 M-triple store)."""
    import pyoxigraph as ox

    dg = ox.DefaultGraph()
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

    def scan(p: str) -> dict[str, str]:
        return {q.subject.value: q.object.value for q in ox_store.quads_for_pattern(None, ox.NamedNode(p), None, dg)}

    def value(s: str, p: str) -> str:
        found = ox_store.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(p), None, dg)
        return next((q.object.value for q in found), "")

    stage, date, written = scan(f"{KG}stage"), scan(f"{KG}date"), scan(f"{KG}dateText")
    award = ox.NamedNode(f"{KG}award")
    awards = {q.subject.value for q in ox_store.quads_for_pattern(None, ox.NamedNode(f"{rdf}predicate"), award, dg)}
    rows = []
    for a in sorted(set(stage) | set(date) | (awards & set(written))):
        x = value(a, f"{rdf}subject")
        if x in wanted:
            text = value(value(a, f"{KG}sentence"), f"{KG}text")
            rows.append([x, stage.get(a, ""), date.get(a, ""), written.get(a, ""), value(a, f"{rdf}predicate"),
                         value(a, f"{rdf}object"), text])  # fmt: skip
    return timeline(rows, wanted)


def page_data(g, H: nx.MultiDiGraph, timelines: dict | None = None, new: set[str] | None = None) -> dict:
    """Nodes and edges for vis: with each entity its events (``timelines``) and whether the
    last build brought it (``new``)."""
    ev = g if isinstance(g, dict) else evidence(g)
    if timelines is None and isinstance(g, Graph):
        timelines = rdflib_timeline(g, set(H.nodes))
    pagerank = nx.pagerank(nx.DiGraph(H)) if len(H) else {}
    top = max(pagerank.values(), default=1.0) or 1.0
    community = communities(H)
    degree = dict(nx.Graph(H.to_undirected()).degree())
    nodes, edges = [], []
    for n, d in sorted(H.nodes(data=True)):
        t = d["type"]
        c = community.get(n, -1)
        nodes.append(
            {
                "id": short_id(n),
                "label": d["label"],
                "title": d["label"],
                "type": t,
                "types": d["types"],
                "aliases": d.get("aliases", []),
                "color": COLOURS[t],
                "shape": SHAPES[t],
                "size": round(12 + 28 * pagerank.get(n, 0) / top, 1),
                "value": round(1 + 99 * pagerank.get(n, 0) / top, 2),
                "degree": degree.get(n, 0) + len(d.get("awards", [])),
                "community": c,
                "communityColor": COMMUNITY_COLOURS[c] if 0 <= c < len(COMMUNITY_COLOURS) else "#b0b7bf",
                "awards": d.get("awards", []),
                "timeline": (timelines or {}).get(n, []),
                "new": n in (new or ()),
            }
        )
        for i, lit in enumerate(d.get("awards", [])):
            aid = f"{short_id(n)}#award{i}"
            nodes.append(
                {
                    "id": aid,
                    "label": lit,
                    "type": "Award",
                    "types": ["Award"],
                    "aliases": [],
                    "color": COLOURS["Award"],
                    "shape": SHAPES["Award"],
                    "size": 10,
                    "value": 1,
                    "scaling": {"label": {"enabled": False}},  # a title stays readable in its box
                    "font": {"size": 11},
                    "degree": 1,
                    "community": community.get(n, -1),
                    "communityColor": COLOURS["Award"],
                    "awards": [],
                }
            )
            edges.append(
                {
                    "id": f"{short_id(n)}|award|{i}",
                    "from": short_id(n),
                    "to": aid,
                    "relation": "award",
                    "label": REL_ZH["award"],
                    "evidence": _award_evidence(ev, n, lit),
                }
            )
    for u, v, k in sorted(H.edges(keys=True)):
        edges.append(
            {
                "id": f"{short_id(u)}|{k}|{short_id(v)}",
                "from": short_id(u),
                "to": short_id(v),
                "relation": k,
                "label": REL_ZH[k],
                "evidence": ev.get((u, k, v), [])[:EVIDENCE_PER_EDGE],
            }
        )
    return {"nodes": nodes, "edges": edges}


def _award_evidence(ev, n, lit):
    return [e for (s, p, o), es in ev.items() if s == n and p == "award" and o == lit for e in es][:EVIDENCE_PER_EDGE]


def layout(H: nx.MultiDiGraph, data: dict, previous: dict | None = None) -> bool:
    """Precompute positions for large graphs; returns whether physics should run. With the
    positions of an earlier page (``previous``) covering most nodes, those stay where they
    were and new nodes are put beside a neighbour: a page rebuilt after a few new documents
    looks like the last one and costs no layout."""
    if len(data["nodes"]) <= LAYOUT_THRESHOLD:
        return True
    simple = nx.Graph()
    simple.add_nodes_from(n["id"] for n in data["nodes"])
    simple.add_edges_from((e["from"], e["to"]) for e in data["edges"])
    known = {n: previous[n] for n in simple if previous and n in previous}
    if len(known) >= 0.9 * len(simple):
        pos = _extend_positions(simple, known)
    else:
        pos = component_layout(simple)
    for n in data["nodes"]:
        x, y = pos[n["id"]]
        n["x"], n["y"] = round(float(x), 1), round(float(y), 1)
    return False


def component_layout(G: nx.Graph, gap: float = 60.0) -> dict:
    """Each connected component laid out on its own (a short spring layout, from spectral
    positions for large ones), then packed
    in rows, largest first: an archive's graph has hundreds of small components, on which
    a global spectral start does not converge (ARPACK ran for minutes and gave up)."""
    pos: dict = {}
    comps = sorted((sorted(c) for c in nx.connected_components(G)), key=lambda c: (-len(c), c[0]))
    x = y = row_h = 0.0
    width = gap * 2.2 * len(G) ** 0.5
    for nodes in comps:
        local = _local_layout(G.subgraph(nodes))
        size = gap * len(nodes) ** 0.5
        if x > 0 and x + size > width:
            x, y, row_h = 0.0, y + row_h + gap, 0.0
        for n, (px, py) in local.items():
            pos[n] = (x + size / 2 + px * size / 2, y + size / 2 + py * size / 2)
        x += size + gap
        row_h = max(row_h, size)
    return pos


def _local_layout(C: nx.Graph) -> dict:
    """Positions in [-1, 1]² for one connected component."""
    n = len(C)
    if n <= 2:
        return {v: (float(i) - (n - 1) / 2, 0.0) for i, v in enumerate(sorted(C))}
    if n <= 200:
        return nx.rescale_layout_dict(nx.spring_layout(C, seed=7, iterations=30), 1.0)
    return nx.rescale_layout_dict(nx.spring_layout(C, pos=_spectral(C), seed=7, iterations=4), 1.0)


def _spectral(C: nx.Graph) -> dict | None:
    """The Laplacian's second and third eigenvectors, by shift-invert (a sparse solve, a
    few milliseconds; networkx's ARPACK 'smallest' mode can run for minutes)."""
    import numpy as np
    import scipy.sparse as sp
    from scipy.sparse.linalg import eigsh

    nodes = sorted(C)
    A = nx.to_scipy_sparse_array(C, nodelist=nodes, format="csr", dtype=float)
    L = sp.diags(np.asarray(A.sum(axis=1)).ravel()) - A
    try:
        _, vecs = eigsh(L.tocsc(), k=3, sigma=-1e-3, which="LM")
    except Exception:  # a singular factorisation or no convergence: start at random
        return None
    rx, ry = (np.argsort(np.argsort(vecs[:, k])) / len(nodes) - 0.5 for k in (1, 2))
    return {v: (float(rx[i]), float(ry[i])) for i, v in enumerate(nodes)}  # ranks: pendants do not squeeze the rest


def _extend_positions(G: nx.Graph, known: dict) -> dict:
    pos = dict(known)
    for k, n in enumerate(sorted(set(G) - set(known))):
        near = [pos[m] for m in G[n] if m in pos]
        x, y = near[0] if near else (0.0, 0.0)
        angle = k * 2.399963  # the golden angle: new nodes spread around their neighbour
        pos[n] = (x + 40 * math.cos(angle), y + 40 * math.sin(angle))
    return pos


def _asset(name: str) -> str:
    return (resources.files("pyvis") / "templates" / "lib" / "vis-9.1.2" / name).read_text(encoding="utf-8")


def _json_for_script(data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def network(data: dict, physics: bool) -> Network:
    """The pyvis network holding nodes, edges and vis options (lists filled directly)."""
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line", notebook=False)
    net.nodes = data["nodes"]
    net.edges = data["edges"]
    net.set_options(
        json.dumps(
            {
                "nodes": {
                    "font": {"size": 14, "face": "WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif"},
                    "borderWidth": 1,
                    # the most important nodes' labels are drawn at every zoom, the others once zoomed
                    # in far enough to read them (and on hover); node sizes follow PageRank
                    "scaling": {
                        "min": 10,
                        "max": 40,
                        "label": {"enabled": True, "min": 11, "max": 26, "drawThreshold": 9, "maxVisible": 30},
                    },
                },
                "edges": {
                    "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}},
                    "font": {"size": 11, "align": "middle"},
                    "color": {"color": "#9aa5b1", "highlight": "#1f2933"},
                    "smooth": {"type": "continuous"},
                },
                "physics": {
                    "enabled": physics,
                    "solver": "barnesHut",
                    "barnesHut": {
                        "gravitationalConstant": -2500,
                        "centralGravity": 0.9,
                        "springLength": 110,
                        "avoidOverlap": 0.2,
                    },
                    "stabilization": {"enabled": True, "iterations": 300, "fit": True},
                },
                "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False},
                "layout": {"improvedLayout": len(data["nodes"]) <= 150, "randomSeed": LAYOUT_SEED},
            }
        )
    )
    return net


def render(g, H: nx.MultiDiGraph, title: str = "kg") -> str:
    """The page for graph H; ``g`` is the rdflib graph, or the evidence map already computed."""
    return render_with_positions(g, H, title)[0]


def render_with_positions(
    g,
    H: nx.MultiDiGraph,
    title: str = "kg",
    previous: dict | None = None,
    timelines: dict | None = None,
    new: set[str] | None = None,
) -> tuple[str, dict]:
    """The page and the node positions it uses (empty when the browser lays it out)."""
    data = page_data(g, H, timelines, new)
    physics = layout(H, data, previous)
    net = network(data, physics)
    legend = {
        t: {"colour": COLOURS[t], "zh": TYPE_ZH[t], "shape": SHAPES[t], "symbol": SYMBOLS[t]}
        for t in list(TYPES) + ["Award"]
    }
    payload = {
        "nodes": net.nodes,
        "edges": net.edges,
        "options": json.loads(net.options.to_json()) if hasattr(net.options, "to_json") else net.options,
        "legend": legend,
        "relations": {r: REL_ZH[r] for r in RELATIONS},
        "physics": physics,
        "isolated": sum(1 for n in data["nodes"] if n["degree"] == 0),
        "new": sum(1 for n in data["nodes"] if n.get("new")),
    }
    tpl = Template((resources.files("kg") / "graph" / "page.html").read_text(encoding="utf-8"))
    positions = {} if physics else {n["id"]: (n["x"], n["y"]) for n in data["nodes"]}
    return tpl.substitute(
        title=html.escape(title),
        vis_css=_asset("vis-network.css"),
        vis_js=_asset("vis-network.min.js"),
        data=_json_for_script(payload),
    ), positions


def page(g: Graph, title: str = "kg", **view) -> str:
    G = analytics.to_networkx(g)
    return render(g, select(G, **view) if view else G, title)
