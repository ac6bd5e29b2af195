"""Find entity mentions in a sentence by applying the entity rules.

The engine reads rules (kg/rules/data/entities.yaml and user files) and applies them by
kind: suffix, pattern, gazetteer, list and person. A name's left edge is decided
by structure: punctuation, boundary words, verbs, list markers.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from itertools import accumulate

from ..model import Mention, Sentence, Token, nested
from ..rules.engine import RuleFilter, units
from ..rules.load import EntityRule, RuleSet
from ..text import gazetteer as gazmod
from ..text.lexicon import Lexicon
from ..text.segment import BYLINE_ROLES

TIME_CHARS = set("年月日时点分秒周季春夏秋冬晨早晚午夜期代初末底今昨明前后旬一二三四五六七八九十")
HARD_STOP = set("，。；：、！？,;:!?“”‘’\"'《》【】…—|/\n□■●◆▲△★☆『』「」·<>=#{}[]+＋")
BRACKETS = set("（）()")
SOFT_STOP_POS = {
    "v",
    "vd",
    "vg",
    "vi",
    "vq",
    "p",
    "c",
    "u",
    "uj",
    "ul",
    "uz",
    "ug",
    "uv",
    "ud",
    "d",
    "dg",
    "r",
    "rr",
    "rz",
    "rg",
    "q",
    "t",
    "tg",
    "y",
    "e",
    "o",
    "zg",
    "l",
    "i",
    "a",
    "ad",
    "ag",
    "k",
}
SPECIFIC_POS = ("ns", "nr", "nrt", "nrfg", "nt", "nz", "eng", "x", "j")
MAX_NAME = 40
DOTS = "·•・"


_ROLES = "|".join(BYLINE_ROLES)
BYLINE_MORE = re.compile(r"、([\u4e00-\u9fff]{2,3}?)(?=、|报道|摄|\s|$)")
BYLINE_PERSON = re.compile(rf"(?:{_ROLES})\s*([\u4e00-\u9fff]{{2,3}}?)(?=[）)\s、，]|摄|报道|{_ROLES}|$)")


@dataclass
class _Ctx:
    sent: Sentence
    tokens: list[Token]

    def __post_init__(self) -> None:
        self.text = self.sent.text
        self.bounds = {0, len(self.text)} | {t.start for t in self.tokens} | {t.end for t in self.tokens}
        self.tok_at = {}
        for i, t in enumerate(self.tokens):
            if t.end - t.start == 1:
                self.tok_at[t.start] = i
            else:
                self.tok_at.update(dict.fromkeys(range(t.start, t.end), i))


ORDINAL = re.compile(r"第[0-9一二三四五六七八九十百零]+")
COUNTED_END = re.compile(r"[0-9一二两三四五六七八九十百千几多数]+[家个所只座条项批]$")
SEVERAL_COUNTRIES = re.compile(r"(?:两国|双方|各国|多国)$")  # 中德两国|政府: the governments of two countries
NUMBER_UNITS = frozenset("十百千万亿")
RANKED_STEM = re.compile(r"(?:[十百千万]强|之)$")  # 千强|镇, 百强|县, 米粉之|乡
ADMIN_CHARS = frozenset("省市县区镇乡村旗")  # 20|万吨级: a stem that starts inside a number
COUNTED_START = re.compile(r"[0-9一二两三四五六七八九十百千几多数]+[家个所只座条项批]")
LISTED_PERSONS = re.compile(
    r"((?:[\u4e00-\u9fff]{2,3}、)*[\u4e00-\u9fff]{2,5})等(?:[0-9一二两三四五六七八九十]+[人位名]|人)"
)


def chars_in_order(chars: str, text: str) -> bool:
    """Every character of ``chars`` occurs in ``text``, in order (星禾科技 in 星禾科技有限公司)."""
    it = iter(text)
    return all(ch in it for ch in chars)


def _all_cjk(text: str) -> bool:
    return all("\u4e00" <= c <= "\u9fff" for c in text)


class EntityExtractor:
    """Applies the entity rules of a RuleSet to sentences."""

    def __init__(self, rules: RuleSet):
        self.rules = rules
        v = rules.words
        self.town_suffixes = tuple(v("town_suffixes"))
        self.branch_suffixes = tuple(v("branch_suffixes"))
        self.geo_end_chars = set("".join(v("geo_end_chars")))
        self.function_chars = set("".join(v("function_chars")))
        self.not_name_end_chars = set("".join(v("not_name_end_chars")))
        self.org_chars = set("".join(v("org_chars")))
        self.lead_chars = set("".join(v("lead_chars") + v("scan_lead_chars")))
        self.post_lead_chars = set("".join(v("post_lead_chars")))
        self.abstract_chars = set("".join(v("abstract_chars")))
        self.honorifics = set(v("honorifics"))
        self.surname_chars = set("".join(v("surname_chars")))
        self.compound_surnames = tuple(v("compound_surnames"))
        self.japanese_surnames = frozenset(v("japanese_surnames"))  # 铃木宏明: four characters
        self.numeral_chars = set("".join(v("numeral_chars")))
        self.name_verbs = set(v("name_verbs"))
        self.determiners = set(v("determiners"))
        self.honour_scopes = tuple(v("honour_scopes"))
        self.project_lead_verbs = set(v("project_lead_verbs"))
        self.joint_words = tuple(v("joint_words"))
        self.joint_suffixes = tuple(v("joint_suffixes"))
        self.kind_scopes = tuple(v("kind_scopes"))
        self.titles = sorted(set(v("titles")), key=len, reverse=True)
        self.speech = sorted(set(v("speech_verbs")), key=len, reverse=True)
        self.title_set = set(self.titles)
        self.title_re = re.compile("|".join(re.escape(t) for t in self.titles) or "(?!)")
        self.industry = set(v("industry_words"))
        self.industry_ends = tuple(self.industry)
        self.title_ends = tuple(self.titles)
        self.speech_starts = tuple(self.speech)
        self.speech_adverbs = tuple(v("speech_adverbs"))
        self.name_adjectives = set(v("name_adjectives"))
        self.glued_suffix_chars = set("".join(v("glued_suffix_chars")))
        self.proper_suffixes = set(v("proper_name_suffixes"))
        self.verb_suffixes = set(v("verb_suffixes"))
        self.legal_tuple = tuple(v("legal_forms")) + tuple(v("branch_suffixes"))
        self._generic_cache: dict[str, bool] = {}
        self._split_cache: dict[str, tuple[int, ...]] = {}
        self.legal = tuple(v("legal_forms"))
        self.long_legal = tuple(f for f in self.legal if len(f) >= 3)
        self.branch_tuple = tuple(v("branch_suffixes"))
        self.full_legal = tuple(
            f for f in self.legal if len(f) >= 4 and f not in self.branch_suffixes
        )  # 有限公司, not 集团
        self.generic = set(v("generic_heads"))
        self.generic_longest_first = sorted(self.generic, key=lambda w: (-len(w), w))  # one answer, any hash seed
        triggers = set(v("relation_words"))  # the words relations are stated by end names
        triggers |= {w for name in v("relation_word_lists") for w in v(name)}
        self.boundary = set(v("boundary_words")) | triggers | set(self.titles) | self.determiners
        self.strong_boundary = {w for w in self.boundary if len(w) >= 2} | {
            "在",
            "与",
            "和",
            "及",
            "由",
            "是",
            "被",
            "将",
            "等",
            "的",
            "了",
            "向",
            "对",
            "从",
            "以",
            "并",
            "任",
        }
        self.boundary_lengths = sorted({len(w) for w in self.strong_boundary if len(w) >= 2})
        self.item_cuts = {w for w in self.boundary if len(w) >= 2 or w in self.strong_boundary or w in "了的为"}
        self.boundary_starts = tuple(sorted(w for w in self.boundary if len(w) >= 2))
        self.item_cut_lengths = sorted({len(w) for w in self.item_cuts})
        self.suffix_rules = [(s, r) for r in rules.entity_rules if r.kind == "suffix" for s in r.suffixes]
        self.suffix_rules.sort(key=lambda sr: len(sr[0]), reverse=True)
        self.all_suffixes = {s for s, _ in self.suffix_rules}
        self.suffix_tuple = tuple(sorted(self.all_suffixes))
        self.place_suffixes = {s for s, r in self.suffix_rules if r.type == "Place" and len(s) >= 2}
        self.project_suffixes = {s for s, r in self.suffix_rules if r.type == "Project"}
        self.suffix_lengths = sorted({len(s) for s in self.all_suffixes}, reverse=True)
        self.by_suffix: dict[str, EntityRule] = {}
        for s, r in self.suffix_rules:
            self.by_suffix.setdefault(s, r)
        self.gaz_rule = next((r for r in rules.entity_rules if r.kind == "gazetteer"), None)
        self.list_rule = next((r for r in rules.entity_rules if r.kind == "list"), None)
        self.person_rule = next((r for r in rules.entity_rules if r.kind == "person"), None)
        self.gaz = gazmod.load(tuple(v("regions")), tuple(v("ordinary_place_shorts")))
        self.ordinary_place_words = frozenset(v("ordinary_place_shorts"))
        self.gaz_full = set(self.gaz.places) | set(self.gaz.regions) | set(self.gaz.countries)
        self.gaz_any = self.gaz_full | set(self.gaz.short) | set(self.gaz.weak_short)
        self.gaz_initials = {
            w[0]
            for names in (self.gaz.places, self.gaz.short, self.gaz.regions, self.gaz.countries, self.gaz.weak_short)
            for w in names
            if w
        }
        self.suffix_ends = {s[-1] for s in self.all_suffixes}
        for pair in v("abbreviation_names"):
            short, _, full = pair.partition("=")
            if len(short) == 1 and full:
                self.gaz.abbreviations.setdefault(short, full)
        heads = [(h, t) for t, hs in rules.list_heads.items() for h in hs]
        heads.sort(key=lambda ht: len(ht[0]), reverse=True)
        self.list_re = (
            re.compile(r"等(?P<gap>[^，。；！？：]{0,40}?)(?P<head>" + "|".join(re.escape(h) for h, _ in heads) + ")")
            if heads
            else None
        )
        self.head_type = dict(heads)
        words = {s: "n" for s in self.all_suffixes}
        words.update({t: "n" for t in self.titles})
        words.update({t: "v" for t in triggers})
        words.update({r: "ns" for r in v("regions")})
        words.update({w: "n" for w in v("industry_words") if len(w) >= 3 and w not in words})  # 新材料 stays one word
        self.lex = Lexicon(
            words,
            retag={w: "n" for w in v("nouns")},
            detach="".join(v("lead_chars") + v("glued_particles")),
            trailing="".join(v("trailing_chars")),
            town_ends="".join(v("glued_town_ends")),
            splits=v("split_words"),
        )
        self.translit = set("".join(v("translit_chars")))
        self.not_place_words = frozenset(v("not_place_words"))
        self.nation_words = frozenset(v("nation_words"))
        self.national_venues = frozenset(v("national_venues"))
        self.numbered_units = tuple(v("numbered_units"))  # 9号泊位, 15号地块: a unit by its number
        self.person_titles = set(v("person_titles")) | set(self.titles)
        self.appointing = set(v("appointing_verbs"))
        self.person_title_ends = tuple(sorted(self.person_titles))
        self.person_after = tuple(
            sorted(set(v("person_after")) | set(self.speech) | self.honorifics, key=len, reverse=True)
        )
        self.person_after_re = re.compile("(?=" + "|".join(map(re.escape, self.person_after)) + ")")
        self.abbr = set("".join(v("place_abbreviations")))
        self.country_abbr = set("".join(v("country_abbreviations")))
        self.abbr_verbs = set(v("abbreviation_verbs"))
        self.abbr_after = tuple(v("abbreviation_after"))
        self.abbr_heads = tuple(v("abbreviation_heads"))
        self.common_places = set(v("common_place_words"))
        self.common_orgs = set(v("common_org_words"))
        self.kind_modifiers = set(v("kind_modifiers"))
        self.company_descriptors = tuple(v("company_descriptors"))
        self.company_abbr_ends = tuple(v("company_abbreviation_ends"))
        self.team_rule = next((r for r in rules.entity_rules if r.kind == "team"), None)
        self.token_rules = [r for r in rules.entity_rules if r.kind == "tokens"]
        self.token_filter = RuleFilter([r.compiled for r in self.token_rules])
        score = r"(?<![\d.])\d{1,3}\s*比\s*\d{1,3}(?![\d.%％])(?=[\u4e00-\u9fff]{0,3}(?:战胜|击败|获胜|胜|负|落败|输给|战平|逼平|取胜|告负|不敌|力克|[，。；！]|$))"  # noqa: E501
        self.match_re = re.compile("|".join([score] + [re.escape(w) for w in v("match_words")]))
        self.state_prefixes = tuple(v("state_prefixes"))
        self.place_before = set(v("place_before"))
        self.place_after = tuple(v("place_after"))
        t = "".join(sorted(self.translit))
        self.dotted_re = (
            re.compile(f"[{t}]{{1,6}}(?:[{DOTS}][{t}]{{1,8}})+|(?<![{t}])[{t}]{{2,6}}(?:[-－][{t}]{{2,8}})+(?![{t}])")
            if t
            else None
        )

    def _looks_like_person(self, name: str) -> bool:
        """Two to four Chinese characters that start with a surname (a compound one for four)."""
        if not 2 <= len(name) <= 4 or not all("\u4e00" <= c <= "\u9fff" for c in name):
            return False
        if len(name) == 4:
            return name[:2] in self.compound_surnames or name[:2] in self.japanese_surnames
        return name[0] in self.surname_chars or name[:2] in self.compound_surnames

    # ---- entry point -------------------------------------------------------
    def tokens(self, sent: Sentence) -> list[Token]:
        return self.lex.tokens(sent.text)  # cached by text: callers must not change the tokens

    def find(self, sent: Sentence, tokens: list[Token] | None = None) -> list[Mention]:
        ctx = _Ctx(sent, tokens if tokens is not None else self.tokens(sent))
        if self.title_re.search(ctx.text):  # 党委书记 is one dictionary word: a name may end inside it
            for t in ctx.tokens:
                for k in self._title_splits(t.text):
                    ctx.bounds.add(t.start + k)
        for t in ctx.tokens:  # 白塔|镇则: a town's suffix the tokenizer glued to the next word (not 镇长, a post)
            if (
                len(t.text) > 1
                and (not t.pos.startswith("n") or t.pos.startswith("nr"))
                and t.text not in self.title_set
            ):
                for k, c in enumerate(t.text[:-1]):
                    if c in self.glued_suffix_chars:
                        ctx.bounds.add(t.start + k + 1)
            if len(t.text) >= 3 and t.pos.startswith(("nr", "ns", "nz")) and t.text[-1] in self.glued_suffix_chars:
                ctx.bounds.add(t.end - 1)  # 张家|村: a village's name the tokenizer took for a person's
        found: list[Mention] = []
        found += self._suffix_mentions(ctx)
        found += self._pattern_mentions(ctx)
        found += self._gazetteer_mentions(ctx)
        found = self._not_inside_places(found)
        found += self._person_mentions(ctx)
        found += self._lexicon(ctx, found)
        found += self._coordinated_persons(ctx, found)
        if self.gaz_rule is not None:
            found += self._abbreviations(ctx, found)
        found += self._token_rules(ctx, found)
        found += self._list_mentions(ctx, found)
        found += self._coordinated(ctx, found)
        return self._outside_titles(ctx, self._teams(ctx, prune_nested(dedupe(found))))

    @staticmethod
    def _not_inside_places(found: list[Mention]) -> list[Mention]:
        """A name never starts inside a place's name: where the tokenizer cut a district's name
        (丙|丁区X协会), the name starts where the place does."""
        places = [p for p in found if p.type == "Place" and not p.bare]
        ends = {p.end: p for p in places}
        out = []
        for m in found:
            p = next((p for p in places if p.start < m.start < p.end < m.end), None) if m.type != "Place" else None
            if p is None and m.bare and m.subtype == "GovernmentBody":
                p = ends.get(m.start)  # the government of the place written right before it
            if p is not None:
                text = p.sentence.text if p.sentence else ""
                named = m.bare and m.subtype == "GovernmentBody"  # 召|陵区人民政府: a place's government
                m = replace(m, text=text[p.start : m.end], start=p.start, bare=m.bare and not named)
            out.append(m)
        return out

    # ---- suffix rules ------------------------------------------------------
    def _suffix_mentions(self, ctx: _Ctx) -> list[Mention]:
        out: list[Mention] = []
        by_end: dict[int, list[Mention]] = {}
        for end in sorted(ctx.bounds):
            if end == 0 or ctx.text[end - 1] not in self.suffix_ends:
                continue
            suffix = next(
                (
                    ctx.text[end - n : end]
                    for n in self.suffix_lengths
                    if n <= end and ctx.text[end - n : end] in self.by_suffix
                ),
                None,
            )
            if suffix is None:
                continue
            s_start = end - len(suffix)
            idx = ctx.tok_at.get(s_start)
            if idx is not None and ctx.tokens[idx].start < s_start and not self._host_ok(ctx, idx, suffix):
                continue
            rule = self.by_suffix[suffix]
            mention = self._suffix_mention(ctx, rule, suffix, s_start, end)
            if mention:
                mention = self._whole_organisation(ctx, mention, by_end, rule.unit)
                if mention.type == "Project":
                    mention = self._after_company(ctx, mention, by_end, out, s_start)
                out.append(mention)
                by_end.setdefault(mention.end, []).append(mention)
        return out

    @staticmethod
    def _whole_organisation(ctx: _Ctx, mention: Mention, by_end: dict[int, list[Mention]], unit: bool) -> Mention:
        """A name that starts inside a company's name takes all of it: 上海睿智化学研究有限公司研发中心,
        not 化学研究有限公司研发中心; a unit's name (``unit``: 项目部) also takes the name it follows
        (星禾建工有限公司X标段项目部). ``by_end``: the names found so far, by where they end."""
        cut = [
            c
            for e in range(mention.start + (0 if unit else 1), mention.start + len(mention.text) + 1)
            for c in by_end.get(e, ())
            if c.start < mention.start and c.type in ("Company", "Institution") and not c.bare
        ]
        if not cut or mention.bare:
            return mention
        start = min(c.start for c in cut)
        return replace(mention, text=ctx.text[start : mention.end], start=start)

    def _after_company(
        self, ctx: _Ctx, mention: Mention, by_end: dict[int, list[Mention]], found: list[Mention], s_start: int
    ) -> Mention:
        """星禾建工有限公司|云栖铁路XQ-2标段: a project's name starts after a company's name that
        its left edge took in, where a name of its own starts (another project's, or a proper
        word before its suffix); a company's 研发中心 stays the company's."""
        projects = {m.start for m in found if m.type == "Project" and not m.bare}
        ends = [
            e
            for e in range(mention.start + 1, mention.end - 3)
            for c in by_end.get(e, ())
            if c.start == mention.start
            and c.type == "Company"
            and not c.bare
            and c.text.endswith(self.long_legal)  # 星禾建工有限公司, not 兰德公司 (its 亚太政策中心)
            and (e in projects or self._proper_at(ctx, e, s_start))
        ]
        if not ends or mention.bare:
            return mention
        start = max(ends)
        return replace(mention, text=ctx.text[start : mention.end], start=start)

    def _proper_at(self, ctx: _Ctx, start: int, end: int) -> bool:
        """A proper word (a name the tokenizer tagged, or a Latin code) starts at ``start`` and ends by ``end``."""
        idx = ctx.tok_at.get(start)
        if idx is None:
            return False
        tok = ctx.tokens[idx]
        proper = tok.pos.startswith(("nr", "ns", "nz", "j", "eng"))
        return tok.end <= end and proper and tok.text not in self.industry and tok.text not in self.name_verbs

    def _host_ok(self, ctx: _Ctx, idx: int, suffix: str) -> bool:
        """A suffix inside a longer word (工程学院, 科技园区) counts, unless that word is a
        trigger, or its other part is a function word (联合政府, 城市, 街镇)."""
        host = ctx.tokens[idx]
        if host.text in self.boundary or host.text.endswith("地区") and suffix == "区":
            return False
        if host.text in self.not_place_words:
            return False  # 杭州|城市, 北京|楼市: a word that ends in 市, not a city's suffix
        if suffix in self.town_suffixes:
            return (
                host.pos.startswith("ns")
                or not self.lex.in_dictionary(host.text)
                or (host.text.endswith(suffix) and len(host.text) - len(suffix) >= 2)
            )
        if len(suffix) == 1:
            stem = host.text[:-1] if host.text.endswith(suffix) else ""
            prev = ctx.tokens[idx - 1] if idx else None
            named_before = prev is not None and (
                prev.pos in ("ns", "nz", "nt", "j") or bool(self.gaz.lookup(prev.text))
            )
            return (
                bool(self.gaz.lookup(host.text))
                or host.pos.startswith("ns")
                and len(host.text) > 2
                or bool(stem)
                and (
                    bool(self.gaz.lookup(stem))
                    or self.lex.tag(stem) == "ns"
                    or named_before
                    and self.lex.tag(stem).startswith("n")
                )
            )
        head = host.text[: host.text.rfind(suffix)] if suffix in host.text else host.text
        return head not in self.boundary and head not in self.determiners

    def _suffix_mention(self, ctx: _Ctx, rule: EntityRule, suffix: str, s_start: int, end: int):
        town = suffix in self.town_suffixes
        if town:
            left = self._town_left(ctx.text, s_start)
            idx = ctx.tok_at.get(left)
            if idx is not None and ctx.tokens[idx].start < left and ctx.tokens[idx].end < s_start:
                left = ctx.tokens[idx].end
            left = self._skip_leading_words(ctx, left, s_start)
        else:
            left = self._scan_left(ctx, s_start, hard=rule.scan == "hard", whole=suffix not in self.branch_suffixes)
            left = self._trim_left(ctx.text, left, s_start)
            left = self._skip_leading_verbs(ctx, left, s_start, rule.type == "Place")
            if rule.type == "Company" or rule.require == "place_stem":
                left = self._after_descriptor(ctx, left, s_start)
            if rule.type == "Project":
                left = self._after_lead_verbs(ctx, left, s_start)
        stem = ctx.text[left:s_start]
        if suffix in self.verb_suffixes and stem.endswith(self.legal_tuple):
            return None  # 星禾集团|控股的云栖科技: the group holds it
        if stem.endswith(("任", "为")) and ctx.text.startswith(self.title_ends, end):
            return None  # 聘任张某|任公司副总经理: a post in the company named before, not a name
        if suffix in self.proper_suffixes and stem and not self._proper_stem(ctx, left, s_start):
            return None  # 充分就业社区, 创业型社区: a kind of community, not one
        end = self._qualifier(ctx.text, end, rule)
        name = ctx.text[left:end]
        if rule.require == "place_stem" and not self._place_stem(ctx, stem, left, s_start, town):
            return None
        if rule.require == "place_stem" and not town:
            left, stem = self._drop_outer_place(ctx.text, left, s_start)
            name = ctx.text[left:end]
        counted = COUNTED_END.search(stem) is not None  # (A和B)三家子公司, 5个项目: a number of them
        counted = counted or (
            stem[:1] in NUMBER_UNITS and left > 0 and ctx.text[left - 1].isdigit()
        )  # 2个20|万吨级泊位
        counted = counted or rule.subtype == "GovernmentBody" and SEVERAL_COUNTRIES.search(stem) is not None
        bare = (
            not stem or stem in self.determiners or counted or rule.type == "Place" and stem.endswith(self.kind_scopes)
        )
        if not bare and self._ranked_kind(ctx, left, s_start):
            bare = True  # 省级博士后科研工作站, 国家级工业设计中心: a rank and a kind, a title not a name
        if not bare and not self._joint_body(stem, suffix):  # a joint body is named by its field
            if rule.specific == "industry":
                bare = self._industry_only(ctx, left, s_start)
            elif rule.specific:
                bare = self._generic(ctx, left, s_start, rule.type == "Company") and not (
                    stem in self.nation_words and suffix in self.national_venues  # 国家体育馆, 中国会展中心: names
                )
        if bare and len(suffix) < 2:
            return None
        if bare:
            name = ctx.text[s_start:end] if not stem or stem in self.determiners or counted else name
            left = end - len(name)
        return Mention(name, rule.type, left, end, rule.id, ctx.sent, subtype=rule.subtype, bare=bare)

    def _stops(self, tok: Token, hard: bool, ctx: _Ctx, idx: int) -> bool:
        w = tok.text
        if not hard and (w == "号" or w == "、" or w.isdigit()) and self._numbered(ctx, idx):
            return False  # X作业区3号、4号泊位工程: numbered units are words of the name
        if any(c in HARD_STOP for c in w) or w.isspace():
            return True
        if ORDINAL.fullmatch(w):
            return False  # 南京市第一中学, 第二人民医院: an ordinal is part of the name
        if hard:  # 投资, 投资建设 are triggers, and words of names (临港新城投资建设有限公司)
            joined = (  # 上海家化联合股份有限公司; not 在上海设立|分公司
                len(w) >= 2
                and w not in self.determiners
                and ctx.text.startswith(self.legal, tok.end)
                and not ctx.text.startswith(self.branch_tuple, tok.end)
            )
            return (
                w in self.strong_boundary
                and not self._name_verb(w)
                and not joined
                or w == "为"  # 施工单位为星禾建工集团有限公司: the copula
                or tok.pos.startswith("r")
                or self._counted(ctx, idx)
            )
        if any(c in BRACKETS for c in w):
            return True
        if w in self.name_verbs and len(w) >= 2:
            return False
        if w in self.joint_words and self._joint_name(ctx, idx):
            return False  # 光刻材料|联合|实验室: a joint body's name
        if w in self.boundary:
            if w in ("与", "和", "及") and self._inner_conjunction(ctx, idx):
                return False
            return True
        if w in self.name_verbs or w in self.industry or w in self.all_suffixes:
            return False
        if w in self.gaz.weak_short:
            return False  # a city's short form tagged as an ordinary word (大同, 保定) heading a name
        if tok.pos == "f":  # 东侧雨棚区 stops at 侧; 西/岑科创 (a word the tokenizer guessed) does not
            return len(w) < 2 and not (idx + 1 < len(ctx.tokens) and self._guessed_word(ctx.tokens[idx + 1]))
        if tok.pos in ("m", "mq") and not re.search(r"[A-Za-z]", w):
            return True
        if w in self.name_adjectives and idx > 0 and self._place_token(ctx.tokens[idx - 1]):
            return False  # X省|先进|材料研究院: a place's body named by a descriptive adjective
        if tok.pos == "t" and len(w) >= 2 and not TIME_CHARS.intersection(w) and w[-1] not in self.lead_chars:
            return False  # 南屿|盛唐|…研究院: a name the dictionary tags as a time word
        return tok.pos in SOFT_STOP_POS

    def _numbered(self, ctx: _Ctx, idx: int) -> bool:
        """Token idx is part of the number of a unit the suffix names (9号泊位, 9号、10号泊位 after
        a name), not a date (5月3号) nor an address before another name (X路490号|星禾大厦)."""
        toks = ctx.tokens

        def number_at(k: int) -> bool:  # 9 号 suffix, or 9 号 、 10 号 suffix; not after a month
            if not (0 <= k < len(toks) - 2 and toks[k].text.isdigit() and toks[k + 1].text == "号"):
                return False
            if k > 0 and toks[k - 1].pos in ("m", "mq", "t"):
                return False
            after = toks[k + 2]
            return after.text.startswith(self.numbered_units) or (after.text == "、" and number_at(k + 3))

        w = toks[idx].text
        if w.isdigit():
            return number_at(idx)
        if w == "号":
            return number_at(idx - 1)
        return w == "、" and idx >= 2 and number_at(idx - 2)

    def _joint_body(self, stem: str, suffix: str) -> bool:
        """光刻材料联合|实验室, 储能材料|联合研发中心: a joint body's name, its field and 联合 (not 联合会)."""
        joint_suffix = suffix.startswith(self.joint_words) and suffix.endswith(self.joint_suffixes)
        return len(stem) >= 4 and stem.endswith(self.joint_words) or len(stem) >= 2 and joint_suffix

    def _joint_name(self, ctx: _Ctx, idx: int) -> bool:
        """联合 right before a body's suffix (联合实验室, 联合研究中心), after a word of its field."""
        nxt = ctx.tokens[idx + 1 : idx + 3]
        before = ctx.tokens[idx - 1] if idx else None
        field = before is not None and (before.text in self.industry or before.pos.startswith("n"))
        if nxt and nxt[0].text in self.name_verbs:
            nxt = nxt[1:]  # 联合|研发|中心
        return field and bool(nxt) and nxt[0].text.endswith(self.joint_suffixes + ("中心",))

    def _place_token(self, tok: Token) -> bool:
        """A place's name, or the suffix that ends one (丙丁|省)."""
        return tok.pos == "ns" or tok.text[-1] in "省市区县州镇" or bool(self.gaz.lookup(tok.text))

    @staticmethod
    def _counted(ctx: _Ctx, idx: int) -> bool:
        """A measure word after a numeral (3家, 两个): a count, never part of a legal name."""
        return ctx.tokens[idx].pos == "q" and idx > 0 and ctx.tokens[idx - 1].pos.startswith("m")

    def _name_verb(self, w: str) -> bool:
        return w in self.name_verbs or len(w) == 4 and w[:2] in self.name_verbs and w[2:] in self.name_verbs

    def _plain_stop(self, tok: Token) -> bool:
        w = tok.text
        return (
            any(c in HARD_STOP or c in BRACKETS for c in w)
            or w.isspace()
            or (w in self.boundary and w not in self.name_verbs)
            or tok.pos in SOFT_STOP_POS
        )

    def _inner_conjunction(self, ctx: _Ctx, idx: int) -> bool:
        """与/和/及 inside a name (…生物与医学工程学院, …研发及产业化基地): the word
        on its left is a plain noun, not the end of another name."""
        if idx == 0:
            return False
        prev = ctx.tokens[idx - 1]
        if not prev.pos.startswith(("n", "vn", "j")) or prev.text in self.boundary or prev.text in self.generic:
            return False
        if idx < 2 or self._plain_stop(ctx.tokens[idx - 2]):
            return False
        return (
            not any(prev.text.endswith(s) for s in self.all_suffixes)
            and prev.text[-1] not in "局委署厅"
            and not (len(prev.text) >= 3 and prev.text[-1] in self.geo_end_chars)  # X大峡谷和…景区
            and not self.gaz.lookup(prev.text)
        )

    def _scan_left(self, ctx: _Ctx, s_start: int, hard: bool, whole: bool = False) -> int:
        """The left edge of a name ending at ``s_start``; a ``whole`` legal name (not a branch,
        分公司) never takes in another one (A有限公司收购B有限公司)."""
        idx = ctx.tok_at.get(s_start)
        if idx is None:
            return s_start
        tok = ctx.tokens[idx]
        left = tok.start if tok.start < s_start else s_start
        j = idx - 1
        while j >= 0:
            tok = ctx.tokens[j]
            opening = self._legal_bracket(ctx, j) if not hard else None
            if opening is not None:
                j = opening - 1  # …（集团）有限公司党委: the company's whole name
                left = ctx.tokens[opening].start
                continue
            if tok.text in ("与", "和", "及") and ctx.tokens[j + 1].start >= s_start:
                break  # nothing between the conjunction and the suffix: 待遇与公司
            if self._stops(tok, hard, ctx, j) or s_start - tok.start > MAX_NAME:
                break
            if hard and whole and tok.text.endswith(self.full_legal) and not self._bracketed_legal(ctx, j):
                break
            if (
                tok.text[0] in self.lead_chars or self._after_name_end(ctx, j) or self._after_person(ctx, j)
            ) and self._lead_guess(tok):
                left = tok.start + 1  # 由林茂集团, A有限公司和鸿X: the tokenizer's guess took a function word in
                break
            if hard and tok.pos.startswith("nr") and len(tok.text) >= 3 and tok.text[-1] in self.strong_boundary:
                break  # 李华任上海…有限公司: a guessed name took the verb in
            left = tok.start
            j -= 1
        return left

    def _after_person(self, ctx: _Ctx, j: int) -> bool:
        """Token j starts with 任 right after a personal name (韦川明|任南屿港…): the verb."""
        prev = ctx.tokens[j - 1] if j > 0 else None
        return (
            ctx.tokens[j].text[0] in self.post_lead_chars
            and prev is not None
            and prev.pos.startswith("nr")
            and 2 <= len(prev.text) <= 3
        )

    def _after_name_end(self, ctx: _Ctx, j: int) -> bool:
        """Token j starts with 和/与/及 right after a name's suffix (A有限公司和…): a conjunction."""
        return ctx.tokens[j].text[0] in "和与及" and j > 0 and ctx.tokens[j - 1].text.endswith(self.suffix_tuple)

    @staticmethod
    def _bracketed_legal(ctx: _Ctx, j: int) -> bool:
        """（集团）有限公司's 集团 or a legal form inside brackets: part of the one name."""
        return j > 0 and ctx.tokens[j - 1].text in ("（", "(")

    def _legal_bracket(self, ctx: _Ctx, j: int) -> int | None:
        """Index of the （ token when token j is the ） of （集团）/（上海） in a legal name."""
        if ctx.tokens[j].text not in ("）", ")") or not ctx.text.startswith(self.legal, ctx.tokens[j].end):
            return None
        for k in range(j - 1, max(j - 5, -1), -1):
            if ctx.tokens[k].text in ("（", "("):
                return k if k > 0 else None
        return None

    def _trim_left(self, text: str, left: int, limit: int) -> int:
        while left < limit and (text[left] in HARD_STOP or text[left] in "）)" or text[left].isspace()):
            left += 1
        if (
            left + 2 < limit
            and text[left] in self.lead_chars
            and text[left + 1] in "省市区县镇"
            and not self.gaz.lookup(text[left : left + 2])
        ):
            left += 1  # 到市国土资源局: a preposition the tokenizer joined to 市
        for d in sorted(self.determiners, key=len, reverse=True):
            if (
                text.startswith(d, left)
                and left + len(d) <= limit
                and d in ("该", "这", "这个", "这家", "那", "其", "某")
            ):
                left += len(d)
                break
        return left

    def _lead_guess(self, tok: Token) -> bool:
        """A word the tokenizer guessed that took a preposition in (由林茂集团, 由星/禾路桥): of two
        characters or more, in no dictionary."""
        return len(tok.text) >= 2 and not self.lex.in_dictionary(tok.text)

    def _guessed_word(self, tok: Token) -> bool:
        return len(tok.text) >= 3 and not self.lex.in_dictionary(tok.text)

    def _skip_leading_verbs(self, ctx: _Ctx, left: int, limit: int, strict: bool) -> int:
        """A name does not start with a verb: 服务长三角… is 长三角…."""
        while left < limit:
            idx = ctx.tok_at.get(left)
            tok = ctx.tokens[idx] if idx is not None else None
            if (
                tok is None
                or tok.start != left
                or tok.end > limit
                or not tok.pos.startswith("v")
                or (tok.pos == "vn" and not strict)
            ):
                return left
            left = tok.end
        return left

    def _after_lead_verbs(self, ctx: _Ctx, left: int, s_start: int) -> int:
        """将建设|X生产基地, 联合申报|X项目: a verb of doing a project is not the first word of its name."""
        while left < s_start:
            idx = ctx.tok_at.get(left)
            tok = ctx.tokens[idx] if idx is not None else None
            if tok is None or tok.start != left or tok.end >= s_start or tok.text not in self.project_lead_verbs:
                return left
            left = tok.end
            if ctx.text[left] in "成为" and left + 1 < s_start and left + 1 in ctx.bounds:
                left += 1  # 建设成|国际金融中心
        return left

    def _after_descriptor(self, ctx: _Ctx, left: int, s_start: int) -> int:
        """香港上市公司星禾医疗集团, 县属国企云栖城投集团: a word for a kind of firm ends a
        name's left edge, where it ends a word or inside a word the tokenizer guessed (央企星/禾)."""
        stem = ctx.text[left:s_start]
        if "企" not in stem and "公司" not in stem:
            return left
        best = left
        for d in self.company_descriptors:
            i = stem.find(d)
            while i >= 0:
                e = left + i + len(d)
                if best < e < s_start and (e in ctx.bounds or self._guessed_at(ctx, e - 1)):
                    best = e
                i = stem.find(d, i + 1)
        return best

    def _guessed_at(self, ctx: _Ctx, pos: int) -> bool:
        """The word holding character ``pos`` is in no dictionary."""
        idx = ctx.tok_at.get(pos)
        return idx is not None and not self.lex.in_dictionary(ctx.tokens[idx].text)

    def _skip_leading_words(self, ctx: _Ctx, left: int, limit: int) -> int:
        """离开白湖乡, 如今陇穷村: verbs, time words and pronouns do not start a town's name."""
        while left < limit:
            idx = ctx.tok_at.get(left)
            tok = ctx.tokens[idx] if idx is not None else None
            if (
                tok is None
                or tok.start != left
                or tok.end >= limit
                or len(tok.text) < 2
                or not (tok.pos in SOFT_STOP_POS or tok.pos.startswith("v") or tok.text in self.boundary)
            ):
                return left
            left = tok.end
        return left

    def _drop_outer_place(self, text: str, left: int, s_start: int) -> tuple[int, str]:
        """青海省曲麻莱县 is two places: the name starts after the enclosing one."""
        stem = text[left:s_start]
        for n in range(len(stem) - 2, 1, -1):
            head = stem[:n]
            if head in self.gaz.places or head in self.gaz.countries or head in self.gaz.short:
                return left + n, stem[n:]
        return left, stem

    def _ranked_kind(self, ctx: _Ctx, left: int, s_start: int) -> bool:
        """The stem is a rank (省级, 国家级: the honour_scopes in 级, 以上 after it) and ordinary words
        only (全国妇联 is a name)."""
        stem = ctx.text[left:s_start]
        scope = next((w for w in self.honour_scopes if w.endswith("级") and stem.startswith(w)), None)
        if scope is None:
            return False
        after = stem[len(scope) :]
        rest = left + len(scope) + next((len(w) for w in ("及以上", "以上") if after.startswith(w)), 0)
        toks = {ctx.tok_at[c] for c in range(rest, s_start) if c in ctx.tok_at}
        return all(self._common(ctx.tokens[i]) and ctx.tokens[i].start >= left for i in toks)

    def _proper_stem(self, ctx: _Ctx, left: int, s_start: int) -> bool:
        """The stem is a name: every word of it a proper noun or one the dictionary lacks."""
        toks = [ctx.tokens[i] for i in sorted({ctx.tok_at[c] for c in range(left, s_start) if c in ctx.tok_at})]
        return bool(toks) and all(t.pos.startswith(SPECIFIC_POS) or not self.lex.in_dictionary(t.text) for t in toks)

    def _family_stem(self, stem: str) -> bool:
        """张家 of 张家村: a surname and 家, a family's village."""
        return len(stem) == 2 and stem[1] == "家" and stem[0] in self.surname_chars

    def _town_left(self, text: str, s_start: int) -> int:
        """A town's name is two to four characters after a boundary or a larger place
        (柯桥区兰亭街道 → 兰亭街道); the tokenizer often splits unknown town names."""
        i = s_start
        while i > 0 and s_start - i < 4:
            ch = text[i - 1]
            if i == s_start and i >= 2 and self._family_stem(text[i - 2 : i]):
                i -= 1  # 张家村, 王家镇: a family's name, not a count
                continue
            if not "\u4e00" <= ch <= "\u9fff" or ch in "个家等的在于和与及是为将从到":
                break
            if any(text[i - n : i] in self.strong_boundary for n in self.boundary_lengths if n <= i):
                break
            if s_start - i >= 2 and (ch in "区县市镇省州" or text.endswith(self.town_suffixes, 0, i)):
                break  # 星桥街道|东岭社区, 星禾乡|云村: a larger place ends here
            i -= 1
        return i

    def _qualifier(self, text: str, end: int, rule: EntityRule) -> int:
        """Take a short bracketed qualifier after an organisation name: 联盟（中心）."""
        if rule.type not in ("Institution", "Company") or end >= len(text) or text[end] not in "（(":
            return end
        m = re.match(r"[（(]([\u4e00-\u9fffA-Za-z0-9]{1,6})[）)]", text[end:])
        if not m or "简称" in m.group(1) or self.gaz.lookup(m.group(1)) or re.fullmatch(r"[A-Z][A-Za-z&]+", m.group(1)):
            return end  # （HSBC）: a Latin short name, introduced as an alias
        inner, name = m.group(1), text[:end]
        if len(inner) >= 2 and name.endswith(self.legal_tuple) and chars_in_order(inner, name[-12 - len(inner) :]):
            return end  # 星禾科技有限公司（星禾科技）: the firm's short name, not a part of its name
        return end + m.end()

    def _place_stem(self, ctx: _Ctx, stem: str, left: int, s_start: int, town: bool) -> bool:
        if not stem or stem.startswith(self.honour_scopes) or RANKED_STEM.search(stem):
            return False  # 省级卫生镇, 全国千强镇, 米粉之乡: titles, not places
        if self.gaz.lookup(stem + ctx.text[s_start : s_start + 1]) or self.gaz.lookup(stem):
            return True
        if stem in self.ordinary_place_words:
            return True  # 红旗镇, 团结街道: an ordinary word that often names a division, with its suffix
        if self.gaz.places.get(ctx.text[left : s_start + 3]):
            return True
        toks = [ctx.tokens[i] for i in sorted({ctx.tok_at[c] for c in range(left, s_start) if c in ctx.tok_at})]
        if town:
            tag = self.lex.tag(stem)
            freq = self.lex.freq(stem)
            return (
                bool(re.fullmatch(r"[\u4e00-\u9fff]{2,4}", stem))
                and not re.search(r"[个家批余多几位名项]", stem[:-1] if self._family_stem(stem) else stem)
                and not (
                    self.lex.in_dictionary(stem) and freq >= 20 and (not tag.startswith(SPECIFIC_POS) or freq > 1000)
                )
                and not (len(toks) == 1 and toks[0].text == stem and freq >= 20 and self._common(toks[0]))
            )  # a word the dictionary has seen a few times only may name a town
        return bool(toks) and toks[-1].pos == "ns" and toks[-1].start >= left

    def _common(self, tok: Token) -> bool:
        if tok.text in self.place_suffixes:
            return False  # 高新区 in 高新区党工委 refers to one zone
        if tok.text in self.industry or tok.text in self.name_verbs:
            return True
        if tok.pos.startswith(SPECIFIC_POS):
            return False
        tag = self.lex.tag(tok.text)
        return bool(tag) and not tag.startswith(SPECIFIC_POS)  # 关中 (s here, ns in the dictionary) is a name

    def _industry_only(self, ctx: _Ctx, left: int, s_start: int) -> bool:
        """科技有限公司, 一家生物科技有限公司: a legal form after industry words only."""
        plain = self.industry | self.name_verbs | self.generic | self.determiners
        toks = [ctx.tokens[i] for i in sorted({ctx.tok_at[c] for c in range(left, s_start) if c in ctx.tok_at})]
        return all(t.text in plain for t in toks)

    def _generic(self, ctx: _Ctx, left: int, s_start: int, firm: bool) -> bool:
        """A short stem made only of ordinary words: 创新基地, 服务中心, 在谈项目; of a ``firm``,
        a kind of firm (香港上市公司)."""
        if s_start - left > 4 or self.gaz.lookup(ctx.text[left:s_start]):
            return False
        toks = {ctx.tok_at[c] for c in range(left, s_start) if c in ctx.tok_at}
        stem = ctx.text[left:s_start]
        if stem in self.kind_modifiers or firm and self._kind_of_firm(stem):
            return True  # 外贸公司, 商业银行, 香港上市公司: a kind of company
        return all(self._common(ctx.tokens[i]) for i in toks)

    def _kind_of_firm(self, stem: str) -> bool:
        """香港上市, 港股上市: a kind modifier after a place or a plain word (香港上市公司 is a
        kind of firm, 星禾上市公司 is not)."""
        return any(
            stem[n:] in self.kind_modifiers and (self.gaz.lookup(stem[:n]) or self._plain_word(stem[:n]))
            for n in range(1, len(stem) - 1)
        )

    def _plain_word(self, w: str) -> bool:
        tag = self.lex.tag(w)
        return bool(tag) and not tag.startswith(SPECIFIC_POS)

    # ---- pattern rules -----------------------------------------------------
    def _pattern_mentions(self, ctx: _Ctx) -> list[Mention]:
        out = []
        for rule in self.rules.entity_rules:
            if rule.kind != "pattern" or rule.pattern is None:
                continue
            for m in rule.pattern.finditer(ctx.text):
                g = "name" if "name" in rule.pattern.groupindex else 0
                s, e = m.span(g)
                if rule.type == "Person":
                    s = self._after_title(ctx.text, s, e)
                else:
                    s = self._pattern_left(ctx, m, s)
                if rule.whole_words and (s not in ctx.bounds or e not in ctx.bounds):
                    continue
                if (
                    "pre" in rule.pattern.groupindex
                    and m.start("pre") < 0
                    and any(ctx.text.endswith(h, s, e) for h in self.generic)
                ):
                    continue  # 教育部门 alone is a kind of body; 区教育部门 names one
                if s < e:
                    out.append(Mention(ctx.text[s:e], rule.type, s, e, rule.id, ctx.sent, subtype=rule.subtype))
        return out

    def _pattern_left(self, ctx: _Ctx, m: re.Match, s: int) -> int:
        """A pattern's free prefix (group `pre`) may take in words before the name
        (据福州市公安局, 外交部和省公安厅): the name starts after the last cut word,
        function word or verb inside it."""
        if "pre" not in m.re.groupindex or m.start("pre") < 0:
            return s
        lo, hi = m.span("pre")
        idx = ctx.tok_at.get(lo)
        if idx is not None and ctx.tokens[idx].start < lo:
            s = max(s, ctx.tokens[idx].end)
        for tok in ctx.tokens[idx or 0 :]:
            if tok.start >= hi - 1:
                break
            if tok.end == hi and self._glued_admin(ctx, tok):
                s = max(s, hi - 1)  # 到区民政局, 已交市住房保障办: the verb took the 区
            elif tok.start >= lo and (
                tok.text in self.boundary
                or tok.text in self.generic
                and tok.text[-1] in self.org_chars
                or tok.pos == "f"
                or tok.pos in SOFT_STOP_POS
                or any(c in HARD_STOP for c in tok.text)
            ):
                s = max(s, tok.end)
        return s

    def _glued_admin(self, ctx: _Ctx, tok: Token) -> bool:
        return (
            len(tok.text) > 1
            and tok.text[-1] in "省市区县镇"
            and not tok.pos.startswith("ns")
            and not self.gaz.lookup(tok.text)
            and (tok.text[0] in self.lead_chars or tok.pos.startswith("v"))
        )

    def _after_title(self, text: str, s: int, e: int) -> int:
        """团长卡洛斯·桑切斯 → the name starts after the post."""
        best = s
        for t in self.titles:
            i = text.find(t, max(0, s - len(t) + 1), e)
            if i >= 0 and i + len(t) < e and "·" in text[i + len(t) : e]:
                best = max(best, i + len(t))
        return best

    # ---- gazetteer ---------------------------------------------------------
    def _gazetteer_mentions(self, ctx: _Ctx) -> list[Mention]:
        rule = self.gaz_rule
        if rule is None:
            return []
        out = []
        toks = ctx.tokens
        full_names, any_names = self.gaz_full, self.gaz_any
        for i in range(len(toks)):
            if toks[i].text[:1] not in self.gaz_initials:
                continue
            for n in (2, 1):
                if i + n > len(toks):
                    continue
                text = toks[i].text + toks[i + 1].text if n == 2 else toks[i].text
                if n == 1 and text.endswith("地区") and len(text) > 3:
                    text = text[:-2]  # 东北地区, 亚太地区: the region is the name
                if text not in (full_names if n == 2 else any_names):
                    continue
                if len(text) < 2 or text in self.all_suffixes:
                    continue
                full = text in self.gaz.places or text in self.gaz.regions or text in self.gaz.countries
                short = (
                    n == 1
                    and text in self.gaz.short
                    and (
                        toks[i].pos.startswith("ns")
                        or self.gaz.short[text].level <= 2
                        and (toks[i].pos.startswith(("nr", "nz", "j")) or self._place_slot(ctx, i))
                    )
                    or n == 1
                    and text in self.gaz.weak_short
                    and self._place_slot(ctx, i)
                )
                if full or short:
                    out.append(
                        Mention(
                            text,
                            "Place",
                            toks[i].start,
                            toks[i].start + len(text),
                            rule.id,
                            ctx.sent,
                            subtype=rule.subtype,
                        )
                    )
                    break
        return out

    # ---- persons -----------------------------------------------------------
    def _says(self, rest: str) -> bool:
        """The text after a name starts with a verb of saying, or an adverb and one (曾表示)."""
        if rest.startswith(self.speech_starts):
            return True
        return any(rest.startswith(a) and rest.startswith(self.speech_starts, len(a)) for a in self.speech_adverbs)

    def _person_mentions(self, ctx: _Ctx) -> list[Mention]:
        rule = self.person_rule
        if rule is None:
            return []
        text, out = ctx.text, []
        if ctx.sent.kind in ("byline", "caption") or "记者" in text:
            for m in BYLINE_PERSON.finditer(text):
                names = [(m.start(1), m.end(1))]
                for more in BYLINE_MORE.finditer(text, m.end(1)):
                    if more.start() != names[-1][1]:
                        break
                    names.append((more.start(1), more.end(1)))  # 记者王某、李某某报道
                for a, b in names:
                    name = text[a:b]
                    tagged = self.lex.tag(name).startswith("nr") and self.lex.freq(name) < 50  # not 辟谣 (nr!)
                    if (self._looks_like_person(name) or tagged) and self._plausible_byline(name):
                        out.append(Mention(text[a:b], "Person", a, b, rule.id, ctx.sent, subtype="Journalist"))
        spans = {(m.start, m.end) for m in out}
        for hit in self.title_re.finditer(text):
            if True:
                short_said = text.startswith(tuple(self.speech), hit.end() + 2)
                lengths = (2,) if short_said else (3, 2)
                if text[hit.end() : hit.end() + 2] in self.japanese_surnames:
                    lengths = (4, *lengths)
                for n in lengths:
                    name = text[hit.end() : hit.end() + n]
                    rest = text[hit.end() + n :]
                    said = self._says(rest)  # 经理图门吉说, 总裁X某曾表示: a name of no common surname
                    tagged = n == 3 and self._tagged_name(ctx, hit.end(), hit.end() + n)  # 高级工程师|郜文涛 (nr)
                    if (
                        len(name) == n
                        and (self._looks_like_person(name) or tagged or said and self._unusual_name(name))
                        and self._plausible_name(name, after_post=True)
                        and (
                            not rest
                            or rest[0] in "，、。；：（(等□■"
                            or said
                            or self._split_name(ctx, hit.end(), hit.end() + n)
                            or n == 4
                            and rest[0] in self.function_chars  # 社长山田健一|在致辞中说
                        )
                    ):
                        span = (hit.end(), hit.end() + n)
                        if span not in spans:
                            spans.add(span)
                            out.append(Mention(name, "Person", *span, rule.id, ctx.sent))
                        break
        out += self._dotted_names(ctx, spans)
        out += self._speaker_names(ctx, spans)
        out += self._listed_names(ctx, spans)
        out += self._doctrine_names(ctx, spans)
        for i, tok in enumerate(ctx.tokens):
            if not tok.pos.startswith("nr") or not self._looks_like_person(tok.text) or (tok.start, tok.end) in spans:
                continue
            before = text[: tok.start]
            after = text[tok.end :]
            titled = before.endswith(self.title_ends)
            speaks = after.startswith(self.speech_starts)
            if (titled or speaks) and self._plausible_name(tok.text):
                end = self._name_end(ctx, i) if titled and len(tok.text) == 2 else tok.end
                if (tok.start, end) not in spans:
                    spans.add((tok.start, end))
                    out.append(Mention(text[tok.start : end], "Person", tok.start, end, rule.id, ctx.sent))
        return out

    def _split_name(self, ctx: _Ctx, s: int, e: int) -> bool:
        """经理杨/建新/指着, 副司长宋/建新/先生: after a post, a surname the tokenizer cut
        off and a given name, ending where a verb, a preposition or an honorific starts."""
        if s not in ctx.bounds or e not in ctx.bounds or e >= len(ctx.text):
            return False
        first, nxt = ctx.tokens[ctx.tok_at[s]], ctx.tokens[ctx.tok_at[e]]
        if not (len(first.text) == 1 or first.pos.startswith("nr")) or first.end > e:
            return False
        return (
            nxt.text in self.honorifics
            or ctx.text.startswith(self.person_after, e)
            or (nxt.pos.startswith(("v", "p", "d")) and nxt.text not in self.name_verbs)
        )

    def _name_end(self, ctx: _Ctx, i: int) -> int:
        """书记汪明/新/经常: the tokenizer cut a given name; the next lone character belongs
        to the name when a word, not a particle, follows it."""
        tok = ctx.tokens[i]
        if i + 2 >= len(ctx.tokens):
            return tok.end
        nxt, after = ctx.tokens[i + 1], ctx.tokens[i + 2]
        if (
            len(nxt.text) == 1
            and "\u4e00" <= nxt.text <= "\u9fff"
            and nxt.text not in self.function_chars
            and len(after.text) >= 2
            and after.pos.startswith(("v", "d", "p"))
        ):
            return nxt.end
        return tok.end

    # ---- dictionary names: jieba's ns / nt / nr words where no rule found a name ----
    def _lexicon(self, ctx: _Ctx, found: list[Mention]) -> list[Mention]:
        out = []
        taken = {p for m in found for p in range(m.start, m.end)}  # the characters names cover
        for rule in (r for r in self.rules.entity_rules if r.kind == "lexicon"):
            for i, tok in enumerate(ctx.tokens):
                typ = rule.pos.get(tok.pos)
                if typ is None or any(p in taken for p in range(tok.start, tok.end)):
                    continue
                if not self._lexicon_ok(ctx, i, tok, typ, rule):
                    if typ == "Person" and self._foreign_place(ctx, i, tok):
                        out.append(Mention(tok.text, "Place", tok.start, tok.end, rule.id, ctx.sent))
                        taken.update(range(tok.start, tok.end))
                    continue
                if typ == "Institution" and self._company_word(tok):
                    typ = "Company"
                end = tok.end
                if typ == "Person" and len(tok.text) == 3 and tok.text[-1] in self.strong_boundary:
                    end -= 1  # 李华任 is 李华 + 任 (appointed)
                out.append(Mention(ctx.text[tok.start : end], typ, tok.start, end, rule.id, ctx.sent))
                taken.update(range(tok.start, tok.end))
        return out

    def _company_word(self, tok: Token) -> bool:
        w = tok.text
        if w.endswith(self.legal):
            return True
        return tok.pos == "j" and w.endswith(self.company_abbr_ends) and not w.startswith(self.state_prefixes)

    def _lexicon_ok(self, ctx: _Ctx, i: int, tok: Token, typ: str, rule: EntityRule) -> bool:
        nxt = ctx.tokens[i + 1].text if i + 1 < len(ctx.tokens) else ""
        if nxt in self.industry or nxt in self.all_suffixes or (nxt in self.generic and nxt not in self.title_set):
            return False  # part of a longer name: 科达 in 科达软件 (but X委委员: a post follows)
        freq = self.lex.freq(tok.text)
        if typ == "Person":
            short = len(tok.text) == 2
            return self._person_token(ctx, i, tok) and (not rule.max_freq or not short or freq < rule.max_freq)
        if (
            tok.text[0] in "东西南北中"
            and tok.text.endswith("部")
            or tok.text in self.common_orgs
            or tok.text in self.title_set
        ):
            return False
        trusted = tok.pos == "nt" and len(tok.text) >= 3 and freq >= rule.min_freq
        head = next((g for g in self.generic_longest_first if tok.text.endswith(g)), None)
        if head and not (trusted and len(tok.text) - len(head) >= 4) or self._generic_org_word(tok.text):
            return False
        if typ == "Place":
            return self._dictionary_place(tok) and self._place_evidence(ctx, i, tok)
        if not trusted and tok.text.startswith(self.boundary_starts):
            return False  # 联合政府 is 联合 + 政府
        return (
            len(tok.text) >= 2
            and freq >= rule.min_freq
            and self.lex.tag(tok.text) == tok.pos
            and (tok.pos == "nt" or tok.text[-1] in self.org_chars)
        )

    def _dictionary_place(self, tok: Token) -> bool:
        """Rivers, lakes, mountains and foreign cities that jieba's dictionary tags ns."""
        w = tok.text
        if self.lex.tag(w) != "ns" or len(w) < 2 or w in self.generic or w in self.boundary:
            return False
        if w in self.common_places or w.endswith(tuple(self.generic)):
            return False
        if (
            len(w) == 2
            and (self.lex.tag(w[0]).startswith("v") or w[0] in "上下进出回到入来去")
            and self.lex.tag(w[1]).startswith("n")
        ):
            return False  # 上门, 回国: a verb and its object
        return self.lex.freq(w) >= 10

    def _place_evidence(self, ctx: _Ctx, i: int, tok: Token) -> bool:
        """jieba tags many ordinary words ns (神圣, 山洞): a dictionary place needs the form of
        a place name, a place's slot, or a frequent use as a name."""
        w = tok.text
        if w[-1] in self.geo_end_chars or sum(c in self.translit for c in w) >= 2:
            return True
        if self._place_context(ctx, i, tok):
            return True
        near = [ctx.tokens[k] for k in (i - 2, i + 2) if 0 <= k < len(ctx.tokens)]
        if any(
            ctx.tokens[k].text in ("、", "和", "及", "与") for k in (i - 1, i + 1) if 0 <= k < len(ctx.tokens)
        ) and any(self.gaz.lookup(t.text) or t.pos == "ns" for t in near):
            return True
        return self.lex.freq(w) >= 1000 and not self.lex.tag(w[:1]).startswith("a")

    def _abbreviations(self, ctx: _Ctx, found: list[Mention]) -> list[Mention]:
        """One-character place names: side by side (中美, 印巴), after a verb of visiting
        (访华, 抵京) or before 方 and words of relations (中方, 日俄首脑)."""
        assert self.gaz_rule is not None  # find calls this only with a gazetteer rule
        text, out = ctx.text, []
        hits: set[int] = set()
        covered = None
        for i, ch in enumerate(text):
            if ch not in self.abbr:
                continue
            if covered is None:
                covered = {p for m in found for p in range(m.start, m.end)}
            if i in covered:
                continue
            idx = ctx.tok_at.get(i)
            tok = ctx.tokens[idx] if idx is not None else None
            if tok is None or len(tok.text) > 4:
                continue
            if self._abbr_pair(ctx, i) or self._abbr_context(ctx, i, tok):
                hits.add(i)
        for i in sorted(hits):
            out.append(Mention(text[i], "Place", i, i + 1, self.gaz_rule.id, ctx.sent, subtype="Abbreviation"))
        return out

    def _abbr_pair(self, ctx: _Ctx, i: int) -> bool:
        text = ctx.text
        if text[i] not in self.country_abbr:
            return False
        lo = hi = i
        while lo > 0 and text[lo - 1] in self.country_abbr and i - lo < 3:
            lo -= 1
        while hi + 1 < len(text) and text[hi + 1] in self.country_abbr and hi - i < 3:
            hi += 1
        first = ctx.tok_at.get(lo)
        if hi == lo or first is None or ctx.tokens[first].start != lo:
            return False
        if text.startswith(self.abbr_after, hi + 1):
            return True
        t = ctx.tokens[first]
        if text.startswith(self.person_after, hi + 1):
            return False
        singles = [ctx.tokens[ctx.tok_at[c]] for c in range(lo, hi + 1) if c in ctx.tok_at]
        if all(len(x.text) == 1 for x in singles) and len(singles) == hi - lo + 1:
            nxt = self._next(ctx, hi + 1)
            return (
                any(x.pos in ("ns", "j") for x in singles)
                and (len(nxt) >= 2 or not nxt or nxt in HARD_STOP)
                and not any(x.pos in ("p", "c", "d", "u", "r", "v") for x in singles)
            )  # 中/f 美/ns
        if t.end != hi + 1:
            return False
        if self.lex.in_dictionary(t.text):  # 中美 is rare as a word, 美德 (virtue) is common
            return t.pos in ("ns", "j") and self.lex.freq(t.text) < 200
        return t.pos not in ("p", "c", "d", "u", "f", "r")

    def _abbr_context(self, ctx: _Ctx, i: int, tok: Token) -> bool:
        text, ch = ctx.text, ctx.text[i]
        if text[i + 1 : i + 2] == "方":
            return tok.text in (ch, ch + "方") and (tok.text != ch or len(self._next(ctx, i + 1)) == 1)
        if ch in "中新亚非欧拉":
            return False  # too often an ordinary word (在中, 出新)
        if ch in self.country_abbr and tok.start == i and text.startswith(self.abbr_heads, i + 1):
            return True  # 俄政府, 叙总统, 美军
        if i == 0 or text[i - 1] not in self.abbr_verbs or i + 1 < len(text) and text[i + 1] in self.abbr:
            return False
        verb = ctx.tok_at.get(i - 1)
        if verb is None or ctx.tokens[verb].start != i - 1:
            return False
        rest = tok.text[i + 1 - tok.start :]
        return tok.start in (i - 1, i) and (not rest or len(rest) >= 2 and self.lex.in_dictionary(rest))

    @staticmethod
    def _next(ctx: _Ctx, at: int) -> str:
        k = ctx.tok_at.get(at)
        return ctx.tokens[k].text if k is not None and ctx.tokens[k].start == at else ""

    def _title_splits(self, w: str) -> tuple[int, ...]:
        """Where a word splits into a name suffix and a title (党委|书记); a post that begins
        with a project's suffix (项目经理) stays whole: a project employs nobody."""
        hit = self._split_cache.get(w)
        if hit is None:
            hit = self._split_cache[w] = tuple(
                k
                for k in range(1, len(w))
                if w[k:] in self.title_set
                and w[:k] in self.all_suffixes
                and not (w in self.title_set and w[:k] in self.project_suffixes)  # 项目经理 is one post
            )
        return hit

    def _generic_org_word(self, word: str) -> bool:
        """施工队, 科研院所: a kind of organisation, not one organisation."""
        hit = self._generic_cache.get(word)
        if hit is None:
            hit = self._generic_cache[word] = self._generic_org(word)
        return hit

    def _generic_org(self, word: str) -> bool:
        for s in self.all_suffixes:
            if word.endswith(s) and len(word) > len(s):
                stem = word[: -len(s)]
                tag = self.lex.tag(stem)
                if (
                    stem in self.name_verbs
                    or stem in self.industry
                    or stem in self.generic
                    or (tag and not tag.startswith(SPECIFIC_POS))
                ):
                    return True
        return False

    def _person_token(self, ctx: _Ctx, i: int, tok: Token) -> bool:
        """A three-character name stands on its own; a two-character one needs context
        (a post, a verb of saying, an honorific, another name beside it)."""
        name = tok.text
        if "·" in name:
            return len(name) >= 4
        if all(c in self.translit for c in name) or len(name) > 4:
            return (
                self._foreign_name(ctx, i, tok)
                or len(name) <= 3
                and self._looks_like_person(name)
                and not self.lex.in_dictionary(name)
            )
        if not self._looks_like_person(name) or name[-1] in self.abstract_chars or self.gaz.lookup(name):
            return False
        if self.lex.in_dictionary(name) and not self.lex.tag(name).startswith("nr"):
            return False
        if len(name) >= 3 and all(c in self.translit for c in name):
            return False  # 莫斯科, 吉隆坡: transliterated places
        head = name[:2]
        htag = self.lex.tag(head)
        if len(name) == 3 and htag and not htag.startswith("nr") and self.lex.freq(head) > 500:
            return False  # 纪念章, 田径赛: a common word plus one character
        text = ctx.text
        for a, b in ((tok.start - 1, tok.end), (tok.start, tok.end + 1), (tok.start - 1, tok.end + 1)):
            if a >= 0 and b <= len(text) and self.lex.in_dictionary(text[a:b]):
                return False  # part of a longer word: 金白银 in 真金白银
        if not self._plausible_name(name):
            return False
        if len(name) >= 3 and (
            not self.lex.in_dictionary(name)
            or self.lex.tag(name).startswith("nr")
            and (self.lex.freq(name) >= 5 or not self.lex.in_dictionary(name[1:]))
        ):
            return True
        prev = ctx.tokens[i - 1] if i else None
        nxt = ctx.tokens[i + 1] if i + 1 < len(ctx.tokens) else None
        if (
            not self.lex.in_dictionary(name)
            and name[-1] not in self.abstract_chars
            and (prev is None or prev.pos in ("x", "p", "c", "uj", "v") or prev.text in self.person_titles)
            and not (
                nxt is not None
                and len(nxt.text) == 1
                and "\u4e00" <= nxt.text <= "\u9fff"
                and nxt.pos not in SOFT_STOP_POS
            )
        ):
            return True  # an unknown word tagged as a name by the HMM: 薛明, 卢亮
        if prev is not None and (prev.text in self.person_titles or prev.text.endswith(tuple(self.person_titles))):
            return True
        if nxt is not None and (nxt.text in self.speech or nxt.text in self.titles or nxt.text in self.honorifics):
            return True
        near = [
            t
            for t in (ctx.tokens[i - 2] if i >= 2 else None, ctx.tokens[i + 2] if i + 2 < len(ctx.tokens) else None)
            if t is not None
        ]
        return any(t.pos.startswith("nr") and self._looks_like_person(t.text) for t in near) and (
            (prev is not None and prev.text == "、") or (nxt is not None and nxt.text == "、")
        )

    # ---- token patterns over the mentions found so far (kind: tokens) ---------------
    def _token_rules(self, ctx: _Ctx, found: list[Mention]) -> list[Mention]:
        """Each tokens rule's matches: its `name` capture (or the whole match) is a mention of the
        rule's type (without one, the type of the last mention it spans: the head); its subtype is
        the rule's, else the head's."""
        if not self.token_rules:
            return []
        assert self.rules.patterns is not None  # load_rules gives every rule set its compiler
        present = self.rules.patterns.present(ctx.text)
        named = [m for m in found if not m.bare]
        kinds = {k for m in named for k in (m.type, m.subtype) if k}
        every = kinds | {k for m in found for k in (m.type, m.subtype) if k}
        rules = [
            r
            for r in (self.token_rules[k] for k in self.token_filter.possible(present))
            if r.compiled is not None and r.compiled.possible(present, every if r.references else kinds)
        ]
        if not rules:
            return []
        seqs = {}
        out = []
        for rule in rules:
            if rule.references not in seqs:  # references: the bare words too (“X产业学院”)
                seqs[rule.references] = self.rules.patterns.sequence(
                    units(ctx.text, ctx.tokens, found if rule.references else named)
                )
            seq = seqs[rule.references]
            assert rule.compiled is not None  # filtered above
            for m in self.rules.patterns.finditer(rule.compiled, seq):
                span = m.captures.get("name")
                s, e = (span[0].start, span[-1].end) if span else (m.start, m.end)
                heads = [u.mention for u in (span or []) if u.mention is not None]
                if not rule.type and not heads:
                    continue  # the type comes from the head, and there is none
                typ = rule.type or heads[-1].type
                subtype = rule.subtype or (heads[-1].subtype if heads and heads[-1].type == typ else "")
                out.append(Mention(ctx.text[s:e], typ, s, e, rule.id, ctx.sent, subtype=subtype, bare=rule.refers))
        return out

    @staticmethod
    def _outside_titles(ctx: _Ctx, found: list[Mention]) -> list[Mention]:
        """《萨维奇一家》, 《南京！南京！》: a person or place inside the title of a work is part
        of the title, not a mention (a newspaper's title, 《宁波日报》, still names it)."""
        if "》" not in ctx.text:
            return found
        titles = [m.span() for m in re.finditer(r"《[^《》]*》|^[^《》]*》", ctx.text)]
        return [
            m
            for m in found
            if m.type not in ("Person", "Place") or not any(a <= m.start and m.end <= b for a, b in titles)
        ]

    # ---- clubs in match reports: 切尔西2比1战胜埃弗顿 -----------------------
    def _teams(self, ctx: _Ctx, found: list[Mention]) -> list[Mention]:
        rule = self.team_rule
        if rule is None or not self.match_re.search(ctx.text):
            return found
        clauses = [m.span() for m in re.finditer(r"[^，。；！？,;!?]+", ctx.text)]
        hot = [c for c in clauses if self.match_re.search(ctx.text, c[0], c[1])]
        out = []
        for m in found:
            if (
                m.type in ("Person", "Place")
                and not m.bare
                and any(a <= m.start and m.end <= b for a, b in hot)
                and self._team_name(ctx, m)
            ):
                m = Mention(m.text, rule.type, m.start, m.end, rule.id, m.sentence, subtype=rule.subtype)
            out.append(m)
        taken = [(m.start, m.end) for m in found]
        for run in self._translit_runs(ctx):  # 阿森纳, 瓦拉|多利德: transcribed words no rule took
            a, b = run[0].start, run[-1].end
            if (
                b - a < 2
                or not any(t.pos.startswith(("nr", "ns", "nz")) for t in run)
                or not any(x <= a and b <= y for x, y in hot)
                or any(x < b and a < y for x, y in taken)
            ):
                continue
            if self._club_word(ctx, a, b):
                out.append(Mention(ctx.text[a:b], rule.type, a, b, rule.id, ctx.sent, subtype=rule.subtype))
        return out

    def _transcribed(self, word: str) -> bool:
        return bool(word) and all(c in self.translit for c in word)

    def _translit_runs(self, ctx: _Ctx) -> list[list[Token]]:
        runs: list[list[Token]] = []
        cur: list[Token] = []
        for tok in ctx.tokens:
            if not self._transcribed(tok.text):
                if cur:
                    runs.append(cur)
                cur = []
            elif cur and cur[-1].end != tok.start:
                runs.append(cur)
                cur = [tok]
            else:
                cur.append(tok)
        if cur:
            runs.append(cur)
        return runs

    def _team_name(self, ctx: _Ctx, m: Mention) -> bool:
        """A foreign city (not a Chinese place, not a country, not a venue after 在), or a
        transcribed word that is no player's name."""
        if m.type == "Place":
            before = ctx.text[max(0, m.start - 2) : m.start]
            return (
                m.rule.startswith("lexicon")
                and m.text[-1] not in "洲美"
                and not any(before.endswith(w) for w in self.place_before)
            )
        return self._club_word(ctx, m.start, m.end)

    def _club_word(self, ctx: _Ctx, s: int, e: int) -> bool:
        """Transcribed characters with no post before them and no player's verb after them."""
        text = ctx.text
        return (
            self._transcribed(text[s:e])
            and not text[max(0, s - 4) : s].endswith(tuple(self.person_titles))
            and not text.startswith(self.person_after, e)
        )

    # ---- items coordinated with a known organisation -----------------------
    def _coordinated(self, ctx: _Ctx, found: list[Mention]) -> list[Mention]:
        """In A、B、C共同… where some items are organisations, the others are too."""
        rule = self.list_rule
        if rule is None:
            return []
        out, text = [], ctx.text
        cover = None
        for seg in re.finditer(r"[^，。；：！？“”（）等]+", text):
            segment = seg.group()
            if "、" not in segment:
                continue
            cover = cover or _Cover(found)
            orgs = [m for m in cover.within(seg.start(), seg.end()) if m.type in ("Company", "Institution")]
            if not orgs:
                continue
            first, last = min(m.start for m in orgs), max(m.end for m in orgs)
            if not ("、" in text[first:last] or text[last : last + 1] == "、" or text[first - 1 : first] == "、"):
                continue
            lo = text.rfind("、", seg.start(), first)
            lo = seg.start() if lo < 0 else lo
            hi = text.find("、", last)
            hi = last if hi < 0 or hi > seg.end() else hi  # no item after the last organisation
            end_cut = self._list_end(ctx, hi, seg.end())
            typ = "Institution" if all(o.type == "Institution" for o in orgs) else "Company"
            out += [
                m
                for m in self._items(ctx, seg.start(), text[seg.start() : end_cut], typ, cover, rule.id)
                if not cover.overlaps(m.start, m.end)
            ]
        return out

    def _list_end(self, ctx: _Ctx, hi: int, seg_end: int) -> int:
        """The end of the last list item: before the first boundary word or verb after it."""
        toks = [t for t in ctx.tokens if t.start >= hi and t.end <= seg_end]
        if toks and toks[0].start == hi and toks[0].text in ("和", "与", "及", "以及"):
            toks = toks[1:]  # A、B和C: the last item follows the conjunction
        for t in toks:
            if t.text in self.boundary or t.pos in SOFT_STOP_POS:
                return t.start
        return seg_end

    def _dotted_names(self, ctx: _Ctx, spans: set) -> list[Mention]:
        """卡洛斯·桑切斯: transcription characters on both sides of a middle dot."""
        assert self.person_rule is not None  # called by _person_mentions, which needs it
        out: list[Mention] = []
        if self.dotted_re is None or not any(d in ctx.text for d in DOTS + "-－"):
            return out
        for m in self.dotted_re.finditer(ctx.text):
            s, e = m.span()
            if len(m.group()) < 4 or (s, e) in spans:
                continue
            spans.add((s, e))
            out.append(Mention(m.group(), "Person", s, e, self.person_rule.id, ctx.sent, subtype="Foreign"))
        return out

    def _listed_names(self, ctx: _Ctx, spans: set) -> list[Mention]:
        """罗文辉、许建华等8人: the names of a list that ends in 等N人 (or 等人), each of two or three
        characters with a surname; the first may stand right after a post (董事长王静等5人)."""
        assert self.person_rule is not None  # called by _person_mentions, which needs it
        out = []
        for m in LISTED_PERSONS.finditer(ctx.text):
            items, pos = m.group(1).split("、"), m.start(1)
            found: list[tuple[int, int]] = []
            for k, item in enumerate(items):
                starts = (len(item) - 3, len(item) - 2) if k == 0 else (0,)
                cut = next((c for c in starts if c >= 0 and self._listed_name(item[c:])), None)
                if cut is None:
                    found = []
                    break  # one item that is no name: not a list of persons
                found.append((pos + cut, pos + len(item)))
                pos += len(item) + 1
            for s, e in found:
                if (s, e) not in spans:
                    spans.add((s, e))
                    out.append(Mention(ctx.text[s:e], "Person", s, e, self.person_rule.id, ctx.sent))
        return out

    def _listed_name(self, name: str) -> bool:
        return 2 <= len(name) <= 3 and self._looks_like_person(name) and self._plausible_name(name, after_post=True)

    def _speaker_names(self, ctx: _Ctx, spans: set) -> list[Mention]:
        """江宏伟说, 记者高允连报道: a Chinese name the tokenizer split, in the slot before a
        verb of saying or after a post, between boundaries."""
        assert self.person_rule is not None  # called by _person_mentions, which needs it
        text, out = ctx.text, []
        colons = [k for k in range(2, min(len(text), 5)) if text[k] in "：:"]  # 陈某某：…
        for k in [h.start() for h in self.person_after_re.finditer(text)] + colons:
            for n in (3, 2):
                s = k - n
                if s < 0 or (s, k) in spans or not self._looks_like_person(text[s:k]):
                    continue
                if not self._plausible_name(text[s:k]) or not self._slot_start(ctx, s):
                    continue
                if any(self._stop_inside(t) for t in self._inside_tokens(ctx, s, k)):
                    continue
                if not self._word_starts(ctx, k):
                    continue
                spans.add((s, k))
                out.append(Mention(text[s:k], "Person", s, k, self.person_rule.id, ctx.sent))
                break
        return out

    def _coordinated_persons(self, ctx: _Ctx, found: list[Mention]) -> list[Mention]:
        """李长军、王建明、仇海涛: an item of two or three characters between two persons of a list is a
        person, where it looks like a name or the tokenizer tags it as one."""
        rule = self.person_rule
        persons = {(m.start, m.end) for m in found if m.type == "Person" and not m.bare}
        if rule is None or len(persons) < 2 or "、" not in ctx.text:
            return []
        cover = _Cover(found)
        out = []
        for seg in re.finditer(r"[^，。；：！？“”（）,;:!?]+", ctx.text):
            bounds = [seg.start()] + [i + 1 for i in range(seg.start(), seg.end()) if ctx.text[i] == "、"]
            items = [(a, (bounds[k + 1] - 1) if k + 1 < len(bounds) else seg.end()) for k, a in enumerate(bounds)]
            if sum(it in persons for it in items) < 2:
                continue
            for a, b in items[1:-1]:
                name = ctx.text[a:b]
                if (a, b) in persons or not 2 <= len(name) <= 3 or cover.overlaps(a, b):
                    continue
                tagged = self._tagged_name(ctx, a, b)
                if tagged or self._looks_like_person(name) and self._plausible_name(name, after_post=True):
                    out.append(Mention(name, "Person", a, b, rule.id, ctx.sent))
        return out

    @staticmethod
    def _tagged_name(ctx: _Ctx, s: int, e: int) -> bool:
        """The tokenizer took [s, e) for a person's name, one word."""
        idx = ctx.tok_at.get(s)
        tok = ctx.tokens[idx] if idx is not None else None
        return tok is not None and tok.start == s and tok.end == e and tok.pos.startswith("nr")

    def _inside_tokens(self, ctx: _Ctx, s: int, k: int) -> list[Token]:
        """The tokens of a candidate name [s, k) that could stop it: not the word the tokenizer glued
        to the word after it (良任, 昆为), nor an adjective after an appointing verb (聘任|王重|昆为)."""
        toks = [ctx.tokens[i] for i in sorted({ctx.tok_at[c] for c in range(s, k) if c in ctx.tok_at})]
        idx = ctx.tok_at.get(s)
        appointed = idx is not None and idx > 0 and ctx.tokens[idx - 1].text in self.appointing
        return [t for t in toks if t.end <= k and not (appointed and t.pos.startswith("a"))]

    @staticmethod
    def _stop_inside(tok: Token) -> bool:
        """A word that no name holds: a verb, a preposition … of two characters or more, not a
        word the dictionary tags as a time word that is none (周|恩来 of a name is tagged t)."""
        if len(tok.text) < 2 or tok.pos not in SOFT_STOP_POS:
            return False
        return tok.pos != "t" or bool(TIME_CHARS.intersection(tok.text[1:]))

    def _word_starts(self, ctx: _Ctx, k: int) -> bool:
        """A word starts at ``k``, or the tokenizer glued a name's last character to its first
        in a word it guessed (李东|良任|公司: 良任 spans the name's end and 任; 名称 is a word)."""
        idx = ctx.tok_at.get(k)
        if idx is None:
            return False
        tok = ctx.tokens[idx]
        glued = tok.start == k - 1 and tok.end == k + 1 and not self.lex.in_dictionary(tok.text)
        return tok.start == k or glued

    def _slot_start(self, ctx: _Ctx, s: int) -> bool:
        if s == 0 or ctx.text[s - 1] in HARD_STOP or ctx.text[s - 1] in "（(）) ":
            return True
        idx = ctx.tok_at.get(s)
        if idx is None or ctx.tokens[idx].start != s:
            return False
        prev = ctx.tokens[idx - 1].text if idx else ""
        return (
            prev in self.person_titles
            or prev.endswith(tuple(self.person_titles))
            or prev in ("和", "与", "同")
            or prev in self.appointing  # 聘任|李东良任公司副总经理
        )

    def _doctrine_names(self, ctx: _Ctx, spans: set) -> list[Mention]:
        """邓小平理论, 马克思主义: the name inside a doctrine named after a person."""
        assert self.person_rule is not None  # called by _person_mentions, which needs it
        out = []
        for t in ctx.tokens:
            if len(t.text) < 4 or not t.pos.startswith("nr"):
                continue
            for w in ("理论", "思想", "主义", "文选", "著作", "精神"):
                name = t.text[: -len(w)]
                if (
                    t.text.endswith(w)
                    and len(name) >= 2
                    and (self._looks_like_person(name) or all(c in self.translit for c in name))
                ):
                    spans.add((t.start, t.start + len(name)))
                    out.append(Mention(name, "Person", t.start, t.start + len(name), self.person_rule.id, ctx.sent))
                    break
        return out

    def _foreign_place(self, ctx: _Ctx, i: int, tok: Token) -> bool:
        """伯尔尼 in 在伯尔尼; 莫斯科, 科索沃: transcribed words jieba tags as names, in a
        place's slot or used too often to be a person's name."""
        w = tok.text
        if (
            not 2 <= len(w) <= 6
            or not all(c in self.translit for c in w)
            or tok.start > 0
            and ctx.text[tok.start - 1] in self.translit
            and len(ctx.tokens[i - 1].text) == 1
        ):
            return False
        prev = ctx.tokens[i - 1].text if i else ""
        person = prev in self.person_titles or ctx.text.startswith(self.person_after, tok.end)
        frequent = len(w) >= 3 and self.lex.freq(w) >= 400
        return self._place_context(ctx, i, tok) or frequent and not person

    def _place_slot(self, ctx: _Ctx, i: int) -> bool:
        """大连 (tagged an adverb), 合肥 (a noun): a city the tagger missed, where the
        slot says place: a place word around it, or another place beside it in a list."""
        tok = ctx.tokens[i]
        if self._place_context(ctx, i, tok):
            return True
        for k, sep in ((i - 2, i - 1), (i + 2, i + 1)):
            if (
                0 <= k < len(ctx.tokens)
                and ctx.tokens[sep].text in ("、", "和", "与", "及", "至", "到")
                and (ctx.tokens[k].pos == "ns" or self.gaz.lookup(ctx.tokens[k].text))
            ):
                return True
        return False

    def _place_context(self, ctx: _Ctx, i: int, tok: Token) -> bool:
        """在伯尔尼, 首都阿布贾, 抵达卡拉奇: a word in the slot of a place."""
        prev = ctx.tokens[i - 1].text if i else ""
        return prev in self.place_before or ctx.text.startswith(self.place_after, tok.end)

    def _foreign_name(self, ctx: _Ctx, i: int, tok: Token) -> bool:
        """克林顿, 基里延科: a name-tagged word of transcription characters, with a post
        before it or a verb of saying after it, that is not a known place."""
        name = tok.text
        if not 2 <= len(name) <= 6 or not all(c in self.translit for c in name) or self.gaz.lookup(name):
            return False
        if (self.lex.tag(name) or "nr").startswith(("ns", "nt")):
            return False
        prev = ctx.tokens[i - 1].text if i else ""
        nxt = ctx.tokens[i + 1].text if i + 1 < len(ctx.tokens) else ""
        if (
            prev
            and prev not in self.person_titles
            and all(c in self.translit for c in prev)
            or nxt[:1] in self.translit
            and nxt
            and (len(nxt) == 1 or not self.lex.in_dictionary(nxt))
        ):
            return False  # a piece of a longer transcription: 瓦拉|多利德, 斯特罗|耶夫
        if self._place_context(ctx, i, tok) or name[-1] in self.not_name_end_chars:
            return False
        titled = (
            prev in self.person_titles
            or prev.endswith(tuple(self.person_titles))
            or len(prev) >= 3
            and prev.endswith(("家", "员", "长"))
            and self.lex.tag(prev) == "n"
        )
        return (
            titled or ctx.text.startswith(self.person_after, tok.end) or (len(name) >= 3 and self.lex.freq(name) < 300)
        )

    def _unusual_name(self, name: str) -> bool:
        """A name of no common surname between a post and a verb of saying: Chinese characters,
        no numeral, function character or verb of saying in it (not 一人, 还解释)."""
        return (
            _all_cjk(name)
            and not any(c in self.function_chars or c in self.numeral_chars for c in name)
            and not any(v in name for v in self.speech)
        )

    def _plausible_byline(self, name: str) -> bool:
        """A name between a reporter's role and 报道 (记者李正学报道): a name unless a common word
        (frequent in the dictionary, or a verb, and not tagged a name)."""
        if name[-1] in self.function_chars:
            return False
        tag = self.lex.tag(name)
        word = self.lex.in_dictionary(name) and not tag.startswith("nr")
        return not (word and (self.lex.freq(name) >= 50 or tag[:1] in ("v", "a", "d", "p", "c")))  # 记者|辟谣

    def _plausible_name(self, name: str, after_post: bool = False) -> bool:
        """Not an ordinary word (商量过, 许可证) that happens to start with a surname; ``after_post``
        (主任柯建军介绍), a rare word the dictionary tags as a name is one."""
        tag = self.lex.tag(name)
        timeless = tag == "t" and not TIME_CHARS.intersection(name[1:])  # 周|恩来 is tagged a time word
        if self.lex.in_dictionary(name) and not tag.startswith("nr") and not timeless:
            return False
        if name.endswith(("先生", "女士", "小姐", "老", "总", "某")) or name[-1] in self.abstract_chars:
            return False
        if (
            name[-1] in self.not_name_end_chars
            or name.endswith(self.person_title_ends)
            and any(name.endswith(t) for t in self.person_titles if len(t) < len(name))
            or any(v in name[1:] for v in ("表示", "说", "称"))
        ):
            return False
        if len(name) == 3 and name[2] in self.function_chars or len(name) == 2 and name[1] in self.function_chars:
            return False
        if len(name) == 3 and name[0] in self.function_chars and (self.lex.tag(name[1:]) or "x")[0] in "trpc":
            return False  # 于本周: a surname character before a time word
        if len(name) == 3 and self.lex.in_dictionary(name) and not (after_post and self._rare_name(name)):
            tail, head = name[1:], name[:2]
            ttag = self.lex.tag(tail)
            if ttag in ("n", "m", "vn") and self.lex.freq(tail) >= 50:
                return False  # 雷阵雨, 青少年: a word of three characters whose tail is a word
            if self.lex.freq(head) >= 300:
                return False  # 许可证
        head = name[:2]
        htag = self.lex.tag(head)
        return not (len(name) == 3 and htag and not htag.startswith("nr") and self.lex.freq(head) > 500)

    def _rare_name(self, name: str) -> bool:
        """柯建军: a word the dictionary tags as a person's name and has seen only a few times
        (雷阵雨, 青少年, also tagged so, are frequent)."""
        return self.lex.tag(name).startswith("nr") and self.lex.freq(name) < 20

    # ---- coordinated lists -------------------------------------------------
    def _list_mentions(self, ctx: _Ctx, found: list[Mention]) -> list[Mention]:
        rule = self.list_rule
        if rule is None or self.list_re is None:
            return []
        out = []
        text = ctx.text
        cover = None
        for m in self.list_re.finditer(text):
            if re.match(r"[\u4e00-\u9fff]{0,2}(?:" + self.LIST_GAP_REJECT + ")", m.group("gap")):
                continue
            typ = self.head_type[m.group("head")]
            seg_start = max(text.rfind(p, 0, m.start()) for p in "，。；：！？（）“”") + 1
            segment = text[seg_start : m.start()]
            if "、" not in segment and not re.search(r"[和及与]", segment):
                continue
            cover = cover or _Cover(found)
            out += self._items(ctx, seg_start, segment, typ, cover, rule.id)
        return out

    LIST_GAP_REJECT = r"领域|方面|环节|要素|方式|形式|产品|技术|服务|内容|措施|活动|政策"

    def _items(self, ctx: _Ctx, seg_start: int, segment: str, typ: str, cover: "_Cover", rule_id: str) -> list[Mention]:
        """Mentions for the items of a coordinated list, if enough of them look like names."""
        items, pos = [], seg_start
        parts = re.split(r"(、|以及|和|及|与)", segment)
        for k, part in enumerate(parts):
            if k % 2 == 1:
                pos += len(part)
                continue
            start, item = pos, part
            pos += len(part)
            if k == 0:
                start, item = self._first_item(ctx, start, item)
            items.append((start, start + len(item)))
        covered = [it for it in items if cover.covers(*it)]
        taken = set(covered)
        free = [it for it in items if it not in taken and self._list_item_shape(ctx, *it)]
        free = [it for it in free if not self._plain_item(ctx, *it)]
        named = [it for it in free if not self._generic_item(ctx.text[it[0] : it[1]])]
        if len(named) + len(covered) < max(1, (len(items) + 1) // 2):
            return []
        out = []
        for s, e in free:
            t = "Company" if typ in ("Company", "Institution") and self._ends_industry(ctx.text[s:e]) else typ
            out.append(Mention(ctx.text[s:e], t, s, e, rule_id, ctx.sent, subtype="ShortName"))
        return out

    def _ends_industry(self, name: str) -> bool:
        return name.endswith(self.industry_ends)

    def _first_item(self, ctx: _Ctx, start: int, item: str) -> tuple[int, str]:
        """The first item of a list starts after the last boundary word before it."""
        cut = next(
            (
                e
                for e in range(len(item), 0, -1)
                if any(item[e - n : e] in self.item_cuts for n in self.item_cut_lengths if n <= e)
            ),
            0,
        )
        while cut < len(item) and item[cut] in "了的着":
            cut += 1
        return start + cut, item[cut:]

    def _item_tokens(self, ctx: _Ctx, start: int, end: int) -> list[Token]:
        idx = sorted({ctx.tok_at[c] for c in range(start, end) if c in ctx.tok_at})
        return [ctx.tokens[i] for i in idx]

    def _list_item_shape(self, ctx: _Ctx, start: int, end: int) -> bool:
        item = ctx.text[start:end]
        if not 2 <= len(item) <= 12 or re.search(r"[\s，。；：“”《》（）()]|[0-9０-９][年月日号]", item):
            return False  # a date is no name (于1月5日与A、B等单位签约)
        if COUNTED_START.match(item):
            return False  # 19只基金、5只基金: a count of things
        if item in self.determiners or item in self.boundary:
            return False
        toks = self._item_tokens(ctx, start, end)
        bad = ("v", "p", "c", "u", "d", "r", "y", "e", "o")
        if toks and toks[-1].text in self.function_chars:
            return False  # 研究院已与A…签订: an adverb ends the clause's subject, not a name
        return not any(
            t.pos.startswith(bad) and t.pos != "vn" and t.text not in self.name_verbs
            for t in toks
            if len(t.text) > 1 and t.start >= start
        )

    def _plain_item(self, ctx: _Ctx, start: int, end: int) -> bool:
        """储能电池, 新能源装备, 跨境电商: ordinary words and trade words only, an industry not a name."""
        toks = [t for t in ctx.tokens if start <= t.start and t.end <= end]
        whole = sum(len(t.text) for t in toks) == end - start
        plain = self.industry | self.name_verbs | self.generic
        return whole and len(toks) >= 2 and all(t.text in plain for t in toks)

    def _generic_item(self, item: str) -> bool:
        """科研机构, 高校, 人力资源服务机构: a kind of thing, not a name."""
        dict_word = self.lex.in_dictionary(item) and not self.lex.tag(item).startswith(SPECIFIC_POS)
        return dict_word or item.endswith(tuple(self.generic)) or item in self.determiners


class _Cover:
    """The named (not bare) mentions of a sentence, ordered by start with the furthest end
    reached so far: whether a span lies inside one or overlaps one, found by bisection."""

    def __init__(self, found: list[Mention]):
        self.named = sorted((m for m in found if not m.bare), key=lambda m: m.start)
        self.starts = [m.start for m in self.named]
        self.reach = list(accumulate((m.end for m in self.named), max))

    def covers(self, s: int, e: int) -> bool:
        """A mention starts at or before s and ends at or after e."""
        k = bisect_right(self.starts, s)
        return k > 0 and self.reach[k - 1] >= e

    def overlaps(self, s: int, e: int) -> bool:
        """A mention shares a character with [s, e)."""
        k = bisect_left(self.starts, e)
        return k > 0 and self.reach[k - 1] > s

    def within(self, lo: int, hi: int) -> list[Mention]:
        """The mentions inside [lo, hi)."""
        out = []
        for k in range(bisect_left(self.starts, lo), bisect_left(self.starts, hi)):
            if self.named[k].end <= hi:
                out.append(self.named[k])
        return out


def _family(t: str) -> str:
    return "org" if t in ("Company", "Institution") else t


def prune_nested(mentions: list[Mention]) -> list[Mention]:
    """Keep mentions nested in a longer one only where they start it (嘉兴经开区 in
    嘉兴经开区…联盟) or sit in brackets (（上海）); drop a nested mention that itself
    starts with a mention of another kind (中建八局杭绍台高铁 in …项目部)."""
    inside = nested(mentions)
    order = {id(m): k for k, m in enumerate(mentions)}
    # No top-level mention contains another, so ordered by start they are ordered by end too:
    # the ones around a span are one run of them, found by bisection.
    tops = sorted((m for m in mentions if id(m) not in inside), key=lambda m: (m.start, m.end))
    top_starts = [m.start for m in tops]
    top_ends = [m.end for m in tops]
    by_start: dict[int, list[Mention]] = {}
    for x in mentions:
        by_start.setdefault(x.start, []).append(x)
    out = []
    for m in mentions:
        if id(m) not in inside:
            out.append(m)
            continue
        outer = sorted(
            tops[bisect_left(top_ends, m.end) : bisect_right(top_starts, m.start)], key=lambda o: order[id(o)]
        )
        if m.bare and not any(o.start == m.start for o in outer):
            continue
        text = outer[0].sentence.text if outer and outer[0].sentence else ""
        bracketed = m.start > 0 and text[m.start - 1 : m.start] in "（(" and text[m.end : m.end + 1] in "）)"
        if not any(o.start == m.start for o in outer) and not bracketed and not _named_after(m, outer):
            continue
        inner = [
            x
            for x in by_start[m.start]
            if x is not m
            and x.end < m.end
            and not x.bare
            and not (x.type == "Place" and m.type in ("Company", "Institution"))
        ]  # 上海X有限公司
        if any(_family(x.type) != _family(m.type) for x in inner) and any(
            _family(o.type) != _family(m.type) for o in outer
        ):
            continue
        out.append(m)
    return out


def _named_after(m: Mention, outer: list[Mention]) -> bool:
    """星禾建工有限公司|云栖铁路XQ-2标段|项目部: a project department's name holds its project."""
    return m.type == "Project" and not m.bare and any(o.subtype == "ProjectDepartment" for o in outer)


def dedupe(mentions: list[Mention]) -> list[Mention]:
    """One mention per span, the first rule's; ordered by position."""
    seen, out = set(), []
    for m in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if (m.start, m.end) in seen:
            continue
        seen.add((m.start, m.end))
        out.append(m)
    return out
