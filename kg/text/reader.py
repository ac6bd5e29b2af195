"""Read input sources into Documents: text files, folders of them, JSON Lines."""

from __future__ import annotations

import codecs
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..errors import KgError, UsageError
from ..model import Document

MAX_BYTES = 20_000_000  # files larger than this are skipped (kg build --max-bytes)
REPLACED_MAX = 0.01  # at most this share of undecodable bytes is replaced, else skipped

BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class ReadReport:
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def decode(data: bytes, name: str, warnings: list[str] | None = None) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030; a few
    invalid byte sequences in otherwise good text are replaced (and reported)."""
    for bom, enc in BOMS:
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), enc
    if b"\x00" in data[:4096]:
        raise KgError(f"{name}: not a text file (binary content)")
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    for enc in ("utf-8", "gb18030"):
        text = data.decode(enc, errors="replace")
        bad = text.count("\ufffd")
        if bad <= max(1, REPLACED_MAX * len(text)):
            if warnings is not None:
                warnings.append(f"{name}: {bad} invalid {enc.upper()} byte sequence(s) replaced by U+FFFD")
            return text, enc
    raise KgError(f"{name}: not a text file (neither UTF-8 nor GB18030)")


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise KgError(
                f"{path}: larger than {max_bytes / 1e6:g} MB ({size / 1e6:.1f} MB); raise --max-bytes to read it"
            )
        if size == 0:
            raise KgError(f"{path}: empty file")
        return path.read_bytes()
    except OSError as exc:
        raise KgError(f"{path}: cannot read ({exc.strerror or exc})") from None


def read_text_file(path: Path, max_bytes: int = MAX_BYTES, warnings: list[str] | None = None) -> Document:
    text, enc = decode(_read_bytes(path, max_bytes), str(path), warnings)
    if not text.strip():
        raise KgError(f"{path}: no text (only white space)")
    return Document(id=path.name, source=str(path), raw=text, encoding=enc)


def read_jsonl(
    path: Path, max_bytes: int = MAX_BYTES, warnings: list[str] | None = None, skipped: list[Skipped] | None = None
) -> Iterator[Document]:
    """One document per record; a bad record is skipped into ``skipped`` (raised without
    it), the others are read. Lines end at "\\n" only: U+2028 and U+0085 are text."""
    text, _ = decode(_read_bytes(path, max_bytes), str(path), warnings)
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            doc = _record(line.removesuffix("\r"), path, n, warnings)
        except KgError as exc:
            if skipped is None:
                raise
            skipped.append(Skipped(f"{path}:{n}", str(exc)))
            continue
        yield doc


LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _record(line: str, path: Path, n: int, warnings: list[str] | None) -> Document:
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as exc:
        raise KgError(f"{path}:{n}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise KgError(f"{path}:{n}: not valid JSON (nested too deeply)") from None
    if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
        raise KgError(f"{path}:{n}: record has no string field 'text'")
    raw, rid = rec["text"], str(rec.get("id", n))
    bad = len(LONE_SURROGATE.findall(raw + rid))
    if bad:
        raw, rid = LONE_SURROGATE.sub("\ufffd", raw), LONE_SURROGATE.sub("\ufffd", rid)
        if warnings is not None:
            warnings.append(f"{path}:{n}: {bad} lone surrogate(s) (\\ud800…\\udfff) replaced by U+FFFD")
    return Document(id=f"{path.stem}#{rid}", source=f"{path}:{n}", raw=raw, ref=rid, date=_date(rec, path, n))


ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _date(rec: dict, path: Path, n: int) -> str:
    """A record's field date (2023-11-24, or a timestamp beginning with one), "" without it."""
    value = rec.get("date")
    if value is None or value == "":
        return ""
    m = ISO_DATE.match(value) if isinstance(value, str) else None
    if m is None or not valid_date(m.group(0)):
        raise KgError(f"{path}:{n}: field 'date' must be a date written YYYY-MM-DD (found {str(value)[:40]!r})")
    return m.group(0)


def dated(doc: Document, date: str | None) -> Document:
    """The document, given ``date`` if it states none of its own (its record's field date)."""
    if date and not doc.date:
        doc.date = date
    return doc


def valid_date(text: str) -> bool:
    import datetime as dt

    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return bool(ISO_DATE.fullmatch(text))


def expand(sources: list[str]) -> list[Path]:
    """Files named, and *.txt / *.jsonl under folders named, in a stable order."""
    return [p for p, _ in _expand(sources)]


def _walk(root: Path) -> list[Path]:
    """*.txt and *.jsonl under ``root``, however deep (no recursion); symbolic links to
    folders are not followed (so link loops cannot trap the walk), links to files are;
    folders that cannot be read are passed over."""
    found, folders = [], [root]
    while folders:
        try:
            with os.scandir(folders.pop()) as it:
                entries = list(it)
        except OSError:
            continue
        for e in entries:
            if _is_dir(e):
                if not e.is_symlink():
                    folders.append(Path(e.path))
            elif e.name.endswith((".txt", ".jsonl")):
                found.append(Path(e.path))
    return sorted(found)


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _expand(sources: list[str]) -> list[tuple[Path, str]]:
    """(path, document id): a file's name, or its path inside the folder named."""
    out: list[tuple[Path, str]] = []
    for src in sources:
        p = Path(src)
        if p.is_dir():
            out.extend((f, f.relative_to(p).as_posix()) for f in _walk(p))
        elif p.exists() or p.is_symlink():
            out.append((p, p.name))
        else:
            raise UsageError(f"{src}: no such file or folder")
    return out


def read_sources(
    sources: list[str], report: ReadReport | None = None, max_bytes: int = MAX_BYTES
) -> Iterator[Document]:
    """Yield every document; unreadable files are skipped into ``report`` (or raised)."""
    warnings = report.warnings if report is not None else None
    for path, doc_id in _expand(sources):
        try:
            if path.suffix == ".jsonl":
                yield from read_jsonl(path, max_bytes, warnings, report.skipped if report is not None else None)
            else:
                doc = read_text_file(path, max_bytes, warnings)
                doc.id = doc.ref = doc_id
                yield doc
        except KgError as exc:
            if report is None:
                raise
            report.skipped.append(Skipped(str(path), str(exc)))
