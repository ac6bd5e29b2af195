"""What the commands print: rich tables and panels on a terminal, whole lines when piped.

On a terminal a table is drawn to the terminal's width (or ``--width``). When stdout is a
pipe or a file, nothing is cut or wrapped: a table is tab-separated lines (a header line, one
line per row; a title as a ``# title`` line), other text is printed as whole lines. ``--width``
asks for the drawn form at that width wherever the output goes.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

WIDTH: int | None = None  # set from --width by the command line


def console(stderr: bool = False) -> Console:
    probe = Console(stderr=stderr)
    if WIDTH is not None:
        return Console(stderr=stderr, highlight=False, soft_wrap=False, width=WIDTH)
    if probe.is_terminal:
        return Console(stderr=stderr, highlight=False, soft_wrap=False)
    return Console(stderr=stderr, highlight=False, soft_wrap=True, width=100_000)


def drawn(out: Console) -> bool:
    """Whether ``out`` draws tables and panels (a terminal, or a width asked for)."""
    return WIDTH is not None or out.is_terminal


def plain(cell: object) -> str:
    """A cell's text on one line: markup rendered, tabs and line breaks as spaces."""
    if isinstance(cell, Text):
        text = cell.plain
    elif isinstance(cell, str):
        text = Text.from_markup(cell).plain
    else:
        text = str(cell)
    return " ".join(text.replace("\t", " ").split())


def print_table(out: Console, t: Table) -> None:
    if drawn(out):
        out.print(t)
        return
    lines = [f"# {plain(t.title)}"] if t.title else []
    if t.show_header:
        lines.append("\t".join(plain(c.header) for c in t.columns))
    lines += ["\t".join(plain(c) for c in row) for row in zip(*(c._cells for c in t.columns))]
    out.file.write("".join(line + "\n" for line in lines))  # not through rich: it expands tabs


def heading(out: Console, text: Text) -> None:
    """A section heading: a rule across a terminal, a plain line in a pipe."""
    if drawn(out):
        out.rule(text, align="left")
    else:
        out.print(Text("== ").append(text))
