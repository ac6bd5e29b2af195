"""Extract relations between resolved mentions by applying the relation rules.

Each rule names triggers and a shape (where its arguments stand); the engine
finds coordinated groups (A、B和C), carries a sentence's topic into later
clauses, and drops hedged or denied statements (计划, 拟, 有望, 未 …).
Nested names give structural relations (a project named after its developer).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain

from ..model import Article, Entity, Mention, Relation, Sentence, nested
from ..rules.engine import RuleFilter, units
from ..rules.load import RelationRule, RuleSet
from ..text.lexicon import Lexicon

CLAUSE = re.compile(r"[，。；！？：,;!?]")
RESPECTIVE_TITLES = re.compile(r"[”\"](?:[、，,]|和|与|及)[“\"]")
QUOTES = '“”"‘’「」《》 '
TOPIC_TYPES = ("Company", "Institution", "Place", "Project")


@dataclass
class _Ctx:
    sent: Sentence
    article: Article
    doc: str
    mentions: list[Mention]  # top-level, resolved, ordered
    history: list[Mention]  # resolved mentions of the article before this sentence
    every: list[Mention] = field(default_factory=list)  # the sentence's mentions, nested ones too

    @property
    def text(self) -> str:
        return self.sent.text

    def clause(self, pos: int) -> tuple[int, int]:
        """[start, end) of the clause around ``pos``: between the clause marks either side."""
        marks = self.marks
        k = bisect_left(marks, pos)
        start = marks[k - 1] + 1 if k else 0
        return start, marks[k] if k < len(marks) else len(self.text)

    @cached_property
    def heads(self) -> dict[int, Mention]:
        """A top mention's id → the organisation heading its name (for rules with ``head``)."""
        return _heads(self.mentions, self.every)

    @cached_property
    def marks(self) -> list[int]:
        """The positions of the clause marks of the sentence, in order."""
        return [m.start() for m in CLAUSE.finditer(self.text)]

    # The mentions are top-level (none inside another), so ordered by start they are ordered
    # by end too: the ones in a stretch of the sentence are found by bisection, not by a scan.
    @cached_property
    def starts(self) -> list[int]:
        return [m.start for m in self.mentions]

    @cached_property
    def ends(self) -> list[int]:
        return [m.end for m in self.mentions]

    def upto(self, pos: int) -> int:
        """How many mentions end at or before ``pos`` (they come first)."""
        return bisect_right(self.ends, pos)

    def within(self, lo: int, hi: int) -> list[Mention]:
        """The mentions inside [lo, hi), in order."""
        a = bisect_left(self.starts, lo)
        return self.mentions[a : max(a, bisect_right(self.ends, hi))]


def _pairs(members: list[Mention], respectively: bool) -> list[tuple[Mention, Mention]]:
    """Each two members (A、B、C 签署); with 分别, the first with each (A 与 B、C 分别签署)."""
    if respectively and len(members) > 2:
        return [(members[0], b) for b in members[1:]]
    return [(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]


def _ok(m: Mention | Entity, types: list[str]) -> bool:
    """The entity is of one of ``types``: a type (Institution) or a finer class (Alliance)."""
    ent = m.entity if isinstance(m, Mention) else m
    return ent is not None and (not types or bool((ent.types | ent.subtypes) & set(types)))


class RelationExtractor:
    def __init__(self, rules: RuleSet, lexicon: Lexicon):
        self.rules = rules.relation_rules
        self.filter = RuleFilter([r.compiled for r in self.rules])
        self.negations = set(rules.words("negations"))
        self.hedges = self.negations | set(rules.words("intentions"))
        self.party_words = set(rules.words("party_words"))
        self.coordinators = set(rules.words("coordinators"))  # 双方: the two joined by one of them
        self.lex = lexicon
        self.patterns = rules.patterns
        self.title_tails = sorted(rules.words("title_tails"), key=len, reverse=True)
        tails = "|".join(sorted(map(re.escape, rules.words("project_tails")), key=len, reverse=True))
        pointers = "|".join(sorted(map(re.escape, rules.words("demonstratives")), key=len, reverse=True))
        self.pointed = re.compile(f"(?:{pointers})({tails})") if tails and pointers else None  # 该项目

    # ---- entry point -------------------------------------------------------
    def extract(
        self, doc: str, article: Article, sent: Sentence, mentions: list[Mention], history: list[Mention]
    ) -> list[Relation]:
        inside = nested(mentions)
        tops = [m for m in mentions if m.entity is not None and id(m) not in inside]
        ctx = _Ctx(sent, article, doc, sorted(tops, key=lambda m: m.start), history, mentions)
        out: list[Relation] = []
        if not ctx.mentions:
            return out  # every relation pattern names a mention
        assert self.patterns is not None  # load_rules always gives the rule set its compiler
        present = self.patterns.present(ctx.text)
        kinds = {k for m in ctx.mentions if m.entity is not None for k in m.entity.types | m.entity.subtypes}
        for k in self.filter.possible(present, kinds):
            out += self._pattern(ctx, self.rules[k])
        return out

    # ---- token patterns (kg/rules/engine.py) ------------------------------------------------
    def _sequence(self, ctx: _Ctx):
        """The sentence's units (each outermost mention one), encoded once for every pattern rule."""
        seq = ctx.__dict__.get("_seq")
        if seq is None:
            assert self.patterns is not None  # load_rules always gives the rule set its compiler
            seq = ctx.__dict__["_seq"] = self.patterns.sequence(
                units(ctx.text, self.lex.tokens(ctx.text), ctx.mentions)
            )
        return seq

    def _pattern(self, ctx: _Ctx, rule: RelationRule) -> list[Relation]:
        out: list[Relation] = []
        assert self.patterns is not None and rule.compiled is not None  # a pattern rule is compiled on loading
        for m in self.patterns.finditer(rule.compiled, self._sequence(ctx)):
            c_lo, c_hi = ctx.clause(m.start)
            if rule.requires and not re.search(rule.requires, ctx.text[c_lo:c_hi]):
                continue
            if rule.unless and re.match(rule.unless, ctx.text[m.end :]):
                continue
            hedge = self.hedged(ctx, c_lo, m.end)
            if hedge == "negated":
                continue
            found = self._match(ctx, rule, m)
            for r in found:
                r.planned = hedge == "planned"
            out += found
        return out

    def _match(self, ctx: _Ctx, rule: RelationRule, m) -> list[Relation]:
        """The relations one match of the rule states."""
        subs = self._arguments(ctx, m.captures.get("subject", []) + m.captures.get("parties", []))
        objs = [u.mention for u in m.captures.get("object", []) if u.mention is not None]
        if not subs and "subject" in rule.topic:
            subs = self.topic(ctx, m.start, rule.object if rule.inverse else rule.subject)
        if not subs and rule.antecedent == "subject" and objs:
            subs = self._antecedent(ctx, objs[0], rule.subject)
        if not objs and rule.antecedent == "object" and subs:
            if rule.antecedent_pick == "topic":
                objs = self._topic_before(ctx, subs[0], rule.object)
            else:
                objs = self._antecedent(ctx, subs[0], rule.object, self._pointed_head(ctx, m.end))
        if rule.head == "object":
            objs = [ctx.heads.get(id(o), o) for o in objs]
        if rule.relation == "award":
            return self._awards(ctx, rule, m, subs)
        if not objs and "object" in rule.topic:
            objs = [t for t in self.topic(ctx, m.start, rule.object) if t not in subs]
        lo = min([m.start] + [x.start for x in subs])
        if rule.pairwise and not objs:
            return [
                r
                for a, b in _pairs(subs, "分别" in ctx.text[m.start : m.end])
                for r in self._rel(ctx, rule, a, b, lo, m.end)
            ]
        return self._emit(ctx, rule, subs, objs, lo, m.end)

    def _rel(
        self, ctx: _Ctx, rule: RelationRule, s: Mention | Entity, o: Mention | Entity | str, lo: int, hi: int
    ) -> list[Relation]:
        se = s.entity if isinstance(s, Mention) else s
        oe = o.entity if isinstance(o, Mention) else o
        if se is None or oe is None or se is oe:
            return []
        if not _ok(se, rule.subject) or (not isinstance(oe, str) and not _ok(oe, rule.object)):
            return []
        return [Relation(se, rule.relation, oe, rule.id, ctx.doc, ctx.article, ctx.sent, lo, hi)]

    def _emit(self, ctx, rule, left: list[Mention], right: list[Mention], lo: int, hi: int) -> list[Relation]:
        out = []
        for a in left:
            for b in right:
                s, o = (b, a) if rule.inverse else (a, b)
                out += self._rel(ctx, rule, s, o, lo, hi)
        return out

    # ---- argument finding --------------------------------------------------
    def topic(self, ctx: _Ctx, pos: int, types: list[str]) -> list[Mention]:
        """The sentence's first mention carries over as the subject of a later clause."""
        first = ctx.mentions[0] if ctx.mentions and ctx.mentions[0].end <= pos else None
        if first is None or not _ok(first, types or list(TOPIC_TYPES)):
            return []
        if CLAUSE.search(ctx.text, first.end, first.end + 1) is None:
            k = bisect_left(ctx.starts, ctx.clause(pos)[0])  # a mention of this clause before pos
            if k < len(ctx.mentions) and ctx.mentions[k].start < pos:
                return []
        return [first]

    def hedged(self, ctx: _Ctx, lo: int, hi: int) -> str:
        """Among the tokens inside [lo, hi]: "negated" for a negation or condition (未, 若),
        else "planned" for a word of intent (拟, 计划), else "" (counted from running totals)."""
        starts, ends, hedges, negations = self._hedges(ctx)
        a, b = bisect_left(starts, lo), bisect_right(ends, hi)
        if b <= a or hedges[b] == hedges[a]:
            return ""
        return "negated" if negations[b] > negations[a] else "planned"

    def _hedges(self, ctx: _Ctx) -> tuple[list[int], list[int], list[int], list[int]]:
        hit = ctx.__dict__.get("_hedges")
        if hit is None:
            toks = self.lex.tokens(ctx.text)
            hedges, negations = [0], [0]
            for t in toks:
                hedges.append(hedges[-1] + (t.text in self.hedges))
                negations.append(negations[-1] + (t.text in self.negations))
            hit = ctx.__dict__["_hedges"] = ([t.start for t in toks], [t.end for t in toks], hedges, negations)
        return hit

    def _awards(self, ctx: _Ctx, rule: RelationRule, m, subs: list[Mention]) -> list[Relation]:
        """Each subject is granted the title; A、B分别获评“T1”和“T2”: each its own, in order."""
        raw = ctx.text[m.captures["value"][0].start : m.captures["value"][-1].end]
        parts = RESPECTIVE_TITLES.split(raw)
        if len(subs) > 1 and len(parts) == len(subs) and "分别" in ctx.text[m.start : m.end]:
            pairs = list(zip(subs, (self._title_text(p) for p in parts)))
        else:
            pairs = [(s, self._title_text(raw)) for s in subs]
        return [r for s, v in pairs if 2 <= len(v) <= 30 for r in self._rel(ctx, rule, s, v, m.start, m.end)]

    def _title_text(self, text: str) -> str:
        """A title as granted: its quotes and a closing word (称号, 名单: the vocabulary's title_tails) dropped."""
        whole = text
        text = text.strip(QUOTES)
        if text.count("“") != text.count("”") and whole.count("“") == whole.count("”"):
            text = whole  # 国家级“绿色矿山”: the quotes are the title's own
        for tail in self.title_tails:
            if text.endswith(tail):
                text = text[: -len(tail)].strip(QUOTES)
                break
        if text.count("“") != text.count("”"):
            text = text.replace("“", "").replace("”", "")  # 2024年度“最美X: a quote the span cut in two
        return text

    def _arguments(self, ctx: _Ctx, captured: list) -> list[Mention]:
        """The mentions a capture holds; a word for both parties (双方) holds the two named last
        as 'A 与 B', in the sentence or earlier in the article."""
        out: list[Mention] = []
        for u in captured:
            if u.mention is not None:
                out.append(u.mention)
            elif u.text in self.party_words:
                out += self._parties(ctx, u.start)
        return out

    def _parties(self, ctx: _Ctx, pos: int) -> list[Mention]:
        here = [ctx.mentions[k] for k in range(ctx.upto(pos))]
        for ms in (here, ctx.history):
            for a, b in zip(reversed(ms[:-1]), reversed(ms[1:])):
                text = a.sentence.text if a.sentence else ""
                if a.sentence is b.sentence and text[a.end : b.start] in self.coordinators and a.entity is not b.entity:
                    return [a, b]
        return []

    @staticmethod
    def _antecedent(ctx: _Ctx, arg: Mention, types: list[str], head: str = "") -> list[Mention]:
        """The nearest entity of ``types`` named before ``arg``, in its sentence or earlier in the
        article (施工单位 X: the project the article is about), not ``arg`` nor a name inside it;
        with ``head`` (该项目 before the match), the nearest whose name ends in it, if one does."""
        here = (ctx.mentions[k] for k in range(ctx.upto(arg.start) - 1, -1, -1))
        nearest = None
        for m in chain(here, reversed(ctx.history)):
            if (
                m.entity is not None
                and m.entity is not arg.entity
                and _ok(m, types)
                and not (arg.start <= m.start and m.end <= arg.end and m.sentence is arg.sentence)
            ):
                if not head or m.entity.name.endswith(head):
                    return [m]
                nearest = nearest or m
        return [nearest] if nearest is not None else []

    def _pointed_head(self, ctx: _Ctx, pos: int) -> str:
        """The head word a demonstrative before ``pos`` in the sentence points back with (该项目: 项目;
        the match may hold it: 该|项目业主为X)."""
        if self.pointed is None:
            return ""
        hits = list(self.pointed.finditer(ctx.text, 0, pos))
        return hits[-1].group(1) if hits else ""

    @staticmethod
    def _topic_before(ctx: _Ctx, arg: Mention, types: list[str]) -> list[Mention]:
        """The topic of what was said before ``arg``: in the nearest sentence (this one first) naming
        an entity of ``types`` before it, the one named first (首批入驻的A…: the park the article
        opened with, not the zone it lies in)."""
        here = [m for m in ctx.mentions[: ctx.upto(arg.start)] if m.entity is not None and _ok(m, types)]
        if here:
            return [here[0]]
        last = next((m for m in reversed(ctx.history) if m.entity is not None and _ok(m, types)), None)
        if last is None:
            return []
        same = [m for m in ctx.history if m.sentence is last.sentence and m.entity is not None and _ok(m, types)]
        return [min(same, key=lambda m: (m.start, -m.end))]


def _heads(tops: list[Mention], mentions: list[Mention]) -> dict[int, Mention]:
    """For each top mention of an organisation, the longest other organisation heading its name
    (星禾大学 of 星禾大学党委)."""
    orgs = ("Company", "Institution")
    by_start: dict[int, list[Mention]] = {}
    for m in mentions:
        if m.entity is not None and m.type in orgs:
            by_start.setdefault(m.start, []).append(m)
    out = {}
    for t in tops:
        inner = [m for m in by_start.get(t.start, ()) if m.end < t.end and m.entity is not t.entity]
        if inner and t.type in orgs:
            out[id(t)] = max(inner, key=lambda m: m.end)
    return out


def structural(doc: str, articles: list[Article], mentions: list[Mention], gaz) -> list[Relation]:
    """Relations that a name's structure states: 复旦大学X学院 is part of 复旦大学; a project
    named after a company is developed by it; a place inside a place is part of it."""
    out: list[Relation] = []
    art_by_index = {a.index: a for a in articles}
    by_sentence: dict[int, list[Mention]] = {}
    for n in mentions:
        by_sentence.setdefault(id(n.sentence), []).append(n)
    starts: dict[int, tuple[list[int], list[int]]] = {}  # per sentence: its mentions' starts, sorted, and their places
    for sid, ms in by_sentence.items():
        ranked = sorted(range(len(ms)), key=lambda k: ms[k].start)
        starts[sid] = ([ms[k].start for k in ranked], ranked)
    for m in mentions:
        if m.entity is None or m.sentence is None:
            continue
        ms = by_sentence[id(m.sentence)]
        at, ranked = starts[id(m.sentence)]
        within = sorted(ranked[bisect_left(at, m.start) : bisect_left(at, m.end)])  # the mentions starting inside m
        inner = [
            n
            for n in (ms[k] for k in within)
            if n.entity is not None
            and n.entity is not m.entity
            and n.end < m.end
            and (n.start == m.start or _bracketed(m.sentence.text, n) or _its_project(n, m))
        ]
        heads = [n for n in inner if n.start == m.start]
        use = ([max(heads, key=lambda n: n.end)] if heads else []) + [n for n in inner if n.start != m.start]
        for n in use:
            assert n.entity is not None  # inner keeps resolved mentions only
            if n.entity.type == "Place" and n.start == m.start and len(m.text) - len(n.text) < 3:
                continue
            if _short_district(n, m, gaz):
                continue  # 江宁|路桥工程集团, 城阳|理工学院: a county's short form in a firm's name may be no place
            if n.entity.type == "Place" and n.entity.name in gaz.regions and m.entity.type != "Place":
                continue  # 闽南|理工学院: a region in a name says where it is from, not where it lies
            rel = _structure(n.entity, m.entity)
            if rel:
                s, p, o = rel
                out.append(
                    Relation(
                        s,
                        p,
                        o,
                        "struct.name_prefix"
                        if n.start == m.start
                        else "struct.unit_project"
                        if _its_project(n, m)
                        else "struct.bracket",
                        doc,
                        art_by_index.get(m.article),
                        m.sentence,
                        m.start,
                        m.end,
                    )
                )
    out += _hierarchy(doc, articles, mentions, gaz)
    return out


def _short_district(place: Mention, outer: Mention, gaz) -> bool:
    """A county or district written short (南海 for 南海区) at the head of an organisation's name."""
    assert outer.entity is not None
    if outer.entity.type not in ("Company", "Institution"):
        return False
    p = gaz.lookup(place.text)
    return p is not None and p.level == 3 and p.name != place.text


def _its_project(n: Mention, m: Mention) -> bool:
    """The project a project department is named after (星禾建工有限公司云栖铁路XQ-2标段项目部)."""
    return n.type == "Project" and m.subtype == "ProjectDepartment"


def _bracketed(text: str, n: Mention) -> bool:
    return n.start > 0 and text[n.start - 1] in "（(" and text[n.end : n.end + 1] in "）)"


def _structure(inner: Entity, outer: Entity):
    it, ot = inner.type, outer.type
    if "Alliance" in outer.subtypes or ("GovernmentBody" in outer.subtypes and it == "Place"):
        return None  # a government body or an alliance named by its place is not located there as such
    if it == "Place" and ot == "Place":
        return outer, "partOf", inner
    if it == "Place":
        return outer, "locatedIn", inner
    if it in ("Company", "Institution") and ot in ("Company", "Institution"):
        return outer, "subOrganizationOf", inner
    if it in ("Company", "Institution") and ot == "Project":
        return inner, "develops", outer
    if it == "Project" and "ProjectDepartment" in outer.subtypes:
        return outer, "builds", inner  # a sub-unit named after its project builds it
    if it == "Project" and ot == "Project":
        return outer, "partOf", inner
    return None


def _hierarchy(doc: str, articles: list[Article], mentions: list[Mention], gaz) -> list[Relation]:
    """松江区 partOf 上海市 when both are named in the document."""
    places: dict[str, Mention] = {}
    for m in mentions:
        if m.entity is not None and m.entity.type == "Place" and gaz.lookup(m.entity.name):
            places.setdefault(gaz.lookup(m.entity.name).adcode, m)
    out = []
    art_by_index = {a.index: a for a in articles}
    for _, m in sorted(places.items()):
        assert m.entity is not None and m.sentence is not None  # places holds resolved mentions of sentences
        parent = next((a for a in gaz.ancestors(m.entity.name) if a.adcode in places), None)
        if parent is not None and places[parent.adcode].entity is not m.entity:
            whole = places[parent.adcode].entity
            assert whole is not None  # as m's
            out.append(
                Relation(
                    m.entity,
                    "withinDivision",
                    whole,
                    "gazetteer.hierarchy",
                    doc,
                    art_by_index.get(m.article),
                    m.sentence,
                    m.start,
                    m.end,
                )
            )
    return out
