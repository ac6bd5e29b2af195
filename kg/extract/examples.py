"""Run every example of every rule through the whole rule set (as Duckling does)."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Document, Entity
from ..rules.load import EntityRule, Example, RelationRule
from ..rules.qualifiers import QualifierExample, QualifierRule
from .pipeline import Extractor
from .qualify import parse_date


@dataclass
class Failure:
    rule: str
    text: str
    problem: str


def _run(ex: Extractor, text: str):
    return ex.process(Document(id="example", source="example", raw=text))


def _names(res, references: bool = False) -> dict[str, set[str]]:
    """The mentions found, by text, with their entity's types; a rule that makes references
    (refers: true) is checked on the resolved references too."""
    out: dict[str, set[str]] = {}
    for m in res.mentions:
        if m.entity is not None and (references or not m.bare):
            out.setdefault(m.text, set()).update(m.entity.types)
    return out


def _triples(res) -> set[tuple[str, str, str]]:
    out = set()
    for r in res.relations:
        o = r.object.name if isinstance(r.object, Entity) else r.object
        names_s = {r.subject.name} | r.subject.aliases
        names_o = ({r.object.name} | r.object.aliases) if isinstance(r.object, Entity) else {o}
        for s in names_s:
            for x in names_o:
                out.add((s, r.predicate, x))
                if r.predicate == "cooperatesWith":
                    out.add((x, r.predicate, s))
    return out


def check_entity_example(ex: Extractor, rule: EntityRule, e: Example, positive: bool) -> list[Failure]:
    names = _names(_run(ex, e.text), references=rule.refers)
    out = []
    for want in e.mentions:
        found = want in names and (not rule.type or rule.type in names[want])
        if positive and not found:
            got = ", ".join(f"{n}:{'/'.join(sorted(t))}" for n, t in names.items()) or "nothing"
            out.append(Failure(rule.id, e.text, f"expected {want}{':' + rule.type if rule.type else ''}; found {got}"))
        if not positive and want in names:
            out.append(Failure(rule.id, e.text, f"must not find {want} (found as {'/'.join(sorted(names[want]))})"))
    return out


def check_relation_example(ex: Extractor, rule: RelationRule, e: Example, positive: bool) -> list[Failure]:
    res = _run(ex, e.text)
    triples = _triples(res)
    out = []
    if not positive and not e.relations:  # relations: [] — this rule states nothing here
        own = sorted(
            f"{r.subject.name} {r.predicate} {r.object.name if isinstance(r.object, Entity) else r.object}"
            for r in res.relations
            if r.rule == rule.id
        )
        if own:
            out.append(Failure(rule.id, e.text, f"must state nothing; found {'; '.join(own)}"))
    for rel in e.relations:
        t = tuple(rel)
        if positive and t not in triples:
            got = "; ".join(" ".join(x) for x in sorted(triples)) or "nothing"
            out.append(Failure(rule.id, e.text, f"expected {' '.join(t)}; found {got}"))
        if not positive and t in triples:
            out.append(Failure(rule.id, e.text, f"must not find {' '.join(t)}"))
    return out


def check_all(ex: Extractor) -> tuple[int, list[Failure]]:
    """(number of examples run, failures)."""
    n, fails = 0, []
    for er in ex.rules.entity_rules:
        for e, positive in _examples(er):
            n += 1
            fails += check_entity_example(ex, er, e, positive)
    for rr in ex.rules.relation_rules:
        for e, positive in _examples(rr):
            n += 1
            fails += check_relation_example(ex, rr, e, positive)
    for qr in ex.rules.qualifiers.rules:
        for qe in qr.match:
            n += 1
            fails += check_qualifier_example(ex, qr, qe, True)
        for qe in qr.no_match:
            n += 1
            fails += check_qualifier_example(ex, qr, qe, False)
    return n, fails


def check_qualifier_example(ex: Extractor, rule: QualifierRule, e: QualifierExample, positive: bool) -> list[Failure]:
    """A match example: what every rule of the kind reads from the text (the first reading)
    has each value the example states. A no_match example: this rule reads nothing there."""
    found = ex.qualifiers.find(e.text, rule.kind, parse_date(e.document_date))
    if not positive:
        own = [f for f in found if f.rule == rule.id]
        return [Failure(rule.id, e.text, f"must read nothing; read {own[0].values}")] if own else []
    if rule.kind == "stage":
        pick = ex.qualifiers.stage(e.text)
        found = [pick] if pick is not None else []
    if not found:
        return [Failure(rule.id, e.text, f"expected {e.want}; read nothing")]
    got = found[0].values
    wrong = {k: v for k, v in e.want.items() if got.get(k, "") != v}
    return [Failure(rule.id, e.text, f"expected {wrong}; read {got} ({found[0].rule})")] if wrong else []


def _examples(rule: EntityRule | RelationRule) -> list[tuple[Example, bool]]:
    """The rule's examples, each with whether it must match: the positive ones first."""
    return [(e, True) for e in rule.match] + [(e, False) for e in rule.no_match]
