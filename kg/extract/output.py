"""Mention-level output: one JSON object per document, offsets into its raw text; a relation's
ends as its sentence writes them, and as the graph names them."""

from __future__ import annotations

import json

from ..model import DocumentResult, Entity, Mention, Relation, nested


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
    rels = []
    written = _as_written(res)
    for r in res.relations:
        start, end = r.raw_span
        obj = r.object
        rels.append(
            {
                "s": written(r.subject, r),
                "p": r.predicate,
                "o": written(obj, r) if isinstance(obj, Entity) else obj,
                "s_entity": r.subject.name,
                "o_entity": obj.name if isinstance(obj, Entity) else obj,
                "rule": r.rule,
                "start": start,
                "end": end,
            }
        )
    return {"id": res.document.ref, "entities": ents, "relations": rels}


def dumps(res: DocumentResult, nested: bool = False) -> str:
    return json.dumps(record(res, nested), ensure_ascii=False)
