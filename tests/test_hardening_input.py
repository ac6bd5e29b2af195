"""Hostile input: JSON Lines with bad records, text that speaks to the terminal, folder
trees deeper than Python's recursion, and rule files that would hang, eat memory or crash."""
import json
import os

from conftest import run_kg

GOOD = "本报讯（记者 王明）星禾科技有限公司落户嘉兴经开区。"


def _one_line(proc, *words):
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


# ---- JSON Lines -----------------------------------------------------------------------
def _jsonl(path):
    lines = [json.dumps({"id": "a", "text": GOOD}, ensure_ascii=False),
             '{"id": "b", "text": "云栖材料有限公司',                                  # cut short
             json.dumps({"id": "c", "body": "没有正文"}, ensure_ascii=False),
             json.dumps({"id": "d", "text": 5}),
             json.dumps({"id": "e", "text": "云栖材料有限公司\u2028落户嘉兴经开区。\u0085"}, ensure_ascii=False),
             '{"id": "f\\ud800", "text": "\\udfff本报讯 星禾材料有限公司落户嘉兴经开区。"}',  # lone surrogates
             "[" * 100_000,                                                              # too deep for json
             json.dumps({"id": "h", "text": "本报讯 云栖科技有限公司落户嘉兴经开区。"}, ensure_ascii=False)]
    path.write_text("\n".join(lines[:-1]) + "\n" + lines[-1] + "\r\n", encoding="utf-8")
    return path


def test_bad_jsonl_records_are_skipped_one_line_each_and_the_rest_is_read(tmp_path):
    src = _jsonl(tmp_path / "news.jsonl")
    proc = run_kg("build", src, "-o", tmp_path / "out", "--json")
    assert proc.returncode == 0, proc.stderr
    rep = json.loads(proc.stdout)
    assert rep["documents"] == 4 and rep["skipped"] == 4
    lines = proc.stderr.strip().splitlines()
    for n, reason in [(2, "not valid JSON ("), (3, "record has no string field 'text'"),
                      (4, "record has no string field 'text'"), (7, "not valid JSON (nested too deeply)")]:
        assert sum(f"skipped {src}:{n}: {reason}" in l for l in lines) == 1, (n, lines)
    assert any(l.startswith("warning") and f"{src}:6:" in l and "U+FFFD" in l for l in lines), lines
    assert len(lines) == 5 and "Traceback" not in proc.stderr
    ttl = (tmp_path / "out" / "graph.ttl").read_text(encoding="utf-8")
    for company in ("星禾科技有限公司", "云栖材料有限公司", "星禾材料有限公司", "云栖科技有限公司"):
        assert company in ttl
    strict = run_kg("build", src, "-o", tmp_path / "strict", "--strict")
    _one_line(strict, f"{src}:2: not valid JSON", "and 3 more", "--strict")
    assert strict.returncode == 1


def test_kg_extract_reads_the_same_records(tmp_path):
    src = _jsonl(tmp_path / "news.jsonl")
    out = tmp_path / "mentions.jsonl"
    proc = run_kg("extract", src, "-o", out)
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["a", "e", "f\ufffd", "h"]
    f = next(r for r in records if r["id"] == "f\ufffd")
    assert any(e["text"] == "星禾材料有限公司" and e["start"] == 5 for e in f["entities"])  # offsets kept
    assert sum(l.startswith("skipped") for l in proc.stderr.splitlines()) == 4
    assert any(l.startswith("warning") and f"{src}:6:" in l for l in proc.stderr.splitlines())


# ---- deep folders ---------------------------------------------------------------------
def test_a_folder_tree_1200_deep_is_read(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "top.txt").write_text(GOOD, encoding="utf-8")
    folders = [src / "d"]
    for _ in range(1199):          # 2,400 characters of d/d/…, under PATH_MAX (4,096)
        folders.append(folders[-1] / "d")
    for f in folders:
        f.mkdir()
    (folders[-1] / "page.txt").write_text("本报讯 云栖材料有限公司落户嘉兴经开区。", encoding="utf-8")
    os.symlink(src, folders[-1] / "loop")
    try:
        proc = run_kg("build", src, "-o", tmp_path / "out", "--json")
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["documents"] == 2
    finally:                       # pytest's own clean-up (shutil.rmtree) recurses
        (folders[-1] / "page.txt").unlink()
        (folders[-1] / "loop").unlink()
        for f in reversed(folders):
            f.rmdir()
