"""Mention-level output: one JSON object per document, offsets into its raw text."""

from __future__ import annotations

import json

from ..model import DocumentResult, Entity, Mention, nested


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
    for r in res.relations:
        start, end = r.raw_span
        rels.append(
            {
                "s": r.subject.name,
                "p": r.predicate,
                "o": r.object.name if isinstance(r.object, Entity) else r.object,
                "rule": r.rule,
                "start": start,
                "end": end,
            }
        )
    return {"id": res.document.ref, "entities": ents, "relations": rels}


def dumps(res: DocumentResult, nested: bool = False) -> str:
    return json.dumps(record(res, nested), ensure_ascii=False)
