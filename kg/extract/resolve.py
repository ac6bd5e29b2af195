"""Resolve mentions of one document into entities: one node per real-world thing.

Merges full and short names (上海X桐医疗科技有限公司 / X桐医疗), names with and without
a place prefix, 简称 introductions and bare back-references (工作站, 经开区) to
the nearest fitting named entity of the article.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from ..model import Article, Entity, Mention
from .mentions import EntityExtractor, prune_nested
from .mentions import chars_in_order as _in_order

ALIAS_INTRO = re.compile(
    r"\d?[（(]\s*(?:以下)?(?:简称|下称)\s*[：:]?\s*[“\"「]?([^”\"」）)，,]{2,12})[”\"」]?\s*[）)]"  # （以下简称“Y”）
    r"|[，,]?\s*(?:简称|又称|也称)\s*[：:]?\s*[“\"「]?([^”\"」，,。；、]{2,12}?)[”\"」]?(?=[，,。；])"  # ，简称Y，
    # （English name，简称：Y）, （德语：…，缩写：Y）: the short name after the name in another language
    r"|\d?[（(][^（）()]{1,80}?[，,;；]\s*(?:英文缩写|英文简称|缩写为|简称|缩写)\s*[：:]?\s*[“\"]?([^”\"）)，,]{2,12})[”\"]?\s*[）)]"
)
ACRONYM = re.compile(r"\d?[（(]([A-Z][A-Za-z&-]{1,9})[）)]")  # 汇丰银行（HSBC）: an organisation's Latin short name
SHORT_IN_BRACKETS = re.compile(r"[（(]([\u4e00-\u9fff]{2,6})[）)]")  # 星禾旅游发展局（旅发局）


def introduced_name(m: Mention) -> str | None:
    """The short name written right after a name to introduce it: （以下简称“Y”）, （下称Y）, ，简称Y，, and
    for an organisation a Latin short form in brackets (（HSBC））."""
    text = m.sentence.text if m.sentence else ""
    hit = ALIAS_INTRO.match(text, m.end)
    if hit:
        return hit.group(1) or hit.group(2) or hit.group(3)
    if m.type in ("Company", "Institution"):
        acro = ACRONYM.match(text, m.end)
        if acro:
            return acro.group(1)
        short = SHORT_IN_BRACKETS.match(text, m.end)  # the name's own characters, in order, shortened
        if (
            short
            and len(short.group(1)) < len(m.text)
            and _in_order(short.group(1), m.text)
            and short.group(1)[0] in m.text[:4]
        ):
            return short.group(1)
    return None


def introductions(mentions: list[Mention]) -> dict[int, str]:
    """Each mention's introduced short name (by ``id``). A short name written after a place
    that is not the place's (X有限公司位于Y区，简称星禾装饰) is the name's, earlier in the
    sentence, whose characters it takes in order."""
    out: dict[int, str] = {}
    for m in mentions:
        intro = introduced_name(m)
        if not intro:
            continue
        if m.type == "Place" and not _in_order(intro, m.text):
            host = next(
                (
                    o
                    for o in reversed(mentions)
                    if o.sentence is m.sentence
                    and o.end <= m.start
                    and o.type in ("Company", "Institution")
                    and not o.bare
                    and _in_order(intro, o.text)
                ),
                None,
            )
            if host is not None:
                out.setdefault(id(host), intro)
                continue
        out.setdefault(id(m), intro)
    return out


CACHE_NAMES = 100_000  # names whose place prefix and short names are kept, across documents


@lru_cache(maxsize=65536)
def norm(text: str) -> str:
    """A comparison key: NFKC, no white space."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def compact(text: str) -> str:
    """A name as written, white space removed."""
    return "".join(text.split())


def unqualified(name: str) -> str:
    return re.sub(r"[（(][^）)]*[）)]$", "", name)


@lru_cache(maxsize=65536)
def defilled(name: str, fillers: tuple[str, ...]) -> str:
    for f in fillers:
        name = name.replace(f, "")
    return name


def family(t: str) -> str:
    return "org" if t in ("Company", "Institution") else t


@dataclass(frozen=True)
class _Names:
    """A name's comparison keys: normalised, leading place and the rest, the rest without fillers."""

    norm: str
    place: str
    rest: str
    defilled: str
    family: str
    short: str  # zone words written short (合肥经济技术开发区 → 合肥经开区)


@dataclass
class _Cluster:
    name: str
    type: str
    mentions: list[Mention] = field(default_factory=list)
    aliases: set[str] = field(default_factory=set)
    subtypes: set[str] = field(default_factory=set)
    names: _Names | None = None  # of name and type, made when first compared


def order(m: Mention) -> tuple[int, int, int]:
    return (m.article, m.sentence.index if m.sentence else 0, m.start)


def _family_name(name: str) -> str:
    """杜兰 of 约翰·杜兰: the last part of a transcribed name written with a dot or a hyphen."""
    parts = re.split(r"[·•・\-－]", name)
    return parts[-1] if len(parts) > 1 and len(parts[-1]) >= 2 else ""


class _Index:
    """The clusters of one document, with what finds them without comparing every mention
    with every cluster: each cluster under the keys by which a name can match it (its
    normalised name, aliases, suffixes, short names, the rest after a place, the name
    without fillers); the clusters whose names end in a bare word; the order of each
    cluster's named mentions per article; the mentions of each sentence."""

    def __init__(self, resolver: "Resolver"):
        self.r = resolver
        self.clusters: list[_Cluster] = []
        self.number: dict[int, int] = {}  # id(cluster) → its place in clusters
        self.keys: dict[tuple[str, str], list[int]] = {}
        self.by_name: dict[str, _Cluster] = {}
        self.words: dict[str, set[int]] = {}  # a name's ending → the clusters with a name ending so
        self._orders: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
        self._sentences: dict[int, list[Mention]] = {}

    def _put(self, kind: str, key: str, n: int) -> None:
        at = self.keys.setdefault((kind, key), [])
        if not at or at[-1] != n:
            at.append(n)

    def add(self, c: _Cluster) -> _Cluster:
        n = len(self.clusters)
        self.clusters.append(c)
        self.number[id(c)] = n
        self.by_name.setdefault(c.name, c)
        if c.names is None:
            c.names = self.r._names(c.name, c.type)
        cn = c.names
        self._put("eq", cn.norm, n)
        for whole in {cn.norm, cn.short}:
            for i in range(len(whole) - 3):
                self._put("suffix", whole[i:], n)
        if c.type == "Company":
            for short in self.r.short_names(c.name):
                self._put("short", short, n)
            brand = self.r.brand(cn.norm)
            if brand:
                self._put("brand", brand, n)
        if cn.rest:
            self._put("rest", cn.rest, n)
        if c.type == "Project":
            for tail in self.r.project_tails:
                if cn.norm.endswith(tail):
                    self._put("project", cn.norm[: -len(tail)], n)
        family_name = _family_name(c.name) if c.type == "Person" else ""
        if family_name:
            self._put("family", family_name, n)
        self._put("defilled", cn.defilled, n)
        for name in c.aliases | {c.name}:
            self._word_form(n, name)
        for alias in c.aliases:
            self._put("alias", alias, n)
        return c

    def alias(self, c: _Cluster, alias: str) -> None:
        if alias in c.aliases:
            return
        c.aliases.add(alias)
        n = self.number[id(c)]
        self._put("alias", alias, n)
        self._word_form(n, alias)

    def _word_form(self, n: int, name: str) -> None:
        """File the cluster under every ending of the name, as a bare word is compared with it
        (zone words short, a bracketed qualifier dropped)."""
        form = self.r.zone_short(unqualified(name))
        for i in range(len(form)):
            self.words.setdefault(form[i:], set()).add(n)

    def candidates(self, mn: _Names) -> list[_Cluster]:
        """The clusters a name may match (Resolver._matches decides), in the order they were made."""
        a = mn.norm
        keys = [("eq", a), ("alias", a), ("short", a), ("project", a), ("brand", a)]
        if len(self.keys.get(("family", a), ())) == 1:
            keys.append(("family", a))  # 史密斯 after 约什-史密斯 and 杰森-史密斯 is neither
        if len(a) >= 4:
            keys += [("suffix", a), ("defilled", mn.defilled)]
        if mn.rest:
            keys.append(("rest", mn.rest))
        found = sorted({n for k in keys for n in self.keys.get(k, ())})
        return [self.clusters[n] for n in found]

    def named(self, name: str) -> _Cluster | None:
        return self.by_name.get(name)

    def fits(self, word: str, fam: str) -> list[_Cluster]:
        """The clusters of a family with a name (zone words short, qualifier dropped) ending in ``word``."""
        found = self.words.get(word, ()) if word else range(len(self.clusters))
        return [self.clusters[n] for n in sorted(found) if family(self.clusters[n].type) == fam]

    def shortened(self, word: str, fam: str) -> list[_Cluster]:
        """光伏产业联盟 for 丙丁光伏产业技术创新战略联盟: a name shortened by dropping words keeps its
        first two characters together, its last two as the ending, and the rest in order."""
        if len(word) < 5:
            return []
        return [
            c
            for c in self.fits(word[-2:], fam)
            if word[:2] in c.name and _in_order(word[2:], c.name[c.name.index(word[:2]) + 2 :])
        ]

    def named_done(self, mentions: list[Mention]) -> None:
        """Every named mention has its cluster: what the bare ones look up can be indexed."""
        for m in mentions:
            self._sentences.setdefault(id(m.sentence), []).append(m)

    def orders(self, c: _Cluster, article: int) -> list[tuple[int, int, int]]:
        """The sorted positions of the cluster's named mentions in one article."""
        key = (id(c), article)
        hit = self._orders.get(key)
        if hit is None:
            hit = self._orders[key] = sorted(order(m) for m in c.mentions if m.article == article and not m.bare)
        return hit

    def in_sentence(self, sentence) -> list[Mention]:
        return self._sentences.get(id(sentence), [])


def inside_other_names(
    mentions: list[Mention], town_suffixes: tuple[str, ...] = ()
) -> dict[int, list[tuple[str, str]]]:
    """For each mention inside a longer named mention of its sentence of another type, inside a
    longer person's name, or a place heading a town's, a village's or a 地区's name (华北 in
    华北理工大学, 张明 in 张明华, 鼓楼 in 鼓楼社区, 京津冀 in 京津冀地区协同中心), the type of each
    such name and its words after the mention (理工大学): the mention may be a word of them."""
    names: dict[int, list[Mention]] = {}
    for m in mentions:
        if not m.bare:
            names.setdefault(id(m.sentence), []).append(m)
    out: dict[int, list[tuple[str, str]]] = {}
    for m in mentions:
        for n in names.get(id(m.sentence), ()):
            if not (n.start <= m.start and m.end <= n.end and n.span != m.span):
                continue
            tail = n.text[m.end - n.start :]
            if (
                n.type != m.type
                or m.type == "Person"
                or (m.type == "Place" and tail.startswith(town_suffixes + ("地区",)))
            ):
                out.setdefault(id(m), []).append((n.type, tail))
    return out


class Resolver:
    def __init__(self, extractor: EntityExtractor):
        self.ex = extractor
        v = extractor.rules.words
        self.legal = sorted(v("legal_forms"), key=len, reverse=True)
        self.long_legal = tuple(f for f in self.legal if len(f) >= 3)  # 有限公司, not 公司
        self.legal_set = set(self.legal)
        self.industry = sorted(v("industry_words"), key=len, reverse=True)
        self.industry_set = set(self.industry)
        self.activities = tuple(v("business_activities"))  # 长盛基金管理有限公司 is 长盛基金
        self.gov_suffixes = tuple(v("government_suffixes"))  # a bare 管委会 refers to the last one named
        self.capacity_verbs = tuple(v("capacity_verbs"))  # 年产: a project named by its output
        self.project_tails = tuple(v("project_tails"))  # X and X工程 are one project
        self.demonstratives = tuple(v("demonstratives"))  # 该, 这一: a bare word that refers back
        self.pronouns = frozenset(v("person_pronouns"))  # 他, 她: the person named last
        self.fillers = tuple(v("name_fillers"))  # words a short name may leave out (X产业园 = X园)
        self.zone_abbreviations = sorted(
            (tuple(p.split("=", 1)) for p in v("zone_abbreviations") if "=" in p), key=lambda p: -len(p[0])
        )
        self.gaz = extractor.gaz
        self._strip_cache: dict[str, tuple[str, str]] = {}
        self._short_cache: dict[str, set[str]] = {}

    # ---- names -------------------------------------------------------------
    def zone_short(self, name: str) -> str:
        """合肥经济技术开发区 as a reader shortens it: 合肥经开区 (the vocabulary's zone_abbreviations)."""
        for full, short in self.zone_abbreviations:
            if full in name:
                name = name.replace(full, short)
        return name

    def strip_place(self, name: str) -> tuple[str, str]:
        """(leading place, rest): 嘉兴经开区智能制造联盟 → (嘉兴经开区, 智能制造联盟)."""
        hit = self._strip_cache.get(name)
        if hit is None:
            if len(self._strip_cache) >= CACHE_NAMES:
                self._strip_cache.clear()
            hit = self._strip_cache[name] = self._strip_place(name)
        return hit

    def _strip_place(self, name: str) -> tuple[str, str]:
        best = ""
        for n in range(min(len(name) - 2, 12), 1, -1):
            head = name[:n]
            if (
                self.gaz.lookup(head)
                or head in self.gaz.regions
                or any(head.endswith(s) for s in ("经开区", "开发区", "高新区", "新区", "新城", "园区"))
            ):
                best = head
                break
        return best, name[len(best) :]

    def short_names(self, name: str) -> set[str]:
        """Short names a company is called by: place, legal form and industry words stripped."""
        hit = self._short_cache.get(name)
        if hit is None:
            if len(self._short_cache) >= CACHE_NAMES:
                self._short_cache.clear()
            hit = self._short_cache[name] = self._short_names(name)
        return hit

    def _short_names(self, name: str) -> set[str]:
        core = re.sub(r"[（(][^）)]*[）)]", "", name)
        form = next((lf for lf in self.legal if core.endswith(lf)), "")
        core = core[: len(core) - len(form)]
        if core == name or len(core) < 2:
            return set()
        whole = core + "集团" if form.startswith("集团") else ""
        _, core = self.strip_place(core)
        out = {core, whole} - {""}
        bracket = re.search(r"[（(]([^）)]{2,6})[）)]", name)
        if bracket and self.gaz.lookup(bracket.group(1)):
            out |= {core + bracket.group(1), core + bracket.group(1) + "公司"}  # X（青岛）有限公司 is X青岛公司
        act = next((a for a in self.activities if core.endswith(a)), "")
        if act and any(core[: -len(act)].endswith(w) for w in self.industry) and len(core) - len(act) >= 4:
            out |= {core[: -len(act)], core[: -len(act)] + "公司"}
        if form.startswith("集团") and len(core) >= 3 and not self._industry_only(core):
            out |= {core + "集团", core + "公司"}  # 宝武钢铁集团有限公司 is 宝武钢铁集团
        for tail in ("科技", "技术", "集团", "股份", "控股", "实业", "发展"):
            if core.endswith(tail) and len(core) - len(tail) >= 2:
                if not self._industry_only(core[: -len(tail)]):
                    out.add(core[: -len(tail)] + "公司")  # 华为技术有限公司 is 华为公司
                if len(core) - len(tail) >= 3:
                    out.add(core[: -len(tail)])
        for c in list(out):
            ind = next((w for w in self.industry if c.endswith(w)), None)
            if ind:
                for i in range(1, len(c) - len(ind) - 1):
                    out.add(c[i:])
                stem = c[: -len(ind)]
                out.update(
                    stem + ind[:k] for k in range(2, len(ind)) if len(stem) >= 2 and ind[:k] in self.industry_set
                )
                if len(stem) >= 4:
                    out.add(stem)  # 星澜智能装备 is 星澜智能
                if len(stem) >= 2 and len(ind) == 3:
                    out.add(stem + ind[:2])  # 星澜新材料 is 星澜新材
        brand = self._brand_of(core)
        if brand:
            out.add(brand + "公司")  # 四川星澜新材料科技有限公司 is 星澜公司
        return {c for c in out if len(c) >= 3 and not self._industry_only(c)}

    def _brand_of(self, core: str) -> str:
        """星澜 of 星澜新材料科技: the two or three characters left when the trade words are taken off."""
        while True:
            ind = next((w for w in self.industry if core.endswith(w) and len(core) > len(w)), None)
            if ind is None:
                break
            core = core[: -len(ind)]
        return core if 2 <= len(core) <= 3 and not self._industry_only(core) and not self.gaz.lookup(core) else ""

    def brand(self, name: str) -> str:
        """星禾 of 星禾基金 (or 星禾基金公司): the two or three characters before the trade word a
        company's short name ends in (none for a fuller legal name, a trade word alone, a place)."""
        form = next((lf for lf in self.legal if name.endswith(lf) and len(lf) <= 2), "")  # 公司, not 有限公司
        core = name[: len(name) - len(form)]
        ind = next((w for w in self.industry if core.endswith(w)), "")
        stem = core[: -len(ind)] if ind else ""
        if not 2 <= len(stem) <= 3 or self._industry_only(stem) or self.gaz.lookup(stem):
            return ""
        return stem

    def _industry_only(self, name: str) -> bool:
        """新能源科技: industry words only, a kind of company and no one's name."""
        if name in self.industry_set:
            return True
        return any(
            name.endswith(w) and (name[: -len(w)] in self.industry_set or self._industry_only(name[: -len(w)]))
            for w in self.industry
            if len(w) < len(name)
        )

    # ---- pass 2: find known names everywhere -------------------------------
    def known_names(self, mentions: list[Mention]) -> dict[str, Mention]:
        names: dict[str, Mention] = {}
        intros = introductions(mentions)
        for m in mentions:
            if m.bare or m.type == "Person" or len(m.text) < 3:
                continue
            names.setdefault(m.text, m)
            if m.type == "Company":
                for s in sorted(self.short_names(m.text)):
                    names.setdefault(s, m)
            intro = intros.get(id(m))
            if intro:
                names.setdefault(intro, m)
        return names

    def add_known(self, articles: list[Article], by_sentence: dict[int, list[Mention]]) -> None:
        """Add a mention wherever a name known from elsewhere in the document occurs."""
        allm = [m for ms in by_sentence.values() for m in ms]
        names = self.known_names(allm)
        if not names:
            return
        rank = {n: k for k, n in enumerate(sorted(names, key=lambda n: (-len(n), n)))}  # longer names first
        by_head: dict[str, list[str]] = {}
        for n in names:
            by_head.setdefault(n[:2], []).append(n)
        for art in articles:
            for sent in art.sentences:
                ms = by_sentence.setdefault(id(sent), [])
                toks = self.ex.tokens(sent)
                bounds = {t.start for t in toks} | {t.end for t in toks}
                spans = {(m.start, m.end) for m in ms}
                ends_at: dict[int, list[int]] = {}  # end → starts of the sentence's mentions
                starts_at: dict[int, list[int]] = {}  # start → ends
                for m in ms:
                    ends_at.setdefault(m.end, []).append(m.start)
                    starts_at.setdefault(m.start, []).append(m.end)
                added = False
                for name, s in self._occurrences(sent.text, by_head, rank):
                    e = s + len(name)
                    if (s, e) in spans or (len(name) < 4 and not (s in bounds and e in bounds)):
                        continue
                    if self._crossed(s, e, ends_at, starts_at):
                        continue
                    src = names[name]
                    if name != src.text and self._heads_legal_name(ms, s, e, src.text):
                        continue  # 星禾海洋|工程集团股份有限公司: another firm's name, not 星禾海洋重工's short one
                    ms.append(Mention(name, src.type, s, e, "resolve.known_name", sent, art.index, src.subtype))
                    spans.add((s, e))
                    ends_at.setdefault(e, []).append(s)
                    starts_at.setdefault(s, []).append(e)
                    added = True
                if added:
                    ms = self._output_projects_headed(ms)
                    by_sentence[id(sent)] = prune_nested(sorted(ms, key=lambda m: (m.start, -m.end)))

    def _output_projects_headed(self, ms: list[Mention]) -> list[Mention]:
        """A project named by its output right after a company's known name takes the name as its
        head, as project.capacity does for a name found first (星禾新材|年产6万吨X项目)."""
        heads = {m.end: m for m in ms if m.type == "Company" and m.rule == "resolve.known_name"}
        out = []
        for m in ms:
            c = heads.get(m.start)
            if c is not None and m.type == "Project" and not m.bare and m.text.startswith(self.capacity_verbs):
                m = Mention(c.text + m.text, "Project", c.start, m.end, m.rule, m.sentence, m.article, m.subtype)
            out.append(m)
        return out

    def _heads_legal_name(self, ms: list[Mention], s: int, e: int, own: str) -> bool:
        """Another company's full legal name (not ``own``) starts at ``s`` and goes on past ``e``."""
        return any(
            m.start == s and m.end > e and m.type == "Company" and m.text != own and m.text.endswith(self.long_legal)
            for m in ms
        )

    @staticmethod
    def _crossed(s: int, e: int, ends_at: dict[int, list[int]], starts_at: dict[int, list[int]]) -> bool:
        """A mention starts before [s, e) and ends inside it, or starts inside it and ends after:
        the span would cut it. Only the positions inside the span are looked at."""
        for p in range(s + 1, e):
            if any(a < s for a in ends_at.get(p, ())) or any(b > e for b in starts_at.get(p, ())):
                return True
        return False

    @staticmethod
    def _occurrences(text: str, by_head: dict[str, list[str]], rank: dict[str, int]):
        """Every occurrence of every name, longer names first, overlaps allowed: the names
        that start at each position are looked up by their first two characters."""
        found = []
        for i in range(len(text) - 1):
            for name in by_head.get(text[i : i + 2], ()):
                if text.startswith(name, i):
                    found.append((rank[name], i, name))
        found.sort()
        return [(name, i) for _, i, name in found]

    # ---- clustering --------------------------------------------------------
    def _key(self, m: Mention) -> str:
        if m.type == "Place":
            return norm(self.gaz.canonical(m.text))
        return norm(m.text)

    def _names(self, text: str, typ: str) -> _Names:
        a = norm(text)
        pa, ra = self.strip_place(a)
        return _Names(a, pa, ra, defilled(ra, self.fillers), family(typ), self.zone_short(a))

    def _matches(self, m: Mention, c: _Cluster, mn: _Names | None = None) -> bool:
        mn = mn or self._names(m.text, m.type)
        if c.names is None:
            c.names = self._names(c.name, c.type)
        cn = c.names
        a, b = mn.norm, cn.norm
        if mn.family != cn.family and not (m.rule.endswith("list") or "list" in m.rule):
            return False
        if a == b or a in c.aliases:
            return True
        if len(a) >= 4 and (b.endswith(a) or cn.short.endswith(a)) and a not in self.ex.all_suffixes:
            return True
        if c.type == "Company" and a in self.short_names(c.name):
            return True
        if c.type == m.type == "Person" and len(a) >= 2 and a == _family_name(c.name):
            return True  # 杜兰 is 约翰·杜兰, named in full before
        if c.type == m.type == "Company" and a == self.brand(b):
            return True  # 云栖 is 云栖基金, named before in the document
        pa, ra, pb, rb = mn.place, mn.rest, cn.place, cn.rest
        if ra and ra == rb and (pa or pb) and (not pa or pb.startswith(pa) or pa.startswith(pb)):
            return len(ra) >= 4
        if c.type == "Project" and b.startswith(a) and b[len(a) :] in self.project_tails:
            return True
        if len(a) >= 4 and m.type == c.type and mn.defilled == cn.defilled:
            return len(mn.defilled) >= 3 and (not pa or not pb or pb.startswith(pa) or pa.startswith(pb))
        return False

    def cluster(self, mentions: list[Mention]) -> list[_Cluster]:
        ix = _Index(self)
        by_key: dict[str, _Cluster] = {}
        named = [m for m in mentions if not m.bare]
        named.sort(key=lambda m: (-len(self._key(m)), m.rule.startswith("resolve"), order(m)))
        intros = introductions([m for m in named if m.type != "Person"])
        introduced = self._introduced(named, intros)
        for m in named:
            key = self._key(m)
            mn = self._names(m.text, m.type)
            c = (
                by_key.get(key)
                or by_key.get(introduced.get(key, ""))
                or next((c for c in ix.candidates(mn) if self._matches(m, c, mn)), None)
            )
            if c is None:
                name = self.gaz.canonical(m.text) if m.type == "Place" else m.text
                c = ix.add(_Cluster(compact(name), m.type))
            by_key[key] = c
            c.mentions.append(m)
            ix.alias(c, compact(m.text))
            intro = intros.get(id(m))
            if intro:
                ix.alias(c, compact(intro))  # a short name introduced is a name, used later or not
            if m.subtype:
                c.subtypes.add(m.subtype)
        ix.named_done(mentions)
        for m in sorted((m for m in mentions if m.bare and self._refers(m)), key=order):
            c = self._antecedent(m, ix)
            if c is not None:
                c.mentions.append(m)
                if len(compact(m.text)) >= 3 or m.type == "Institution":
                    ix.alias(c, compact(m.text))  # 该项目 points back; 项目 names nothing
        return ix.clusters

    def _introduced(self, named: list[Mention], intros: dict[int, str]) -> dict[str, str]:
        """星禾新材料科技有限公司（以下简称“星禾新材”）: the short name's key → the key of the
        name it is introduced for, whatever the short name's form (``intros``: each mention's)."""
        out: dict[str, str] = {}
        for m in named:
            intro = intros.get(id(m))
            if intro:
                out.setdefault(norm(intro), self._key(m))
        return out

    def _refers(self, bare: Mention) -> bool:
        """A bare word that may point back: not a legal form alone (公司, 集团), unless a
        demonstrative says it does (该公司, 这家集团)."""
        return compact(bare.text) not in self.legal_set or self._demonstrative(bare)

    @staticmethod
    def _opens_sentence(bare: Mention) -> bool:
        """项目总投资…, 工程全线划分为…: a project's head word that opens a sentence is its subject, the
        project the article is about."""
        return bare.type == "Project" and bare.start == 0

    def _demonstrative(self, bare: Mention) -> bool:
        """该项目, 这一项目, 此项目: a short head that points back to what the article just named."""
        text = bare.sentence.text if bare.sentence else ""
        return text[max(0, bare.start - 2) : bare.start].endswith(self.demonstratives)

    def _antecedent(self, bare: Mention, ix: "_Index") -> _Cluster | None:
        word = compact(bare.text)
        if word in self.pronouns:
            return self._nearest_person(bare, ix)
        pointing = len(word) < 3 and bare.type != "Institution"
        if pointing and not (self._demonstrative(bare) or bare.type == "Place" or self._opens_sentence(bare)):
            return None  # 该项目 and 落户园区 point back; a bare 项目 does not, unless it opens the sentence
        fits = ix.fits(word, family(bare.type)) or ix.shortened(word, family(bare.type))
        if not fits:
            return self._synthesise(bare, ix)
        at = order(bare)
        before, after = self._closest(fits, ix, at)
        if before is not None:
            return (self._demonstrative(bare) and self._topic(fits, ix, at)) or before
        if pointing:
            return None
        if after is not None:
            return after
        return fits[0] if len(fits) == 1 and len(word) >= 3 else None

    @staticmethod
    def _closest(fits: list[_Cluster], ix: "_Index", at: tuple[int, int, int]):
        """The fitting clusters named nearest before and nearest after ``at`` in its article."""
        before = after = None  # (order, cluster)
        for c in fits:
            orders = ix.orders(c, at[0])
            k = bisect_left(orders, at)
            if k and (before is None or orders[k - 1] > before[0]):
                before = (orders[k - 1], c)
            k = bisect_right(orders, at)
            if k < len(orders) and (after is None or orders[k] < after[0]):
                after = (orders[k], c)
        return (before[1] if before else None), (after[1] if after else None)

    @staticmethod
    def _topic(fits: list[_Cluster], ix: "_Index", at: tuple[int, int, int]) -> _Cluster | None:
        """该公司 points to the topic: in the nearest sentence before it that names one of the
        fitting entities, the one named first (its subject), not the one named last."""
        best: tuple[tuple[int, int], int] | None = None  # ((article, sentence), -start)
        pick = None
        for c in fits:
            orders = ix.orders(c, at[0])
            k = bisect_left(orders, at)
            if not k:
                continue
            sent = orders[k - 1][:2]
            first = orders[bisect_left(orders, (*sent, -1))]
            key = (sent, -first[2])
            if best is None or key > best:
                best, pick = key, c
        return pick

    def _nearest_person(self, bare: Mention, ix: "_Index") -> _Cluster | None:
        """他, 她: the person named last before, in the sentence or earlier in the article."""
        return self._closest(ix.fits("", "Person"), ix, order(bare))[0]

    def _synthesise(self, bare: Mention, ix: "_Index") -> _Cluster | None:
        """高新区党工委书记、管委会副主任: the bare 管委会 shares the place of the body before it;
        X开发区（以下简称“X高新区”）管委会: the zone's body, named with the zone."""
        if not bare.text.endswith(self.gov_suffixes):
            return None
        zone = self._zone_before_aside(bare, ix)
        if zone is not None:
            return zone
        prev = [
            m
            for m in ix.in_sentence(bare.sentence)
            if m.end <= bare.start and not m.bare and m.type == "Institution" and m.text.endswith(self.gov_suffixes)
        ]
        if not prev:
            return None
        p = max(prev, key=lambda m: m.end)
        place, _ = self.strip_place(p.text)
        if not place:
            return None
        name = compact(place + bare.text)
        c = ix.named(name)
        if c is None:
            c = ix.add(_Cluster(name, "Institution", subtypes={"GovernmentBody"}))
        return c

    def _zone_before_aside(self, bare: Mention, ix: "_Index") -> _Cluster | None:
        """The body of the place named right before a bracketed aside that ends where ``bare``
        starts (X开发区（以下简称“Y”）管委会 is X开发区管委会, also called Y管委会)."""
        text = bare.sentence.text if bare.sentence else ""
        for m in ix.in_sentence(bare.sentence):
            if m.bare or m.type != "Place" or m.end >= bare.start:
                continue
            aside = text[m.end : bare.start]
            if not (aside[:1] in "（(" and aside[-1:] in "）)" and len(aside) <= 16):
                continue
            name = compact(m.text + bare.text)
            c = ix.named(name) or ix.add(_Cluster(name, "Institution", subtypes={"GovernmentBody"}))
            intro = ALIAS_INTRO.match(aside)
            short = next((g for g in intro.groups() if g), None) if intro else None
            if short:
                ix.alias(c, compact(short + bare.text))
            return c
        return None

    # ---- entities ------------------------------------------------------------
    def _word_of_names(self, c: _Cluster, inside: dict[int, list[tuple[str, str]]]) -> bool:
        """A cluster written only inside other names that is a word of them, not a thing the text
        names: a place that names no place there (华北 of 华北星禾集团), a project or a body heading
        a firm's legal form (星禾路桥工程 of 星禾路桥工程有限公司), a person's name inside a longer
        one, or one the tagger guessed inside an organisation's or a project's (星禾 of 星禾铁路)."""
        if not all(id(m) in inside for m in c.mentions):
            return False
        if c.type == "Place":
            return not self._names_a_place(c)
        if c.type in ("Project", "Institution"):
            return all(any(t.startswith(self.long_legal) for _, t in inside[id(m)]) for m in c.mentions)
        if c.type == "Person":
            return all(m.rule == "lexicon.persons" or any(k == "Person" for k, _ in inside[id(m)]) for m in c.mentions)
        return False

    def _names_a_place(self, c: _Cluster) -> bool:
        """A place written only inside names still names one when it is a country, a province or
        a city (上海星禾有限公司), or a division written in full (海淀区星禾中心); a region (华北)
        or a county's short form (南屿 of 南屿港航集团) is a word of the name."""
        p = self.gaz.places.get(c.name)
        return (
            c.name in self.gaz.countries
            or (p is not None and p.level <= 2)
            or any(m.text in self.gaz.places for m in c.mentions)
        )

    def resolve(self, mentions: list[Mention], doc_id: str) -> list[Entity]:
        entities = []
        inside = inside_other_names(mentions, self.ex.town_suffixes)
        for c in self.cluster(mentions):
            if not any(not m.bare for m in c.mentions) and not c.subtypes & {"GovernmentBody"}:
                continue
            if self._word_of_names(c, inside):
                continue
            names = {compact(m.text) for m in c.mentions if not m.bare}
            label = (
                c.name  # a place the table knows goes by its table name (瑞士, not 瑞士联邦), in every document
                if c.type == "Place" and self.gaz.lookup(c.name)
                else max(names or {c.name}, key=lambda n: (len(n), n))
            )
            aliases = (c.aliases | names | {c.name}) - {label}
            e = Entity(
                name=label,
                types={c.type},
                aliases=aliases,
                subtypes=set(c.subtypes),
                mentions=list(c.mentions),
                documents={doc_id},
            )
            if c.type == "Place":
                e.adcode = self.gaz.unique_code(label)
                e.parent_adcode = self.gaz.parent_code(e.adcode)
            for m in c.mentions:
                m.entity = e
            entities.append(e)
        return entities
