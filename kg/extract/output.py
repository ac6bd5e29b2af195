"""Mention-level output: one JSON object per document, offsets into its raw text; a relation's
ends as its sentence writes them, and as the graph names them."""

from __future__ import annotations

import json
from dataclasses import asdict

from ..model import DocumentResult, Entity, Mention, Qualifiers, Relation, nested


def _top(mentions: list[Mention]) -> list[Mention]:
    """The named mentions not inside a longer one of their sentence."""
    named = [m for m in mentions if not m.bare and m.entity is not None]
    by_sentence: dict[int, list[Mention]] = {}
    for m in named:
        by_sentence.setdefault(id(m.sentence), []).append(m)
    inside = set().union(*(nested(ms) for ms in by_sentence.values()))
    return [m for m in named if id(m) not in inside]


def _raw_span(m: Mention) -> tuple[int, int]:
    assert m.sentence is not None  # the extractors give every mention its sentence
    return m.sentence.raw_span(m.start, m.end)


def _as_written(res: DocumentResult):
    """The name an entity goes by in a relation's sentence: its named mention there nearest the
    evidence (inside it first), else the entity's name (a reference, or another sentence)."""
    by_place: dict[tuple[int, int], list[Mention]] = {}
    for m in res.mentions:
        if m.entity is not None and not m.bare and m.sentence is not None:
            by_place.setdefault((id(m.entity), id(m.sentence)), []).append(m)

    def name(e: Entity, r: Relation) -> str:
        found = by_place.get((id(e), id(r.sentence)))
        if not found:
            return e.name
        inside = [m for m in found if r.start <= m.start and m.end <= r.end]
        best = min(inside or found, key=lambda m: (min(abs(m.start - r.start), abs(m.end - r.end)), -len(m.text)))
        return best.text

    return name


def record(res: DocumentResult, nested: bool = False) -> dict:
    mentions = [m for m in res.mentions if not m.bare and m.entity is not None] if nested else _top(res.mentions)
    ents, seen = [], set()
    for m in sorted(mentions, key=_raw_span):
        start, end = _raw_span(m)
        if (start, end) in seen:
            continue
        seen.add((start, end))
        ents.append(
            {"type": m.entity.type if m.entity else m.type, "text": m.text, "start": start, "end": end, "rule": m.rule}
        )
    written = _as_written(res)

    def row(r: Relation) -> dict:
        start, end = r.raw_span
        obj = r.object
        out = {
            "s": written(r.subject, r),
            "p": r.predicate,
            "o": written(obj, r) if isinstance(obj, Entity) else obj,
            "s_entity": r.subject.name,
            "o_entity": obj.name if isinstance(obj, Entity) else obj,
            "rule": r.rule,
            "start": start,
            "end": end,
        }
        if r.qualifiers:
            out["qualifiers"] = qualifier_fields(r.qualifiers)
        return out

    out = {"id": res.document.ref, "entities": ents, "relations": [row(r) for r in res.relations]}
    if res.date:
        out["date"] = res.date
    if res.planned:
        out["planned"] = [row(r) for r in res.planned]
    if res.events:
        out["events"] = [{k: v for k, v in row(r).items() if k not in ("p", "o", "o_entity")} for r in res.events]
    return out


def qualifier_fields(q: Qualifiers) -> dict:
    """The qualifiers that have a value, by field name (rules: the qualifier rules that read them)."""
    return {k: v for k, v in asdict(q).items() if v}


def dumps(res: DocumentResult, nested: bool = False) -> str:
    return json.dumps(record(res, nested), ensure_ascii=False)
