"""The ``qualifiers:`` section of rule files: amount, date and stage rules (regular
expressions with named groups) and the maps they read (currencies, stages, measures,
relative years and months), checked field by field."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import KgError

KINDS = ("amount", "date", "stage")
GROUPS = {  # the named groups a rule of each kind may have
    "amount": {"mod", "num", "more", "mag", "more2", "cur", "measure"},
    "date": {"y", "m", "d", "q", "rel", "relm"},
    "stage": {"stage", "plan"},
}
WORD_MAPS = ("currencies", "stages", "measures")  # name -> {key: [words]}
NUMBER_MAPS = ("relative_years", "relative_months")  # name -> {word: offset}
STAGES = ("signed", "started", "building", "completed", "operating")
EXAMPLE_KEYS = {
    "text",
    "document_date",
    "amount",
    "currency",
    "modifier",
    "measure",
    "date",
    "date_text",
    "quarter",
    "stage",
}
RULE_KEYS = {"id", "kind", "description", "pattern", "currency", "examples"}


@dataclass
class QualifierExample:
    text: str
    document_date: str = ""
    want: dict[str, str] = field(default_factory=dict)  # field -> value the reader must give


@dataclass
class QualifierRule:
    id: str
    kind: str
    description: str
    pattern: re.Pattern
    currency: str = ""  # for a rule whose matches name no currency
    match: list[QualifierExample] = field(default_factory=list)
    no_match: list[QualifierExample] = field(default_factory=list)
    source: str = ""


@dataclass
class QualifierSet:
    rules: list[QualifierRule] = field(default_factory=list)
    currencies: dict[str, str] = field(default_factory=dict)  # word -> ISO 4217 code
    stages: dict[str, str] = field(default_factory=dict)  # word -> stage
    measures: dict[str, str] = field(default_factory=dict)  # word -> what an amount measures
    relative_years: dict[str, int] = field(default_factory=dict)
    relative_months: dict[str, int] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[QualifierRule]:
        return [r for r in self.rules if r.kind == kind]


def read_section(data, name: str, into: dict) -> None:
    """Add one file's ``qualifiers:`` section to ``into`` (maps merged, rules by id, a later
    file's rule of the same id replacing an earlier one)."""
    if not isinstance(data, dict):
        raise KgError(f"{name}: 'qualifiers' must be a mapping (rules:, currencies:, stages: …)")
    for key, val in data.items():
        if key == "rules":
            if not isinstance(val, list):
                raise KgError(f"{name}: 'qualifiers.rules' must be a list of rules")
            for i, d in enumerate(val):
                rid = d.get("id") if isinstance(d, dict) else None
                where = f"{name}: qualifier rule {rid or i + 1}"
                if not isinstance(d, dict) or not isinstance(rid, str):
                    raise KgError(f"{where}: a rule needs an 'id'")
                into.setdefault("rules", {})[rid] = (d, where)
        elif key in WORD_MAPS:
            if not isinstance(val, dict) or not all(
                isinstance(k, str) and isinstance(v, list) and all(isinstance(w, str) for w in v)
                for k, v in val.items()
            ):
                raise KgError(f"{name}: 'qualifiers.{key}' must map each name to a list of words")
            if key == "stages" and set(val) - set(STAGES):
                bad = sorted(set(val) - set(STAGES))[0]
                raise KgError(f"{name}: 'qualifiers.stages' names {bad!r}, which is no stage ({', '.join(STAGES)})")
            into.setdefault(key, {}).update({w: k for k, words in val.items() for w in words})
        elif key in NUMBER_MAPS:
            if not isinstance(val, dict) or not all(
                isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) for k, v in val.items()
            ):
                raise KgError(f"{name}: 'qualifiers.{key}' must map each word to a whole number")
            into.setdefault(key, {}).update(val)
        else:
            raise KgError(f"{name}: unknown field 'qualifiers.{key}'")


def build(sections: dict, vocab: dict[str, list[str]], compile_pattern) -> QualifierSet:
    """The qualifier rules compiled, their patterns' {list} references standing for a
    vocabulary list or a map's words."""
    qs = QualifierSet(
        currencies=sections.get("currencies", {}),
        stages=sections.get("stages", {}),
        measures=sections.get("measures", {}),
        relative_years=sections.get("relative_years", {}),
        relative_months=sections.get("relative_months", {}),
    )
    words = dict(vocab)
    for key in WORD_MAPS + NUMBER_MAPS:
        words[key] = list(getattr(qs, key))
    for d, where in sections.get("rules", {}).values():
        qs.rules.append(_rule(d, where, words, compile_pattern))
    return qs


def _rule(d: dict, where: str, words: dict, compile_pattern) -> QualifierRule:
    unknown = sorted(set(d) - RULE_KEYS)
    if unknown:
        raise KgError(f"{where}: unknown field {unknown[0]!r}")
    kind = d.get("kind")
    if kind not in KINDS:
        raise KgError(f"{where}: field 'kind' must be one of {', '.join(KINDS)}")
    if not isinstance(d.get("pattern"), str):
        raise KgError(f"{where}: field 'pattern' must be a regular expression")
    pattern = compile_pattern(d["pattern"], words, where)
    extra = sorted(set(pattern.groupindex) - GROUPS[kind])
    if extra:
        raise KgError(f"{where}: field 'pattern' has the group {extra[0]!r}, which a {kind} rule does not read")
    currency = d.get("currency", "")
    if not isinstance(currency, str):
        raise KgError(f"{where}: field 'currency' must be a currency code (CNY)")
    match, no_match = _examples(d.get("examples") or {}, where)
    return QualifierRule(d["id"], kind, d.get("description", ""), pattern, currency, match, no_match, where)


def _examples(raw, where: str) -> tuple[list[QualifierExample], list[QualifierExample]]:
    if not isinstance(raw, dict) or set(raw) - {"match", "no_match"}:
        raise KgError(f"{where}: field 'examples' must be a mapping (match:, no_match:)")
    out = []
    for key in ("match", "no_match"):
        items = []
        for ex in raw.get(key) or []:
            if not isinstance(ex, dict) or not isinstance(ex.get("text"), str):
                raise KgError(f"{where}: field 'examples.{key}' must list mappings, each with a 'text'")
            bad = sorted(set(ex) - EXAMPLE_KEYS)
            if bad:
                raise KgError(f"{where}: unknown field 'examples.{key}.{bad[0]}'")
            want = {k: str(v) for k, v in ex.items() if k not in ("text", "document_date")}
            items.append(QualifierExample(ex["text"], str(ex.get("document_date", "")), want))
        out.append(items)
    return out[0], out[1]
