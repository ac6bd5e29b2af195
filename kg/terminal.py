"""Untrusted text on a terminal: control and format characters are shown, never obeyed."""

from __future__ import annotations

import unicodedata

from rich.text import Text

# control (ESC), format (U+200B, U+202E), line and paragraph separators, lone surrogates
HIDDEN = {"Cc", "Cf", "Zl", "Zp", "Cs"}


def visible(s: str, keep: str = "") -> str:
    """``s`` with every control or format character (but those in ``keep``) written as an
    escape: ESC as \\x1b, a zero-width space as \\u200b."""
    return "".join(_escape(c) if c not in keep and unicodedata.category(c) in HIDDEN else c for c in s)


def _escape(c: str) -> str:
    n = ord(c)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}"


def safe(s: object, style: str = "") -> Text:
    """A rich Text (never markup) showing ``s`` with its hidden characters escaped."""
    return Text(visible(str(s)), style=style)


def delimited(s: str, end: str) -> str:
    """Delimited output (CSV, TSV) for a terminal: each line escaped, tabs and line ends kept."""
    return end.join(visible(line, keep="\t") for line in s.split(end))
