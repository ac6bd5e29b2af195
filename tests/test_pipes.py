"""Piped output is whole lines: every command's output, read by a script, cuts and wraps nothing."""

import pytest
from conftest import GOLD, SEED, run_kg

LONG = (
    "星禾新能源科技股份有限公司与云栖大学材料科学与工程学院在南屿高新技术产业开发区签署储能材料联合研发中心共建协议，"
    "双方将围绕固态电池关键材料开展攻关。"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("pipes")
    run_kg("build", SEED, "-o", out, check=True)
    return out


def _rows(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.splitlines() if "\t" in line]


def test_rules_piped_lists_every_rule_whole_one_line_each():
    from kg.rules.load import load_rules

    proc = run_kg("rules")
    rows = _rows(proc.stdout)
    assert rows[0] == ["id", "kind", "type / relation", "examples", "description"]
    assert {len(r) for r in rows} == {5}
    rules = load_rules()
    ids = (
        [r.id for r in rules.entity_rules]
        + [r.id for r in rules.relation_rules]
        + [q.id for q in rules.qualifiers.rules]
    )
    assert [r[0] for r in rows[1:]] == ids  # not one id cut (kg rules | cat once cut 29 of 50)


def test_show_piped_prints_each_sentence_once_and_whole(built):
    from kg.graph.card import card, find
    from kg.graph.store import load_graph

    proc = run_kg("show", "松江经开区", "-g", built, check=True)
    g = load_graph(built)
    sentences = {e["sentence"] for link in card(g, find(g, "松江经开区")[0]).links for e in link.evidence[:3]}
    lines = proc.stdout.splitlines()
    assert len(sentences) > 3
    for s in sentences:
        assert sum(1 for line in lines if line.strip() == f"“{s}”") == 1, s  # whole, on one line, once


def test_query_piped_is_one_tab_separated_line_per_row(built):
    proc = run_kg("query", "queries/people_posts.rq", "-g", built, check=True)
    rows = _rows(proc.stdout)
    assert rows[0] == ["person", "organisation", "sentence"]
    assert len(rows) == len(proc.stdout.splitlines()) > 2  # a header and the rows, nothing else
    assert all(len(r) == 3 and r[2][-1] in "。；！？”" for r in rows[1:])  # each sentence to its end


def test_explain_piped_keeps_a_long_sentence_and_its_names_whole():
    proc = run_kg("explain", LONG, check=True)
    lines = proc.stdout.splitlines()
    assert f"== {LONG}" in lines  # the sentence heading, uncut
    names = {r[0] for r in _rows(proc.stdout)}
    assert "星禾新能源科技股份有限公司" in names


def test_build_eval_and_stats_piped_are_tables_of_whole_rows(built, tmp_path):
    build = run_kg("build", SEED, "-o", tmp_path / "b", check=True).stdout
    assert ["relation withinDivision", "2"] in _rows(build) or any(r[0].startswith("relation") for r in _rows(build))
    for out in (build, run_kg("eval", built / "graph.ttl", GOLD).stdout, run_kg("stats", built).stdout):
        blocks = [b for b in out.split("# ") if "\t" in b]
        assert blocks
        for b in blocks:
            widths = {len(r) for r in _rows(b)}
            assert len(widths) == 1, b  # every row of a table has its every cell


def test_width_draws_the_table_at_that_width_when_piped():
    from rich.cells import cell_len

    proc = run_kg("--width", "70", "rules")
    lines = proc.stdout.splitlines()
    assert "\t" not in proc.stdout and any("┃" in line for line in lines)
    assert max(cell_len(line) for line in lines if "│" in line or "┃" in line) <= 70


def test_a_name_that_matches_nothing_suggests_the_closest(built):
    proc = run_kg("show", "松江经济开发", "-g", built)
    assert proc.returncode == 1
    assert "closest:" in proc.stderr and "松江经开区" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_missing_query_file_exits_2_and_an_unknown_prefix_is_named(built):
    missing = run_kg("query", "no_such_query.rq", "-g", built)
    assert missing.returncode == 2 and missing.stderr.strip() == "kg: error: no_such_query.rq: no such query file"
    bad = run_kg("query", "SELECT ?s WHERE { ?s foo:bar ?o . ?s rdfs:label 'a:b' }", "-g", built)
    assert bad.returncode == 1 and "unknown prefix foo:" in bad.stderr and "rdfs" in bad.stderr
    declared = run_kg("query", "PREFIX foo: <http://example.org/> SELECT ?s WHERE { ?s foo:bar ?o }", "-g", built)
    assert declared.returncode == 0
