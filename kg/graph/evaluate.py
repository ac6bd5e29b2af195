"""Score a graph against gold annotations in the guidelines' scheme, per type and relation.

The matching follows ../shared/eval/GUIDELINES.md: names compared after NFKC with white
space removed; a node matches the gold entity one of whose names equals its label
(else one of its altLabels); duplicates and unmatched nodes cost precision; optional
gold items count neither way; `cooperatesWith` is symmetric; award literals match when
one contains the other.
"""

from __future__ import annotations

import json
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.term import Node

from ..errors import KgError, UsageError
from ..model import RELATIONS, STATED_RELATIONS, TYPES
from ..namespaces import KG

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = RDF_NS + "type"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ALT = "http://www.w3.org/2004/02/skos/core#altLabel"


def norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).lower()


def local(iri) -> str:
    s = str(iri)
    for sep in ("#", "/", ":"):
        if sep in s:
            s = s.rsplit(sep, 1)[1]
    return s


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0


@dataclass
class Report:
    entities: PRF = field(default_factory=PRF)
    relations: PRF = field(default_factory=PRF)
    by_type: dict[str, PRF] = field(default_factory=lambda: defaultdict(PRF))
    by_relation: dict[str, PRF] = field(default_factory=lambda: defaultdict(PRF))
    missed: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)


def load_gold(paths: list[str]):
    entities: dict[str, dict[str, Any]] = {}
    relations: list[dict] = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                gold = json.load(f)
        except (OSError, json.JSONDecodeError) as exc:
            raise KgError(f"{path}: cannot read gold annotation ({exc})") from None
        for e in gold.get("entities", []):
            key = norm(e["name"])
            old = entities.get(key)
            if old:
                old["aliases"] |= set(e.get("aliases", []))
                old["types"] |= set(e["types"])
                old["optional"] = old["optional"] and e.get("optional", False)
            else:
                entities[key] = {
                    "name": e["name"],
                    "types": set(e["types"]),
                    "aliases": set(e.get("aliases", [])),
                    "optional": bool(e.get("optional")),
                }
        relations += gold.get("relations", [])
    names = {}
    for key, e in entities.items():
        for n in [e["name"], *e["aliases"]]:
            names[norm(n)] = key
    for r in relations:
        for end in ("s",) + (() if r.get("literal") else ("o",)):
            if norm(r[end]) not in names:
                raise KgError(f"gold: relation end {r[end]!r} is no entity")
    return entities, names, relations


def graph_nodes(g: Graph):
    nodes: defaultdict[Node, dict[str, Any]] = defaultdict(lambda: {"types": set(), "labels": [], "alts": []})
    for s, p, o in g:
        pred = str(p)
        if pred == RDF_TYPE and local(o) in TYPES:
            nodes[s]["types"].add(local(o))
        elif pred == LABEL:
            nodes[s]["labels"].append(str(o))
        elif pred == ALT:
            nodes[s]["alts"].append(str(o))
    ents = {s: n for s, n in nodes.items() if n["types"]}
    triples = [(s, local(p), o) for s, p, o in g if local(p) in STATED_RELATIONS]
    return ents, triples


def evaluate(g: Graph, gold_paths: list[str]) -> Report:
    gold, names, gold_rel = load_gold(gold_paths)
    nodes, triples = graph_nodes(g)
    rep = Report()
    node_gold, seen = {}, set()
    for iri, node in sorted(nodes.items(), key=lambda kv: str(kv[0])):
        key = next((names[norm(x)] for x in node["labels"] if norm(x) in names), None) or next(
            (names[norm(x)] for x in node["alts"] if norm(x) in names), None
        )
        node_gold[iri] = key
        label = (node["labels"] or node["alts"] or [str(iri)])[0]
        ntype = sorted(node["types"])[0]
        if key is None:
            rep.entities.fp += 1
            rep.by_type[ntype].fp += 1
            rep.spurious.append(f"entity {label} {sorted(node['types'])}")
        elif gold[key]["optional"]:
            continue
        elif key in seen:
            rep.entities.fp += 1
            rep.by_type[ntype].fp += 1
            rep.spurious.append(f"entity {label} (duplicate of {gold[key]['name']})")
        else:
            seen.add(key)
            gtype = sorted(gold[key]["types"])[0]
            if node["types"] & gold[key]["types"]:
                rep.entities.tp += 1
                rep.by_type[gtype].tp += 1
            else:
                rep.entities.fp += 1
                rep.by_type[ntype].fp += 1
                rep.spurious.append(f"entity {label} typed {sorted(node['types'])}, gold {sorted(gold[key]['types'])}")
    for key, e in gold.items():
        if not e["optional"] and key not in seen:
            rep.entities.fn += 1
            rep.by_type[sorted(e["types"])[0]].fn += 1
            rep.missed.append(f"entity {e['name']} {sorted(e['types'])}")
    _relations(rep, gold, names, gold_rel, node_gold, triples)
    return rep


def _relations(rep, gold, names, gold_rel, node_gold, triples) -> None:
    def gkey(r):
        s = names[norm(r["s"])]
        o = norm(r["o"]) if r.get("literal") else names[norm(r["o"])]
        if r["p"] == "cooperatesWith":
            s, o = sorted((s, o))
        return s, r["p"], o

    required = {gkey(r): r for r in gold_rel if not r.get("optional")}
    optional = {gkey(r) for r in gold_rel if r.get("optional")}
    literals = defaultdict(list)
    for k in list(required) + [k for k in optional if k[1] == "award"]:
        if k[1] == "award":
            literals[(k[0], k[1])].append(k)
    hit, spurious = set(), set()
    for s, p, o in triples:
        sk = node_gold.get(s)
        if p == "award":
            cand = [k for k in literals[(sk, p)] if norm(o) and (norm(o) in k[2] or k[2] in norm(o))] if sk else []
            if not cand:
                spurious.add((p, f"{gold[sk]['name'] if sk else s} award {o}"))
            elif cand[0] in required:
                hit.add(cand[0])
            continue
        ok = node_gold.get(o)
        if sk is None or ok is None:
            spurious.add((p, f"{gold[sk]['name'] if sk else s} {p} {gold[ok]['name'] if ok else o}"))
            continue
        k = (min(sk, ok), p, max(sk, ok)) if p == "cooperatesWith" else (sk, p, ok)
        if k in required:
            hit.add(k)
        elif k not in optional:
            spurious.add((p, f"{gold[sk]['name']} {p} {gold[ok]['name']}"))
    for k in hit:
        rep.relations.tp += 1
        rep.by_relation[k[1]].tp += 1
    for p, text in sorted(spurious):
        rep.relations.fp += 1
        rep.by_relation[p].fp += 1
        rep.spurious.append(f"relation {text}")
    for k, r in required.items():
        if k not in hit:
            rep.relations.fn += 1
            rep.by_relation[r["p"]].fn += 1
            rep.missed.append(f"relation {r['s']} {r['p']} {r['o']}")


@dataclass
class FileReport:
    """One gold file scored against the part of the graph its documents state."""

    gold: str
    documents: list[str]
    found: list[str]  # those of its documents the graph holds
    report: Report


def gold_files(paths: list[str]) -> list[str]:
    """The gold files given: a file as it is, a folder's *.json files (sorted, recursively)."""
    out: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(str(f) for f in path.rglob("*.json"))
            if not found:
                raise UsageError(f"{p}: no gold file (*.json) in this folder")
            out += found
        elif path.exists():
            out.append(p)
        else:
            raise UsageError(f"{p}: no such gold file or folder")
    return out


def documents_of(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8") as f:
            docs = json.load(f).get("documents", [])
    except (OSError, json.JSONDecodeError, AttributeError) as exc:
        raise KgError(f"{path}: cannot read gold annotation ({exc})") from None
    return [str(d) for d in docs] if isinstance(docs, list) else []


def evaluate_files(g: Graph, paths: list[str]) -> tuple[Report, list[FileReport]]:
    """The whole graph against all gold files together (as the referee scores a set), and
    each gold file against the subgraph of its documents."""
    total = evaluate(g, paths)
    docs = _graph_documents(g)
    per = []
    for path in paths:
        names = documents_of(path)
        chosen = {iri for n in names for iri in docs.get(_doc_key(n), [])}
        found = sorted({str(label) for iri in chosen for label in g.objects(iri, URIRef(LABEL))})
        per.append(FileReport(path, names, found, evaluate(subgraph(g, chosen), [path])))
    return total, per


def _doc_key(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def _graph_documents(g: Graph) -> dict[str, list[Node]]:
    """Document nodes by their label's last path part (a folder build labels d01.txt pages/d01.txt)."""
    out: dict[str, list[Node]] = defaultdict(list)
    for d in g.subjects(URIRef(RDF_TYPE), KG.Document):
        for label in g.objects(d, URIRef(LABEL)):
            out[_doc_key(str(label))].append(d)
    return out


def subgraph(g: Graph, documents: set[Node]) -> Graph:
    """The entities derived from ``documents`` (all their triples) and the relations an
    assertion from a sentence of theirs states."""
    derived = URIRef(PROV_DERIVED)
    entities = {s for d in documents for s in g.subjects(derived, d) if (s, URIRef(RDF_TYPE), None) in g}
    out = Graph()
    for e in entities:
        for p, o in g.predicate_objects(e):
            if local(p) not in RELATIONS:
                out.add((e, p, o))
    sentence, subj, pred, obj = (
        KG.sentence,
        URIRef(RDF_NS + "subject"),
        URIRef(RDF_NS + "predicate"),
        URIRef(RDF_NS + "object"),
    )
    for a, sent in g.subject_objects(sentence):
        if any((sent, derived, d) in g for d in documents):
            spo = (g.value(a, subj), g.value(a, pred), g.value(a, obj))
            if all(x is not None for x in spo):
                out.add(spo)  # type: ignore[arg-type]  # checked: none is None
    return out
