"""Drive the `kg` command the way a user does: build, query, extract, and errors."""

import csv
import io
import json

import pytest
from conftest import SEED, run_kg


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "build"
    proc = run_kg("build", SEED.parent, "-o", out, check=True)
    return out, proc


def test_build_writes_graph_and_page_and_prints_a_summary(built):
    out, proc = built
    assert (out / "graph.ttl").stat().st_size > 10_000
    page = (out / "graph.html").read_text(encoding="utf-8")
    assert "vis.Network" in page and "上海铂桐医疗科技有限公司" in page
    assert "https://cdn" not in page
    assert "documents" in proc.stdout and "entity Company" in proc.stdout and "relation locatedIn" in proc.stdout


def test_build_json_summary(tmp_path):
    proc = run_kg("build", SEED, "-o", tmp_path / "b", "--json", check=True)
    s = json.loads(proc.stdout)
    assert s["documents"] == 1 and s["articles"] == 5
    assert s["entities"]["Company"] >= 15 and s["relations"]["foundedBy"] >= 10


def test_query_table_aligns_chinese(built):
    out, _ = built
    proc = run_kg("--width", "200", "query", "queries/companies_by_zone.rq", "-g", out, check=True)
    lines = [l for l in proc.stdout.splitlines() if "上海铂桐医疗科技有限公司" in l]
    assert lines
    from rich.cells import cell_len

    widths = {cell_len(l) for l in proc.stdout.splitlines() if l.startswith(("│", "┃", "┏", "└"))}
    assert len(widths) == 1, widths


def test_query_formats(built):
    out, _ = built
    q = "SELECT ?n WHERE { ?c a kg:Company ; rdfs:label ?n } ORDER BY ?n"
    rows = list(csv.reader(io.StringIO(run_kg("query", q, "-g", out, "--format", "csv", check=True).stdout)))
    assert rows[0] == ["n"] and ["上海电气"] in rows
    js = json.loads(run_kg("query", q, "-g", out, "--format", "json", check=True).stdout)
    assert js["head"]["vars"] == ["n"] and {"type": "literal", "value": "上海电气", "xml:lang": "zh"} in [
        b["n"] for b in js["results"]["bindings"]
    ]
    tsv = run_kg("query", q, "-g", out, "--format", "tsv", check=True).stdout.splitlines()
    assert tsv[0] == "?n" and '"上海电气"@zh' in tsv


def test_construct_prints_turtle(built):
    out, _ = built
    q = "CONSTRUCT { ?p kg:worksFor ?o } WHERE { ?p kg:worksFor ?o }"
    text = run_kg("query", q, "-g", out, check=True).stdout
    from rdflib import Graph

    assert len(Graph().parse(data=text, format="turtle")) == 4


def test_extract_jsonl(tmp_path):
    out = tmp_path / "m.jsonl"
    run_kg("extract", SEED, "-o", out, check=True)
    [rec] = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    raw = SEED.read_text(encoding="utf-8")
    assert rec["id"] == SEED.name
    e = next(e for e in rec["entities"] if e["text"] == "上海铂桐医疗科技有限公司")
    assert e["type"] == "Company" and raw[e["start"] : e["end"]].replace(
        "\n", ""
    ) == "上海铂\n桐医疗科技有限公司".replace("\n", "")
    assert any(r["p"] == "foundedBy" and r["rule"] for r in rec["relations"])


def test_extract_jsonl_records_keep_their_ids(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"id": "a1", "text": "苏州瑞博生物技术股份有限公司落户合肥高新区。"}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    run_kg("extract", src, "-o", tmp_path / "o.jsonl", check=True)
    rec = json.loads((tmp_path / "o.jsonl").read_text(encoding="utf-8"))
    assert rec["id"] == "a1"
    assert {(e["text"], e["start"], e["end"]) for e in rec["entities"]} >= {("苏州瑞博生物技术股份有限公司", 0, 14)}


def test_extract_writes_a_relations_ends_as_its_sentence_writes_them(tmp_path):
    src = tmp_path / "in.jsonl"
    text = "星禾精工有限公司总部位于杭州，研发中心设在南京市。"
    src.write_text(json.dumps({"id": "a1", "text": text}, ensure_ascii=False) + "\n", encoding="utf-8")
    run_kg("extract", src, "-o", tmp_path / "o.jsonl", check=True)
    rec = json.loads((tmp_path / "o.jsonl").read_text(encoding="utf-8"))
    r = next(r for r in rec["relations"] if r["p"] == "locatedIn" and r["o_entity"] == "杭州市")
    assert (r["s"], r["o"], r["s_entity"]) == ("星禾精工有限公司", "杭州", "星禾精工有限公司")
    assert text[r["start"] : r["end"]].find(r["o"]) >= 0


@pytest.mark.parametrize(
    "args,message",
    [
        (["query", "queries/awards.rq", "-g", "/nonexistent"], "no graph here"),
        (["query", "SELECT WHERE {", "-g", "seeds/000_ec529398d460bb70.txt"], "not a readable Turtle graph"),
        (["build", "/nonexistent.txt", "-o", "x"], "no such file or folder"),
    ],
)
def test_errors_are_one_line(args, message):
    proc = run_kg(*args)
    assert proc.returncode != 0
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_bad_sparql_is_one_line(built):
    out, _ = built
    proc = run_kg("query", "SELECT WHERE {", "-g", out)
    assert proc.returncode == 1 and proc.stderr.startswith("kg: error: bad SPARQL query")


def test_failed_build_keeps_the_previous_graph(built, tmp_path):
    out, _ = built
    before = (out / "graph.ttl").read_bytes()
    bad = tmp_path / "bin.txt"
    bad.write_bytes(b"\x00\x01\x02PK\x03\x04")
    proc = run_kg("build", bad, "-o", out, "--strict")
    assert proc.returncode == 1 and "bin.txt" in proc.stderr
    assert (out / "graph.ttl").read_bytes() == before


def test_help_has_examples():
    proc = run_kg("build", "--help", check=True)
    assert "example:" in proc.stdout and "kg build seeds/ -o build/" in proc.stdout


def test_build_stats_and_page_count_the_same_entities(tmp_path):
    import re

    out = tmp_path / "b"
    built = json.loads(run_kg("build", SEED, "-o", out, "--json", check=True).stdout)
    stats = json.loads(run_kg("stats", out, "--json", check=True).stdout)
    page = (out / "graph.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="kg-data">(.*?)</script>', page, re.S).group(1))
    on_page = sum(1 for n in data["nodes"] if n["type"] != "Award")
    assert built["entity_total"] == stats["nodes"] == on_page
    assert sum(built["entities"].values()) >= built["entity_total"]  # by type, an entity of two types twice
