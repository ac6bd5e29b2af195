"""Repair OCR artifacts while keeping a map from each cleaned character to the raw text.

Spaces between Chinese characters, and between Chinese and digits, are OCR noise;
a space between two Latin words or numbers (``HD CD19 CAR-T``) is kept. Lines are
joined without a break, except that two Latin words split across lines get a space.
"""
from __future__ import annotations

import re
import unicodedata

_LATIN = re.compile(r"[0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a.%+\-]")
_SPACES = " \t\u3000\u00a0\r\f\v"


def is_latin(ch: str) -> bool:
    return bool(ch) and bool(_LATIN.match(ch))


def _append_line(text: list[str], offs: list[int], raw: str, start: int, end: int,
                 gap_at: int | None) -> None:
    """Append raw[start:end] without noise spaces; ``gap_at`` is the raw offset of
    the line break before it, used for a space between Latin words."""
    line = raw[start:end]
    if line.isprintable() and " " not in line:   # no spaces, control or format characters
        if gap_at is not None and text and is_latin(text[-1]) and is_latin(line[:1]) \
                and not (text[-1] == "-" or line[0] == "-"):
            text.append(" ")
            offs.append(gap_at)
        text.extend(line)
        offs.extend(range(start, end))
    else:
        _append_chars(text, offs, raw, start, end, gap_at)


def _append_chars(text: list[str], offs: list[int], raw: str, start: int, end: int,
                  gap_at: int | None) -> None:
    """``_append_line`` one character at a time: spaces, control and format characters."""
    pending_space: int | None = gap_at
    for i in range(start, end):
        ch = raw[i]
        cat = unicodedata.category(ch) if ord(ch) > 127 or ord(ch) < 32 or ord(ch) == 127 else ""
        if cat in ("Cc", "Cf", "Cs", "Co") and ch not in "\t":
            continue  # control and format characters are noise: dropped, offsets keep the rest
        if ch in _SPACES or cat == "Zs":
            if pending_space is None:
                pending_space = i
            continue
        if pending_space is not None and text and is_latin(text[-1]) and is_latin(ch) \
                and not (text[-1] == "-" or ch == "-"):
            text.append(" ")
            offs.append(pending_space)
        pending_space = None
        text.append(ch)
        offs.append(i)


def clean_lines(raw: str, lines: list[tuple[int, int]]) -> tuple[str, list[int]]:
    """Join raw line spans into one cleaned string and its offset map."""
    text: list[str] = []
    offs: list[int] = []
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
    return clean_lines(raw, spans)
