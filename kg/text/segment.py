"""Split a raw page into articles (bylines, headlines, captions, body) and sentences.

A page is read as blocks: runs of non-blank lines. Bylines (本报讯（记者 …）,
□记者 …) start articles; a headline is a block without sentence punctuation
that stands apart from the body; a caption starts with 图为 or ends with 摄.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Article, Sentence
from .clean import clean_lines

BYLINE_START = re.compile(
    r"^\s*(?:本\s*报\s*讯|本报[^\s，。]{0,12}电|□\s*记\s*者|记\s*者(?:\s*[\u4e00-\u9fff]){2,4}\s*$)"
)
BYLINE_ROLES = ("特约通讯员", "特约记者", "见习记者", "摄影记者", "通讯员", "实习生", "记者", "摄影")
BYLINE_NAMES = re.compile(r"^(?:(?:%s)?[\u4e00-\u9fff]{2,3}[、，]?){1,4}$" % "|".join(BYLINE_ROLES))
BYLINE_PAREN = re.compile(r"^\s*[（(][^）)]{0,40}[）)]")
CAPTION = re.compile(r"^\s*图为|摄\s*$|[（(]\s*图\s*[/／]|^\s*图片来源")
SENT_PUNCT = re.compile(r"[，。；：、！？,;:!?]")
SENT_END = re.compile(r"(?:[。！？!?；;]|……|——)[”’」』）)]*")
BODY_END = re.compile(r"(?:[。！？!?；;]|……)[”’」』）)]*")  # in running text —— introduces, it does not end
HEAD_MAX = 40
# A sentence is at most this many characters: a longer run without a sentence end (a list of
# names, a table, lines with no punctuation) is cut, after its last clause mark, else after
# dropped characters (a line break, spaces), else at the limit. It bounds the work and memory
# of one sentence (its tokens, its mentions compared with each other); no sentence of the seed,
# the dev pages or the benchmarks is longer than 2,103 characters.
MAX_SENTENCE = 3000
CUT_MARKS = "，；：、,;:"


@dataclass
class Block:
    lines: list[tuple[int, int]]  # raw (start, end) of each non-blank line
    kind: str = "body"

    def text(self, raw: str) -> str:
        return "".join(raw[s:e] for s, e in self.lines)


def blocks(raw: str) -> list[Block]:
    """Group non-blank lines into blocks separated by blank lines; a byline or a
    caption line always starts a block of its own."""
    out: list[Block] = []
    current: list[tuple[int, int]] = []
    pos = 0

    def close() -> None:
        nonlocal current
        if current:
            out.append(Block(current))
            current = []

    for line in raw.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if body.strip():
            lead = len(body) - len(body.lstrip())
            span = (pos + lead, pos + len(body.rstrip()))
            text = raw[span[0] : span[1]]
            if BYLINE_START.match(text):
                close()
            current.append(span)
            if CAPTION.search(text) and len(current) == 1:
                close()
        else:
            close()
        pos += len(line)
    close()
    return out


def _ends_sentence(text: str) -> bool:
    return bool(re.search(r"(?:[。！？!?；]|……|——)[”’」』）)]*\s*$", text))


def _headline_like(text: str) -> bool:
    compact = re.sub(r"\s", "", text)
    if not compact or len(compact) > HEAD_MAX * 2:
        return False
    if compact.endswith("——"):
        return True
    return len(compact) <= HEAD_MAX and not SENT_PUNCT.search(compact) and not _ends_sentence(compact)


def _merge_open_bylines(raw: str, bks: list[Block]) -> list[Block]:
    """A bracketed byline broken over blank lines (本报讯（记者 李 / 谆谆）) is one block."""
    out: list[Block] = []
    i = 0
    while i < len(bks):
        b = bks[i]
        first = raw[b.lines[0][0] : b.lines[0][1]]
        text = b.text(raw)
        if (
            BYLINE_START.match(first)
            and re.search(r"[（(]", text)
            and not re.search(r"[）)]", text)
            and i + 1 < len(bks)
        ):
            b = Block(b.lines + bks[i + 1].lines)
            i += 1
        out.append(b)
        i += 1
    return out


def classify(raw: str, bks: list[Block]) -> None:
    """Mark each block byline, caption, headline or body."""
    for b in bks:
        first = raw[b.lines[0][0] : b.lines[0][1]]
        if BYLINE_START.match(first):
            b.kind = "byline"
        elif len(b.lines) == 1 and CAPTION.search(first):
            b.kind = "caption"

    def after_break(i: int) -> bool:
        prev = bks[i - 1] if i else None
        return prev is None or prev.kind != "body" or _ends_sentence(prev.text(raw))

    def candidate(i: int) -> bool:
        return bks[i].kind == "body" and _headline_like(bks[i].text(raw))

    for i, b in enumerate(bks):
        if candidate(i) and after_break(i) and (len(b.lines) > 1 or b.text(raw).rstrip().endswith("——")):
            b.kind = "headline"
    i = 0
    while i < len(bks):
        if not (candidate(i) and after_break(i)):
            i += 1
            continue
        j = i
        while j < len(bks) and candidate(j) and len(bks[j].lines) == 1:
            j += 1
        if j > i and (j == len(bks) or bks[j].kind != "body"):
            for k in range(i, j):
                bks[k].kind = "headline"
        i = max(j, i + 1)


def _byline_rest(text: str) -> bool:
    """The rest of a byline's first line is names (周晓 通讯员 林 芳), not the article's text."""
    compact = re.sub(r"\s", "", text)
    if not compact:
        return False
    if len(compact) <= 8:
        return True
    return len(compact) <= 24 and any(r in compact for r in BYLINE_ROLES) and bool(BYLINE_NAMES.match(compact))


def _split_byline(raw: str, lines: list[tuple[int, int]]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Byline line spans and body line spans of a byline block; a bracketed
    byline (本报讯（记者 …）) may run over a line break."""
    s, e = lines[0]
    m = BYLINE_START.match(raw[s:e])
    assert m is not None  # a block is a byline when its first line starts like one
    cut = s + m.end()
    joined, where = "", []
    for ls, le in lines[:3]:
        for i in range(max(ls, cut), le):
            joined += raw[i]
            where.append(i)
    paren = BYLINE_PAREN.match(joined)
    if paren:
        end = where[paren.end() - 1] + 1
    elif _byline_rest(raw[cut:e]):
        end = e
    else:
        end = cut
    head, body = [], []
    for ls, le in lines:
        if le <= end:
            head.append((ls, le))
        elif ls < end:
            head.append((ls, end))
            body.append((end, le))
        else:
            body.append((ls, le))
    return head, [b for b in body if raw[b[0] : b[1]].strip()]


def split_sentences(text: str, offs: Sequence[int], kind: str, start_index: int) -> list[Sentence]:
    """Split cleaned text at sentence-final punctuation, keeping offsets."""
    out: list[Sentence] = []
    pos = 0
    for m in (BODY_END if kind == "body" else SENT_END).finditer(text):
        if m.end() > pos and text[pos : m.end()].strip():
            out.append(Sentence(text[pos : m.end()], offs[pos : m.end()], start_index + len(out), kind))
        pos = m.end()
    if text[pos:].strip():
        out.append(Sentence(text[pos:], offs[pos:], start_index + len(out), kind))
    return out


def cut_long(sent: Sentence, most: int = MAX_SENTENCE) -> list[Sentence]:
    """The sentence, or pieces of it of at most ``most`` characters when it is longer: each cut
    after the last clause mark of the piece's second half, else where the cleaner dropped
    characters (offsets jump: a line break, spaces), else at the limit."""
    text, offs = sent.text, sent.offsets
    if len(text) <= most:
        return [sent]
    out, pos = [], 0
    while len(text) - pos > most:
        lo, hi = pos + most // 2, pos + most
        cut = max(text.rfind(c, lo, hi) for c in CUT_MARKS) + 1
        if not cut:
            cut = next((i for i in range(hi - 1, lo, -1) if offs[i] > offs[i - 1] + 1), hi)
        out.append(Sentence(text[pos:cut], offs[pos:cut], 0, sent.kind))
        pos = cut
    out.append(Sentence(text[pos:], offs[pos:], 0, sent.kind))
    return [s for s in out if s.text.strip()]


class _ArticleBuilder:
    def __init__(self, raw: str):
        self.raw = raw
        self.articles: list[Article] = []
        self.body: list[tuple[int, int]] = []
        self.pending_heads: list[Sentence] = []
        self._new()

    def _new(self) -> None:
        self.articles.append(Article(index=len(self.articles), headline=""))

    @property
    def cur(self) -> Article:
        return self.articles[-1]

    def _add(self, sents: list[Sentence]) -> None:
        for s in (piece for sent in sents for piece in cut_long(sent)):
            s.index = len(self.cur.sentences)
            self.cur.sentences.append(s)

    def flush_body(self) -> None:
        if self.body:
            text, offs = clean_lines(self.raw, self.body)
            self._add(split_sentences(text, offs, "body", 0))
            self.body = []

    def has_body(self) -> bool:
        return bool(self.body) or any(s.kind == "body" for s in self.cur.sentences)

    def headline(self, b: Block) -> None:
        self.flush_body()
        text, offs = clean_lines(self.raw, b.lines)
        self.pending_heads.append(Sentence(text, offs, 0, "headline"))

    def place_pending(self) -> None:
        for h in self.pending_heads:
            if not self.cur.headline:
                self.cur.headline = h.text
            self._add([h])
        self.pending_heads = []

    def byline(self, b: Block) -> None:
        self.flush_body()
        if self.has_body():
            self._new()
        self.place_pending()
        head, body = _split_byline(self.raw, b.lines)
        text, offs = clean_lines(self.raw, head)
        self.cur.byline = text
        self._add([Sentence(text, offs, 0, "byline")])
        self.body.extend(body)

    def other(self, b: Block) -> None:
        self.place_pending()
        if b.kind == "caption":
            self.flush_body()
            text, offs = clean_lines(self.raw, b.lines)
            self._add([Sentence(text, offs, 0, "caption")])
        else:
            self.body.extend(b.lines)

    def finish(self) -> list[Article]:
        self.flush_body()
        self.place_pending()
        arts = [a for a in self.articles if a.sentences]
        for i, a in enumerate(arts):
            a.index = i
            if not a.headline:
                first = next((s.text for s in a.sentences if s.kind == "body"), "")
                a.headline = first[:30]
        return arts


def segment(raw: str) -> list[Article]:
    """Articles of a raw page, each with its cleaned sentences."""
    bks = _merge_open_bylines(raw, blocks(raw))
    classify(raw, bks)
    builder = _ArticleBuilder(raw)
    for b in bks:
        if b.kind == "byline":
            builder.byline(b)
        elif b.kind == "headline":
            builder.headline(b)
        else:
            builder.other(b)
    return builder.finish()
