"""Build the RDF graph: ontology, entities, direct relation triples and their provenance."""
from __future__ import annotations

import hashlib
from importlib import resources

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD

from .model import Entity, Relation
from .pipeline import Corpus
from .rules import RuleSet

BASE = "https://kg.example.org/"
KG = Namespace(BASE + "ontology#")
ENT = Namespace(BASE + "entity/")
DOC = Namespace(BASE + "document/")
STMT = Namespace(BASE + "assertion/")
RULE = Namespace(BASE + "rule/")
SCHEMA = Namespace("https://schema.org/")
SUBCLASSES = {"University", "GovernmentBody", "Alliance", "ProjectDepartment", "DevelopmentZone",
              "AdministrativeArea", "Journalist", "ShortName"}


UCSCHAR = ((0xA0, 0xD7FF), (0xF900, 0xFDCF), (0xFDF0, 0xFFEF), (0x10000, 0x1FFFD), (0x20000, 0x2FFFD),
           (0x30000, 0x3FFFD))
PUNCT_ENCODED = set("（）【】《》“”、，。：；\u3000")


def _iri_char(ch: str) -> bool:
    o = ord(ch)
    if o < 128:
        return ch.isalnum() or ch in "-._~"
    return ch not in PUNCT_ENCODED and any(a <= o <= b for a, b in UCSCHAR)


def iri_safe(text: str) -> str:
    """A readable IRI segment: letters (Chinese too) kept, everything else percent-encoded."""
    return "".join(ch if _iri_char(ch) else "".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))
                   for ch in text)


def entity_iri(e: Entity) -> URIRef:
    return ENT[iri_safe(e.name)]


def doc_iri(doc_id: str) -> URIRef:
    return DOC[iri_safe(doc_id)]


def ontology() -> Graph:
    g = Graph()
    g.parse(data=(resources.files("kg") / "ontology.ttl").read_text(encoding="utf-8"), format="turtle")
    return g


def bind(g: Graph) -> None:
    for p, ns in (("kg", KG), ("ent", ENT), ("doc", DOC), ("as", STMT), ("rule", RULE),
                  ("skos", SKOS), ("prov", PROV), ("schema", SCHEMA), ("owl", OWL)):
        g.bind(p, ns, override=True)


class _Sink(set):
    """Collects triples; has the .add of an rdflib Graph."""


def build_graph(corpus: Corpus, rules: RuleSet, with_ontology: bool = True) -> Graph:
    g = ontology() if with_ontology else Graph()
    bind(g)
    for t in triples(corpus, rules):
        g.add(t)
    return g


def ntriples(corpus: Corpus, rules: RuleSet) -> bytes:
    """The corpus's facts as sorted N-Triples, without building an rdflib graph."""
    from rdflib.plugins.serializers.nt import _nt_row
    return "".join(sorted(_nt_row(t) for t in triples(corpus, rules))).encode("utf-8")


def triples(corpus: Corpus, rules: RuleSet) -> set:
    g = _Sink()
    for res in corpus.results:
        d = doc_iri(res.document.id)
        g.add((d, RDF.type, KG.Document))
        g.add((d, RDFS.label, Literal(res.document.id)))
        g.add((d, KG.sha256, Literal(hashlib.sha256(res.document.raw.encode("utf-8")).hexdigest())))
        for a in res.articles:
            ai = URIRef(f"{d}/article/{a.index}")
            g.add((ai, RDF.type, KG.Article))
            g.add((ai, PROV.wasDerivedFrom, d))
            g.add((ai, KG.headline, Literal(a.headline, lang="zh")))
    for e in corpus.entities.values():
        add_entity(g, e)
    used_rules = set()
    for r in corpus.relations:
        add_relation(g, r)
        used_rules.add(r.rule)
    by_id = {x.id: x for x in list(rules.entity_rules) + list(rules.relation_rules)}
    for rid in sorted(used_rules | {m.rule for e in corpus.entities.values() for m in e.mentions}):
        ri = RULE[iri_safe(rid)]
        g.add((ri, RDF.type, KG.Rule))
        g.add((ri, RDFS.label, Literal(rid)))
        rule = by_id.get(rid)
        if rule is not None and rule.description:
            g.add((ri, RDFS.comment, Literal(rule.description, lang="en")))
    return g


def add_entity(g: Graph, e: Entity) -> None:
    i = entity_iri(e)
    for t in sorted(e.types):
        g.add((i, RDF.type, KG[t]))
    for st in sorted(e.subtypes & SUBCLASSES):
        g.add((i, RDF.type, KG[st]))
    g.add((i, RDFS.label, Literal(e.name, lang="zh")))
    for a in sorted(e.aliases - {e.name}):
        g.add((i, SKOS.altLabel, Literal(a, lang="zh")))
    for d in sorted(e.documents):
        g.add((i, PROV.wasDerivedFrom, doc_iri(d)))


def add_relation(g: Graph, r: Relation) -> None:
    s = entity_iri(r.subject)
    p = KG[r.predicate]
    o = entity_iri(r.object) if isinstance(r.object, Entity) else Literal(r.object, lang="zh")
    g.add((s, p, o))
    raw_start, raw_end = r.raw_span
    key = f"{s}|{p}|{o}|{r.document}|{raw_start}|{raw_end}|{r.rule}"
    a = STMT[hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]]
    d = doc_iri(r.document)
    g.add((a, RDF.type, KG.Assertion))
    g.add((a, RDF.subject, s))
    g.add((a, RDF.predicate, p))
    g.add((a, RDF.object, o))
    g.add((a, PROV.wasDerivedFrom, d))
    if r.article is not None:
        g.add((a, KG.article, URIRef(f"{d}/article/{r.article.index}")))
    g.add((a, KG.sentence, Literal(r.sentence.text, lang="zh")))
    g.add((a, KG.start, Literal(raw_start, datatype=XSD.integer)))
    g.add((a, KG.end, Literal(raw_end, datatype=XSD.integer)))
    g.add((a, KG.sentenceStart, Literal(r.sentence.raw_start, datatype=XSD.integer)))
    g.add((a, KG.sentenceEnd, Literal(r.sentence.raw_end, datatype=XSD.integer)))
    g.add((a, KG.rule, RULE[iri_safe(r.rule)]))
