"""Token patterns: a rule's sequence of constraints on units, compiled once into one regular
expression over an encoding of the sentence, so that a rule is matched at the regex
engine's speed rather than by a Python loop over tokens for every rule.

A sentence is a sequence of *units*: each (outermost) mention found so far is one unit,
every token outside them another. Each distinct constraint of a rule set is a *feature*
(one private-use character); a unit is written as U+E000, its features, U+E001, and a
pattern element becomes ``U+E000 (?=[^U+E001]*F) [^U+E001]* U+E001``. Quantifiers,
alternatives, named captures and look-arounds are those of the `regex` module (which
allows look-behind of any width). A unit's features are computed once per distinct
(text, tag, types) and cached, so a sentence costs one dictionary look-up per unit.

An element is a mapping (see docs/rules.md):
  text: 签署 | [是, 为]      the unit is a token with one of these texts
  regex: '\\d+家'            the token's text matches this expression (whole)
  in: legal_forms           the token is a word of a vocabulary list (or of any of several)
  not_in: [hedges]          … of none of these lists
  pos: [v, vn]              its part-of-speech tag starts with one of these
  punct: true               it is punctuation
  mention: [Company]        the unit is a mention of one of these types (``true``: any)
  predicate: person_name    a named test written in Python (PREDICATES), few and documented
  op: '?' | '*' | '+' | '{1,3}'   how many units in a row
  capture: subject          the units it matches are the capture's (relations: subject, object,
                            value; parties: a word such as 双方 for the A 与 B named last)
  group: true               a coordinated group of such mentions (A、B和C): one capture, many members
  any: [[…], […]]           one of several sequences
  ahead / not_ahead / behind / not_behind: […]   look-around sequences
  gap: [0, 4]               between 0 and 4 units of any kind, not crossing a clause mark
"""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

import ahocorasick
import regex

from ..errors import KgError

if TYPE_CHECKING:
    from ..model import Mention

START, END = "\ue000", "\ue001"
FEATURE_BASE = 0xF0000
CLAUSE_MARKS = frozenset("，。；！？：,;!?:")
OPS = {"?", "*", "+"}
CONSTRAINT_KEYS = {"text", "regex", "in", "not_in", "pos", "punct", "mention", "predicate"}
ELEMENT_KEYS = CONSTRAINT_KEYS | {
    "op",
    "capture",
    "group",
    "any",
    "ahead",
    "not_ahead",
    "behind",
    "not_behind",
    "gap",
    "use",
    "lazy",
}
LOOKS = {"ahead": "(?={})", "not_ahead": "(?!{})", "behind": "(?<={})", "not_behind": "(?<!{})"}


@dataclass(slots=True)
class Unit:
    text: str
    start: int  # offsets into the sentence text
    end: int
    pos: str = ""
    mention: Mention | None = None  # for mention units: resolved (relations) or not yet (entity patterns)


@dataclass(frozen=True)
class Constraint:
    mention: tuple[str, ...] | None = None  # None: a token; (): any mention; else its types
    text: frozenset[str] | None = None
    regex: str | None = None
    in_: tuple[str, ...] = ()
    not_in: tuple[str, ...] = ()
    pos: tuple[str, ...] = ()
    punct: bool | None = None
    predicate: str | None = None


# ---- named tests in Python: what a pattern cannot say --------------------------------
PREDICATES: dict[str, Callable[[Unit], bool]] = {}


def predicate(name: str):
    """Register a named test for patterns (``predicate: NAME``)."""

    def register(fn: Callable[[Unit], bool]) -> Callable[[Unit], bool]:
        PREDICATES[name] = fn
        return fn

    return register


@predicate("clause_mark")
def _clause_mark(unit: Unit) -> bool:
    """A mark that ends a clause: ，。；！？："""
    return unit.mention is None and unit.text in CLAUSE_MARKS


@predicate("person_name")
def _person_name(unit: Unit) -> bool:
    """A mention of a person, or a token of two or three characters tagged as a personal name."""
    if unit.mention is not None:
        return "Person" in kinds(unit.mention)
    return unit.pos.startswith("nr") and 2 <= len(unit.text) <= 3


@predicate("unknown_word")
def _unknown_word(unit: Unit) -> bool:
    """A token of two or more Chinese characters that jieba's dictionary lacks (the tokenizer
    guessed it): a brand's name (星禾 in 星禾电力), rarely an ordinary word."""
    from ..text.lexicon import word_freq  # jieba's table, loaded by whoever tokenized the unit

    text = unit.text
    return unit.mention is None and len(text) >= 2 and _all_cjk(text) and word_freq(text) == 0


@predicate("rare_word")
def _rare_word(unit: Unit) -> bool:
    """A token of two or more characters that jieba's dictionary has seen fewer than 500
    times: a brand (恒基, 远洋), not an ordinary word (传统, 双方, 社会)."""
    from ..text.lexicon import word_freq

    return unit.mention is None and len(unit.text) >= 2 and word_freq(unit.text) < 500


def _all_cjk(text: str) -> bool:
    return all("\u4e00" <= c <= "\u9fff" for c in text)


def kinds(m: Mention) -> frozenset[str]:
    """What a mention unit is, for `mention:` constraints: its entity's types and subtypes once
    resolved, else the type and subtype the entity rules gave it."""
    if m.entity is not None:
        return frozenset(m.entity.types | m.entity.subtypes)
    return frozenset((m.type, m.subtype) if m.subtype else (m.type,))


def _is_punct(text: str) -> bool:
    return bool(text) and all(unicodedata.category(c).startswith("P") for c in text)


def _as_tuple(v) -> tuple[str, ...]:
    return (v,) if isinstance(v, str) else tuple(v)


def describe(elements) -> str:
    """A pattern in one line, for people: [Company]=subject 是|为 [Company]=object 的? <subsidiary_heads>."""
    return " ".join(_describe(e) for e in elements)


def _describe(e: dict) -> str:
    looks = {"ahead": "(?= {})", "not_ahead": "(?! {})", "behind": "(?<= {})", "not_behind": "(?<! {})"}
    for look, wrap in looks.items():
        if look in e:
            return wrap.format(describe(e[look]))
    if "any" in e:
        body = "(" + " | ".join(describe(a) for a in e["any"]) + ")"
    elif "gap" in e:
        body = f"…{{{e['gap'][0]},{e['gap'][1]}}}" + ("?" if e.get("lazy") else "")
    else:
        parts = []
        if e.get("mention") is not None:
            m = e["mention"]
            parts.append("[" + ("mention" if m is True else "|".join(_as_tuple(m))) + "]")
        if "text" in e:
            parts.append("|".join(_as_tuple(e["text"])))
        parts += [f"/{e['regex']}/"] if "regex" in e else []
        parts += [f"<{n}>" for n in _as_tuple(e.get("in", ()))] + [f"!<{n}>" for n in _as_tuple(e.get("not_in", ()))]
        parts += [f"pos={'|'.join(_as_tuple(e['pos']))}"] if "pos" in e else []
        parts += ["<punct>"] if e.get("punct") else []
        parts += [f"@{e['predicate']}"] if "predicate" in e else []
        body = "&".join(parts)
        if e.get("group"):
            body = f"{body}、…"
    body += e.get("op") or ""
    return f"{e['capture']}={body}" if "capture" in e else body


@dataclass
class Pattern:
    """One rule's compiled pattern: the regex and the constraints of its group captures."""

    source: list
    rx: regex.Pattern
    groups: dict[str, Constraint] = field(default_factory=dict)  # capture → its members' constraint
    required: str = ""  # features every match has (its fixed words): a sentence without one is skipped
    words: list[frozenset[str]] = field(default_factory=list)  # those elements' words
    kinds: list[frozenset[str]] = field(default_factory=list)  # mention types every match has, one of each set

    def possible(self, present: set[str], kinds: set[str] | None = None) -> bool:
        """Whether the sentence holds a word of every fixed element, given the rules' fixed
        words it holds (Compiler.present), and (given the kinds of its mentions) a mention of
        every required type, before it is encoded."""
        if not all(not ws.isdisjoint(present) for ws in self.words):
            return False
        return kinds is None or all(not k.isdisjoint(kinds) for k in self.kinds)


class RuleFilter:
    """The patterns that may match a sentence, found from the fixed words it holds: each pattern
    is filed under the words of one of its fixed elements (the rarest), so a sentence looks up its
    words instead of testing every pattern; those without fixed words are always tried."""

    def __init__(self, patterns: list[Pattern | None]):
        self.patterns = patterns
        self.always = [k for k, p in enumerate(patterns) if p is not None and not p.words]
        self.by_word: dict[str, list[int]] = {}
        for k, p in enumerate(patterns):
            if p is not None and p.words:
                for w in max(p.words, key=_rarity):
                    self.by_word.setdefault(w, []).append(k)

    def possible(self, present: set[str], kinds: set[str] | None = None) -> list[int]:
        """The indices, in order, of the patterns that may match (Pattern.possible of each)."""
        hits = set(self.always)
        for w in present:
            hits.update(self.by_word.get(w, ()))
        return [k for k in sorted(hits) if self.patterns[k].possible(present, kinds)]  # type: ignore[union-attr]


@dataclass
class Match:
    start: int  # sentence character offsets of the whole match
    end: int
    captures: dict[str, list[Unit]]


class Compiler:
    """Compiles the patterns of one rule set into one feature space."""

    def __init__(self, vocab: dict[str, list[str]], macros: dict[str, list] | None = None):
        self.vocab = {k: frozenset(v) for k, v in vocab.items()}
        self.macros = macros or {}  # named sequences, used by {use: NAME}
        self._using: list[str] = []
        self.features: dict[Constraint, str] = {}
        self._regexes: dict[str, regex.Pattern] = {}
        self._cache: dict[tuple, str] = {}
        self._word_set: dict[str, int] | None = None
        self._idx: _Index | None = None
        self._prefixes: set[str] = set()
        self._fixed: set[str] = set()  # the fixed words of every compiled pattern
        self._automaton: ahocorasick.Automaton | None = None
        self._last_text: str | None = None
        self._last_present: set[str] = set()

    # ---- compiling -----------------------------------------------------------------
    def compile(self, elements, where: str) -> Pattern:
        if not isinstance(elements, list) or not elements:
            raise KgError(f"{where}: field 'pattern' must be a list of elements (mappings)")
        groups: dict[str, Constraint] = {}
        src = self._sequence(elements, where, groups)
        try:
            rx = regex.compile(src, regex.V0)
        except regex.error as exc:
            raise KgError(f"{where}: field 'pattern' does not compile ({exc})") from None
        self._cache.clear()
        self._word_set = None
        self._idx = None
        fixed = [self.constraint(e, where) for e in _fixed_elements(elements)]
        words = [frozenset(self._words_of(c)) for c in fixed] + self._alternative_words(elements, where)
        self._fixed.update(*words)
        self._automaton, self._last_text = None, None
        kinds = [frozenset(_as_tuple(e["mention"])) for e in _required_mentions(elements)]
        return Pattern(elements, rx, groups, "".join(self.feature(c) for c in fixed), words, kinds)

    def _alternative_words(self, elements: list, where: str) -> list[frozenset[str]]:
        """For each alternative every match passes through (any: without ? or *), the words one of
        which it must hold when each of its branches has a fixed word: the sentence-level filter
        of a rule whose fixed words are all inside alternatives."""
        out = []
        for e in elements:
            if not (isinstance(e, dict) and "any" in e and _at_least_once(e.get("op"))):
                continue
            branches = []
            for alt in e["any"]:
                if not isinstance(alt, list):
                    break
                sets = [frozenset(self._words_of(self.constraint(x, where))) for x in _fixed_elements(alt)]
                sets += self._alternative_words(alt, where)
                if not sets:
                    break
                branches.append(max(sets, key=_rarity))
            else:
                out.append(frozenset().union(*branches))
        return out

    def _words_of(self, c: Constraint) -> set[str]:
        words = set(c.text) if c.text is not None else set().union(*(self.vocab[n] for n in c.in_))
        return words & set().union(*(self.vocab[n] for n in c.in_)) if c.text is not None and c.in_ else words

    def _sequence(self, elements, where: str, groups: dict) -> str:
        if not isinstance(elements, list):
            raise KgError(f"{where}: a pattern sequence must be a list of elements")
        return "".join(self._element(e, where, groups) for e in elements)

    def _element(self, e, where: str, groups: dict) -> str:
        if not isinstance(e, dict) or not e:
            raise KgError(f"{where}: every pattern element must be a mapping, not {e!r}")
        unknown = set(e) - ELEMENT_KEYS
        if unknown:
            raise KgError(
                f"{where}: unknown pattern key {sorted(unknown)[0]!r} (one of {', '.join(sorted(ELEMENT_KEYS))})"
            )
        structure = [k for k in ("any", "use", "gap", *LOOKS) if k in e]
        tests = sorted(CONSTRAINT_KEYS & set(e))
        if structure and tests:
            raise KgError(f"{where}: {structure[0]!r} takes no test beside it ({tests[0]!r}): put it inside")
        for look, wrap in LOOKS.items():
            if look in e:
                return wrap.format(self._sequence(e[look], where, groups))
        if "use" in e:
            body = self._macro(e["use"], where, groups)
        elif "any" in e:
            alts = e["any"]
            if not isinstance(alts, list) or not alts:
                raise KgError(f"{where}: 'any' must list sequences")
            body = "(?:" + "|".join(self._sequence(a, where, groups) for a in alts) + ")"
        elif "gap" in e:
            body = self._gap(e["gap"], where) + ("?" if e.get("lazy") else "")
        else:
            c = self.constraint(e, where)
            body = self._unit(c)
            if e.get("group"):
                if c.mention is None:
                    raise KgError(f"{where}: 'group' needs a 'mention' element")
                if "capture" not in e:
                    raise KgError(f"{where}: a 'group' element needs a 'capture'")
                groups[e["capture"]] = c
                sep = self._unit(Constraint(in_=("coordinators",)))
                comma = self._unit(Constraint(text=frozenset({"，", ","})))
                body = f"{body}(?:(?:{comma})?{sep}+{body})*"  # A、B和C; A，以及B
        body = self._op(body, e.get("op"), where)
        if "capture" in e:
            name = e["capture"]
            if not isinstance(name, str) or not name.isidentifier():
                raise KgError(f"{where}: capture name {name!r} must be a word")
            body = f"(?P<{name}>{body})"
        return body

    def _macro(self, name, where: str, groups: dict) -> str:
        """A named sequence of the rule files' ``macros:`` (TokensRegex's $MACRO), inlined."""
        if name not in self.macros:
            raise KgError(f"{where}: pattern uses the macro {name!r}, which no rule file defines")
        if name in self._using:
            raise KgError(f"{where}: the macro {name!r} uses itself")
        self._using.append(name)
        try:
            return "(?:" + self._sequence(self.macros[name], f"{where} (macro {name})", groups) + ")"
        finally:
            self._using.pop()

    def _gap(self, spec, where: str) -> str:
        if not (
            isinstance(spec, list)
            and len(spec) == 2
            and all(isinstance(n, int) for n in spec)
            and 0 <= spec[0] <= spec[1]
        ):
            raise KgError(f"{where}: 'gap' must be [min, max], two whole numbers")
        mark = self.feature(Constraint(predicate="clause_mark"))
        return f"(?:{START}(?![^{END}]*{mark})[^{END}]*{END}){{{spec[0]},{spec[1]}}}"

    @staticmethod
    def _op(body: str, op, where: str) -> str:
        if op is None:
            return body
        if op in OPS:
            return f"(?:{body}){op}"
        if isinstance(op, str) and regex.fullmatch(r"\{\d+,\d*\}", op):
            return f"(?:{body}){op}"
        raise KgError(f"{where}: op {op!r} must be ?, *, + or {{m,n}}")

    def _unit(self, c: Constraint) -> str:
        return f"{START}(?=[^{END}]*{self.feature(c)})[^{END}]*{END}"

    def constraint(self, e: dict, where: str) -> Constraint:
        keys = CONSTRAINT_KEYS & set(e)
        if not keys:
            raise KgError(f"{where}: a pattern element needs a test ({', '.join(sorted(CONSTRAINT_KEYS))})")
        for name in [*_as_tuple(e.get("in", ())), *_as_tuple(e.get("not_in", ()))]:
            if name not in self.vocab:
                raise KgError(f"{where}: pattern names the vocabulary list {name!r}, which does not exist")
        if e.get("predicate") is not None and e["predicate"] not in PREDICATES:
            raise KgError(f"{where}: unknown predicate {e['predicate']!r} (one of {', '.join(sorted(PREDICATES))})")
        if "regex" in e:
            try:
                self._regexes[e["regex"]] = regex.compile(e["regex"])
            except regex.error as exc:
                raise KgError(f"{where}: bad regular expression {e['regex']!r} ({exc})") from None
        mention = e.get("mention")
        return Constraint(
            mention=None if mention in (None, False) else (() if mention is True else _as_tuple(mention)),
            text=frozenset(_as_tuple(e["text"])) if "text" in e else None,
            regex=e.get("regex"),
            in_=_as_tuple(e.get("in", ())),
            not_in=_as_tuple(e.get("not_in", ())),
            pos=_as_tuple(e.get("pos", ())),
            punct=e.get("punct"),
            predicate=e.get("predicate"),
        )

    def present(self, text: str) -> set[str]:
        """The patterns' fixed words that occur in ``text``, in one pass (Aho–Corasick); the
        entity and the relation stage ask for the same sentence in turn, so the last answer is kept."""
        if not self._fixed:
            return set()
        if text == self._last_text:
            return self._last_present
        if self._automaton is None:
            self._automaton = ahocorasick.Automaton()
            for w in self._fixed:
                self._automaton.add_word(w, w)
            self._automaton.make_automaton()
        self._last_text, self._last_present = text, {w for _, w in self._automaton.iter(text)}
        return self._last_present

    def words(self) -> set[str]:
        """Every word the compiled patterns name (their texts and the words of their lists)."""
        out: set[str] = set()
        for c in self.features:
            out |= c.text or set()
            for name in c.in_:
                out |= self.vocab[name]
        return out

    def feature(self, c: Constraint) -> str:
        f = self.features.get(c)
        if f is None:
            f = self.features[c] = chr(FEATURE_BASE + len(self.features))
        return f

    # ---- matching ------------------------------------------------------------------
    def test(self, c: Constraint, u: Unit) -> bool:
        if (c.mention is None) != (u.mention is None):
            return False
        if c.mention:
            assert u.mention is not None  # checked above
            if not kinds(u.mention) & set(c.mention):
                return False
        if c.text is not None and u.text not in c.text:
            return False
        if c.regex is not None and not self._regexes[c.regex].fullmatch(u.text):
            return False
        if c.in_ and not any(u.text in self.vocab[n] for n in c.in_):
            return False
        if c.not_in and any(u.text in self.vocab[n] for n in c.not_in):
            return False
        if c.pos and not u.pos.startswith(c.pos):
            return False
        if c.punct is not None and _is_punct(u.text) != c.punct:
            return False
        return c.predicate is None or PREDICATES[c.predicate](u)

    def encode(self, u: Unit) -> str:
        """The unit's features between its delimiters: words looked up in one table, the few other
        tests run once per distinct (text, tag) or mention types and cached."""
        index = self._index()
        if u.mention is not None:
            key: tuple = (u.text if index.mention_text else "", kinds(u.mention))
            tests = index.mention
            words = ""
        else:
            key = (u.text, u.pos)
            tests = index.token
            words = index.words.get(u.text, "")
        hit = self._cache.get(key)
        if hit is None:
            if len(self._cache) > 200_000:
                self._cache.clear()
            hit = self._cache[key] = START + words + "".join(f for c, f in tests if self.test(c, u)) + END
        return hit

    def _index(self) -> "_Index":
        if self._idx is None:
            self._idx = _Index(self.features, self.vocab)
        return self._idx

    def sequence(self, units: list[Unit]) -> "Sequence":
        units = self._joined(units)
        return Sequence(units, [self.encode(u) for u in units])

    def _joined(self, units: list[Unit]) -> list[Unit]:
        """Tokens in a row that spell a word the patterns name (控股/股东 → 控股股东) become one unit,
        the longest first: the tokenizer's cut does not decide whether a pattern's word is there."""
        words = self._words()
        if not words:
            return units
        out: list[Unit] = []
        i = 0
        while i < len(units):
            j = self._longest(units, i, words)
            if j > i + 1:
                out.append(Unit("".join(u.text for u in units[i:j]), units[i].start, units[j - 1].end, ""))
                i = j
            else:
                out.append(units[i])
                i += 1
        return out

    def _longest(self, units: list[Unit], i: int, words: dict[str, int]) -> int:
        if units[i].mention is not None or units[i].text not in self._prefixes:
            return i + 1
        text, best = units[i].text, i + 1
        for j in range(i + 1, min(len(units), i + 6)):
            if units[j].mention is not None:
                break
            text += units[j].text
            if text in words:
                best = j + 1
            elif text not in self._prefixes:
                break
        return best

    def _words(self) -> dict[str, int]:
        if self._word_set is None:
            self._word_set = {w: len(w) for w in self.words() if len(w) >= 2}
            self._prefixes = {w[:k] for w in self._word_set for k in range(1, len(w))}
        return self._word_set

    def finditer(self, pattern: Pattern, seq: "Sequence"):
        """Every leftmost-longest match of ``pattern`` in the sentence, with its captures."""
        if any(f not in seq.text for f in pattern.required):
            return
        for m in pattern.rx.finditer(seq.text):
            if m.end() == m.start():
                continue
            lo, hi = seq.unit_range(m.start(), m.end())
            caps: dict[str, list[Unit]] = {}
            for name in m.groupdict():
                units = [u for x, y in m.spans(name) for u in seq.units[slice(*seq.unit_range(x, y))]]
                if not units:
                    continue  # every time a repeated capture matched counts (A董事长、B总经理)
                c = pattern.groups.get(name)
                caps[name] = [u for u in units if self.test(c, u)] if c is not None else units
            yield Match(seq.units[lo].start, seq.units[hi - 1].end, caps)


class _Index:
    """The features of a rule set sorted for encoding: a word table for the tests that only
    ask whether a token is one of some words, the rest to run."""

    def __init__(self, features: dict[Constraint, str], vocab: dict[str, frozenset[str]]):
        table: dict[str, list[str]] = {}
        self.token: list[tuple[Constraint, str]] = []
        self.mention: list[tuple[Constraint, str]] = []
        for c, f in features.items():
            if c.mention is not None:
                self.mention.append((c, f))
            elif _only_words(c):
                words = set(c.text or ()) if c.text is not None else set().union(*(vocab[n] for n in c.in_))
                if c.text is not None and c.in_:
                    words &= set().union(*(vocab[n] for n in c.in_))
                for w in words:
                    table.setdefault(w, []).append(f)
            else:
                self.token.append((c, f))
        self.words = {w: "".join(fs) for w, fs in table.items()}
        self.mention_text = any(c.text is not None or c.regex is not None for c, _ in self.mention)


def _fixed_elements(elements: list) -> list[dict]:
    """The elements whose words every match has: fixed ones, and the one element of a plain
    look-ahead or look-behind (the word must be there too)."""
    out = []
    for e in elements:
        if _fixed_words(e):
            out.append(e)
        for look in ("ahead", "behind"):
            inner = e.get(look) if isinstance(e, dict) else None
            if isinstance(inner, list):
                out += [x for x in inner if isinstance(x, dict) and _fixed_words(x)]
    return out


def _rarity(words: frozenset[str]) -> float:
    """How rare a set of words is taken to be: the longer its words, the rarer (由 is everywhere,
    共同发起成立 is not)."""
    return sum(map(len, words)) / max(1, len(words))


def _at_least_once(op) -> bool:
    """An element's op that lets it match no fewer than once (none, +, {m,n} with m ≥ 1)."""
    if op in (None, "+"):
        return True
    m = regex.fullmatch(r"\{(\d+),\d*\}", op) if isinstance(op, str) else None
    return m is not None and int(m.group(1)) >= 1


def _required_mentions(elements: list) -> list[dict]:
    """The mention elements every match passes through: top-level ones and those of a plain
    look-ahead or look-behind."""
    out = [e for e in elements if _required_mention(e)]
    for e in elements:
        for look in ("ahead", "behind"):
            inner = e.get(look) if isinstance(e, dict) else None
            if isinstance(inner, list):
                out += [x for x in inner if _required_mention(x)]
    return out


def _required_mention(e: dict) -> bool:
    """A top-level element every match passes through once at least: a mention of given types."""
    return (
        isinstance(e, dict)
        and e.get("mention") not in (None, True)
        and e.get("op") in (None, "+")
        and not (set(e) & {"any", "gap", "ahead", "not_ahead", "behind", "not_behind", "use"})
    )


def _fixed_words(e: dict) -> bool:
    """An element every match of its sequence passes through: one of some words, once at least."""
    plain = not (set(e) & {"any", "gap", "ahead", "not_ahead", "behind", "not_behind", "mention", "group"})
    return (
        plain
        and e.get("op") in (None, "+")
        and ("text" in e or "in" in e)
        and set(e) <= {"text", "in", "op", "capture"}
    )


def _only_words(c: Constraint) -> bool:
    """A token test that only asks whether the token is one of some words."""
    return (c.text is not None or bool(c.in_)) and not (
        c.regex or c.not_in or c.pos or c.punct is not None or c.predicate
    )


class Sequence:
    """A sentence's units and their encoding."""

    def __init__(self, units: list[Unit], codes: list[str]):
        self.units = units
        self.text = "".join(codes)
        self.offsets = []
        pos = 0
        for c in codes:
            self.offsets.append(pos)
            pos += len(c)

    def unit_range(self, a: int, b: int) -> tuple[int, int]:
        """The units [i, j) that the encoded characters [a, b) cover."""
        return bisect.bisect_right(self.offsets, a) - 1, bisect.bisect_left(self.offsets, b)


def units(text: str, tokens, mentions) -> list[Unit]:
    """The sentence as units: each mention (outermost, non-overlapping, in order) one unit,
    each token outside them another (a token a mention cuts keeps its outside part, untagged)."""
    out: list[Unit] = []
    starts = [t.start for t in tokens]
    pos = 0
    for m in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if m.start < pos:
            continue
        _tokens(out, text, tokens, starts, pos, m.start)
        out.append(Unit(m.text, m.start, m.end, "", m))
        pos = m.end
    _tokens(out, text, tokens, starts, pos, len(text))
    return out


def _tokens(out: list[Unit], text: str, tokens, starts: list[int], a: int, b: int) -> None:
    i = max(0, bisect.bisect_right(starts, a) - 1)
    while i < len(tokens) and tokens[i].start < b:
        t = tokens[i]
        s, e = max(a, t.start), min(b, t.end)
        if s < e:
            out.append(Unit(text[s:e], s, e, t.pos if (s, e) == (t.start, t.end) else ""))
        i += 1
