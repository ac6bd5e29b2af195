"""Run the stages over documents: segment, find mentions, resolve, relate, merge."""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass, field
from functools import lru_cache

from ..model import Document, DocumentResult, Entity, Mention, Relation
from ..rules.load import RuleSet, load_rules
from ..text.segment import segment
from .mentions import EntityExtractor
from .qualify import QualifierReader, covered, page_date, parse_date
from .relations import RelationExtractor, structural
from .resolve import Resolver

# At most this many assertions (evidence: offsets, rule, sentence) of one relation triple are
# kept per document, the first in text order; the triple itself is stated once either way. A
# page repeating a sentence would otherwise carry its evidence thousands of times (the graph,
# and the memory that builds it, grew with the repetitions); no page of the seed, the dev set
# or the benchmarks states one relation more than 17 times.
MAX_EVIDENCE = 20


class Extractor:
    """Everything needed to turn one document into entities and relations."""

    def __init__(self, rules: RuleSet):
        self.rules = rules
        self.entities = EntityExtractor(rules)
        self.resolver = Resolver(self.entities)
        self.relations = RelationExtractor(rules, self.entities.lex)
        self.qualifiers = QualifierReader(rules.qualifiers, rules.words("negations"), rules.words("firm_stage_words"))
        self.staged = set(rules.words("staged_relations"))

    def process(self, doc: Document) -> DocumentResult:
        articles = segment(doc.raw)
        by_sentence: dict[int, list[Mention]] = {}
        for art in articles:
            for sent in art.sentences:
                found = self.entities.find(sent)
                for m in found:
                    m.article = art.index
                by_sentence[id(sent)] = found
        self.resolver.add_known(articles, by_sentence)
        mentions = [m for art in articles for s in art.sentences for m in by_sentence[id(s)]]
        entities = self.resolver.resolve(mentions, doc.id)
        today = parse_date(doc.date) or page_date(doc.raw, self.qualifiers)
        relations: list[Relation] = []
        events: list[Relation] = []
        for art in articles:
            history: list[Mention] = []
            previous: list[Mention] = []  # the mentions of the headline line before
            for sent in art.sentences:
                ms = [m for m in by_sentence[id(sent)] if m.entity is not None]
                relations += self.relations.extract(doc.id, art, sent, ms, history)
                events += self.qualifiers.events(doc.id, art, sent, ms, today, previous)
                previous = sorted(ms, key=lambda m: m.start) if sent.kind == "headline" else []
                history += sorted(ms, key=lambda m: m.start)
        planned = [r for r in relations if r.planned]
        relations = _drop_title_words(entities, [r for r in relations if not r.planned], self.entities.gaz)
        entities = [e for e in entities if e.mentions[0].entity is e]
        for r in relations + planned:
            named = [(m.start, m.end) for m in by_sentence[id(r.sentence)] if m.entity is not None]
            staged = r.predicate in self.staged
            r.qualifiers = self.qualifiers.qualify(r.sentence, r.start, r.end, today, named, staged)
            if r.planned:
                r.qualifiers.stage = "planned"
        qualified = relations + planned
        relations += structural(doc.id, articles, mentions, self.entities.gaz)
        relations = _not_against_table(relations, self.entities.gaz)
        _agent_zones(relations)
        kept = {id(e) for e in entities}
        planned, events = (
            [r for r in rs if id(r.subject) in kept and (not isinstance(r.object, Entity) or id(r.object) in kept)]
            for rs in (planned, events)
        )
        events = [e for e in events if not covered(e, qualified)]
        res = DocumentResult(doc, articles, mentions, entities, bound_evidence(relations), planned, events)
        res.date = today.isoformat() if today else ""
        return res


def bound_evidence(relations: list[Relation], most: int = MAX_EVIDENCE) -> list[Relation]:
    """The relations of one document with at most ``most`` assertions of each triple: the first
    in text order (raw offsets, then rule). Relations that are one assertion (same triple,
    offsets and rule) count once; the order of the list is kept."""
    by_triple: dict[tuple, set[tuple]] = {}
    for r in relations:
        by_triple.setdefault(_triple(r), set()).add(_evidence(r))
    if all(len(v) <= most for v in by_triple.values()):
        return relations
    kept = {t: set(sorted(v)[:most]) for t, v in by_triple.items() if len(v) > most}
    return [r for r in relations if (t := _triple(r)) not in kept or _evidence(r) in kept[t]]


def _triple(r: Relation) -> tuple:
    obj = r.object
    return (r.subject.name, r.predicate, obj.name if isinstance(obj, Entity) else obj, isinstance(obj, Entity))


def _evidence(r: Relation) -> tuple:
    return (*r.raw_span, r.rule)


def _not_against_table(relations: list[Relation], gaz) -> list[Relation]:
    """A place in or part of a place that the division table puts within it (北京 locatedIn
    朝阳区 from 坐落于北京朝阳区) reads the words the wrong way round: it goes."""

    def inside(inner: Entity, outer: Entity) -> bool:
        return outer.name in {p.name for p in gaz.ancestors(inner.name)}

    return [
        r
        for r in relations
        if not (
            r.predicate in ("locatedIn", "partOf")
            and isinstance(r.object, Entity)
            and "Place" in r.subject.types
            and "Place" in r.object.types
            and inside(r.object, r.subject)
        )
    ]


def _drop_title_words(entities: list[Entity], relations: list[Relation], gaz) -> list[Relation]:
    """An organisation or project written only inside titles granted (入选“星禾省森林康养基地”,
    被认定为“X省企业技术中心”) is a word of the title, not a thing: its mentions name nothing and
    its relations go. A place of the division table inside a title is written on its own and
    stays; another (获评“X省生态文明镇”) is a word of it."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for r in relations:
        if r.predicate == "award" and isinstance(r.object, str):
            at = r.sentence.text.find(r.object, r.start, r.end)
            if at >= 0:
                spans.setdefault(id(r.sentence), []).append((at, at + len(r.object)))
    if not spans:
        return relations

    def in_title(m: Mention) -> bool:
        return any(s <= m.start and m.end <= e for s, e in spans.get(id(m.sentence), ()))

    words = {
        id(e)
        for e in entities
        if ("Place" not in e.types or not gaz.lookup(e.name)) and all(in_title(m) for m in e.mentions)
    }
    for e in entities:
        if id(e) in words:
            for m in e.mentions:
                m.entity = None
    return [
        r
        for r in relations
        if id(r.subject) not in words and not (isinstance(r.object, Entity) and id(r.object) in words)
    ]


def _agent_zones(relations: list[Relation]) -> None:
    """A zone that launches projects, signs agreements or employs people acts as an institution too."""
    for r in relations:
        if r.predicate in ("develops", "cooperatesWith") and "Place" in r.subject.types:
            r.subject.types.add("Institution")
        if r.predicate == "worksFor":
            obj = r.object
            assert isinstance(obj, Entity)  # only an award's object is a literal
            if "Place" in obj.types:
                obj.types.add("Institution")


@lru_cache(maxsize=8)
def _cached(extra: tuple[str, ...]) -> Extractor:
    ex = Extractor(load_rules(list(extra)))
    _settle_heap()
    return ex


def _settle_heap() -> None:
    """The dictionary and the compiled rules live as long as the process: moved out of the
    collector's view (gc.freeze), and young objects collected less often, since extraction
    makes many short-lived ones and few cycles."""
    if os.environ.get("KG_GC") == "default":  # for benchmarks: the interpreter's own settings
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def extractor(rule_files: list[str] | None = None) -> Extractor:
    return _cached(tuple(rule_files or ()))


@dataclass
class Corpus:
    """Results of many documents with entities merged across them by canonical name."""

    results: list[DocumentResult] = field(default_factory=list)
    entities: dict[str, Entity] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    planned: list[Relation] = field(default_factory=list)
    events: list[Relation] = field(default_factory=list)

    def add(self, result: DocumentResult) -> None:
        self.results.append(result)
        remap: dict[int, Entity] = {}
        for e in result.entities:
            merged = self.entities.get(e.name)
            if merged is None:
                self.entities[e.name] = e
                continue
            merged.types |= e.types
            merged.aliases |= e.aliases
            merged.subtypes |= e.subtypes
            merged.mentions += e.mentions
            merged.documents |= e.documents
            merged.adcode = merged.adcode or e.adcode
            merged.parent_adcode = merged.parent_adcode or e.parent_adcode
            remap[id(e)] = merged
        for own, into in (
            (result.relations, self.relations),
            (result.planned, self.planned),
            (result.events, self.events),
        ):
            for r in own:
                r.subject = remap.get(id(r.subject), r.subject)
                if isinstance(r.object, Entity):
                    r.object = remap.get(id(r.object), r.object)
                into.append(r)
