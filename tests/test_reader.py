"""Inputs: UTF-8 with and without BOM, GB18030, JSON Lines; binaries are refused clearly."""

import json

import pytest

from kg.errors import KgError
from kg.text.reader import ReadReport, read_sources

TEXT = "本报讯（记者 王梅） 全国智能装备行业产教融合共同体日前成立。"


@pytest.mark.parametrize(
    "encoding,prefix", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gb18030", b""), ("utf-16", b"")]
)
def test_encodings(tmp_path, encoding, prefix):
    p = tmp_path / "page.txt"
    p.write_bytes(prefix + TEXT.encode(encoding))
    [doc] = list(read_sources([str(p)]))
    assert doc.raw == TEXT


def test_binary_file_is_refused_with_its_name(tmp_path):
    p = tmp_path / "image.txt"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(KgError, match="image.txt: not a text file"):
        list(read_sources([str(p)]))
    report = ReadReport()
    assert list(read_sources([str(p)], report)) == []
    assert "image.txt" in report.skipped[0].reason


def test_folders_are_read_recursively_in_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("乙", encoding="utf-8")
    (tmp_path / "1.txt").write_text("甲", encoding="utf-8")
    (tmp_path / "note.md").write_text("not read", encoding="utf-8")
    assert [d.raw for d in read_sources([str(tmp_path)])] == ["甲", "乙"]


def test_jsonl_records(tmp_path):
    p = tmp_path / "docs.jsonl"
    p.write_text(
        "\n".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) for i, t in [(7, "甲"), (8, "乙")]),
        encoding="utf-8",
    )
    docs = list(read_sources([str(p)]))
    assert [(d.ref, d.raw) for d in docs] == [("7", "甲"), ("8", "乙")]


def test_jsonl_without_text_names_the_line(tmp_path):
    p = tmp_path / "bad.jsonl"
    p.write_text('{"text": "甲"}\n{"body": "乙"}\n', encoding="utf-8")
    with pytest.raises(KgError, match=r"bad.jsonl:2: record has no string field 'text'"):
        list(read_sources([str(p)]))


def test_missing_source():
    with pytest.raises(KgError, match="no such file or folder"):
        list(read_sources(["/nonexistent/page.txt"]))
