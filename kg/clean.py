"""Repair OCR artifacts while keeping a map from each cleaned character to the raw text.

Spaces between Chinese characters, and between Chinese and digits, are OCR noise;
a space between two Latin words or numbers (``HD CD19 CAR-T``) is kept. Lines are
joined without a break, except that two Latin words split across lines get a space.
"""

from __future__ import annotations

import re
import unicodedata
from array import array

_LATIN = re.compile(r"[0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a.%+\-]")
_SPACES = " \t\u3000\u00a0\r\f\v"


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
    """``_append_line`` one character at a time: spaces, control and format characters.
    The runs of kept characters are appended to ``text`` as slices of the raw text."""
    last = text[-1][-1:] if text else ""
    pending_space: int | None = gap_at
    run = start  # raw[run:i] is kept so far; appended whole when a character is dropped
    for i in range(start, end):
        ch = raw[i]
        cat = unicodedata.category(ch) if ord(ch) > 127 or ord(ch) < 32 or ord(ch) == 127 else ""
        if cat in ("Cc", "Cf", "Cs", "Co") and ch not in "\t":
            if run < i:
                text.append(raw[run:i])
            run = i + 1
            continue  # control and format characters are noise: dropped, offsets keep the rest
        if ch in _SPACES or cat == "Zs":
            if run < i:
                text.append(raw[run:i])
            run = i + 1
            if pending_space is None:
                pending_space = i
            continue
        if pending_space is not None and last and is_latin(last) and is_latin(ch) and not (last == "-" or ch == "-"):
            text.append(" ")  # everything since the last kept character was dropped: run == i
            offs.append(pending_space)
        pending_space = None
        last = ch
        offs.append(i)
    if run < end:
        text.append(raw[run:end])


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
