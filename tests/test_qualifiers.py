"""Amounts, dates and stages on assertions; planned statements and events (issue 20).
Every name here is invented."""

import datetime as dt
import json
from decimal import Decimal

import pyoxigraph as ox
import pytest
from conftest import run_kg
from rdflib import Graph, Literal, Namespace
from rdflib.namespace import RDF, XSD

from kg.errors import KgError
from kg.extract.pipeline import extractor
from kg.extract.qualify import masked, number
from kg.model import Document
from kg.rules.load import load_rules

KG = Namespace("https://kg.example.org/ontology#")
PAGE = (
    "星禾日报 2024年3月15日 星期五\n\n星禾新材料项目签约落户南屿高新区\n\n"
    "本报讯（记者 韦川）3月12日，星禾新材料科技有限公司与南屿高新区管委会签署投资协议，"
    "星禾新材料项目总投资约5.67亿元，今年6月开工，预计明年投产。"
    "云栖科技有限公司拟落户南屿高新区。云栖运营管理有限公司与南屿大学签约。\n"
)


@pytest.mark.parametrize(
    "text,value",
    [("5.67亿", "567000000"), ("百亿", "10000000000"), ("三千万", "30000000"), ("1.5万亿", "1500000000000"),
     ("一亿五千万", "150000000"), ("1,200万", "12000000"), ("十亿", "1000000000")],
)  # fmt: skip
def test_numbers_in_digits_and_characters(text, value):
    assert number(text) == Decimal(value)


def test_a_word_that_is_no_number_reads_none():
    assert number("若干") is None


def test_every_qualifier_rule_example_passes_through_the_whole_rule_set():
    from kg.extract.examples import check_all

    ex = extractor()
    n, fails = check_all(ex)
    assert sum(len(q.match) + len(q.no_match) for q in ex.rules.qualifiers.rules) >= 40
    assert not [f for f in fails if f.rule.split(".")[0] in ("amount", "date", "stage")], fails


def test_no_amount_in_a_phone_number_a_score_a_percentage_or_a_year():
    reader = extractor().qualifiers
    for text in ("咨询电话0571-88886666", "星禾队以3比1取胜", "产值同比增长15%", "获评2023年度优秀企业"):
        assert reader.find(text, "amount") == [], text


def test_dates_count_from_the_document_date():
    reader = extractor().qualifiers
    today = dt.date(2024, 1, 5)
    (f,) = reader.find("12月28日签约", "date", today)
    assert f.values["date"] == "2023-12-28"  # the page is of early January: last December
    (f,) = reader.find("今年6月开工", "date", today)
    assert (f.values["date"], f.values["quarter"]) == ("2024-06", "2024-Q2")
    (f,) = reader.find("今年6月开工", "date", None)
    assert (f.values["date"], f.values["date_text"]) == ("", "今年6月")  # no date known: the words


def test_a_stage_or_a_date_inside_a_name_is_masked():
    text = "云栖运营管理有限公司与南屿大学签约"
    assert masked(text, [(0, 10)]).startswith("\u3000" * 10)
    res = extractor().process(Document("d", "d", text + "。"))
    (r,) = [r for r in res.relations if r.predicate == "cooperatesWith"]
    assert r.qualifiers.stage == "signed" and r.qualifiers.stage_text == "签约"


@pytest.fixture(scope="module")
def page_result():
    return extractor().process(Document("p", "p", PAGE))


def test_the_page_date_is_read_from_its_masthead(page_result):
    assert page_result.date == "2024-03-15"


def test_a_relation_takes_the_date_of_its_dateline_clause(page_result):
    (r,) = [r for r in page_result.relations if r.predicate == "cooperatesWith" and "管委会" in r.object.name]
    q = r.qualifiers
    assert (q.date, q.date_text, q.quarter, q.stage) == ("2024-03-12", "3月12日", "2024-Q1", "signed")


def test_a_planned_relation_is_an_assertion_not_a_triple(page_result):
    (p,) = page_result.planned
    assert (p.subject.name, p.predicate, p.object.name) == ("云栖科技有限公司", "locatedIn", "南屿高新区")
    assert p.qualifiers.stage == "planned"
    assert not [r for r in page_result.relations if r.subject is p.subject and r.predicate == "locatedIn"]


def test_events_of_a_project_chain_through_its_clauses(page_result):
    got = {(e.subject.name, e.qualifiers.stage, e.qualifiers.date, e.qualifiers.amount) for e in page_result.events}
    assert ("星禾新材料项目", "", "2024-03-12", "567000000") in got  # the dateline dates the clauses after it
    assert ("星禾新材料项目", "started", "2024-06", "") in got
    assert ("星禾新材料项目", "planned", "2025", "") in got


def test_a_negated_relation_is_neither_triple_nor_assertion():
    res = extractor().process(Document("d", "d", "云栖科技有限公司未落户南屿高新区。"))
    assert not res.relations and not res.planned


def test_the_graph_carries_qualifiers_in_rdflib_and_oxigraph(tmp_path):
    src = tmp_path / "p.txt"
    src.write_text(PAGE, encoding="utf-8")
    proc = run_kg("build", src, "-o", tmp_path / "out", "-q")
    assert proc.returncode == 0, proc.stderr
    ttl = tmp_path / "out" / "graph.ttl"
    g = Graph().parse(ttl)
    assert (None, KG.amount, Literal("567000000", datatype=XSD.decimal)) in g
    assert (None, KG.date, Literal("2024-06", datatype=XSD.gYearMonth)) in g
    assert (None, KG.date, Literal("2024-03-12", datatype=XSD.date)) in g
    project = next(g.subjects(KG.investment, None))
    assert str(project).endswith("星禾新材料项目")
    planned = next(a for a in g.subjects(KG.stage, Literal("planned")) if (a, RDF.predicate, KG.locatedIn) in g)
    s, p, o = (g.value(planned, x) for x in (RDF.subject, RDF.predicate, RDF.object))
    assert p == KG.locatedIn and (s, p, o) not in g  # kept as an assertion, stated as no triple
    assert len(list(g.subjects(RDF.type, KG.Event))) >= 3
    quads = list(ox.parse(path=str(ttl), format=ox.RdfFormat.TURTLE))
    assert any(q.predicate.value == str(KG.quarter) for q in quads)


def test_a_record_date_and_the_date_option_resolve_relative_dates(tmp_path):
    line = {"id": "a", "text": "星禾新材料项目今年6月开工。", "date": "2023-02-01"}
    (tmp_path / "a.jsonl").write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("云栖新能源项目今年6月开工。", encoding="utf-8")
    out = tmp_path / "m.jsonl"
    proc = run_kg("extract", tmp_path, "-o", out, "--date", "2025-04-01", "-q")
    assert proc.returncode == 0, proc.stderr
    recs = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert recs["a"]["date"] == "2023-02-01" and recs["a"]["events"][0]["qualifiers"]["date"] == "2023-06"
    assert recs["b.txt"]["events"][0]["qualifiers"]["date"] == "2025-06"


def test_a_record_with_a_bad_date_is_skipped_with_one_line_naming_it(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"id": "a", "text": "文本", "date": "2023-13-01"}\n', encoding="utf-8")
    proc = run_kg("extract", tmp_path / "a.jsonl", "-o", tmp_path / "m.jsonl", "-q")
    assert proc.returncode == 0 and (tmp_path / "m.jsonl").read_text(encoding="utf-8") == ""
    assert "a.jsonl:1: field 'date' must be a date" in proc.stderr and proc.stderr.count("\n") == 1


def test_a_bad_date_option_is_a_usage_error(tmp_path):
    proc = run_kg("extract", tmp_path, "-o", tmp_path / "m.jsonl", "--date", "yesterday")
    assert proc.returncode == 2 and "no date written YYYY-MM-DD" in proc.stderr


def test_explain_shows_the_qualifiers_and_the_rules_that_read_them():
    proc = run_kg("explain", "星禾新材料项目今年6月开工。", "--date", "2024-01-10")
    assert proc.returncode == 0, proc.stderr
    assert "2024-06" in proc.stdout and "date.relative" in proc.stdout and "stage.word" in proc.stdout


@pytest.mark.parametrize(
    "text,message",
    [
        ("qualifiers: {rules: [{id: q, kind: money, pattern: x}]}", "qualifier rule q: field 'kind'"),
        ("qualifiers: {rules: [{id: q, kind: date, pattern: '(?P<cur>元)'}]}", "group 'cur'"),
        ("qualifiers: {rules: [{id: q, kind: date, pattern: x, colour: red}]}", "unknown field 'colour'"),
        ("qualifiers: {stages: {finished: [完工]}}", "'finished', which is no stage"),
        ("qualifiers: {currency: {CNY: [元]}}", "unknown field 'qualifiers.currency'"),
        ("qualifiers: {rules: [{id: q, kind: date, pattern: '{no_such_list}'}]}", "no_such_list"),
        ("qualifiers: {rules: [{id: q, kind: date, pattern: x, examples: {match: [{text: a, when: b}]}}]}",
         "examples.match.when"),
    ],
)  # fmt: skip
def test_bad_qualifier_rules_get_one_clear_line(tmp_path, text, message):
    f = tmp_path / "bad.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(KgError, match=message) as info:
        load_rules([str(f)])
    assert "bad.yaml" in str(info.value) and "\n" not in str(info.value)


def test_a_user_rule_file_adds_a_currency_and_a_stage_word(tmp_path):
    f = tmp_path / "mine.yaml"
    f.write_text("qualifiers: {currencies: {CHF: [瑞士法郎]}, stages: {started: [启动建设]}}\n", encoding="utf-8")
    reader = extractor([str(f)]).qualifiers
    (a,) = reader.find("总投资3000万瑞士法郎", "amount")
    assert (a.values["amount"], a.values["currency"]) == ("30000000", "CHF")
    assert reader.stage("云栖产业园启动建设").values["stage"] == "started"
