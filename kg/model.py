"""Typed records passed between the pipeline stages.

document -> articles -> sentences -> tokens/mentions -> entities -> relations.
Every text-bearing record keeps offsets into the raw text of its document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

TYPES = ("Company", "Institution", "Project", "Place", "Person")
RELATIONS = (
    "locatedIn",
    "partOf",
    "subOrganizationOf",
    "memberOf",
    "foundedBy",
    "cooperatesWith",
    "develops",
    "builds",
    "worksFor",
    "award",
    "withinDivision",
)
# The relations a text states (the guidelines' ten), scored by the referee; withinDivision is
# the division table's (a county within its city), kept apart so that it is never taken as stated.
STATED_RELATIONS = RELATIONS[:-1]


@dataclass
class Document:
    """One input text: a file, or one record of a JSON Lines file."""

    id: str
    source: str
    raw: str
    encoding: str = "utf-8"
    ref: str = ""  # the record's own id in a JSON Lines file
    date: str = ""  # YYYY-MM-DD the text was published: relative dates (今年6月) count from it

    def __post_init__(self) -> None:
        if not self.ref:
            self.ref = self.id


@dataclass
class Sentence:
    """Cleaned sentence text; ``offsets[i]`` is the raw offset of ``text[i]`` (an array of
    integers from the cleaner, 8 bytes a character)."""

    text: str
    offsets: Sequence[int]
    index: int = 0
    kind: str = "body"  # body | headline | byline | caption

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw [start, end) of the cleaned span [start, end)."""
        return self.offsets[start], self.offsets[end - 1] + 1

    @property
    def raw_start(self) -> int:
        return self.offsets[0] if self.offsets else 0

    @property
    def raw_end(self) -> int:
        return self.offsets[-1] + 1 if self.offsets else 0


@dataclass
class Article:
    index: int
    headline: str
    sentences: list[Sentence] = field(default_factory=list)
    byline: str = ""


@dataclass(slots=True)
class Token:
    text: str
    pos: str
    start: int  # offsets into the sentence text
    end: int


@dataclass(slots=True)
class Mention:
    """A span of a sentence that names (or refers back to) an entity."""

    text: str
    type: str
    start: int
    end: int
    rule: str
    sentence: Sentence | None = None
    article: int = 0
    subtype: str = ""
    bare: bool = False  # a generic back-reference such as 工作站 or 经开区
    entity: "Entity | None" = None

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end


def nested(mentions: list[Mention]) -> set[int]:
    """The ids of the mentions that lie inside a longer mention of the list (a span that
    strictly contains theirs): one sort and one sweep, not every mention against every other."""
    spans = sorted({(m.start, m.end) for m in mentions}, key=lambda se: (se[0], -se[1]))
    inside, reach = set(), -1
    for span in spans:  # every earlier span starts before, or at the same place and ends later
        if reach >= span[1]:
            inside.add(span)
        reach = max(reach, span[1])
    return {id(m) for m in mentions if (m.start, m.end) in inside}


@dataclass
class Entity:
    """One node of the graph: a real-world thing with all its names."""

    name: str
    types: set[str]
    aliases: set[str] = field(default_factory=set)
    subtypes: set[str] = field(default_factory=set)
    mentions: list[Mention] = field(default_factory=list)
    documents: set[str] = field(default_factory=set)
    adcode: str = ""  # a division's code in the table of administrative divisions (a Place only)
    parent_adcode: str = ""  # the code of the division of the table it lies in

    @property
    def type(self) -> str:
        for t in TYPES:
            if t in self.types:
                return t
        return next(iter(self.types))


@dataclass
class Qualifiers:
    """How much, when and at what stage, as the clause of an assertion states them."""

    amount: str = ""  # a decimal number, normalised: 约5.67亿元 -> 567000000
    currency: str = ""  # ISO 4217: CNY, USD …
    amount_text: str = ""  # the words as written
    modifier: str = ""  # 约, 超, 逾, 近, 余 …: how near the amount is
    measure: str = ""  # investment | capital | output, from the words before the amount
    date: str = ""  # 2023-11-23, 2023-11 or 2023 (xsd:date, gYearMonth, gYear)
    date_text: str = ""
    quarter: str = ""  # 2023-Q4, where the month or the quarter is known
    stage: str = ""  # signed | started | building | completed | operating | planned
    stage_text: str = ""
    rules: list[str] = field(default_factory=list)  # the qualifier rules that read them

    def __bool__(self) -> bool:
        return bool(self.amount or self.date_text or self.stage)


@dataclass
class Relation:
    """A relation between two entities, or an entity and a literal (award)."""

    subject: Entity
    predicate: str
    object: "Entity | str"
    rule: str
    document: str
    article: Article | None
    sentence: Sentence
    start: int  # cleaned offsets of the evidence within the sentence
    end: int
    qualifiers: Qualifiers | None = None
    planned: bool = False  # stated as intended (拟, 计划): an assertion, never a triple

    @property
    def raw_span(self) -> tuple[int, int]:
        return self.sentence.raw_span(self.start, self.end)


@dataclass
class DocumentResult:
    """Everything extracted from one document."""

    document: Document
    articles: list[Article]
    mentions: list[Mention]
    entities: list[Entity]
    relations: list[Relation]
    planned: list[Relation] = field(default_factory=list)  # intended, not stated: no triples
    events: list[Relation] = field(default_factory=list)  # an entity's stage or amount: predicate "event"
    date: str = ""  # the document's date as used (its own, the page's, or none)
