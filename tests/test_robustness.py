"""Bad input, hostile text and wrong commands never cost a user their graph, nor show a traceback."""

import json
import os
import re
import zipfile
from pathlib import Path

import pytest
from conftest import SEED, SHARED, run_kg
from rdflib import Graph

pytestmark = pytest.mark.slow  # runs kg in subprocesses: CI runs it, `-m 'not slow'` skips it

GOOD = "本报讯（记者 张明）苏州瑞博生物技术股份有限公司落户嘉兴经开区。"


def _build_json(*args):
    proc = run_kg("build", *args, "--json")
    return proc, (json.loads(proc.stdout) if proc.returncode == 0 and proc.stdout else None)


def test_bad_inputs_are_skipped_one_line_each(tmp_path):
    src = tmp_path / "文件 夹"  # spaces and Chinese in the path
    src.mkdir()
    (src / "好的 页面.txt").write_text(GOOD, encoding="utf-8")
    (src / "empty.txt").write_bytes(b"")
    (src / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    buf = tmp_path / "a.zip"
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("x.bin", bytes(range(256)) * 50)
    (src / "archive.txt").write_bytes(buf.read_bytes())
    (src / "gbk.txt").write_bytes(GOOD.replace("苏州", "杭州").encode("gb18030"))
    (src / "utf16.txt").write_bytes(GOOD.replace("苏州", "宁波").encode("utf-16"))
    (src / "bom.txt").write_bytes(b"\xef\xbb\xbf" + GOOD.replace("苏州", "无锡").encode("utf-8"))
    (src / "broken.txt").write_bytes(GOOD.encode("utf-8") * 20 + b"\xff\xfe\xfa" + "。".encode())
    (src / "big.txt").write_bytes(("甲" * 1000 + "\n").encode("utf-8") * 50)  # 150 kB
    proc, rep = _build_json(src, "-o", tmp_path / "out", "--max-bytes", "100000")
    assert proc.returncode == 0, proc.stderr
    assert rep["documents"] == 5 and rep["skipped"] == 4
    lines = proc.stderr.strip().splitlines()
    skipped = [l for l in lines if l.startswith("skipped")]
    assert len(skipped) == 4 and "Traceback" not in proc.stderr
    for name, reason in [
        ("empty.txt", "empty file"),
        ("image.txt", "not a text file"),
        ("archive.txt", "not a text file"),
        ("big.txt", "larger than 0.1 MB"),
    ]:
        assert any(name in l and reason in l for l in skipped), (name, skipped)
    assert any("broken.txt" in l and "replaced" in l for l in lines)
    ttl = (tmp_path / "out" / "graph.ttl").read_text(encoding="utf-8")
    for company in ("杭州瑞博", "宁波瑞博", "无锡瑞博", "苏州瑞博"):
        assert company in ttl
    strict = run_kg("build", src, "-o", tmp_path / "out2", "--strict", "--max-bytes", "100000")
    assert strict.returncode == 1 and "--strict" in strict.stderr and len(strict.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out2" / "graph.ttl").exists()


def test_huge_files_and_one_very_long_line_are_skipped_by_size(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "ok.txt").write_text(GOOD, encoding="utf-8")
    with open(src / "line50.txt", "wb") as f:  # a single 50 MB line
        chunk = ("公司" * 500_000).encode("utf-8")
        for _ in range(17):
            f.write(chunk)
    with open(src / "dump200.txt", "wb") as f:  # a 200 MB file, written sparse
        f.seek(200_000_000)
        f.write(b"\n")
    proc, rep = _build_json(src, "-o", tmp_path / "out")
    assert proc.returncode == 0 and rep["documents"] == 1 and rep["skipped"] == 2
    assert "line50.txt: larger than 20 MB" in proc.stderr and "dump200.txt: larger than 20 MB" in proc.stderr


def test_symlink_loops_and_unreadable_files(tmp_path, monkeypatch):
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "sub" / "page.txt").write_text(GOOD, encoding="utf-8")
    os.symlink(src, src / "sub" / "loop")  # a link back up: a loop
    os.symlink(src / "sub" / "page.txt", src / "link.txt")
    proc, rep = _build_json(src, "-o", tmp_path / "out")
    assert proc.returncode == 0 and rep["documents"] == 2

    from kg.text.reader import ReadReport, read_sources

    real = Path.read_bytes

    def deny(self):
        if self.name == "page.txt":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    report = ReadReport()
    docs = list(read_sources([str(src)], report))
    assert [d.id for d in docs] == ["link.txt"] or len(docs) <= 1
    assert any("page.txt: cannot read (Permission denied)" in s.reason for s in report.skipped)


def test_ten_thousand_small_files(tmp_path):
    src = tmp_path / "many"
    src.mkdir()
    for i in range(10_000):
        (src / f"f{i:05d}.txt").write_text(f"第{i}号：苏州华兴软件有限公司落户嘉兴经开区。", encoding="utf-8")
    proc, rep = _build_json(src, "-o", tmp_path / "out")
    assert proc.returncode == 0 and rep["documents"] == 10_000 and rep["relations"]["locatedIn"] >= 1


def test_real_news_nobody_here_wrote(tmp_path):
    thuc = SHARED / "benchmarks" / "thucnews.cnews_val_1000.jsonl"
    if not thuc.exists():
        pytest.skip("../shared/benchmarks is not here")
    sample = tmp_path / "thuc.jsonl"
    lines = thuc.read_text(encoding="utf-8").splitlines()
    sample.write_text("\n".join(lines[::10]) + "\n", encoding="utf-8")  # 100 of the 1,000, every topic
    proc, rep = _build_json(sample, "-o", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert rep["documents"] == 100 and rep["skipped"] == 0 and sum(rep["entities"].values()) > 100
    assert len(Graph().parse(tmp_path / "out" / "graph.ttl")) == rep["triples"]


HOSTILE = (
    '本报讯（记者 王明）<script>alert(1)</script>嘉兴"""华兴\\\\软件有限公司落户嘉兴经开区。'
    "“引号'单引号\"双引号”苏州瑞博\x07生物技术股份有限公司与苏州大学签署合作协议。"
    + "超长" * 3000
    + "科技有限公司落户合肥高新区。\n"
)


def test_hostile_text_survives_turtle_sparql_and_html(tmp_path):
    src = tmp_path / "hostile.txt"
    src.write_text(HOSTILE, encoding="utf-8")
    run_kg("build", src, "-o", tmp_path / "out", "-q", check=True)
    ttl = tmp_path / "out" / "graph.ttl"
    g = Graph().parse(ttl)
    sentences = [str(o) for o in g.objects(None, None) if "<script>" in str(o)]
    assert sentences, "the sentence with markup is kept as text"
    res = run_kg(
        "query",
        "SELECT ?s WHERE { ?a kg:sentence/kg:text ?s } ",
        "-g",
        tmp_path / "out",
        "--format",
        "json",
        check=True,
    ).stdout
    values = [b["s"]["value"] for b in json.loads(res)["results"]["bindings"]]
    assert any("<script>alert(1)</script>" in v for v in values)
    page = (tmp_path / "out" / "graph.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page
    csv_out = run_kg(
        "query", "SELECT ?l WHERE { ?e rdfs:label ?l }", "-g", tmp_path / "out", "--format", "csv", check=True
    ).stdout
    assert "\x07" not in csv_out


@pytest.mark.parametrize(
    "args",
    [
        ["build"],
        ["build", "x.txt"],
        ["query"],
        ["nonsense"],
        ["build", SEED, "-o", "o", "--workers", "many"],
        ["viz", "/nonexistent"],
        ["show", "x", "-g", "/nonexistent"],
        ["stats", "/nonexistent"],
        ["export", "/nonexistent", "--format", "turtle", "-o", "x"],
        ["export", "/tmp", "--format", "pdf", "-o", "x"],
        ["query", "SELECT * WHERE { ?s ?p ?o }", "-g", "/nonexistent"],
        ["build", "/nonexistent.txt", "-o", "o"],
        ["extract", "/nonexistent.txt", "-o", "x.jsonl"],
        ["eval", "/nonexistent", "gold.json"],
    ],
)
def test_wrong_arguments_and_missing_paths_are_one_line_status_2(args, tmp_path):
    proc = run_kg(*args, cwd=tmp_path)
    assert proc.returncode == 2, (args, proc.returncode, proc.stderr)
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_queries_bad_update_and_timeout(tmp_path):
    out = tmp_path / "out"
    run_kg("build", SEED, "-o", out, "-q", check=True)
    bad = run_kg("query", "SELECT ?x WHERE {\n  ?x a }", "-g", out)
    assert bad.returncode == 1 and re.search(r"error at 2:\d+", bad.stderr) and "Traceback" not in bad.stderr
    for update in (
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://x>",
        "CLEAR ALL",
        "DROP DEFAULT",
        "PREFIX x: <urn:x>\nDELETE DATA { x:a x:b x:c }",
    ):
        proc = run_kg("query", update, "-g", out)
        assert proc.returncode == 1 and "refused" in proc.stderr, update
    before = (out / "graph.ttl").read_bytes()
    run_kg("query", 'INSERT DATA { <urn:kg:a> <urn:kg:b> "c" }', "-g", out, "--update", check=True)
    assert b"urn:kg:a" in (out / "graph.ttl").read_bytes() and before != (out / "graph.ttl").read_bytes()
    slow = run_kg(
        "query", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", "-g", out, "--timeout", "1"
    )
    assert slow.returncode == 1 and "--timeout" in slow.stderr
