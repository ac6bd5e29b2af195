"""Repair OCR artifacts while keeping a map from each cleaned character to the raw text.

Spaces between Chinese characters, and between Chinese and digits, are OCR noise;
a space between two Latin words or numbers (``HD CD19 CAR-T``) is kept. Lines are
joined without a break, except that two Latin words split across lines get a space.
"""

from __future__ import annotations

import re
from array import array

import regex

_LATIN = re.compile(r"[0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a.%+\-]")
_SPACES = " \t\u3000\u00a0\r\f\v"
# a space, or a control, format, surrogate or private-use character (noise, dropped)
_NOISE = regex.compile(r"[ \t\u3000\u00a0\r\f\v\p{Zs}\p{Cc}\p{Cf}\p{Cs}\p{Co}]+")
_SPACE = regex.compile(r"[ \t\u3000\u00a0\r\f\v\p{Zs}]")


def is_latin(ch: str) -> bool:
    return bool(ch) and bool(_LATIN.match(ch))


def _append_line(text: list[str], offs: list[int] | array, raw: str, start: int, end: int, gap_at: int | None) -> None:
    """Append raw[start:end] without noise spaces; ``gap_at`` is the raw offset of
    the line break before it, used for a space between Latin words. ``text`` gets pieces
    of the cleaned text (a line whole where it can: not one string per character)."""
    line = raw[start:end]
    if line.isprintable() and " " not in line:  # no spaces, control or format characters
        last = text[-1][-1:] if text else ""
        if (
            gap_at is not None
            and last
            and is_latin(last)
            and is_latin(line[:1])
            and not (last == "-" or line[0] == "-")
        ):
            text.append(" ")
            offs.append(gap_at)
        if line:
            text.append(line)
        offs.extend(range(start, end))
    else:
        _append_chars(text, offs, raw, start, end, gap_at)


def _append_chars(text: list[str], offs: list[int] | array, raw: str, start: int, end: int, gap_at: int | None) -> None:
    """``_append_line`` for a line with noise: runs of spaces, control and format characters
    are found by one regex and dropped; the kept runs are appended as slices of the raw text."""
    last = text[-1][-1:] if text else ""
    pending_space: int | None = gap_at  # where a dropped space was, for a space between Latin words
    pos = start
    for m in _NOISE.finditer(raw, start, end):
        a, b = m.span()
        if pos < a:
            last = _append_run(text, offs, raw, pos, a, last, pending_space)
            pending_space = None
        if pending_space is None:
            space = _SPACE.search(raw, a, b)
            pending_space = space.start() if space else None
        pos = b
    if pos < end:
        _append_run(text, offs, raw, pos, end, last, pending_space)


def _append_run(
    text: list[str], offs: list[int] | array, raw: str, a: int, b: int, last: str, pending_space: int | None
) -> str:
    first = raw[a]
    if pending_space is not None and last and is_latin(last) and is_latin(first) and "-" not in (last, first):
        text.append(" ")
        offs.append(pending_space)
    text.append(raw[a:b])
    offs.extend(range(a, b))
    return raw[b - 1]


def clean_lines(raw: str, lines: list[tuple[int, int]]) -> tuple[str, array]:
    """Join raw line spans into one cleaned string and its offset map (an array of 8-byte
    integers: a list would take 36 bytes a character)."""
    text: list[str] = []
    offs = array("q")
    for n, (start, end) in enumerate(lines):
        gap = start - 1 if n else None
        _append_line(text, offs, raw, start, end, gap)
    return "".join(text), offs


def clean(raw: str) -> tuple[str, list[int]]:
    """Clean a whole text as one stream of lines (used for single sentences)."""
    spans, pos = [], 0
    for line in raw.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if body.strip():
            spans.append((pos, pos + len(body)))
        pos += len(line)
    text, offs = clean_lines(raw, spans)
    return text, list(offs)
