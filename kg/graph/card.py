"""An entity card: names, types and every relation in and out, with the source sentences."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from ..model import RELATIONS, TYPES
from ..namespaces import KG
from .page import evidence


@dataclass
class Link:
    direction: str  # "out" or "in"
    relation: str
    other: str  # the other entity's name, or the literal
    evidence: list[dict] = field(default_factory=list)


@dataclass
class Card:
    iri: str
    name: str
    types: list[str]
    aliases: list[str]
    links: list[Link]


def _label(g: Graph, node) -> str:
    if isinstance(node, Literal):
        return str(node)
    return next((str(o) for o in g.objects(node, RDFS.label)), str(node))


def find(g: Graph, name: str) -> list[URIRef]:
    """Entities named ``name`` (label or alias), else those whose names contain it."""
    ents = {cast(URIRef, s) for t in TYPES for s in g.subjects(RDF.type, KG[t])}  # kg's entities are IRIs
    exact: list[URIRef] = []
    part: list[URIRef] = []
    for e in sorted(ents, key=str):
        names = [str(o) for o in g.objects(e, RDFS.label)] + [str(o) for o in g.objects(e, SKOS.altLabel)]
        if name in names:
            exact.append(e)
        elif any(name in n for n in names):
            part.append(e)
    return exact or part


def card(g: Graph, node: URIRef, ev: dict | None = None) -> Card:
    ev = ev if ev is not None else evidence(g)
    types = [t for t in TYPES if (node, RDF.type, KG[t]) in g]
    aliases = sorted(str(o) for o in g.objects(node, SKOS.altLabel))
    links = []
    for rel in RELATIONS:
        for o in sorted(g.objects(node, KG[rel]), key=str):
            links.append(Link("out", rel, _label(g, o), ev.get((str(node), rel, str(o)), [])))
        for s in sorted(g.subjects(KG[rel], node), key=str):
            links.append(Link("in", rel, _label(g, s), ev.get((str(s), rel, str(node)), [])))
    return Card(str(node), _label(g, node), types, aliases, links)
