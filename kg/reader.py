"""Read input sources into Documents: text files, folders of them, JSON Lines."""
from __future__ import annotations

import codecs
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .errors import KgError
from .model import Document

BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class ReadReport:
    skipped: list[Skipped] = field(default_factory=list)


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030."""
    for bom, enc in BOMS:
        if data.startswith(bom):
            return data.decode(enc), enc
    if b"\x00" in data[:4096]:
        raise KgError(f"{name}: not a text file (binary content)")
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise KgError(f"{name}: not a text file (neither UTF-8 nor GB18030)")


def read_text_file(path: Path) -> Document:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KgError(f"{path}: cannot read ({exc.strerror})") from None
    text, enc = decode(data, str(path))
    return Document(id=path.name, source=str(path), raw=text, encoding=enc)


def read_jsonl(path: Path) -> Iterator[Document]:
    text, _ = decode(path.read_bytes(), str(path))
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise KgError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
        if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
            raise KgError(f"{path}:{n}: record has no string field 'text'")
        rid = str(rec.get("id", n))
        yield Document(id=f"{path.stem}#{rid}", source=f"{path}:{n}", raw=rec["text"], ref=rid)


def expand(sources: list[str]) -> list[Path]:
    """Files named, and *.txt / *.jsonl under folders named, in a stable order."""
    return [p for p, _ in _expand(sources)]


def _expand(sources: list[str]) -> list[tuple[Path, str]]:
    """(path, document id): a file's name, or its path inside the folder named."""
    out: list[tuple[Path, str]] = []
    for src in sources:
        p = Path(src)
        if p.is_dir():
            found = [f for f in p.rglob("*") if f.suffix in (".txt", ".jsonl") and f.is_file()]
            out.extend((f, f.relative_to(p).as_posix()) for f in sorted(found))
        elif p.is_file():
            out.append((p, p.name))
        else:
            raise KgError(f"{src}: no such file or folder")
    return out


def read_sources(sources: list[str], report: ReadReport | None = None) -> Iterator[Document]:
    """Yield every document; unreadable files are skipped into ``report`` (or raised)."""
    for path, doc_id in _expand(sources):
        try:
            if path.suffix == ".jsonl":
                yield from read_jsonl(path)
            else:
                doc = read_text_file(path)
                doc.id = doc.ref = doc_id
                yield doc
        except KgError as exc:
            if report is None:
                raise
            report.skipped.append(Skipped(str(path), str(exc)))
