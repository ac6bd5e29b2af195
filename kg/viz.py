"""Write the graph as an interactive HTML network (pyvis / vis-network), offline."""
from __future__ import annotations

import html
import re
from urllib.parse import unquote

from pyvis.network import Network
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from .model import RELATIONS, TYPES
from .rdf import ENT, KG

COLOURS = {"Company": "#e4572e", "Institution": "#4c72b0", "Project": "#55a868",
           "Place": "#f0b400", "Person": "#8172b2"}
SHAPES = {"Company": "dot", "Institution": "square", "Project": "triangle", "Place": "diamond", "Person": "star"}
REL_ZH = {"locatedIn": "位于", "partOf": "属于", "subOrganizationOf": "下属于", "memberOf": "成员",
          "foundedBy": "发起成立", "cooperatesWith": "合作", "develops": "开发", "builds": "承建",
          "worksFor": "任职于", "award": "获评"}
CDN_TAG = re.compile(r"<(?:link|script)[^>]*(?:href|src)=\"https?://[^\"]*\"[^>]*>(?:\s*</script>)?", re.S)


def _local(iri: URIRef) -> str:
    return unquote(str(iri).rsplit("/", 1)[-1].rsplit("#", 1)[-1])


def network(g: Graph) -> Network:
    net = Network(height="800px", width="100%", directed=True, cdn_resources="in_line", notebook=False)
    types: dict[URIRef, str] = {}
    for t in TYPES:
        for s in g.subjects(RDF.type, KG[t]):
            types.setdefault(s, t)
    labels = {s: str(o) for s, o in g.subject_objects(RDFS.label) if s in types}
    degree: dict[URIRef, int] = {s: 0 for s in types}
    edges = []
    for rel in RELATIONS:
        for s, o in g.subject_objects(KG[rel]):
            if s not in types:
                continue
            if isinstance(o, Literal):
                node = URIRef(str(s) + "#award-" + str(abs(hash(str(o))) % 10**8))
                edges.append((s, node, rel, str(o)))
                continue
            if o in types:
                edges.append((s, o, rel, None))
                degree[s] += 1
                degree[o] += 1
    for s in sorted(types, key=str):
        t = types[s]
        name = labels.get(s, _local(s))
        net.nodes.append({"id": str(s), "label": name, "shape": SHAPES[t], "color": COLOURS[t],
                          "title": f"{name}\n{t}", "size": 10 + 3 * min(degree[s], 10), "group": t})
    ids = {n["id"] for n in net.nodes}
    for s, o, rel, lit in edges:
        if lit is not None and str(o) not in ids:
            net.nodes.append({"id": str(o), "label": lit, "shape": "box", "color": "#dddddd",
                              "title": lit, "size": 8, "group": "award"})
            ids.add(str(o))
        net.edges.append({"from": str(s), "to": str(o), "label": REL_ZH[rel], "title": rel, "arrows": "to"})
    net.toggle_physics(True)
    return net


def page(g: Graph, title: str = "kg") -> str:
    net = network(g)
    text = net.generate_html(notebook=False)
    text = CDN_TAG.sub("", text)
    text = text.replace("<head>", f"<head>\n<meta charset=\"utf-8\">\n<title>{html.escape(title)}</title>", 1)
    return text
