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


@dataclass
class SentenceGroup:
    """The relations of a card that one source sentence states (``sentence`` None: no evidence)."""

    sentence: dict | None
    links: list[Link] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)


def by_sentence(links: list[Link], most: int = 3) -> list[SentenceGroup]:
    """The links grouped by the sentences that state them (each link's first ``most``), in the
    order the sentences first come, so that a sentence stating five relations is shown once."""
    groups: dict[tuple, SentenceGroup] = {}
    for link in links:
        found: list[dict | None] = list(link.evidence[:most]) or [None]  # no evidence: a group of its own
        for e in found:
            key = (e["document"], e["sentence"]) if e else ("", id(link))
            g = groups.setdefault(key, SentenceGroup(e))
            if link not in g.links:
                g.links.append(link)
            if e and e["rule"] not in g.rules:
                g.rules.append(e["rule"])
    return list(groups.values())


def closest(g: Graph, name: str, n: int = 5) -> list[str]:
    """The entity names most like ``name`` (for a name that matches none)."""
    import difflib

    names = {str(o) for p in (RDFS.label, SKOS.altLabel) for o in g.objects(None, p)}
    return difflib.get_close_matches(name, sorted(names), n=n, cutoff=0.4)
