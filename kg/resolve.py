"""Resolve mentions of one document into entities: one node per real-world thing.

Merges full and short names (上海X桐医疗科技有限公司 / X桐医疗), names with and without
a place prefix, 简称 introductions and bare back-references (工作站, 经开区) to
the nearest fitting named entity of the article.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from .entities import EntityExtractor, prune_nested
from .model import Article, Entity, Mention

GOV_SUFFIXES = ("管委会", "管理委员会", "党工委", "党委", "政府", "人民政府", "委员会", "常委会")
PROJECT_TAILS = ("工程", "项目", "工程项目", "站")
ALIAS_INTRO = re.compile(r"[（(]\s*(?:以下)?简称\s*[“\"「]?([^”\"」）)]{2,12})[”\"」]?\s*[）)]")


DEMONSTRATIVES = ("该", "此", "这一", "这个", "这")


@lru_cache(maxsize=65536)
def norm(text: str) -> str:
    """A comparison key: NFKC, no white space."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def compact(text: str) -> str:
    """A name as written, white space removed."""
    return "".join(text.split())


def unqualified(name: str) -> str:
    return re.sub(r"[（(][^）)]*[）)]$", "", name)


FILLERS = ("产业", "科技")



@lru_cache(maxsize=65536)
def defilled(name: str) -> str:
    for f in FILLERS:
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
    short: str          # zone words written short (合肥经济技术开发区 → 合肥经开区)


@dataclass
class _Cluster:
    name: str
    type: str
    mentions: list[Mention] = field(default_factory=list)
    aliases: set[str] = field(default_factory=set)
    subtypes: set[str] = field(default_factory=set)
    names: _Names | None = None       # of name and type, made when first compared


def order(m: Mention) -> tuple[int, int, int]:
    return (m.article, m.sentence.index if m.sentence else 0, m.start)


class Resolver:
    def __init__(self, extractor: EntityExtractor):
        self.ex = extractor
        v = extractor.rules.words
        self.legal = sorted(v("legal_forms"), key=len, reverse=True)
        self.legal_set = set(self.legal)
        self.industry = sorted(v("industry_words"), key=len, reverse=True)
        self.industry_set = set(self.industry)
        self.zone_abbreviations = sorted((tuple(p.split("=", 1)) for p in v("zone_abbreviations") if "=" in p),
                                         key=lambda p: -len(p[0]))
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
            hit = self._strip_cache[name] = self._strip_place(name)
        return hit

    def _strip_place(self, name: str) -> tuple[str, str]:
        best = ""
        for n in range(min(len(name) - 2, 12), 1, -1):
            head = name[:n]
            if self.gaz.lookup(head) or head in self.gaz.regions or \
                    any(head.endswith(s) for s in ("经开区", "开发区", "高新区", "新区", "新城", "园区")):
                best = head
                break
        return best, name[len(best):]

    def short_names(self, name: str) -> set[str]:
        """Short names a company is called by: place, legal form and industry words stripped."""
        hit = self._short_cache.get(name)
        if hit is None:
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
        if form.startswith("集团") and len(core) >= 3 and not self._industry_only(core):
            out |= {core + "集团", core + "公司"}     # 宝武钢铁集团有限公司 is 宝武钢铁集团
        for tail in ("科技", "技术", "集团", "股份", "控股", "实业", "发展"):
            if core.endswith(tail) and len(core) - len(tail) >= 2:
                if not self._industry_only(core[: -len(tail)]):
                    out.add(core[: -len(tail)] + "公司")   # 华为技术有限公司 is 华为公司
                if len(core) - len(tail) >= 3:
                    out.add(core[: -len(tail)])
        for c in list(out):
            ind = next((w for w in self.industry if c.endswith(w)), None)
            if ind:
                for i in range(1, len(c) - len(ind) - 1):
                    out.add(c[i:])
                stem = c[: -len(ind)]
                out.update(stem + ind[:k] for k in range(2, len(ind)) if len(stem) >= 2 and ind[:k] in self.industry_set)
        return {c for c in out if len(c) >= 3 and not self._industry_only(c)}

    def _industry_only(self, name: str) -> bool:
        """新能源科技: industry words only, a kind of company and no one's name."""
        if name in self.industry_set:
            return True
        return any(name.endswith(w) and (name[: -len(w)] in self.industry_set or self._industry_only(name[: -len(w)]))
                   for w in self.industry if len(w) < len(name))

    # ---- pass 2: find known names everywhere -------------------------------
    def known_names(self, mentions: list[Mention]) -> dict[str, Mention]:
        names: dict[str, Mention] = {}
        for m in mentions:
            if m.bare or m.type == "Person" or len(m.text) < 3:
                continue
            names.setdefault(m.text, m)
            if m.type == "Company":
                for s in sorted(self.short_names(m.text)):
                    names.setdefault(s, m)
            text = m.sentence.text if m.sentence else ""
            intro = ALIAS_INTRO.match(text, m.end)
            if intro:
                names.setdefault(intro.group(1), m)
        return names

    def add_known(self, articles: list[Article], by_sentence: dict[int, list[Mention]]) -> None:
        """Add a mention wherever a name known from elsewhere in the document occurs."""
        allm = [m for ms in by_sentence.values() for m in ms]
        names = self.known_names(allm)
        if not names:
            return
        ordered = sorted(names, key=lambda n: (-len(n), n))   # not the order sets happen to iterate in
        for art in articles:
            for sent in art.sentences:
                ms = by_sentence.setdefault(id(sent), [])
                toks = self.ex.tokens(sent)
                bounds = {t.start for t in toks} | {t.end for t in toks}
                spans = {(m.start, m.end) for m in ms}
                added = False
                for name, s in self._occurrences(sent.text, ordered):
                    e = s + len(name)
                    if (s, e) in spans or (len(name) < 4 and not (s in bounds and e in bounds)):
                        continue
                    if any(m.start < s < m.end or m.start < e < m.end for m in ms if not
                           (m.start <= s and e <= m.end)):
                        continue
                    src = names[name]
                    ms.append(Mention(name, src.type, s, e, "resolve.known_name", sent, art.index, src.subtype))
                    spans.add((s, e))
                    added = True
                if added:
                    by_sentence[id(sent)] = prune_nested(sorted(ms, key=lambda m: (m.start, -m.end)))

    @staticmethod
    def _occurrences(text: str, names: list[str]):
        """Every occurrence of every name, longer names first, overlaps allowed."""
        for name in names:
            i = text.find(name)
            while i >= 0:
                yield name, i
                i = text.find(name, i + 1)

    # ---- clustering --------------------------------------------------------
    def _key(self, m: Mention) -> str:
        if m.type == "Place":
            return norm(self.gaz.canonical(m.text))
        return norm(m.text)

    def _names(self, text: str, typ: str) -> _Names:
        a = norm(text)
        pa, ra = self.strip_place(a)
        return _Names(a, pa, ra, defilled(ra), family(typ), self.zone_short(a))

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
        pa, ra, pb, rb = mn.place, mn.rest, cn.place, cn.rest
        if ra and ra == rb and (pa or pb) and (not pa or pb.startswith(pa) or pa.startswith(pb)):
            return len(ra) >= 4
        if c.type == "Project" and b.startswith(a) and b[len(a):] in PROJECT_TAILS:
            return True
        if len(a) >= 4 and m.type == c.type and mn.defilled == cn.defilled:
            return len(mn.defilled) >= 3 and (not pa or not pb or pb.startswith(pa) or pa.startswith(pb))
        return False

    def cluster(self, mentions: list[Mention]) -> list[_Cluster]:
        clusters: list[_Cluster] = []
        by_key: dict[str, _Cluster] = {}
        named = [m for m in mentions if not m.bare]
        named.sort(key=lambda m: (-len(self._key(m)), m.rule.startswith("resolve"), order(m)))
        for m in named:
            key = self._key(m)
            mn = self._names(m.text, m.type)
            c = by_key.get(key) or next((c for c in clusters if self._matches(m, c, mn)), None)
            if c is None:
                name = self.gaz.canonical(m.text) if m.type == "Place" else m.text
                c = _Cluster(compact(name), m.type)
                clusters.append(c)
            by_key[key] = c
            c.mentions.append(m)
            c.aliases.add(compact(m.text))
            if m.subtype:
                c.subtypes.add(m.subtype)
        for m in sorted((m for m in mentions if m.bare and compact(m.text) not in self.legal_set), key=order):
            c = self._antecedent(m, clusters, mentions)
            if c is not None:
                c.mentions.append(m)
                if len(compact(m.text)) >= 3 or m.type == "Institution":
                    c.aliases.add(compact(m.text))      # 该项目 points back; 项目 names nothing
        return clusters

    @staticmethod
    def _demonstrative(bare: Mention) -> bool:
        """该项目, 这一项目, 此项目: a short head that points back to what the article just named."""
        text = bare.sentence.text if bare.sentence else ""
        return text[max(0, bare.start - 2):bare.start].endswith(DEMONSTRATIVES)

    def _antecedent(self, bare: Mention, clusters: list[_Cluster], mentions: list[Mention]) -> _Cluster | None:
        word = compact(bare.text)
        pointing = len(word) < 3 and bare.type != "Institution"
        if pointing and not (self._demonstrative(bare) or bare.type == "Place"):
            return None         # 该项目 and 落户园区 point back; a bare 项目 does not
        fits = [c for c in clusters if family(c.type) == family(bare.type) and
                any(self.zone_short(unqualified(n)).endswith(word) for n in c.aliases | {c.name})]
        if not fits:
            return self._synthesise(bare, clusters, mentions)
        here = [(order(m), c) for c in fits for m in c.mentions if m.article == bare.article and not m.bare]
        before = [x for x in here if x[0] < order(bare)]
        if before:
            return max(before, key=lambda x: x[0])[1]
        if pointing:
            return None
        after = [x for x in here if x[0] > order(bare)]
        if after:
            return min(after, key=lambda x: x[0])[1]
        return fits[0] if len(fits) == 1 and len(word) >= 3 else None

    def _synthesise(self, bare: Mention, clusters: list[_Cluster], mentions: list[Mention]) -> _Cluster | None:
        """高新区党工委书记、管委会副主任: the bare 管委会 shares the place of the body before it."""
        if not bare.text.endswith(GOV_SUFFIXES):
            return None
        prev = [m for m in mentions if m.sentence is bare.sentence and m.end <= bare.start and not m.bare
                and m.type == "Institution" and m.text.endswith(GOV_SUFFIXES)]
        if not prev:
            return None
        p = max(prev, key=lambda m: m.end)
        place, _ = self.strip_place(p.text)
        if not place:
            return None
        name = compact(place + bare.text)
        c = next((c for c in clusters if c.name == name), None)
        if c is None:
            c = _Cluster(name, "Institution", subtypes={"GovernmentBody"})
            clusters.append(c)
        return c

    # ---- entities ------------------------------------------------------------
    def resolve(self, mentions: list[Mention], doc_id: str) -> list[Entity]:
        entities = []
        for c in self.cluster(mentions):
            if not any(not m.bare for m in c.mentions) and not c.subtypes & {"GovernmentBody"}:
                continue
            names = {compact(m.text) for m in c.mentions if not m.bare}
            label = c.name if c.type == "Place" and c.name not in names and self.gaz.lookup(c.name) \
                else max(names or {c.name}, key=lambda n: (len(n), n))
            aliases = (c.aliases | names | {c.name}) - {label}
            e = Entity(name=label, types={c.type}, aliases=aliases, subtypes=set(c.subtypes),
                       mentions=list(c.mentions), documents={doc_id})
            for m in c.mentions:
                m.entity = e
            entities.append(e)
        return entities
