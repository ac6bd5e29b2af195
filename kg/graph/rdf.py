"""Build the RDF graph: ontology, entities, direct relation triples and their provenance."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD

from ..model import Entity, Qualifiers, Relation
from ..namespaces import DOC, ENT, KG, RELATION_IRIS, RULE, SCHEMA, STMT, iri_safe

if TYPE_CHECKING:
    from ..extract.pipeline import Corpus
    from ..rules.load import RuleSet

# the shape of the facts written; a store built with another shape is re-extracted (3: evidence per triple bounded)
MODEL = "6"  # 4: a division's kg:adcode; 5: qualifiers, planned assertions, events; 6: documents' history
ENTITY_PREFIX = f"<{ENT}".encode("utf-8")
SUBCLASSES = {
    "University",
    "GovernmentBody",
    "Alliance",
    "ProjectDepartment",
    "DevelopmentZone",
    "AdministrativeArea",
    "Journalist",
    "ShortName",
}


def relation_subjects(nt: bytes) -> set[str]:
    """The entities whose relations these N-Triples state (entity IRIs have no spaces)."""
    out = set()
    for line in nt.split(b"\n"):
        if line.startswith(ENTITY_PREFIX):
            s, p, _ = line.split(b" ", 2)
            if p[1:-1].decode("utf-8") in RELATION_IRIS:
                out.add(s[1:-1].decode("utf-8"))
    return out


def entity_iri(e: Entity) -> URIRef:
    return URIRef(_entity(e.name))


def doc_iri(doc_id: str) -> URIRef:
    return URIRef(_document(doc_id))


@lru_cache(maxsize=200_000)
def _entity(name: str) -> str:
    return f"{ENT}{iri_safe(name)}"


@lru_cache(maxsize=100_000)
def _document(doc_id: str) -> str:
    return f"{DOC}{iri_safe(doc_id)}"


def ontology() -> Graph:
    g = Graph()
    g.parse(data=(resources.files("kg") / "graph" / "ontology.ttl").read_text(encoding="utf-8"), format="turtle")
    return g


def bind(g: Graph) -> None:
    for p, ns in (
        ("kg", KG),
        ("ent", ENT),
        ("doc", DOC),
        ("as", STMT),
        ("rule", RULE),
        ("skos", SKOS),
        ("prov", PROV),
        ("schema", SCHEMA),
        ("owl", OWL),
    ):
        g.bind(p, ns, override=True)


RDF_TYPE = f"<{RDF.type}>"
XSD_INT = f"^^<{XSD.integer}>"


def _iri(value: str) -> str:
    return f"<{value}>"


@lru_cache(maxsize=None)
def _term(ns, local: str) -> str:
    """<IRI> of a vocabulary term, made once (rdflib's namespace look-up is slow)."""
    return f"<{ns[local]}>"


def _lit(text: str, lang: str | None = None) -> str:
    quoted = '"%s"' % text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r")
    return f"{quoted}@{lang}" if lang else quoted


def _int(n: int) -> str:
    return f'"{n}"{XSD_INT}'


class _Rows(set):
    """N-Triples lines, each triple once; the sentence nodes already written, by IRI."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.sentences: set[tuple] = set()

    def add3(self, s: str, p: str, o: str) -> None:
        self.add(f"{s} {p} {o} .\n")


def build_graph(corpus: Corpus, rules: RuleSet, with_ontology: bool = True) -> Graph:
    g = ontology() if with_ontology else Graph()
    bind(g)
    g.parse(data="".join(triples(corpus, rules) | rule_triples(rules)), format="nt")
    return g


def ntriples(corpus: Corpus, rules: RuleSet | None = None) -> bytes:
    """The corpus's facts as sorted N-Triples, written as text (no rdflib terms); with
    ``rules``, the rule nodes too."""
    rows = triples(corpus, rules)
    if rules is not None:
        rows |= rule_triples(rules)
    return "".join(sorted(rows)).encode("utf-8")


def triples(corpus: Corpus, rules: RuleSet | None = None) -> set[str]:
    """The corpus's facts as a set of N-Triples lines (the rule nodes they name are the rule
    set's: rule_triples)."""
    g = _Rows()
    for res in corpus.results:
        raw_d = _document(res.document.id)
        d = _iri(raw_d)
        g.add3(d, RDF_TYPE, _term(KG, "Document"))
        g.add3(d, _term(RDFS, "label"), _lit(res.document.id))
        g.add3(d, _term(KG, "sha256"), _lit(hashlib.sha256(res.document.raw.encode("utf-8")).hexdigest()))
        if res.date:
            g.add3(d, _term(KG, "published"), f'"{res.date}"{_xsd("date")}')
        for a in res.articles:
            ai = _iri(f"{raw_d}/article/{a.index}")
            g.add3(ai, RDF_TYPE, _term(KG, "Article"))
            g.add3(ai, _term(PROV, "wasDerivedFrom"), d)
            g.add3(ai, _term(KG, "headline"), _lit(a.headline, "zh"))
    for e in corpus.entities.values():
        add_entity(g, e)
    for r in corpus.relations:
        add_relation(g, r)
    for r in corpus.planned:
        add_relation(g, r, stated=False)
    for r in corpus.events:
        add_event(g, r)
    return g


# Rules built into the code (not in any rule file), for the ids their facts carry.
BUILT_IN_RULES = {
    "resolve.known_name": "a name the document states elsewhere, found again in another sentence",
    "struct.name_prefix": "a name that begins with another entity's name: in it, part of it or under it "
    "(杭州市人民政府 → 杭州市)",
    "struct.bracket": "an entity named in brackets inside a name (某某（杭州）有限公司 → 杭州)",
    "struct.unit_project": "a project department builds the project it is named after "
    "(某某有限公司某铁路X标段项目部 → X标段)",
    "gazetteer.hierarchy": "two places the document names, one inside the other in the gazetteer",
    "qualify.event": "a clause that reports a stage or an investment of the project or company it is about",
}


def rule_triples(rules: RuleSet) -> set[str]:
    """A node for every rule of the rule set (the build states them once, not per document)."""
    g = _Rows()
    described = {x.id: x.description for x in list(rules.entity_rules) + list(rules.relation_rules)}
    described.update({q.id: q.description for q in rules.qualifiers.rules})
    described.update(BUILT_IN_RULES)
    for rid, description in sorted(described.items()):
        ri = _term(RULE, iri_safe(rid))
        g.add3(ri, RDF_TYPE, _term(KG, "Rule"))
        g.add3(ri, _term(RDFS, "label"), _lit(rid))
        if description:
            g.add3(ri, _term(RDFS, "comment"), _lit(description, "en"))
    return g


def add_entity(g: _Rows, e: Entity) -> None:
    i = _iri(_entity(e.name))
    for t in sorted(e.types):
        g.add3(i, RDF_TYPE, _term(KG, t))
    for st in sorted(e.subtypes & SUBCLASSES):
        g.add3(i, RDF_TYPE, _term(KG, st))
    g.add3(i, _term(RDFS, "label"), _lit(e.name, "zh"))
    for a in sorted(e.aliases - {e.name}):
        g.add3(i, _term(SKOS, "altLabel"), _lit(a, "zh"))
    if e.adcode:
        g.add3(i, _term(KG, "adcode"), _lit(e.adcode))  # rolls up with the division table's statistics
    if e.parent_adcode:
        g.add3(i, _term(KG, "parentAdcode"), _lit(e.parent_adcode))
    for d in sorted(e.documents):
        g.add3(i, _term(PROV, "wasDerivedFrom"), _iri(_document(d)))


def add_relation(g: _Rows, r: Relation, stated: bool = True) -> None:
    """The direct triple (of a stated relation only) and its assertion with the evidence."""
    s_iri = _entity(r.subject.name)
    p_iri = f"{KG}{r.predicate}"
    if isinstance(r.object, Entity):
        o_key = _entity(r.object.name)
        o = _iri(o_key)
    else:
        o_key, o = r.object, _lit(r.object, "zh")
    s, p = _iri(s_iri), _iri(p_iri)
    if stated:
        g.add3(s, p, o)
        _investment(g, r, s)
    _assertion(g, r, s, p, o, f"{s_iri}|{p_iri}|{o_key}" + ("" if stated else "|planned"))


def add_event(g: _Rows, r: Relation) -> None:
    """An entity's stage or investment as its clause reports it: an assertion of kg:stage (or
    kg:investment, for an amount alone); a project's investment is stated on it too."""
    q = r.qualifiers
    assert q is not None  # an event is made of its qualifiers
    s_iri = _entity(r.subject.name)
    s = _iri(s_iri)
    if q.stage:
        p, o = _term(KG, "stage"), _lit(q.stage)
    else:
        p, o = _term(KG, "investment"), f'"{q.amount}"{_xsd("decimal")}'
    _investment(g, r, s)
    a = _assertion(g, r, s, p, o, f"{s_iri}|event|{q.stage}|{q.amount}")
    g.add3(a, RDF_TYPE, _term(KG, "Event"))


def _investment(g: _Rows, r: Relation, s: str) -> None:
    """A project's stated investment, on the project."""
    q = r.qualifiers
    if q and q.amount and q.measure == "investment" and "Project" in r.subject.types:
        g.add3(s, _term(KG, "investment"), f'"{q.amount}"{_xsd("decimal")}')


def _assertion(g: _Rows, r: Relation, s: str, p: str, o: str, key: str) -> str:
    raw_start, raw_end = r.raw_span
    key = f"{key}|{r.document}|{raw_start}|{raw_end}|{r.rule}"
    a = _iri(f"{STMT}{hashlib.sha1(key.encode('utf-8')).hexdigest()[:16]}")
    g.add3(a, RDF_TYPE, _term(KG, "Assertion"))
    g.add3(a, _term(RDF, "subject"), s)
    g.add3(a, _term(RDF, "predicate"), p)
    g.add3(a, _term(RDF, "object"), o)
    g.add3(a, _term(KG, "sentence"), add_sentence(g, r))
    g.add3(a, _term(KG, "start"), _int(raw_start))
    g.add3(a, _term(KG, "end"), _int(raw_end))
    g.add3(a, _term(KG, "rule"), _term(RULE, iri_safe(r.rule)))
    if r.qualifiers:
        add_qualifiers(g, a, r.qualifiers)
    return a


DATE_TYPES = {4: "gYear", 7: "gYearMonth", 10: "date"}


def add_qualifiers(g: _Rows, a: str, q: Qualifiers) -> None:
    if q.amount:
        g.add3(a, _term(KG, "amount"), f'"{q.amount}"{_xsd("decimal")}')
        g.add3(a, _term(KG, "currency"), _lit(q.currency))
        g.add3(a, _term(KG, "amountText"), _lit(q.amount_text, "zh"))
        if q.modifier:
            g.add3(a, _term(KG, "amountModifier"), _lit(q.modifier, "zh"))
        if q.measure:
            g.add3(a, _term(KG, "measure"), _lit(q.measure))
    if q.date:
        g.add3(a, _term(KG, "date"), f'"{q.date}"{_xsd(DATE_TYPES[len(q.date)])}')
    if q.date_text:
        g.add3(a, _term(KG, "dateText"), _lit(q.date_text, "zh"))
    if q.quarter:
        g.add3(a, _term(KG, "quarter"), _lit(q.quarter))
    if q.stage:
        g.add3(a, _term(KG, "stage"), _lit(q.stage))
        if q.stage_text:
            g.add3(a, _term(KG, "stageText"), _lit(q.stage_text, "zh"))
    for rule in q.rules:
        g.add3(a, _term(KG, "qualifierRule"), _term(RULE, iri_safe(rule)))


@lru_cache(maxsize=None)
def _xsd(local: str) -> str:
    return f"^^<{XSD[local]}>"


def add_sentence(g: _Rows, r: Relation) -> str:
    """The sentence node the relation's assertions share: its text, offsets, article, document."""
    d = _document(r.document)
    sent = r.sentence
    si = _iri(f"{d}/sentence/{sent.raw_start}-{sent.raw_end}")
    seen = (si, sent.text, r.article.index if r.article is not None else None)
    if seen in g.sentences:  # its text is written once, not once per relation
        return si
    g.sentences.add(seen)
    g.add3(si, RDF_TYPE, _term(KG, "Sentence"))
    g.add3(si, _term(KG, "text"), _lit(sent.text, "zh"))
    g.add3(si, _term(KG, "sentenceStart"), _int(sent.raw_start))
    g.add3(si, _term(KG, "sentenceEnd"), _int(sent.raw_end))
    g.add3(si, _term(PROV, "wasDerivedFrom"), _iri(d))
    if r.article is not None:
        g.add3(si, _term(KG, "article"), _iri(f"{d}/article/{r.article.index}"))
    return si
