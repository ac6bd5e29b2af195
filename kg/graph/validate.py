"""Check a built graph: kg's SHACL shapes (shapes.ttl, by pySHACL) and its place hierarchy
against the division table the gazetteer reads."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SKOS

from ..namespaces import KG

HIERARCHY = ("partOf", "withinDivision", "locatedIn")


@dataclass(frozen=True)
class Problem:
    check: str  # "shape" or "hierarchy"
    focus: str  # the node (a name where it has one) the problem is about
    message: str


def shapes_graph() -> Graph:
    return Graph().parse(data=resources.files("kg.graph").joinpath("shapes.ttl").read_text("utf-8"), format="turtle")


def _name(g: Graph, node) -> str:
    return next((str(o) for o in g.objects(node, RDFS.label)), str(node))


def shape_problems(g: Graph) -> list[Problem]:
    """Each SHACL violation: the node and the shape's message."""
    from pyshacl import validate

    conforms, report, _ = validate(g, shacl_graph=shapes_graph(), inference="none", advanced=False)
    if conforms:
        return []
    sh = "http://www.w3.org/ns/shacl#"
    out = []
    for result in report.subjects(URIRef(sh + "resultSeverity"), None):
        focus = next(report.objects(result, URIRef(sh + "focusNode")), None)
        msg = next(report.objects(result, URIRef(sh + "resultMessage")), None)
        path = next(report.objects(result, URIRef(sh + "resultPath")), None)
        where = f" ({path.n3(g.namespace_manager)})" if isinstance(path, URIRef) else ""
        out.append(Problem("shape", _name(g, focus) if focus is not None else "?", f"{msg}{where}"))
    return sorted(out, key=lambda p: (p.focus, p.message))


def hierarchy_problems(g: Graph) -> list[Problem]:
    """Relations between two divisions of the table that the table contradicts: the object lies
    within the subject (北京市 locatedIn 朝阳区), or, for partOf and withinDivision, the table puts
    the subject in no division of that name (北京市 partOf 香港特别行政区)."""
    from ..text.gazetteer import load

    gaz = load(())
    by_name: dict[str, list] = {}
    for p in gaz.by_code.values():
        by_name.setdefault(p.name, []).append(p)

    def within(inner: str, outer: str) -> bool:  # some division named inner lies in one named outer
        return any(outer in {a.name for a in _ancestors(gaz, p)} for p in by_name.get(inner, ()))

    out = []
    for rel in HIERARCHY:
        for s, o in g.subject_objects(KG[rel]):
            a, b = _division(g, s, by_name), _division(g, o, by_name)
            if a is None or b is None or a == b:
                continue
            if within(b, a) and not within(a, b):
                out.append(Problem("hierarchy", a, f"{a} {rel} {b}, but the division table puts {b} within {a}"))
            elif rel != "locatedIn" and not within(a, b):
                out.append(Problem("hierarchy", a, f"{a} {rel} {b}, but the division table puts {a} in no {b}"))
    return sorted(set(out), key=lambda p: (p.focus, p.message))


def _division(g: Graph, node, by_name: dict) -> str | None:
    """The node's name (or alias) that the division table knows, if any."""
    names = sorted(str(o) for p in (RDFS.label, SKOS.altLabel) for o in g.objects(node, p))
    return next((n for n in names if n in by_name), None)


def _ancestors(gaz, place) -> list:
    out, p = [], gaz.parent_of(place)
    while p is not None:
        out.append(p)
        p = gaz.parent_of(p)
    return out


def validate(g: Graph) -> list[Problem]:
    return shape_problems(g) + hierarchy_problems(g)
