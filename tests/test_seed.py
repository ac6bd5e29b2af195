"""The built seed graph against what a reader sees on the page, and the contract of the export."""

import re
import subprocess
import sys

import pytest
from conftest import GOLD, SCORER, SEED
from rdflib import Graph, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS

from kg.graph.rdf import KG


def _by_label(g: Graph, label: str) -> URIRef:
    hits = [s for s, o in g.subject_objects(RDFS.label) if str(o) == label]
    assert hits, f"no node labelled {label}"
    return hits[0]


def _has(g, s, p, o):
    return (_by_label(g, s), KG[p], _by_label(g, o)) in g


FACTS = [
    ("上海铂桐医疗科技有限公司", "locatedIn", "松江经开区"),
    ("富仁德昌为制药技术（上海）有限公司", "subOrganizationOf", "富仁德产业株式会社"),
    ("东华大学生物与医学工程学院", "subOrganizationOf", "东华大学"),
    ("中铁二局沪苏湖铁路站前6标项目部", "builds", "松江枢纽工程"),
    ("叶枫", "worksFor", "格尔软件"),
    ("全国智能装备行业产教融合共同体", "foundedBy", "上海交通大学"),
    ("昊海生科", "develops", "昊海生科国际医药研发及产业化基地"),
    ("复宏汉霖", "locatedIn", "松江经开区"),
]


@pytest.mark.parametrize("s,p,o", FACTS)
def test_facts_a_reader_sees(seed_kg, s, p, o):
    assert _has(seed_kg.graph, s, p, o)


def test_short_names_are_aliases_of_one_node(seed_kg):
    g = seed_kg.graph
    node = _by_label(g, "上海铂桐医疗科技有限公司")
    assert str(next(g.objects(node, SKOS.altLabel))) == "铂桐医疗"
    labels = [str(o) for s, o in g.subject_objects(RDFS.label) if str(o) in ("铂桐医疗", "工作站", "经开区")]
    assert labels == []


def test_every_entity_has_a_top_class(seed_kg):
    g = seed_kg.graph
    tops = {KG[t] for t in ("Company", "Institution", "Project", "Place", "Person")}
    for s in set(g.subjects(RDFS.label)) & set(g.subjects(PROV.wasDerivedFrom)) - set(
        g.subjects(RDF.type, KG.Document)
    ):
        assert set(g.objects(s, RDF.type)) & tops


def test_hedged_and_generic_things_are_not_entities(seed_kg):
    labels = {str(o) for o in seed_kg.graph.objects(None, RDFS.label)}
    assert not labels & {"跨国公司", "在谈项目", "工作站", "产业基地", "全市"}


def test_every_relation_has_provenance(seed_kg):
    g = seed_kg.graph
    raw = SEED.read_text(encoding="utf-8")
    rels = [
        (s, p, o)
        for s, p, o in g
        if str(p).startswith(str(KG))
        and p.split("#")[1]
        in (
            "locatedIn",
            "partOf",
            "subOrganizationOf",
            "memberOf",
            "foundedBy",
            "cooperatesWith",
            "develops",
            "builds",
            "worksFor",
            "award",
        )
    ]
    assert len(rels) > 40
    for s, p, o in rels:
        a = next(
            g.subjects(RDF.object, o)
            if False
            else (x for x in g.subjects(RDF.subject, s) if (x, RDF.predicate, p) in g and (x, RDF.object, o) in g),
            None,
        )
        assert a is not None, (s, p, o)
        start, end = int(next(g.objects(a, KG.start))), int(next(g.objects(a, KG.end)))
        sn = next(g.objects(a, KG.sentence))
        assert (sn, RDF.type, KG.Sentence) in g
        sentence = str(next(g.objects(sn, KG.text)))
        ss, se = int(next(g.objects(sn, KG.sentenceStart))), int(next(g.objects(sn, KG.sentenceEnd)))
        assert str(sn).endswith(f"/sentence/{ss}-{se}")
        doc = next(g.objects(sn, PROV.wasDerivedFrom))
        assert (doc, RDF.type, KG.Document) in g
        assert re.sub(r"\s", "", raw[ss:se]) == re.sub(r"\s", "", sentence)
        assert ss <= start < end <= se
        assert next(g.objects(a, KG.rule), None) is not None


def test_assertions_of_one_sentence_share_its_node(seed_kg):
    g = seed_kg.graph
    assertions = set(g.subjects(RDF.type, KG.Assertion))
    sentences = set(g.subjects(RDF.type, KG.Sentence))
    assert {next(g.objects(a, KG.sentence)) for a in assertions} == sentences
    assert len(sentences) < len(assertions)
    for sn in sentences:
        assert len(list(g.objects(sn, KG.text))) == 1
        assert len(list(g.objects(sn, PROV.wasDerivedFrom))) == 1


def test_same_input_gives_identical_turtle(seed_kg):
    from kg.graph.api import KnowledgeGraph

    again = KnowledgeGraph.build([str(SEED)])
    assert again.turtle() == seed_kg.turtle()


def test_scores_above_the_issue_thresholds(seed_out):
    if not SCORER.exists():
        pytest.skip("../shared/eval is not here")
    out = subprocess.run(
        [sys.executable, str(SCORER), str(seed_out / "graph.ttl"), str(GOLD)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    m = re.search(r"entity_f1=([\d.]+) relation_f1=([\d.]+)", out)
    assert float(m.group(1)) >= 0.92 and float(m.group(2)) >= 0.85, out


def test_turtle_loads_in_a_second_library(seed_out):
    pyoxigraph = pytest.importorskip("pyoxigraph")
    store = pyoxigraph.Store()
    store.load(path=str(seed_out / "graph.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == len(Graph().parse(seed_out / "graph.ttl"))


def test_extract_offsets_slice_the_raw_text(seed_result):
    from kg.extract.output import record

    raw = SEED.read_text(encoding="utf-8")
    rec = record(seed_result)
    assert len(rec["entities"]) > 60
    for e in rec["entities"]:
        assert re.sub(r"\s", "", raw[e["start"] : e["end"]]) == e["text"]
    for r in rec["relations"]:
        assert 0 <= r["start"] < r["end"] <= len(raw)
