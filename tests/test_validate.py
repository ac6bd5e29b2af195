"""kg validate: a build conforms to kg's SHACL shapes and its places to the division table."""

import pytest
from conftest import run_kg
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

KG = "https://kg.example.org/ontology#"
ENT = "https://kg.example.org/entity/"


def test_the_seed_build_conforms(seed_out):
    proc = run_kg("validate", seed_out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "conforms" in proc.stderr


def test_a_graph_broken_on_purpose_fails_with_a_report_naming_each_problem(seed_out, tmp_path):
    g = Graph().parse(seed_out / "graph.ttl")
    g.add((URIRef(ENT + "松江经开区"), RDFS.label, Literal("松江园区")))  # two names
    assertion = next(g.subjects(RDF.type, URIRef(KG + "Assertion")))
    g.remove((assertion, URIRef(KG + "rule"), None))  # an assertion without its rule
    g.add((URIRef(ENT + "上海市"), URIRef(KG + "partOf"), URIRef(ENT + "松江区")))  # the wrong way round
    g.add((URIRef(ENT + "松江区"), URIRef(KG + "worksFor"), URIRef(ENT + "无名")))  # an untyped end
    broken = tmp_path / "broken"
    broken.mkdir()
    g.serialize(broken / "graph.ttl", format="turtle")
    proc = run_kg("validate", broken)
    assert proc.returncode == 1
    rows = [line.split("\t") for line in proc.stdout.splitlines() if "\t" in line]
    problems = {(r[0], r[2]) for r in rows[1:]}
    assert ("shape", "an entity has exactly one name (rdfs:label) (rdfs:label)") in problems
    assert ("shape", "an assertion has the rule that made it (kg:rule)") in problems
    assert ("hierarchy", "上海市 partOf 松江区, but the division table puts 松江区 within 上海市") in problems
    assert any(c == "shape" and "five top types" in m for c, m in problems)
    assert "4 problem(s)" in proc.stderr


def test_extraction_drops_a_place_placed_in_a_place_within_it():
    from kg.extract.pipeline import extractor
    from kg.model import Document

    res = extractor().process(Document("d", "d.txt", "坐落于北京朝阳区三间房的精品酒吧开业。"))
    assert not any(r.subject.name == "北京市" and r.predicate == "locatedIn" for r in res.relations)


@pytest.mark.slow
def test_the_thucnews_build_conforms(tmp_path):
    from conftest import SHARED

    data = SHARED / "benchmarks" / "thucnews.cnews_val_1000.jsonl"
    if not data.exists():
        pytest.skip("the THUCNews benchmark is not here")
    run_kg("build", data, "-o", tmp_path / "t", "-q", check=True)
    proc = run_kg("validate", tmp_path / "t")
    assert proc.returncode == 0, proc.stdout[:2000]


def test_a_division_of_the_table_carries_its_code_and_a_shared_name_none(tmp_path):
    from kg.graph.api import KnowledgeGraph

    src = tmp_path / "p.txt"
    src.write_text("星禾科技有限公司落户上海市松江区。另一家企业位于北京市朝阳区。", encoding="utf-8")
    kg = KnowledgeGraph.build([str(src)])
    rows = {str(r[0]): str(r[1]) for r in kg.query("SELECT ?n ?c WHERE { ?p kg:adcode ?c ; rdfs:label ?n }")}
    assert rows["上海市"] == "310000000000" and rows["松江区"] == "310117000000"
    assert rows["松江区"][:2] + "0" * 10 == rows["上海市"]  # the parent's code is the code's head
    assert "朝阳区" not in rows  # two divisions of the table are called 朝阳区 (Beijing's, Changchun's)
    parents = {str(r[0]): str(r[1]) for r in kg.query("SELECT ?n ?c WHERE { ?p kg:parentAdcode ?c ; rdfs:label ?n }")}
    assert parents["松江区"] == rows["上海市"] and "上海市" not in parents  # a province lies in no division
