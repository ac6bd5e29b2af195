"""Where a built graph lives on disk, written atomically and read back."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rdflib import Graph

from .errors import KgError

GRAPH_FILE = "graph.ttl"
PAGE_FILE = "graph.html"


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def graph_path(outdir: str | Path) -> Path:
    p = Path(outdir)
    if p.is_file():
        return p
    g = p / GRAPH_FILE
    if not g.exists():
        raise KgError(f"{outdir}: no graph here (expected {g}); run `kg build SOURCE -o {outdir}` first")
    return g


def load_graph(outdir: str | Path) -> Graph:
    path = graph_path(outdir)
    g = Graph()
    try:
        g.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many kinds of parse errors
        raise KgError(f"{path}: not a readable Turtle graph ({type(exc).__name__})") from None
    return g
