"""The entity graph as networkx: importance scores, components and communities."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

import networkx as nx
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from ..model import RELATIONS
from ..namespaces import KG


@dataclass
class EntityInfo:
    iri: str
    label: str
    type: str
    types: list[str]
    aliases: list[str] = field(default_factory=list)


DISPLAY_ORDER = ("Person", "Company", "Project", "Place", "Institution")


def entities(g: Graph) -> dict[str, EntityInfo]:
    """Every entity with its label, aliases and types; ``type`` is the one to show."""
    out: dict[str, EntityInfo] = {}
    for t in DISPLAY_ORDER:
        for s in g.subjects(RDF.type, KG[t]):
            key = str(s)
            if key in out:
                out[key].types.append(t)
                continue
            label = next((str(o) for o in g.objects(s, RDFS.label)), unquote(key.rsplit("/", 1)[-1]))
            aliases = sorted(str(o) for o in g.objects(s, SKOS.altLabel))
            out[key] = EntityInfo(key, label, t, [t], aliases)
    return out


TYPE_QUERY = """PREFIX kg: <https://kg.example.org/ontology#>
SELECT ?e ?t WHERE { VALUES ?t { kg:Company kg:Institution kg:Project kg:Place kg:Person } ?e a ?t }"""
LABEL_QUERY = "SELECT ?e ?l WHERE { ?e <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
ALIAS_QUERY = "SELECT ?e ?l WHERE { ?e <http://www.w3.org/2004/02/skos/core#altLabel> ?l }"
RELATION_QUERY = """
PREFIX kg: <https://kg.example.org/ontology#>
SELECT ?s ?p ?o WHERE { VALUES ?p { %s } ?s ?p ?o }""" % " ".join(f"kg:{r}" for r in RELATIONS)


_ESCAPES = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_SIMPLE = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(m: re.Match) -> str:
    code = m.group(1) or m.group(2)
    return chr(int(code, 16)) if code else _SIMPLE.get(m.group(3), m.group(3))


def tsv_value(field: str) -> tuple[str, bool] | None:
    """A SPARQL TSV field as (value, is_literal); None when unbound."""
    if not field:
        return None
    if field[0] == "<":
        return field[1:-1], False
    if field[0] == '"':
        end = field.rfind('"')
        text = field[1:end]
        return (_ESCAPES.sub(_unescape, text) if "\\" in text else text), True
    return field, True  # a number or boolean written bare


def tsv_text(ox_store, query: str) -> str:
    import pyoxigraph as ox

    return ox_store.query(query).serialize(format=ox.QueryResultsFormat.TSV).decode("utf-8")


def tsv_rows(text: str):
    """Rows of a SELECT's TSV (from tsv_text) as tuples of tsv_value, split in one pass
    (several times faster than reading a term object per cell)."""
    for line in text.split("\n")[1:]:
        if line:
            yield tuple(tsv_value(f) for f in line.split("\t"))


def tsv_parallel(ox_store, queries: list[str]) -> list[str]:
    """Several queries' TSV at once: Oxigraph evaluates without holding the GIL."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda q: tsv_text(ox_store, q), queries))


def store_networkx(ox_store, limit: int = 0) -> nx.MultiDiGraph:
    """The same graph as to_networkx, read from an Oxigraph store. With ``limit``, only the
    ``limit`` entities of highest degree (ties by IRI) are kept, ``G.graph["entities"]``
    tells how many there were, and names are read for the kept ones only."""
    types, relations = tsv_parallel(ox_store, [TYPE_QUERY, RELATION_QUERY])
    info: dict[str, set] = {}
    for e, t in tsv_rows(types):
        info.setdefault(e[0], set()).add(t[0].rsplit("#", 1)[-1])
    edges: set[tuple[str, str, str]] = set()
    awards: dict[str, list[str]] = {}
    for (s, _), (p, _), (o, literal) in tsv_rows(relations):
        if s not in info:
            continue
        if literal:
            awards.setdefault(s, []).append(o)
        elif o in info:
            edges.add((s, o, p.rsplit("#", 1)[-1]))
    keep = sorted(info)
    if limit and len(info) > limit:
        degree: dict[str, int] = {}
        for s, o, _ in edges:
            degree[s] = degree.get(s, 0) + 1
            degree[o] = degree.get(o, 0) + 1
        keep = sorted(sorted(info, key=lambda n: (-degree.get(n, 0), n))[:limit])
    labels, aliases = _names(ox_store, keep, len(keep) < len(info))
    G = nx.MultiDiGraph(entities=len(info))
    for key in keep:
        shown = [t for t in DISPLAY_ORDER if t in info[key]]
        G.add_node(
            key,
            label=labels.get(key) or unquote(key.rsplit("/", 1)[-1]),
            type=shown[0],
            types=shown,
            aliases=sorted(aliases.get(key, ())),
        )
        if key in awards:
            G.nodes[key]["awards"] = sorted(awards[key])
    kept = set(keep)
    G.add_edges_from((s, o, rel, {"relation": rel}) for s, o, rel in sorted(edges) if s in kept and o in kept)
    return G


def _names(ox_store, keys: list[str], only: bool) -> tuple[dict[str, str], dict[str, set]]:
    """Labels and aliases: of ``keys`` alone (one look-up each) when ``only``, else all of them."""
    queries = [LABEL_QUERY, ALIAS_QUERY]
    if only:
        values = " VALUES ?e { " + " ".join(f"<{k}>" for k in keys) + " }"
        queries = [q.replace("WHERE {", "WHERE {" + values, 1) for q in queries]
    label_text, alias_text = tsv_parallel(ox_store, queries)
    labels = {e[0]: label[0] for e, label in tsv_rows(label_text)}
    aliases: dict[str, set] = {}
    for e, alias in tsv_rows(alias_text):
        aliases.setdefault(e[0], set()).add(alias[0])
    return labels, aliases


def to_networkx(g: Graph) -> nx.MultiDiGraph:
    """Entities as nodes (label, type, aliases), relations as keyed edges (relation, literal)."""
    ents = entities(g)
    G = nx.MultiDiGraph()
    for key, e in sorted(ents.items()):
        G.add_node(key, label=e.label, type=e.type, types=e.types, aliases=e.aliases)
    for rel in RELATIONS:
        for s, o in g.subject_objects(KG[rel]):
            if str(s) not in ents:
                continue
            if isinstance(o, Literal):
                G.nodes[str(s)].setdefault("awards", []).append(str(o))
            elif str(o) in ents:
                G.add_edge(str(s), str(o), key=rel, relation=rel)
    return G


@dataclass
class Stats:
    nodes: int
    edges: int
    components: int
    largest_component: int
    degree: dict[str, float]
    pagerank: dict[str, float]
    betweenness: dict[str, float]
    community: dict[str, int]


def compute(G: nx.MultiDiGraph, seed: int = 42) -> Stats:
    simple = nx.Graph(G.to_undirected())
    comps = list(nx.connected_components(simple)) if len(simple) else []
    degree = {n: float(d) for n, d in simple.degree()}
    pagerank = nx.pagerank(nx.DiGraph(G)) if len(G) else {}
    k = min(len(simple), 500) if len(simple) > 500 else None
    betweenness = nx.betweenness_centrality(simple, k=k, seed=seed) if len(simple) else {}
    community: dict[str, int] = {}
    if simple.number_of_edges():
        parts = nx.community.louvain_communities(simple, seed=seed)
        for i, part in enumerate(sorted(parts, key=lambda p: (-len(p), sorted(p)[0]))):
            for n in part:
                community[n] = i
    return Stats(
        len(G),
        G.number_of_edges(),
        len(comps),
        max((len(c) for c in comps), default=0),
        degree,
        pagerank,
        betweenness,
        community,
    )


def score_triples(stats: Stats):
    """The scores as triples on the entity nodes, so that SPARQL can sort by them."""
    for n in sorted(stats.degree):
        s = URIRef(n)
        yield s, KG.degree, Literal(int(stats.degree[n]), datatype=XSD.integer)
        yield s, KG.pagerank, Literal(round(stats.pagerank.get(n, 0.0), 6), datatype=XSD.double)
        yield s, KG.betweenness, Literal(round(stats.betweenness.get(n, 0.0), 6), datatype=XSD.double)
        if n in stats.community:
            yield s, KG.community, Literal(stats.community[n], datatype=XSD.integer)


def write_scores(g: Graph, stats: Stats) -> None:
    """Replace the scores in an rdflib graph (a graph.ttl without a store)."""
    for prop in (KG.degree, KG.pagerank, KG.betweenness, KG.community):
        g.remove((None, prop, None))
    for t in score_triples(stats):
        g.add(t)


def score_ntriples(stats: Stats) -> bytes:
    return "".join(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in score_triples(stats)).encode("utf-8")


def neighbourhood(G: nx.MultiDiGraph, centre: str, hops: int) -> set[str]:
    und = G.to_undirected(as_view=True)
    return set(nx.single_source_shortest_path_length(und, centre, cutoff=hops))
