"""Administrative divisions of China (from the cpca package's adcode table) and regions.

Gives each known place its full name, short forms (松江 for 松江区) and parent
(松江区 → 上海市), so that places are recognised without a suffix and nested.
"""

from __future__ import annotations

import csv
import importlib.util
import os
from dataclasses import dataclass
from functools import lru_cache

SUFFIXES = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "自治县",
    "新区",
    "地区",
    "省",
    "市",
    "区",
    "县",
    "盟",
    "旗",
)
# jieba tags that mark a short form as an ordinary word (清新, 公安, 定边 …)
COMMON_TAGS = {"a", "ad", "an", "d", "v", "vn", "t", "s", "m", "c", "p", "r", "u", "f", "q", "l", "i"}
MIN_COMMON_FREQ = 3000
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def _country_forms(name: str) -> set[str]:
    """A country's name as the press also writes it: X联邦 and X国 for a country X
    (regions of China are divisions: their forms are the table's)."""
    if name.startswith("中国") or name.endswith(("国", "区", "省")):
        return {name}
    return {name, name + "联邦", name + "国"}


@dataclass(frozen=True)
class Place:
    name: str
    adcode: str
    level: int  # 1 province, 2 city, 3 county/district

    @property
    def parent_code(self) -> str | None:
        if self.level == 3:
            return self.adcode[:4] + "0" * 8
        if self.level == 2:
            return self.adcode[:2] + "0" * 10
        return None


def _level(code: str) -> int:
    if code[2:] == "0" * 10:
        return 1
    if code[4:] == "0" * 8:
        return 2
    return 3


def _table_path() -> str | None:
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = os.path.join(list(spec.submodule_search_locations)[0], "resources", "adcodes.csv")
    return path if os.path.exists(path) else None


def short_form(name: str) -> str | None:
    for suf in SUFFIXES:
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            return name[: -len(suf)]
    return None


class Gazetteer:
    def __init__(self, regions: list[str], word_tag, word_freq, ordinary: tuple[str, ...] = ()):
        self.places: dict[str, Place] = {}  # full name -> place
        self.by_code: dict[str, Place] = {}
        self.short: dict[str, Place] = {}  # short form -> place
        self.weak_short: dict[str, Place] = {}  # short forms that are also ordinary words
        self.abbreviations: dict[str, str] = {}  # 京 → 北京, filled from the rules' vocabulary
        self.regions = set(regions)
        self.countries: dict[str, Place] = {}
        self._names_count: dict[str, int] | None = None  # divisions per name, counted when first asked
        self._add_countries()
        path = _table_path()
        rows = list(csv.DictReader(open(path, encoding="utf-8"))) if path else []
        for row in sorted(rows, key=lambda r: r["adcode"]):
            if row["name"] in PLACEHOLDERS:
                continue
            p = Place(row["name"], row["adcode"], _level(row["adcode"]))
            self.by_code[p.adcode] = p
            old = self.places.get(p.name)
            if old is None or p.level < old.level:
                self.places[p.name] = p
        for p in sorted(self.places.values(), key=lambda p: (p.level, p.adcode)):
            s = short_form(p.name)
            if not s or s in self.short or s in self.places:
                continue
            tag, freq = word_tag(s), word_freq(s)
            if s in ordinary:
                continue  # 胜利 (胜利区): a place only with its suffix
            if tag in COMMON_TAGS or (tag == "n" and freq > MIN_COMMON_FREQ):
                if p.level <= 2:
                    self.weak_short.setdefault(s, p)  # 大连 (tagged an adverb): a place only in a place's slot
                continue
            self.short[s] = p
            if p.name.endswith("特别行政区"):
                self.short.setdefault(s + "特区", p)  # X特区 for X特别行政区

    def _add_countries(self) -> None:
        """Country names in Chinese from pycountry's ISO 3166 translations."""
        try:
            import gettext

            import pycountry

            tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
        except (ImportError, OSError):
            return
        for c in pycountry.countries:
            names = {tr.gettext(getattr(c, a)) for a in ("name", "common_name", "official_name") if hasattr(c, a)}
            main = tr.gettext(getattr(c, "common_name", c.name))
            for n in names:
                if n.isascii() or len(n) < 2 or any(ch in n for ch in "()（）、 ,"):
                    continue
                p = Place(main if not main.isascii() else n, "C" + c.alpha_2, 0)
                for form in _country_forms(n):
                    self.countries.setdefault(form, p)

    def unique_code(self, name: str) -> str:
        """The division code of the one division of the table named ``name`` ("" for none, or
        for a name several divisions share, such as 朝阳区 of Beijing and of Changchun)."""
        if self._names_count is None:
            counts: dict[str, int] = {}
            for division in self.by_code.values():
                counts[division.name] = counts.get(division.name, 0) + 1
            self._names_count = counts
        place = self.places.get(name)
        return place.adcode if place is not None and self._names_count.get(name) == 1 else ""

    def parent_code(self, code: str) -> str:
        """The code of the nearest division of the table above the one of ``code`` ("" for a
        province, or a code not in the table): a county's city, a city's province."""
        place = self.by_code.get(code)
        while place is not None and place.parent_code is not None:
            parent = self.by_code.get(place.parent_code)
            if parent is not None:
                return parent.adcode
            place = Place(place.name, place.parent_code, place.level - 1)  # no row of its own (市辖区)
        return ""

    def lookup(self, text: str) -> Place | None:
        return self.places.get(text) or self.short.get(text) or self.countries.get(text)

    def canonical(self, text: str) -> str:
        """The full name of a place: 松江 → 松江区, 京 → 北京市 (one-character abbreviations
        from the rules' vocabulary; 大连, an ordinary word too, once a rule has found it a place)."""
        p = self.lookup(text) or self.weak_short.get(text)
        if p is None and len(text) == 1 and text in self.abbreviations:
            return self.canonical(self.abbreviations[text])
        return p.name if p else text

    def parent(self, name: str) -> Place | None:
        """The nearest enclosing division in the table (a district's city, else its province)."""
        p = self.lookup(name)
        return self.parent_of(p) if p else None

    def parent_of(self, p: Place) -> Place | None:
        codes = (
            [p.adcode[:4] + "0" * 8, p.adcode[:2] + "0" * 10]
            if p.level == 3
            else [p.adcode[:2] + "0" * 10]
            if p.level == 2
            else []
        )
        return next(
            (self.by_code[c] for c in codes if c in self.by_code and self.by_code[c].name not in PLACEHOLDERS), None
        )

    def ancestors(self, name: str) -> list[Place]:
        out, p = [], self.lookup(name)
        while p is not None:
            p = self.parent_of(p)
            if p is not None:
                out.append(p)
        return out

    def names(self) -> list[str]:
        return sorted(set(self.places) | set(self.short) | self.regions | set(self.countries))


@lru_cache(maxsize=4)
def load(regions: tuple[str, ...], ordinary: tuple[str, ...] = ()) -> Gazetteer:
    from .lexicon import word_freq, word_tag

    return Gazetteer(list(regions), word_tag, word_freq, ordinary)
