"""Load rule files (YAML) into typed rules; user files extend the built-in set."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources

import yaml

from .backtrack import problem
from .errors import KgError, UsageError
from .model import RELATIONS, TYPES

ENTITY_KINDS = {"suffix", "pattern", "list", "person", "gazetteer", "short_name", "post_org", "lexicon", "place_body", "team"}
RELATION_SHAPES = {"svo", "ovs", "attr", "at", "pair", "passive", "title", "literal",
                   "context", "possessive", "inverse_possessive"}
MAX_FILE_BYTES = 2_000_000


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
    pattern_src: str = ""          # as written; {list} names a vocabulary list
    whole_words: bool = False      # a pattern's match must start and end where words do
    scan: str = "soft"
    require: str = ""
    specific: bool | str = False   # True: a short stem of common words is a reference;
                                   # "industry": only a stem of industry words is (科技有限公司)
    pos: dict[str, str] = field(default_factory=dict)   # lexicon rules: jieba tag -> type
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
    shape: str
    triggers: list[str]
    subject: list[str] = field(default_factory=list)
    object: list[str] = field(default_factory=list)
    requires: str = ""          # a regex the clause after the trigger must contain
    unless: str = ""            # a regex the text right after the trigger must not begin with
    objects: str = "first"      # first | all
    connectors: list[str] = field(default_factory=list)
    inverse: bool = False       # the syntactic left side is the triple's object
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

    def words(self, name: str) -> list[str]:
        return self.vocab.get(name, [])


def _examples(raw: list | None, where: str) -> list[Example]:
    out = []
    for ex in raw or []:
        if not isinstance(ex, dict) or "text" not in ex:
            raise KgError(f"{where}: every example needs a 'text'")
        rels = [tuple(r) for r in ex.get("relations", [])]
        for r in rels:
            if len(r) != 3:
                raise KgError(f"{where}: relation example {list(r)} is not [subject, relation, object]")
        out.append(Example(ex["text"], list(ex.get("mentions", [])), rels))
    return out


def _entity_rule(d: dict, where: str) -> EntityRule:
    kind = d.get("kind", "suffix")
    if kind not in ENTITY_KINDS:
        raise KgError(f"{where}: unknown kind {kind!r} (one of {', '.join(sorted(ENTITY_KINDS))})")
    typ = d.get("type", "")
    if kind not in ("list", "lexicon") and typ not in TYPES:
        raise KgError(f"{where}: type {typ!r} is not one of {', '.join(TYPES)}")
    if kind == "pattern" and not isinstance(d.get("pattern"), str):
        raise KgError(f"{where}: a pattern rule needs a 'pattern'")
    ex = d.get("examples") or {}
    return EntityRule(
        id=d["id"], description=d.get("description", ""), kind=kind, type=typ,
        subtype=d.get("subtype", ""), suffixes=sorted(d.get("suffixes", []), key=len, reverse=True),
        pattern_src=d.get("pattern", ""), whole_words=bool(d.get("whole_words", False)), scan=d.get("scan", "soft"), require=d.get("require", ""),
        specific=d.get("specific", False) if d.get("specific") == "industry" else bool(d.get("specific", False)), pos=dict(d.get("pos") or {}),
        min_freq=int(d.get("min_freq", 0)), max_freq=int(d.get("max_freq", 0)),
        match=_examples(ex.get("match"), where), no_match=_examples(ex.get("no_match"), where),
        source=where)


def _relation_rule(d: dict, where: str) -> RelationRule:
    if d.get("relation") not in RELATIONS:
        raise KgError(f"{where}: relation {d.get('relation')!r} is not one of {', '.join(RELATIONS)}")
    if d.get("shape") not in RELATION_SHAPES:
        raise KgError(f"{where}: shape {d.get('shape')!r} is not one of {', '.join(sorted(RELATION_SHAPES))}")
    ex = d.get("examples") or {}
    return RelationRule(
        id=d["id"], description=d.get("description", ""), relation=d["relation"], shape=d["shape"],
        triggers=sorted(d.get("triggers", []), key=len, reverse=True),
        subject=list(d.get("subject", [])), object=list(d.get("object", [])),
        requires=_regex(d.get("requires", ""), where, "requires"),
        unless=_regex(d.get("unless", ""), where, "unless"),
        objects=d.get("objects", "first"),
        connectors=list(d.get("connectors", [])), inverse=bool(d.get("inverse", False)),
        match=_examples(ex.get("match"), where), no_match=_examples(ex.get("no_match"), where),
        source=where)


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
        raise KgError(f"{where}: field {field!r} can backtrack without end on some texts ({why}); "
                      f"rewrite it so that a text can be matched one way only")


class _NoAliases(yaml.SafeLoader):
    """YAML without aliases: a few lines of anchors and aliases can stand for gigabytes."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise _Alias(self.peek_event().anchor)
        return super().compose_node(parent, index)


class _Alias(Exception):
    pass


def _load_yaml(text: str, name: str) -> dict:
    try:
        data = yaml.load(text, Loader=_NoAliases) or {}
    except _Alias as alias:
        raise KgError(f"{name}: YAML aliases (*{alias}) are not allowed in rule files") from None
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        at = f" at line {line + 1}" if line is not None else ""
        raise KgError(f"{name}: not valid YAML{at}") from None
    if not isinstance(data, dict):
        raise KgError(f"{name}: a rule file must be a mapping (rules:, relations:, vocabulary lists)")
    return data


def builtin_files() -> list[tuple[str, str]]:
    pkg = resources.files("kg") / "rules"
    names = ("vocabulary.yaml", "entities.yaml", "relations.yaml")
    return [(f"kg/rules/{n}", (pkg / n).read_text(encoding="utf-8")) for n in names]


def _read_rule_file(path: str) -> str:
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)     # not more, even from /dev/zero
    except FileNotFoundError:
        raise UsageError(f"{path}: no such rule file") from None
    except OSError as exc:
        raise KgError(f"{path}: cannot read rule file ({exc.strerror})") from None
    if len(data) > MAX_FILE_BYTES:
        raise KgError(f"{path}: larger than {MAX_FILE_BYTES // 1_000_000} MB; a rule file is a few "
                      f"kilobytes of YAML (kg's own are under 30 kB)")
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
    for name, text in files:
        data = _load_yaml(text, name)
        for i, d in enumerate(data.get("rules", []) or []):
            where = f"{name}: rule {d.get('id', i + 1) if isinstance(d, dict) else i + 1}"
            if not isinstance(d, dict) or "id" not in d:
                raise KgError(f"{where}: a rule needs an 'id'")
            ents[d["id"]] = _entity_rule(d, where)
        for i, d in enumerate(data.get("relations", []) or []):
            where = f"{name}: relation rule {d.get('id', i + 1) if isinstance(d, dict) else i + 1}"
            if not isinstance(d, dict) or "id" not in d:
                raise KgError(f"{where}: a rule needs an 'id'")
            rels[d["id"]] = _relation_rule(d, where)
        for key, val in data.items():
            if key == "list_heads" and isinstance(val, dict):
                for t, words in val.items():
                    heads.setdefault(t, []).extend(words)
            elif key not in ("rules", "relations") and isinstance(val, list):
                vocab.setdefault(key, []).extend(str(v) for v in val)
    for rule in ents.values():
        if rule.kind == "pattern":
            rule.pattern = compile_pattern(rule.pattern_src, vocab, rule.source)
    return RuleSet(list(ents.values()), list(rels.values()), vocab, heads, [n for n, _ in files])


VOCAB_REF = re.compile(r"\{([a-z_]+)\}")


def compile_pattern(src: str, vocab: dict[str, list[str]], where: str) -> re.Pattern:
    """A pattern may name a vocabulary list as {name}: it stands for any of the list's
    words (longest first), so users extend a pattern by extending the list."""
    def words(m: re.Match) -> str:
        if m.group(1) not in vocab:
            raise KgError(f"{where}: pattern names {{{m.group(1)}}}, which is no vocabulary list")
        alts = sorted(set(vocab[m.group(1)]), key=len, reverse=True)
        return "(?:" + "|".join(map(re.escape, alts)) + ")"
    try:
        pattern = re.compile(VOCAB_REF.sub(words, src))
    except (re.error, RecursionError) as exc:
        raise KgError(f"{where}: bad pattern ({exc})") from None
    _check_backtracking(pattern.pattern, where, "pattern")
    return pattern
