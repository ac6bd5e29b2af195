"""Build the RDF graph: ontology, entities, direct relation triples and their provenance."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD

from .model import Entity, Relation
from .pipeline import Corpus
from .rules import RuleSet
from .store import ASSERTION_BASE, DOC_BASE

BASE = "https://kg.example.org/"
KG = Namespace(BASE + "ontology#")
ENT = Namespace(BASE + "entity/")
DOC = Namespace(DOC_BASE)
STMT = Namespace(ASSERTION_BASE)
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


@lru_cache(maxsize=200_000)
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


RDF_TYPE = f"<{RDF.type}>"
XSD_INT = f"^^<{XSD.integer}>"


def _iri(value: str) -> str:
    return f"<{value}>"


def _lit(text: str, lang: str | None = None) -> str:
    quoted = '"%s"' % text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r")
    return f"{quoted}@{lang}" if lang else quoted


def _int(n: int) -> str:
    return f'"{n}"{XSD_INT}'


class _Rows(set):
    """N-Triples lines, each triple once."""

    def add3(self, s: str, p: str, o: str) -> None:
        self.add(f"{s} {p} {o} .\n")


def build_graph(corpus: Corpus, rules: RuleSet, with_ontology: bool = True) -> Graph:
    g = ontology() if with_ontology else Graph()
    bind(g)
    g.parse(data="".join(triples(corpus, rules)), format="nt")
    return g


def ntriples(corpus: Corpus, rules: RuleSet) -> bytes:
    """The corpus's facts as sorted N-Triples, written as text (no rdflib terms)."""
    return "".join(sorted(triples(corpus, rules))).encode("utf-8")


def triples(corpus: Corpus, rules: RuleSet) -> set[str]:
    """The corpus's facts as a set of N-Triples lines."""
    g = _Rows()
    for res in corpus.results:
        raw_d = doc_iri(res.document.id)
        d = _iri(raw_d)
        g.add3(d, RDF_TYPE, _iri(KG.Document))
        g.add3(d, _iri(RDFS.label), _lit(res.document.id))
        g.add3(d, _iri(KG.sha256), _lit(hashlib.sha256(res.document.raw.encode("utf-8")).hexdigest()))
        for a in res.articles:
            ai = _iri(f"{raw_d}/article/{a.index}")
            g.add3(ai, RDF_TYPE, _iri(KG.Article))
            g.add3(ai, _iri(PROV.wasDerivedFrom), d)
            g.add3(ai, _iri(KG.headline), _lit(a.headline, "zh"))
    for e in corpus.entities.values():
        add_entity(g, e)
    used_rules = set()
    for r in corpus.relations:
        add_relation(g, r)
        used_rules.add(r.rule)
    by_id = {x.id: x for x in list(rules.entity_rules) + list(rules.relation_rules)}
    for rid in sorted(used_rules | {m.rule for e in corpus.entities.values() for m in e.mentions}):
        ri = _iri(RULE[iri_safe(rid)])
        g.add3(ri, RDF_TYPE, _iri(KG.Rule))
        g.add3(ri, _iri(RDFS.label), _lit(rid))
        rule = by_id.get(rid)
        if rule is not None and rule.description:
            g.add3(ri, _iri(RDFS.comment), _lit(rule.description, "en"))
    return g


def add_entity(g: _Rows, e: Entity) -> None:
    i = _iri(entity_iri(e))
    for t in sorted(e.types):
        g.add3(i, RDF_TYPE, _iri(KG[t]))
    for st in sorted(e.subtypes & SUBCLASSES):
        g.add3(i, RDF_TYPE, _iri(KG[st]))
    g.add3(i, _iri(RDFS.label), _lit(e.name, "zh"))
    for a in sorted(e.aliases - {e.name}):
        g.add3(i, _iri(SKOS.altLabel), _lit(a, "zh"))
    for d in sorted(e.documents):
        g.add3(i, _iri(PROV.wasDerivedFrom), _iri(doc_iri(d)))


def add_relation(g: _Rows, r: Relation) -> None:
    s_iri = entity_iri(r.subject)
    p_iri = KG[r.predicate]
    if isinstance(r.object, Entity):
        o_key = str(entity_iri(r.object))
        o = _iri(o_key)
    else:
        o_key, o = r.object, _lit(r.object, "zh")
    s, p = _iri(s_iri), _iri(p_iri)
    g.add3(s, p, o)
    raw_start, raw_end = r.raw_span
    key = f"{s_iri}|{p_iri}|{o_key}|{r.document}|{raw_start}|{raw_end}|{r.rule}"
    a = _iri(STMT[hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]])
    d = doc_iri(r.document)
    g.add3(a, RDF_TYPE, _iri(KG.Assertion))
    g.add3(a, _iri(RDF.subject), s)
    g.add3(a, _iri(RDF.predicate), p)
    g.add3(a, _iri(RDF.object), o)
    g.add3(a, _iri(PROV.wasDerivedFrom), _iri(d))
    if r.article is not None:
        g.add3(a, _iri(KG.article), _iri(f"{d}/article/{r.article.index}"))
    g.add3(a, _iri(KG.sentence), _lit(r.sentence.text, "zh"))
    g.add3(a, _iri(KG.start), _int(raw_start))
    g.add3(a, _iri(KG.end), _int(raw_end))
    g.add3(a, _iri(KG.sentenceStart), _int(r.sentence.raw_start))
    g.add3(a, _iri(KG.sentenceEnd), _int(r.sentence.raw_end))
    g.add3(a, _iri(KG.rule), _iri(RULE[iri_safe(r.rule)]))
