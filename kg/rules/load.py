"""Load rule files (YAML) into typed rules; user files extend the built-in set."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources

import yaml

from ..backtrack import problem
from ..errors import KgError, UsageError
from ..model import RELATIONS, TYPES
from . import qualifiers as qualifier_rules
from .engine import Compiler, Pattern
from .qualifiers import QualifierSet

ENTITY_KINDS = {
    "suffix",
    "pattern",
    "list",
    "person",
    "gazetteer",
    "lexicon",
    "team",
    "tokens",
}
CAPTURES = {"subject", "object", "value", "parties"}  # a relation pattern's captures; parties: 双方 (A 与 B named last)
MAX_FILE_BYTES = 2_000_000


def _words(v) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


# What each field of a rule must be: (test, what the message says)
TEXT = (lambda v: isinstance(v, str), "a string")
WORDS = (_words, "a list of strings")
FLAG = (lambda v: isinstance(v, bool), "true or false")
COUNT = (lambda v: isinstance(v, int) and not isinstance(v, bool), "a whole number")
COMMON_FIELDS = {
    "id": TEXT,
    "description": TEXT,
    "examples": (lambda v: isinstance(v, dict), "a mapping (match:, no_match:)"),
}
ENTITY_FIELDS = {
    **COMMON_FIELDS,
    "kind": TEXT,
    "type": TEXT,
    "subtype": TEXT,
    "suffixes": WORDS,
    "pattern": (
        lambda v: isinstance(v, str) or isinstance(v, list),
        "a regular expression (kind: pattern) or a list of token elements (kind: tokens)",
    ),
    "whole_words": FLAG,
    "references": FLAG,
    "refers": FLAG,
    "scan": TEXT,
    "unit": FLAG,
    "require": TEXT,
    "min_freq": COUNT,
    "max_freq": COUNT,
    "specific": (lambda v: isinstance(v, bool) or v == "industry", "true, false or industry"),
    "pos": (
        lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in [*v, *v.values()]),
        "a mapping of tags to types",
    ),
}
RELATION_FIELDS = {
    **COMMON_FIELDS,
    "relation": TEXT,
    "shape": TEXT,  # refused with a pointer to patterns: trigger shapes are gone
    "triggers": WORDS,
    "subject": WORDS,
    "object": WORDS,
    "requires": TEXT,
    "unless": TEXT,
    "inverse": FLAG,
    "pattern": (lambda v: isinstance(v, list), "a list of pattern elements"),
    "topic": (
        lambda v: v in ("subject", "object") or _words(v) and set(v) <= {"subject", "object"},
        "subject, object or both as a list",
    ),
    "antecedent": (lambda v: v in ("subject", "object"), "subject or object"),
    "head": (lambda v: v in ("subject", "object"), "subject or object"),
    "antecedent_pick": (lambda v: v in ("nearest", "topic"), "nearest or topic"),
    "pairwise": FLAG,
}
EXAMPLES = (lambda v: isinstance(v, list), "a list of examples")
EXAMPLE_LISTS = {"match": EXAMPLES, "no_match": EXAMPLES}
EXAMPLE_FIELDS = {
    "text": TEXT,
    "mentions": WORDS,
    "relations": (
        lambda v: isinstance(v, list) and all(_words(r) and len(r) == 3 for r in v),
        "a list of [subject, relation, object]",
    ),
}


@dataclass
class Example:
    text: str
    mentions: list[str] = field(default_factory=list)
    relations: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class EntityRule:
    id: str
    description: str
    kind: str
    type: str = ""
    subtype: str = ""
    suffixes: list[str] = field(default_factory=list)
    pattern: re.Pattern | None = None
    pattern_src: str = ""  # as written; {list} names a vocabulary list
    elements: list | None = None  # kind tokens: the token pattern as written
    references: bool = False  # kind tokens: bare words (产业学院) are mention units too
    refers: bool = False  # kind tokens: the mention points back (他, 她), resolved to an antecedent
    compiled: Pattern | None = None  # kind tokens: compiled with the relation patterns
    whole_words: bool = False  # a pattern's match must start and end where words do
    scan: str = "soft"
    unit: bool = False  # kind suffix: a unit of the organisation named right before it takes that name in
    require: str = ""
    specific: bool | str = False  # True: a short stem of common words is a reference;
    # "industry": only a stem of industry words is (科技有限公司)
    pos: dict[str, str] = field(default_factory=dict)  # lexicon rules: jieba tag -> type
    min_freq: int = 0
    max_freq: int = 0
    match: list[Example] = field(default_factory=list)
    no_match: list[Example] = field(default_factory=list)
    source: str = ""


@dataclass
class RelationRule:
    id: str
    description: str
    relation: str
    subject: list[str] = field(default_factory=list)
    object: list[str] = field(default_factory=list)
    requires: str = ""  # a regex the clause of the match must contain
    unless: str = ""  # a regex the text right after the match must not begin with
    inverse: bool = False  # the subject capture is the triple's object
    pattern: list | None = None  # token-pattern elements (kg/rules/engine.py)
    compiled: Pattern | None = None
    topic: list[str] = field(default_factory=list)  # captures that, left empty, are the sentence's topic
    antecedent: str = ""  # a capture that, when empty, is the nearest fitting entity named before
    head: str = ""  # a capture that stands for the organisation heading its name (X党委 → X)
    antecedent_pick: str = "nearest"  # the antecedent: the nearest fitting entity, or the topic before
    pairwise: bool = False  # no object: the subject group's members relate to each other (A、B、C 签署)
    match: list[Example] = field(default_factory=list)
    no_match: list[Example] = field(default_factory=list)
    source: str = ""


@dataclass
class RuleSet:
    entity_rules: list[EntityRule]
    relation_rules: list[RelationRule]
    vocab: dict[str, list[str]]
    list_heads: dict[str, list[str]]
    files: list[str]
    patterns: Compiler | None = None  # the feature space every pattern rule is compiled in
    qualifiers: QualifierSet = field(default_factory=QualifierSet)  # amounts, dates, stages

    def words(self, name: str) -> list[str]:
        return self.vocab.get(name, [])


def _given(d: dict) -> dict:
    """The fields that have a value (an empty ``suffixes:`` is as if not written)."""
    return {k: v for k, v in d.items() if v is not None}


def _check_fields(d: dict, fields: dict, where: str, prefix: str = "") -> None:
    for key, value in d.items():
        if key not in fields:
            raise KgError(f"{where}: unknown field {prefix + str(key)!r}")
        test, what = fields[key]
        if not test(value):
            raise KgError(f"{where}: field {prefix + key!r} must be {what}")


def _examples(d: dict, where: str) -> tuple[list[Example], list[Example]]:
    """The rule's examples (match, no_match), each checked field by field."""
    raw = _given(d.get("examples", {}))
    _check_fields(raw, EXAMPLE_LISTS, where, "examples.")
    out = []
    for key in ("match", "no_match"):
        examples = []
        for ex in raw.get(key, []):
            if not isinstance(ex, dict) or ex.get("text") is None:
                raise KgError(f"{where}: field 'examples.{key}' must list mappings, each with a 'text'")
            ex = _given(ex)
            _check_fields(ex, EXAMPLE_FIELDS, where, f"examples.{key}.")
            examples.append(
                Example(ex["text"], list(ex.get("mentions", [])), [tuple(r) for r in ex.get("relations", [])])
            )
        out.append(examples)
    return out[0], out[1]


def _entity_rule(d: dict, where: str) -> EntityRule:
    _check_fields(d, ENTITY_FIELDS, where)
    kind = d.get("kind", "suffix")
    if kind not in ENTITY_KINDS:
        raise KgError(f"{where}: unknown kind {kind!r} (one of {', '.join(sorted(ENTITY_KINDS))})")
    typ = d.get("type", "")
    if kind not in ("list", "lexicon") and typ not in TYPES and not (kind == "tokens" and typ == ""):
        raise KgError(f"{where}: type {typ!r} is not one of {', '.join(TYPES)}")
    if kind in ("pattern", "tokens") and "pattern" not in d:
        raise KgError(f"{where}: a {kind} rule needs a 'pattern'")
    if kind == "pattern" and not isinstance(d["pattern"], str):
        raise KgError(f"{where}: field 'pattern' of a pattern rule must be a regular expression (a string)")
    if kind == "tokens" and not isinstance(d["pattern"], list):
        raise KgError(f"{where}: field 'pattern' of a tokens rule must be a list of token elements")
    match, no_match = _examples(d, where)
    return EntityRule(
        id=d["id"],
        description=d.get("description", ""),
        kind=kind,
        type=typ,
        subtype=d.get("subtype", ""),
        suffixes=sorted(d.get("suffixes", []), key=len, reverse=True),
        pattern_src=d.get("pattern", "") if kind == "pattern" else "",
        elements=d.get("pattern") if kind == "tokens" else None,
        references=d.get("references", False),
        refers=d.get("refers", False),
        whole_words=d.get("whole_words", False),
        scan=d.get("scan", "soft"),
        unit=d.get("unit", False),
        require=d.get("require", ""),
        specific=d.get("specific", False),
        pos=dict(d.get("pos", {})),
        min_freq=d.get("min_freq", 0),
        max_freq=d.get("max_freq", 0),
        match=match,
        no_match=no_match,
        source=where,
    )


def _relation_rule(d: dict, where: str) -> RelationRule:
    _check_fields(d, RELATION_FIELDS, where)
    if "shape" in d or "triggers" in d:
        raise KgError(
            f"{where}: a relation rule is a token 'pattern' now; trigger shapes (shape:, triggers:) are "
            f"gone (README: Token patterns)"
        )
    if "pattern" not in d:
        raise KgError(f"{where}: a relation rule needs a 'pattern'")
    if d.get("relation") not in RELATIONS:
        raise KgError(f"{where}: relation {d.get('relation')!r} is not one of {', '.join(RELATIONS)}")
    match, no_match = _examples(d, where)
    return RelationRule(
        id=d["id"],
        description=d.get("description", ""),
        relation=d["relation"],
        subject=list(d.get("subject", [])),
        object=list(d.get("object", [])),
        requires=_regex(d.get("requires", ""), where, "requires"),
        unless=_regex(d.get("unless", ""), where, "unless"),
        inverse=d.get("inverse", False),
        pattern=d.get("pattern"),
        topic=[d["topic"]] if isinstance(d.get("topic"), str) else list(d.get("topic", [])),
        antecedent=d.get("antecedent", ""),
        head=d.get("head", ""),
        antecedent_pick=d.get("antecedent_pick", "nearest"),
        pairwise=d.get("pairwise", False),
        match=match,
        no_match=no_match,
        source=where,
    )


def _compile_relation(rule: RelationRule, compiler: Compiler) -> None:
    """A pattern rule's pattern, compiled; its captures are the ones a relation uses."""
    rule.compiled = compiler.compile(rule.pattern, rule.source)
    names = set(rule.compiled.rx.groupindex)
    if names - CAPTURES:
        raise KgError(
            f"{rule.source}: field 'pattern' captures {sorted(names - CAPTURES)[0]!r}, which a relation "
            f"does not use (subject, object, or value for a literal)"
        )
    other = "value" if rule.relation == "award" else "object"
    for need in ("subject", other):
        if (
            need not in names
            and need not in (*rule.topic, rule.antecedent)
            and not (rule.pairwise and need == "object")
        ):
            raise KgError(f"{rule.source}: field 'pattern' has no '{need}' capture")


def _compile_tokens(rule: EntityRule, compiler: Compiler) -> None:
    """A tokens rule's pattern, compiled; its one capture, if any, is the name."""
    assert rule.elements is not None  # checked when the rule was read
    rule.compiled = compiler.compile(rule.elements, rule.source)
    other = set(rule.compiled.rx.groupindex) - {"name"}
    if other:
        raise KgError(
            f"{rule.source}: field 'pattern' captures {sorted(other)[0]!r}; an entity pattern captures "
            f"only 'name' (or nothing: the whole match is the name)"
        )


def _regex(src: str, where: str, field: str) -> str:
    try:
        re.compile(src)
    except (re.error, RecursionError) as exc:
        raise KgError(f"{where}: bad regular expression {src!r} ({exc})") from None
    _check_backtracking(src, where, field)
    return src


def _check_backtracking(src: str, where: str, field: str) -> None:
    why = problem(src)
    if why:
        raise KgError(
            f"{where}: field {field!r} can backtrack without end on some texts ({why}); "
            f"rewrite it so that a text can be matched one way only"
        )


# libyaml's loader where PyYAML was built with it (25x faster than the Python one)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(text: str, name: str) -> dict:
    try:
        # YAML without aliases: a few lines of anchors and aliases can stand for gigabytes
        for event in yaml.parse(text, Loader=_LOADER):
            if isinstance(event, yaml.AliasEvent):
                raise KgError(f"{name}: YAML aliases (*{event.anchor}) are not allowed in rule files")
        data = yaml.load(text, Loader=_LOADER) or {}
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        at = f" at line {line + 1}" if line is not None else ""
        raise KgError(f"{name}: not valid YAML{at}") from None
    if not isinstance(data, dict):
        raise KgError(f"{name}: a rule file must be a mapping (rules:, relations:, vocabulary lists)")
    return data


def builtin_files() -> list[tuple[str, str]]:
    pkg = resources.files("kg") / "rules" / "data"
    names = ("vocabulary.yaml", "entities.yaml", "relations.yaml", "qualifiers.yaml")
    return [(f"kg/rules/data/{n}", (pkg / n).read_text(encoding="utf-8")) for n in names]


def _read_rule_file(path: str) -> str:
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)  # not more, even from /dev/zero
    except FileNotFoundError:
        raise UsageError(f"{path}: no such rule file") from None
    except OSError as exc:
        raise KgError(f"{path}: cannot read rule file ({exc.strerror})") from None
    if len(data) > MAX_FILE_BYTES:
        raise KgError(
            f"{path}: larger than {MAX_FILE_BYTES // 1_000_000} MB; a rule file is a few "
            f"kilobytes of YAML (kg's own are under 30 kB)"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise KgError(f"{path}: not a text file (a rule file is YAML in UTF-8)") from None


def load_rules(extra: list[str] | None = None) -> RuleSet:
    """The built-in rules plus any user rule files, later files extending earlier ones."""
    files = builtin_files() + [(path, _read_rule_file(path)) for path in extra or []]
    ents: dict[str, EntityRule] = {}
    rels: dict[str, RelationRule] = {}
    vocab: dict[str, list[str]] = {}
    heads: dict[str, list[str]] = {}
    macros: dict[str, list] = {}
    qualifying: dict = {}
    for name, text in files:
        data = _load_yaml(text, name)
        for d, where in _rules(data, name, "rules", "rule"):
            ents[d["id"]] = _entity_rule(d, where)
        for d, where in _rules(data, name, "relations", "relation rule"):
            rels[d["id"]] = _relation_rule(d, where)
        for key, val in data.items():
            if key == "list_heads":
                if not isinstance(val, dict) or not all(isinstance(t, str) and _words(w) for t, w in val.items()):
                    raise KgError(f"{name}: 'list_heads' must map each type to a list of words")
                for t, words in val.items():
                    heads.setdefault(t, []).extend(words)
            elif key == "macros":
                if not isinstance(val, dict) or not all(
                    isinstance(k, str) and isinstance(v, list) for k, v in val.items()
                ):
                    raise KgError(f"{name}: 'macros' must map each name to a sequence of pattern elements")
                macros.update(val)  # a later file's macro of the same name replaces it
            elif key == "qualifiers":
                qualifier_rules.read_section(val, name, qualifying)
            elif key not in ("rules", "relations"):
                if not isinstance(val, list) or not all(isinstance(v, (str, int, float)) for v in val):
                    raise KgError(f"{name}: vocabulary list {key!r} must be a list of words")
                vocab.setdefault(key, []).extend(str(v) for v in val)
    for rule in ents.values():
        if rule.kind == "pattern":
            rule.pattern = compile_pattern(rule.pattern_src, vocab, rule.source)
    for listed in vocab.get("relation_word_lists", []):
        if listed not in vocab:
            raise KgError(f"relation_word_lists names {listed!r}, which is no vocabulary list")
    compiler = Compiler(vocab, macros)
    for rule in ents.values():
        if rule.kind == "tokens":
            _compile_tokens(rule, compiler)
    for rel in rels.values():
        if rel.pattern is not None:
            _compile_relation(rel, compiler)
    qs = qualifier_rules.build(qualifying, vocab, compile_pattern)
    return RuleSet(list(ents.values()), list(rels.values()), vocab, heads, [n for n, _ in files], compiler, qs)


def _rules(data: dict, name: str, key: str, what: str):
    """(rule, where) for each rule listed under ``key``; empty fields are left out."""
    rules = data.get(key) or []
    if not isinstance(rules, list):
        raise KgError(f"{name}: {key!r} must be a list of rules")
    for i, d in enumerate(rules):
        where = f"{name}: {what} {d.get('id', i + 1) if isinstance(d, dict) else i + 1}"
        if not isinstance(d, dict) or d.get("id") is None:
            raise KgError(f"{where}: a rule needs an 'id'")
        yield _given(d), where


VOCAB_REF = re.compile(r"\{([a-z_]+)\}")


def compile_pattern(src: str, vocab: dict[str, list[str]], where: str) -> re.Pattern:
    """A pattern may name a vocabulary list as {name}: it stands for any of the list's
    words (longest first), so users extend a pattern by extending the list."""

    def words(m: re.Match) -> str:
        if m.group(1) not in vocab:
            raise KgError(f"{where}: pattern names {{{m.group(1)}}}, which is no vocabulary list")
        alts = sorted(set(vocab[m.group(1)]), key=lambda w: (-len(w), w))  # a stable order: docs/rules.md
        return "(?:" + "|".join(map(re.escape, alts)) + ")"

    try:
        pattern = re.compile(VOCAB_REF.sub(words, src))
    except (re.error, RecursionError) as exc:
        raise KgError(f"{where}: bad pattern ({exc})") from None
    _check_backtracking(pattern.pattern, where, "pattern")
    return pattern
