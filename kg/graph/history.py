"""What each build added and removed: each document's facts (entities, relations with their
number of assertions, stages reported), made by the worker that extracted it, and the facts of
the whole graph by key with the build each first appeared in, with a journal of what each build
removed (history.json in the store); so ``kg changes`` answers for the last build or since any
earlier one, at a cost in the changed documents, not in the graph. The history graph (each
build, and the relations it brought) serves SPARQL."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..model import TYPES, DocumentResult, Entity
from ..namespaces import BASE, KG

HISTORY_FILE = "history.json"
VERSION = 4
STAGE_ORDER = ("planned", "signed", "started", "building", "completed", "operating")
RELATION_BASE = BASE + "relation/"  # a relation's node in the history graph
BUILD_BASE = BASE + "build/"


@dataclass
class Facts:
    """Facts by key: entity name -> type; "s\tp\to" -> number of assertions; "name\tstage\tdate"."""

    entities: dict[str, str] = field(default_factory=dict)
    relations: dict[str, int] = field(default_factory=dict)
    stages: set[str] = field(default_factory=set)


@dataclass
class History:
    first: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> key -> build
    counts: dict[str, int] = field(default_factory=dict)  # relation key -> assertions
    types: dict[str, str] = field(default_factory=dict)  # entity name -> type
    builds: list[dict] = field(default_factory=list)  # {build, time, removed: {kind: {key: first build}}, evidence}
    documents: dict[str, dict] = field(default_factory=dict)  # document id -> its facts (document_facts)
    sequence: int = 0  # the highest kg:sequence given to a relation node so far


KINDS = ("entities", "relations", "stages")


def relation_key(s: str, p: str, o: str) -> str:
    return f"{s}\t{p}\t{o}"


def document_facts(res: DocumentResult) -> dict:
    """One document's facts, as JSON: what history needs of it (made where it is extracted)."""
    ents = {e.name: min(e.types, key=TYPES.index) for e in res.entities if e.types & set(TYPES)}
    rels: dict[str, set] = {}
    for r in res.relations:
        o = r.object.name if isinstance(r.object, Entity) else r.object
        rels.setdefault(relation_key(r.subject.name, r.predicate, o), set()).add((*r.raw_span, r.rule))
    stages = sorted(
        {
            f"{r.subject.name}\t{r.qualifiers.stage}\t{r.qualifiers.date or r.qualifiers.date_text}"
            for r in res.relations + res.planned + res.events
            if r.qualifiers and r.qualifiers.stage
        }
    )
    return {"entities": ents, "relations": {k: len(v) for k, v in sorted(rels.items())}, "stages": stages}


def union(documents: dict[str, dict]) -> Facts:
    """The facts of the graph: every document's, an entity of two types by the first of TYPES."""
    f = Facts()
    for d in documents.values():
        for name, t in d["entities"].items():
            if name not in f.entities or TYPES.index(t) < TYPES.index(f.entities[name]):
                f.entities[name] = t
        for k, n in d["relations"].items():
            f.relations[k] = f.relations.get(k, 0) + n
        f.stages.update(d["stages"])
    return f


def advance(prev: History | None, changed: dict[str, dict | None], build: int, time: str) -> tuple[History, dict]:
    """The history after build ``build`` (``changed``: the facts of each document extracted,
    None for one pruned): what is new gets this build, what is gone is journalled, relations
    with more assertions than before are noted. Also the relation keys added and removed."""
    h = prev or History()
    for doc_id, doc_facts in changed.items():
        if doc_facts is None:
            h.documents.pop(doc_id, None)
        else:
            h.documents[doc_id] = doc_facts
    facts = union(h.documents)
    now = {"entities": set(facts.entities), "relations": set(facts.relations), "stages": facts.stages}
    before_relations = set(h.first.get("relations", {}))
    removed: dict[str, object] = {}
    gone_entities: list[str] = []
    for kind in KINDS:
        seen = h.first.setdefault(kind, {})
        gone = {key: seen.pop(key) for key in sorted(set(seen) - now[kind])}  # key -> its first build
        removed[kind] = gone
        gone_entities = list(gone) if kind == "entities" else gone_entities
        for key in now[kind] - set(seen):
            seen[key] = build
    removed["types"] = {n: h.types[n] for n in gone_entities if n in h.types}
    evidence = {k: n - h.counts[k] for k, n in facts.relations.items() if k in h.counts and n > h.counts[k]}
    h.counts, h.types = dict(facts.relations), dict(facts.entities)
    after_relations = set(h.first["relations"])
    moved = {"added": sorted(after_relations - before_relations), "removed": sorted(before_relations - after_relations)}
    h.builds.append({"build": build, "time": time, "removed": removed, "evidence": evidence, "sequence": h.sequence})
    h.sequence += len(moved["added"])
    return h, moved


def read(path: Path) -> History | None:
    """The history a build kept, or None when there is none or it is of another kind."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            return None
        return History(
            data["first"], data["counts"], data["types"], data["builds"], data["documents"], data["sequence"]
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def dump_parts(h: History):
    """history.json in parts (one per document, the rest whole): the same bytes as one
    ``json.dumps`` with sorted keys, without the whole text in memory at once."""

    def d(x) -> str:
        return json.dumps(x, ensure_ascii=False, separators=(",", ":"), sort_keys=True)

    yield ('{"builds":' + d(h.builds) + ',"counts":' + d(h.counts) + ',"documents":{').encode("utf-8")
    for i, doc_id in enumerate(sorted(h.documents)):
        yield (("," if i else "") + d(doc_id) + ":" + d(h.documents[doc_id])).encode("utf-8")
    tail = ',"sequence":' + d(h.sequence) + ',"types":' + d(h.types) + ',"version":' + d(VERSION) + "}"
    yield ('},"first":' + d(h.first) + tail).encode("utf-8")


def relation_node(key: str) -> str:
    return f"<{RELATION_BASE}{hashlib.sha1(key.encode('utf-8')).hexdigest()[:16]}>"


def graph_changes(h: History, moved: dict, entity_iri, label_literal) -> tuple[Iterator[str], list[str], list[str]]:
    """N-Triples lines to add to the history graph for the last build (made as they are read:
    a first build brings every relation): its node, and a node for each relation it brought
    (rdf:subject, predicate, object, and a kg:sequence: higher is newer, and within a build
    the first by subject, relation and object is the highest, so the newest relations are
    found without sorting them all); the lines to remove, and the relation nodes to drop
    with all they state, for the relations it took away."""
    b = h.builds[-1]
    node = f"<{BUILD_BASE}{b['build']}>"
    remove, drop = [], []
    for key in moved["removed"]:
        first = b["removed"]["relations"].get(key, b["build"])
        remove.append(f"<{BUILD_BASE}{first}> <{KG}introduced> {relation_node(key)} .")
        drop.append(relation_node(key)[1:-1])
    return _added_lines(b, node, moved["added"], entity_iri, label_literal), remove, drop


def _added_lines(b: dict, node: str, added: list[str], entity_iri, label_literal) -> Iterator[str]:
    xsd = "http://www.w3.org/2001/XMLSchema#"
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    yield f"{node} <{rdf}type> <{KG}Build> ."
    yield f'{node} <{KG}buildNumber> "{b["build"]}"^^<{xsd}integer> .'
    yield f'{node} <http://www.w3.org/ns/prov#endedAtTime> "{b["time"]}"^^<{xsd}dateTime> .'
    top = b["sequence"] + len(added)
    for i, key in enumerate(added):
        yield f"{node} <{KG}introduced> {relation_node(key)} ."
        yield f'{relation_node(key)} <{KG}sequence> "{top - i}"^^<{xsd}integer> .'
        yield from _relation_lines(key, entity_iri, label_literal)


def _relation_lines(key: str, entity_iri, label_literal) -> list[str]:
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    s, p, o = key.split("\t")
    r = relation_node(key)
    obj = label_literal(o) if p == "award" else entity_iri(o)
    return [f"{r} <{rdf}subject> {entity_iri(s)} .", f"{r} <{rdf}predicate> <{KG}{p}> .", f"{r} <{rdf}object> {obj} ."]


@dataclass
class Changes:
    build: int
    since: int
    time: str
    added: dict[str, list] = field(default_factory=dict)  # entities, relations, stages
    removed: dict[str, list] = field(default_factory=dict)
    evidence: list[tuple[str, int]] = field(default_factory=list)  # relation key, new assertions
    stage_changes: list[tuple[str, str, str]] = field(default_factory=list)  # entity, from, to


def changes(h: History, since: int | None = None) -> Changes:
    """What the builds after ``since`` (default: the one before the last) changed."""
    last = h.builds[-1]
    since = last["build"] - 1 if since is None else since
    after = [b for b in h.builds if b["build"] > since]
    c = Changes(last["build"], since, last["time"])
    for kind in ("entities", "relations", "stages"):
        c.added[kind] = sorted(k for k, n in h.first.get(kind, {}).items() if n > since)
        now = h.first.get(kind, {})
        c.removed[kind] = sorted({k for b in after for k, n in b["removed"].get(kind, {}).items() if n <= since})
        c.removed[kind] = [k for k in c.removed[kind] if k not in now]
    c.added["entities"] = [(n, h.types.get(n, "")) for n in c.added["entities"]]
    gone_types = {n: t for b in after for n, t in b["removed"].get("types", {}).items()}
    c.removed["entities"] = [(n, gone_types.get(n, "")) for n in c.removed["entities"]]
    new_rel = set(c.added["relations"])
    more: dict[str, int] = {}
    for b in after:
        for k, n in b["evidence"].items():
            if k not in new_rel and k in h.counts:
                more[k] = more.get(k, 0) + n
    c.evidence = sorted(more.items())
    c.stage_changes = _stage_changes(h, since)
    return c


def _stage_changes(h: History, since: int) -> list[tuple[str, str, str]]:
    """An entity whose stage moved on since then: its furthest stage before, its furthest now."""
    before: dict[str, str] = {}
    now: dict[str, str] = {}
    gone = {k: n for b in h.builds if b["build"] > since for k, n in b["removed"].get("stages", {}).items()}
    for key, n in [*h.first.get("stages", {}).items(), *gone.items()]:
        name, stage, _ = key.split("\t")
        if stage not in STAGE_ORDER:
            continue
        was_there, is_there = n <= since, key not in gone or key in h.first.get("stages", {})
        for into, yes in ((before, was_there), (now, is_there)):
            if yes:
                into[name] = max(into.get(name, stage), stage, key=STAGE_ORDER.index)
    return sorted((n, before[n], s) for n, s in now.items() if n in before and s != before[n])
