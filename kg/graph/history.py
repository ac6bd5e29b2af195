"""What each build added and removed: the facts of the graph by key with the build each first
appeared in, and a journal of what each build removed (history.json in the store), so that
``kg changes`` can answer for the last build or since any earlier one; and the history
graph (each build's time and the assertions it brought) for SPARQL."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..model import RELATIONS, TYPES
from ..namespaces import KG

HISTORY_FILE = "history.json"
VERSION = 2
REL_PREFIX = str(KG)
STAGE_ORDER = ("planned", "signed", "started", "building", "completed", "operating")


@dataclass
class Facts:
    """The graph's facts by key: entity name -> type; "s\\tp\\to" -> number of assertions;
    assertion id -> the relation key; "name\\tstage\\tdate" for each stage reported."""

    entities: dict[str, str] = field(default_factory=dict)
    relations: dict[str, int] = field(default_factory=dict)
    assertions: dict[str, str] = field(default_factory=dict)
    stages: set[str] = field(default_factory=set)


@dataclass
class History:
    first: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> key -> build
    counts: dict[str, int] = field(default_factory=dict)  # relation key -> assertions
    types: dict[str, str] = field(default_factory=dict)  # entity name -> type
    builds: list[dict] = field(default_factory=list)  # {build, time, removed: {kind: {key: first build}}, evidence}


KINDS = ("entities", "relations", "assertions", "stages")


def _rows(store, query: str):
    return ((t.value if t is not None else "" for t in row) for row in store.ox.query(query))


def snapshot(store) -> Facts:
    """The facts of the store's default graph, in four scans."""
    kg = REL_PREFIX
    types = " ".join(f"<{kg}{t}>" for t in TYPES)
    rels = " ".join(f"<{kg}{r}>" for r in RELATIONS)
    f = Facts()
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    for name, t in _rows(store, f"SELECT ?n ?t WHERE {{ VALUES ?t {{ {types} }} ?e a ?t ; {label} ?n }}"):
        t = t[len(kg) :]
        if name not in f.entities or TYPES.index(t) < TYPES.index(f.entities[name]):
            f.entities[name] = t  # an entity of two types goes by the first of TYPES
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    q = (
        f"SELECT ?a ?sn ?p ?o ?on WHERE {{ VALUES ?p {{ {rels} }} ?a <{rdf}predicate> ?p ; <{rdf}subject> ?s ; "
        f"<{rdf}object> ?o . ?s {label} ?sn . OPTIONAL {{ ?o {label} ?on }} "
        f'FILTER NOT EXISTS {{ ?a <{kg}stage> "planned" }} }}'
    )
    for a, sn, p, o, on in _rows(store, q):
        key = f"{sn}\t{p[len(kg) :]}\t{on or o}"
        f.relations[key] = f.relations.get(key, 0) + 1
        f.assertions[a.rsplit("/", 1)[-1]] = key
    q = (
        f"SELECT ?sn ?st ?d ?dt WHERE {{ ?a <{kg}stage> ?st ; <{rdf}subject> ?s . ?s {label} ?sn . "
        f"OPTIONAL {{ ?a <{kg}date> ?d }} OPTIONAL {{ ?a <{kg}dateText> ?dt }} }}"
    )
    for sn, st, d, dt in _rows(store, q):
        f.stages.add(f"{sn}\t{st}\t{d or dt}")
    return f


def advance(prev: History | None, facts: Facts, build: int, time: str) -> History:
    """The history after build ``build``: what is new gets this build, what is gone is
    journalled, and relations with more assertions than before are noted."""
    h = prev or History()
    now = {"entities": set(facts.entities), "relations": set(facts.relations),
           "assertions": set(facts.assertions), "stages": facts.stages}  # fmt: skip
    removed: dict[str, object] = {}
    gone_entities: list[str] = []
    for kind in KINDS:
        seen = h.first.setdefault(kind, {})
        gone = {key: seen.pop(key) for key in sorted(set(seen) - now[kind])}  # key -> its first build
        removed[kind] = gone if kind != "assertions" else len(gone)  # an assertion's facts go with it
        gone_entities = list(gone) if kind == "entities" else gone_entities
        for key in now[kind] - set(seen):
            seen[key] = build
    removed["types"] = {n: h.types[n] for n in gone_entities if n in h.types}
    evidence = {k: n - h.counts[k] for k, n in facts.relations.items() if k in h.counts and n > h.counts[k]}
    h.counts, h.types = dict(facts.relations), dict(facts.entities)
    h.builds.append({"build": build, "time": time, "removed": removed, "evidence": evidence})
    return h


def read(path: Path) -> History | None:
    """The history a build kept, or None when there is none or it is of another kind."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            return None
        return History(data["first"], data["counts"], data["types"], data["builds"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def dumps(h: History) -> bytes:
    data = {"version": VERSION, "first": h.first, "counts": h.counts, "types": h.types, "builds": h.builds}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def ntriples(h: History, assertion_base: str, build_base: str) -> bytes:
    """The history graph: each build's number and time, and the assertions it brought
    (kg:introduced; the build is the subject: an assertion's own facts are its document's)."""
    xsd = "http://www.w3.org/2001/XMLSchema#"
    lines = []
    for b in h.builds:
        node = f"<{build_base}{b['build']}>"
        lines.append(f"{node} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{KG}Build> .\n")
        lines.append(f'{node} <{KG}buildNumber> "{b["build"]}"^^<{xsd}integer> .\n')
        lines.append(f'{node} <http://www.w3.org/ns/prov#endedAtTime> "{b["time"]}"^^<{xsd}dateTime> .\n')
    for a, n in h.first.get("assertions", {}).items():
        lines.append(f"<{build_base}{n}> <{KG}introduced> <{assertion_base}{a}> .\n")
    return "".join(sorted(lines)).encode("utf-8")


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
