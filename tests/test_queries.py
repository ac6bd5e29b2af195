"""Each ready query answers its question on the seed graph."""

import pytest
from conftest import ROOT

QUERIES = ROOT / "queries"


def rows(kg, name):
    res = kg.query(str(QUERIES / name))
    return [tuple(str(x) if x is not None else None for x in r) for r in res.rows], res.vars


def test_there_are_at_least_eight_commented_queries():
    files = sorted(QUERIES.glob("*.rq"))
    assert len(files) >= 8
    for f in files:
        assert f.read_text(encoding="utf-8").startswith("#"), f.name


def test_companies_by_zone(seed_kg):
    r, _ = rows(seed_kg, "companies_by_zone.rq")
    assert ("松江经开区", "上海铂桐医疗科技有限公司") in r
    assert ("松江经开区", "复宏汉霖") in r
    assert all(zone != "格尔软件" for zone, _ in r)


def test_university_cooperation(seed_kg):
    r, _ = rows(seed_kg, "university_cooperation.rq")
    assert ("松江经开区生物医药产业集群", "东华大学") in r


def test_alliance_founders_and_members(seed_kg):
    r, _ = rows(seed_kg, "alliance_founders_members.rq")
    founders = {o for a, role, o in r if a == "全国智能装备行业产教融合共同体" and role == "founder"}
    assert founders == {"上海电气", "上海交通大学", "上海科创职业技术学院"}
    assert ("长三角G60科创走廊量子密码应用创新联盟（中心）", "member", "格尔软件") in r


def test_people_posts(seed_kg):
    r, _ = rows(seed_kg, "people_posts.rq")
    assert {(p, o) for p, o, _ in r} >= {
        ("曹雷军", "经开区党工委"),
        ("叶枫", "格尔软件"),
        ("王浩东", "中铁二局沪苏湖铁路站前6标项目部"),
    }
    assert all(s for _, _, s in r)


def test_projects_developers_builders(seed_kg):
    r, _ = rows(seed_kg, "projects_developers_builders.rq")
    assert ("松江枢纽工程", None, "中铁二局沪苏湖铁路站前6标项目部") in r
    assert ("西部园区生物医药产业园", "松江经开区", None) in r


def test_place_hierarchy(seed_kg):
    r, _ = rows(seed_kg, "place_hierarchy.rq")
    pairs = {(p, w) for p, w, _ in r}
    assert ("松江区", "上海市") in pairs and ("松江经开区", "松江区") in pairs
    assert ("松江经开区", "上海市") in pairs  # through 松江区


def test_relation_provenance_covers_every_relation(seed_kg):
    r, names = rows(seed_kg, "relation_provenance.rq")
    direct = sum(seed_kg.summary.relations.values())
    assert len({(x[0], x[1], x[2]) for x in r}) == direct
    row = next(x for x in r if x[0] == "叶枫")
    rec = dict(zip(names, row))
    assert rec["rule"] == "works.title" and "叶枫" in rec["sentence"] and int(rec["start"]) < int(rec["end"])


def test_most_connected(seed_kg):
    r, _ = rows(seed_kg, "most_connected.rq")
    assert r[0][0] == "松江经开区"
    degrees = [int(x[2]) for x in r]
    assert degrees == sorted(degrees, reverse=True)


def test_awards(seed_kg):
    r, _ = rows(seed_kg, "awards.rq")
    assert ("新桥镇", "国家级充分就业社区") in r


def test_entity_aliases(seed_kg):
    r, _ = rows(seed_kg, "entity_aliases.rq")
    row = next(x for x in r if x[0] == "松江区生物医药产品注册指导服务工作站")
    assert row[1] == "Institution" and "工作站" in row[2]


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory):
    from conftest import SEED

    from kg.graph.build import build

    out = tmp_path_factory.mktemp("seed_store")
    build([str(SEED)], out, page=False)
    return out


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "queries").glob("*.rq")))
def test_sorting_in_python_gives_oxigraphs_order(seed_store, name):
    """run_store sorts a trailing ORDER BY itself: the rows equal Oxigraph's own sort (up to
    the order of rows with equal keys, which SPARQL leaves open)."""
    from kg.graph.query import run_store, sparql_order, split_order
    from kg.graph.store import OxStore, to_rdflib

    store = OxStore.open(seed_store, read_only=True).ox
    text = (ROOT / "queries" / name).read_text(encoding="utf-8")
    ours = run_store(store, text)
    res = store.query(
        text, prefixes={p: str(ns) for p, ns in __import__("kg.graph.query").graph.query.PREFIXES.items()}
    )
    theirs = [[to_rdflib(sol[v]) for v in res.variables] for sol in res]
    assert sorted(map(repr, ours.rows)) == sorted(map(repr, theirs))
    _, order = split_order(text)
    if order:
        idx = [ours.vars.index(v) for v, _ in order]
        assert [[sparql_order(r[i]) for i in idx] for r in ours.rows] == [
            [sparql_order(r[i]) for i in idx] for r in theirs
        ]


def test_order_by_is_left_to_oxigraph_when_it_is_not_plain():
    from kg.graph.query import split_order

    assert split_order("SELECT ?a WHERE { ?a ?b ?c } ORDER BY ?a LIMIT 5")[1] is None
    assert split_order("SELECT ?a WHERE { ?a ?b ?c } ORDER BY STR(?a)")[1] is None
    assert split_order("SELECT ?a WHERE { ?a ?b ?c } ORDER BY ?c")[1] is None
    assert split_order("SELECT ?a ?c WHERE { ?a ?b ?c }\nORDER BY DESC(?c) ?a")[1] == [("c", True), ("a", False)]


@pytest.mark.parametrize(
    "text, update",
    [
        ("PREFIX x: <urn:x> INSERT DATA { x:a x:b x:c }", True),
        ("PREFIX x: <urn:x>\nPREFIX y: <urn:y>\n  DELETE WHERE { ?s x:p ?o }", True),
        ("BASE <urn:b> # a note\nCLEAR DEFAULT", True),
        ("PREFIX insert: <urn:x> SELECT ?s WHERE { ?s ?p ?o }", False),
        ("SELECT ?s WHERE { ?s ?p ?o } # INSERT", False),
    ],
)
def test_updates_are_told_from_queries_whatever_the_prologue_layout(text, update):
    from kg.graph.query import is_update

    assert is_update(text) is update


def test_the_division_tables_hierarchy_is_within_division_not_a_stated_part(seed_kg):
    from rdflib import RDFS

    from kg.namespaces import KG

    g = seed_kg.graph
    within = set(g.subject_objects(KG.withinDivision))
    assert within, "the seed names 松江区 and 上海市"
    assert not within & set(g.subject_objects(KG.partOf))
    labels = {(str(g.value(s, RDFS.label)), str(g.value(o, RDFS.label))) for s, o in within}
    assert ("松江区", "上海市") in labels
