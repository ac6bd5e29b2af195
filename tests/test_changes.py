"""kg changes across a sequence of builds (add a page, change a page, prune a page), the
history graph, and the ready queries of issue 20. Every name here is invented."""

import json

import pyoxigraph as ox
import pytest
from conftest import ROOT, SHARED, run_kg
from rdflib import Graph

PAGE_A = (
    "南屿日报 2024年5月20日\n\n本报讯 5月18日，星禾新材料项目签约落户南屿高新区，"
    "总投资约5.67亿元。云栖科技有限公司落户南屿高新区。\n"
)
PAGE_A2 = (
    "南屿日报 2024年7月2日\n\n本报讯 6月28日，星禾新材料项目开工。星禾新材料项目落户南屿高新区，总投资约5.67亿元。\n"
)
PAGE_B = "南屿日报 2024年5月21日\n\n本报讯 韦川光电有限公司与南屿大学签署战略合作协议。\n"


def changes(out, *extra):
    proc = run_kg("changes", out, "--json", *extra)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def query_rows(name, out):
    proc = run_kg("query", ROOT / "queries" / f"{name}.rq", "-g", out, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(proc.stdout)["results"]["bindings"]]


def build(src, out, *extra):
    proc = run_kg("build", src, "-o", out, "-q", *extra)
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="module")
def sequence(tmp_path_factory):
    """Four builds: page a; a and b; a changed; b pruned. The changes after each."""
    tmp = tmp_path_factory.mktemp("changes")
    src, out = tmp / "src", tmp / "out"
    src.mkdir()
    (src / "a.txt").write_text(PAGE_A, encoding="utf-8")
    steps = []
    build(src, out)
    steps.append(changes(out))
    (src / "b.txt").write_text(PAGE_B, encoding="utf-8")
    build(src, out)
    steps.append(changes(out))
    (src / "a.txt").write_text(PAGE_A2, encoding="utf-8")
    build(src, out)
    steps.append(changes(out))
    (src / "b.txt").unlink()
    build(src, out, "--prune")
    steps.append(changes(out))
    return out, steps


def names(rows):
    return {r[0] if isinstance(r, list) else r for r in rows}


def rel(key):
    return tuple(key.split("\t"))


def test_the_first_build_adds_everything(sequence):
    _, steps = sequence
    first = steps[0]
    assert (first["build"], first["since"]) == (1, 0)
    assert {"星禾新材料项目", "云栖科技有限公司", "南屿高新区"} <= names(first["added"]["entities"])
    assert ("云栖科技有限公司", "locatedIn", "南屿高新区") in map(rel, first["added"]["relations"])
    assert not any(first["removed"].values())


def test_adding_a_page_adds_only_its_facts(sequence):
    second = sequence[1][1]
    assert names(second["added"]["entities"]) == {"韦川光电有限公司", "南屿大学"}
    assert list(map(rel, second["added"]["relations"])) == [("韦川光电有限公司", "cooperatesWith", "南屿大学")]
    assert not any(second["removed"].values())


def test_changing_a_page_removes_what_it_no_longer_says_and_moves_the_stage_on(sequence):
    third = sequence[1][2]
    assert ("云栖科技有限公司", "locatedIn", "南屿高新区") in map(rel, third["removed"]["relations"])
    assert "云栖科技有限公司" in names(third["removed"]["entities"])
    assert ["星禾新材料项目", "signed", "started"] in third["stage_changes"]
    assert any(k.startswith("星禾新材料项目\tstarted\t2024-06-28") for k in third["added"]["stages"])


def test_pruning_a_page_removes_its_facts(sequence):
    fourth = sequence[1][3]
    assert ("韦川光电有限公司", "cooperatesWith", "南屿大学") in map(rel, fourth["removed"]["relations"])
    assert not fourth["added"]["relations"]


def test_since_an_earlier_build_nets_the_builds_after_it(sequence):
    out, _ = sequence
    since = changes(out, "--since", "1")
    added, removed = set(map(rel, since["added"]["relations"])), set(map(rel, since["removed"]["relations"]))
    assert ("韦川光电有限公司", "cooperatesWith", "南屿大学") not in added | removed  # added then pruned
    assert ("云栖科技有限公司", "locatedIn", "南屿高新区") in removed


def test_a_build_that_changes_nothing_keeps_the_last_changes(sequence, tmp_path):
    out, steps = sequence
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(PAGE_A2, encoding="utf-8")
    build(src, out)
    assert changes(out)["build"] == steps[-1]["build"]


def test_an_unknown_build_is_a_usage_error(sequence):
    out, _ = sequence
    proc = run_kg("changes", out, "--since", "99")
    assert proc.returncode == 2 and "has no build 99" in proc.stderr


def test_the_table_lists_what_changed(sequence):
    out, _ = sequence
    proc = run_kg("changes", out)
    assert proc.returncode == 0
    assert "relations removed: 1" in proc.stdout and "韦川光电有限公司" in proc.stdout


def test_the_history_graph_parses_and_numbers_the_builds(sequence):
    out, _ = sequence
    ttl = out / "graph.ttl"
    g = Graph().parse(ttl)
    assert len(list(ox.parse(path=str(ttl), format=ox.RdfFormat.TURTLE))) == len(g)
    rows = query_rows("newest_relations", out)
    builds = [int(r["build"]) for r in rows]
    assert builds == [1]  # what remains after the prune was first stated by build 1
    assert {"星禾新材料项目"} <= {r["subject"] for r in rows}


def test_newest_relations_come_first(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_text(PAGE_A, encoding="utf-8")
    build(src, out)
    (src / "b.txt").write_text(PAGE_B, encoding="utf-8")
    build(src, out)
    rows = query_rows("newest_relations", out)
    assert [(r["build"], r["subject"], r["relation"]) for r in rows][0] == ("2", "韦川光电有限公司", "cooperatesWith")
    assert {r["build"] for r in rows} == {"1", "2"} and all(r["sentence"] for r in rows)


def test_investment_by_zone_and_quarter(sequence):
    out, _ = sequence
    rows = query_rows("investment_by_zone_quarter", out)
    assert [(r["zone"], r["quarter"], r["investor"], r["amount"], r["written"]) for r in rows] == [
        ("南屿高新区", "2024-Q3", "星禾新材料项目", "567000000", "约5.67亿元")
    ]


def test_project_stages_on_the_seed(seed_out):
    rows = query_rows("project_stages", seed_out)
    assert ("沪苏湖铁路", "planned") in {(r["project"], r["stage"]) for r in rows}


@pytest.mark.skipif(not (SHARED / "eval" / "dev" / "pages").is_dir(), reason="the dev pages are not here")
def test_ready_queries_on_the_dev_pages(tmp_path):
    build(SHARED / "eval" / "dev" / "pages", tmp_path / "out")
    for name in ("investment_by_zone_quarter", "project_stages", "newest_relations"):
        assert query_rows(name, tmp_path / "out"), name


def test_history_is_written_in_parts_that_make_the_same_json(tmp_path):
    from kg.graph import history

    h = history.History(
        first={"entities": {"南屿大学": 1}, "relations": {"a\tlocatedIn\tb": 2}},
        counts={"a\tlocatedIn\tb": 3},
        types={"南屿大学": "Institution"},
        builds=[{"build": 1, "time": "t", "removed": {}, "evidence": {}}],
        documents={"d2": {"entities": {"南屿大学": "Institution"}}, "d1": {"entities": {}}},
    )
    parts = list(history.dump_parts(h))
    assert len(parts) == 4  # the head, one per document, the tail
    whole = {"version": history.VERSION, "first": h.first, "counts": h.counts, "types": h.types,
             "builds": h.builds, "documents": h.documents, "sequence": h.sequence}  # fmt: skip
    assert b"".join(parts) == json.dumps(whole, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    assert history.read(_write(tmp_path / "h.json", b"".join(parts))).documents == h.documents


def _write(path, data):
    path.write_bytes(data)
    return path


def test_a_named_graph_is_loaded_in_batches_and_none_is_lost(tmp_path, monkeypatch):
    from kg.graph import store as st

    monkeypatch.setattr(st, "NAMED_GRAPH_BATCH", 200)  # a few lines per bulk load
    s = st.OxStore.open_at(tmp_path / "s")
    lines = (f"<http://x/{i}> <http://x/p> <http://x/o> ." for i in range(500))
    s.change_named_graph("http://x/g", lines, [])
    n = len(list(s.ox.quads_for_pattern(None, None, None, ox.NamedNode("http://x/g"))))
    assert n == 500
