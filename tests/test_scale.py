"""Archive scale: incremental builds equal full rebuilds, workers change nothing, remote stores."""

import json
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from conftest import SEED, run_kg

pytestmark = pytest.mark.slow  # runs kg in subprocesses: CI runs it, `-m 'not slow'` skips it

PAGES = {
    "a.txt": "本报讯（记者 张明）苏州瑞博生物技术股份有限公司落户嘉兴经开区。公司总经理陈晓明介绍，新工厂年底投产。",
    "b.txt": "本报讯（记者 刘洋）嘉兴学院与浙江禾欣实业集团股份有限公司签署战略合作协议。千灯镇获评全国文明村镇。",
    "c.txt": "本报讯（记者 王梅）浙江大学、阿里巴巴和之江实验室共同发起成立浙江省人工智能产业联盟。",
}


def _write(folder: Path, pages: dict) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, text in pages.items():
        (folder / name).write_text(text, encoding="utf-8")


def _build(src, out, *extra):
    return json.loads(run_kg("build", src, "-o", out, "--json", *extra, check=True).stdout)


def test_incremental_builds_equal_a_full_rebuild(tmp_path):
    src, inc, full = tmp_path / "src", tmp_path / "inc", tmp_path / "full"
    _write(src, {"a.txt": PAGES["a.txt"], "b.txt": PAGES["b.txt"]})
    first = _build(src, inc)
    assert first["extracted"] == 2
    again = _build(src, inc)
    assert again["extracted"] == 0 and again["unchanged"] == 2
    changed = dict(PAGES)
    changed["a.txt"] = PAGES["a.txt"].replace("嘉兴经开区", "平湖经开区")
    _write(src, changed)  # a changed, c added
    step = _build(src, inc)
    assert step["extracted"] == 2 and step["unchanged"] == 1
    _write(src, {"a.txt": changed["a.txt"], "c.txt": PAGES["c.txt"]})  # b removed
    pruned = _build(src, inc, "--prune")
    assert pruned["pruned"] == 1
    _build(src, full)
    assert (inc / "graph.ttl").read_bytes() == (full / "graph.ttl").read_bytes()
    text = (inc / "graph.ttl").read_text(encoding="utf-8")
    assert "平湖经开区" in text and "嘉兴经开区" not in text and "嘉兴学院" not in text


def test_graph_ttl_is_the_stores_default_graph_after_adds_and_removals(tmp_path):
    """graph.ttl is written from per-document chunks: it states exactly the store's triples."""
    from rdflib import Graph

    from kg.graph.store import OxStore

    src, out = tmp_path / "src", tmp_path / "out"
    _write(src, {"a.txt": PAGES["a.txt"], "b.txt": PAGES["b.txt"]})
    _build(src, out)
    _write(src, {"a.txt": PAGES["a.txt"], "c.txt": PAGES["c.txt"]})
    _build(src, out, "--prune")
    exported = set(Graph().parse(out / "graph.ttl"))
    stored = set(OxStore.open(out, read_only=True).to_rdflib())
    assert exported == stored and len(stored) > 100
    chunks = list((out / "store" / "chunks").iterdir())
    assert len(chunks) == 3  # a, c and the ontology
    before = (out / "graph.ttl").read_bytes()
    for c in chunks:  # a store from before chunks existed gets them back
        c.unlink()
    (src / "d.txt").write_text(PAGES["b.txt"], encoding="utf-8")
    _build(src, out)
    _write(src, {"a.txt": PAGES["a.txt"], "c.txt": PAGES["c.txt"]})
    _build(src, out, "--prune")
    assert (out / "graph.ttl").read_bytes() == before


def test_named_graphs_hold_only_what_documents_can_share(tmp_path):
    """A document's assertions live in the default graph only (the loader writes them once);
    its named graph keeps entities and relations, and its facts come back whole."""
    import pyoxigraph as ox

    from kg.graph.store import GRAPH_BASE, OxStore
    from kg.graph.turtle import header

    src, out = tmp_path / "src", tmp_path / "out"
    _write(src, {"a.txt": PAGES["a.txt"], "b.txt": PAGES["b.txt"]})
    _build(src, out)
    store = OxStore.open(out, read_only=True)
    g = store.graph_iri("a.txt")
    named = {q.subject.value for q in store.ox.quads_for_pattern(None, None, None, ox.NamedNode(g))}
    assert named and not any("/assertion/" in s or "/document/" in s or "/rule/" in s for s in named)
    used = {
        q.object.value
        for q in store.ox.quads_for_pattern(
            None, ox.NamedNode("https://kg.example.org/ontology#rule"), None, ox.DefaultGraph()
        )
    }
    rules = {
        q.subject.value
        for q in store.ox.quads_for_pattern(
            None,
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode("https://kg.example.org/ontology#Rule"),
            ox.NamedNode(GRAPH_BASE + "ontology"),
        )
    }
    assert used and used <= rules  # every rule once, in the build's own graph
    whole = store.document_triples(g)
    chunk = {
        (t.subject, t.predicate, t.object)
        for t in ox.parse(header() + store.chunk_path(g).read_bytes(), format=ox.RdfFormat.TURTLE)
    }
    assert whole == chunk and any("/assertion/" in t[0].value for t in whole)


def test_a_store_with_whole_named_graphs_still_updates_correctly(tmp_path):
    """Stores written before private facts left the named graphs change and prune correctly."""
    import pyoxigraph as ox

    from kg.graph.store import OxStore

    src, inc, full = tmp_path / "src", tmp_path / "inc", tmp_path / "full"
    _write(src, {"a.txt": PAGES["a.txt"], "b.txt": PAGES["b.txt"]})
    _build(src, inc)
    store = OxStore.open(inc)
    for doc in ("a.txt", "b.txt"):  # the old layout: every fact in the named graph too
        g = store.graph_iri(doc)
        store.ox.extend([ox.Quad(s, p, o, ox.NamedNode(g)) for s, p, o in store.document_triples(g)])
    store.ox.flush()
    del store
    _write(src, {"a.txt": PAGES["a.txt"].replace("嘉兴经开区", "平湖经开区"), "c.txt": PAGES["c.txt"]})
    _build(src, inc, "--prune")
    _build(src, full)
    assert (inc / "graph.ttl").read_bytes() == (full / "graph.ttl").read_bytes()


def test_a_store_of_an_older_fact_shape_is_re_extracted_and_cleaned(tmp_path, monkeypatch):
    """Assertions once carried their sentence as a literal and their document directly: a store
    of that shape (another kg.graph.rdf.MODEL) is re-extracted, and its old facts leave with it."""
    import pyoxigraph as ox

    import kg.graph.rdf
    from kg.graph.build import build
    from kg.graph.store import OxStore

    src, inc, full = tmp_path / "src", tmp_path / "inc", tmp_path / "full"
    _write(src, {"a.txt": PAGES["a.txt"], "b.txt": PAGES["b.txt"]})
    monkeypatch.setattr(kg.graph.rdf, "MODEL", "1")
    build([str(src)], inc, workers=1, page=False)
    store = OxStore.open(inc)
    old = []
    for doc in ("a.txt", "b.txt"):
        d = ox.NamedNode(kg.graph.rdf.doc_iri(doc))
        for s, p, _ in store.document_triples(store.graph_iri(doc)):
            if p.value == str(kg.graph.rdf.KG.rule):
                old += [
                    ox.Quad(s, ox.NamedNode(str(kg.graph.rdf.PROV.wasDerivedFrom)), d),
                    ox.Quad(s, ox.NamedNode(str(kg.graph.rdf.KG.sentence)), ox.Literal("旧句子", language="zh")),
                ]
    assert old
    store.ox.extend(old)
    store.ox.flush()
    del store
    monkeypatch.undo()
    again = build([str(src)], inc, workers=1, page=False)
    assert again.extracted == 2
    build([str(src)], full, workers=1, page=False)
    text = (inc / "graph.ttl").read_text(encoding="utf-8")
    assert "旧句子" not in text
    assert (inc / "graph.ttl").read_bytes() == (full / "graph.ttl").read_bytes()


def test_the_page_reuses_evidence_no_document_changed(tmp_path, monkeypatch):
    """A build that adds or drops pages asks the store for the evidence of the edges whose
    subjects those pages touch only; the rest comes from the previous build, and all of it
    equals the evidence read afresh."""
    import json as _json

    import kg.graph.page
    from kg.graph import analytics
    from kg.graph.build import build
    from kg.graph.store import EVIDENCE, OxStore

    src, out = tmp_path / "src", tmp_path / "out"
    _write(src, {"a.txt": PAGES["a.txt"], "b.txt": PAGES["b.txt"]})
    build([str(src)], out, workers=1)
    asked = []
    real = kg.graph.page.store_evidence
    monkeypatch.setattr(
        kg.graph.page, "store_evidence", lambda ox, subjects=None, *a: asked.append(subjects) or real(ox, subjects, *a)
    )
    _write(src, {"a.txt": PAGES["a.txt"], "c.txt": PAGES["c.txt"]})
    build([str(src)], out, workers=1, prune=True)
    store = OxStore.open(out, read_only=True)
    G = analytics.store_networkx(store.ox)
    wanted = {(u, k, v) for u, v, k in G.edges(keys=True)} | {
        (n, "award", a) for n, d in G.nodes(data=True) for a in d.get("awards", [])
    }
    fresh = real(store.ox, sorted(G.nodes), wanted, kg.graph.page.EVIDENCE_PER_EDGE)
    kept = {
        (s, p, o): items for s, p, o, items in _json.loads((store.home / EVIDENCE).read_text(encoding="utf-8"))["edges"]
    }
    assert kept == fresh and any("嘉兴经开区" in o for _, _, o in kept)
    assert len(asked) == 1 and 0 < len(asked[0]) < len({k[0] for k in wanted})
    run_kg("query", "-g", out, "--update", "PREFIX x: <urn:x> INSERT DATA { x:a x:b x:c }", check=True)
    assert not (OxStore.open(out, read_only=True).home / EVIDENCE).exists()


def test_a_sparql_update_survives_the_next_build(tmp_path):
    """Triples that SPARQL Update put in the store are in graph.ttl after a later build."""
    src, out = tmp_path / "src", tmp_path / "out"
    _write(src, {"a.txt": PAGES["a.txt"]})
    _build(src, out)
    run_kg(
        "query",
        "-g",
        out,
        "--update",
        'INSERT DATA { <urn:kg:note> <http://www.w3.org/2000/01/rdf-schema#comment> "checked" }',
        check=True,
    )
    _write(src, {"a.txt": PAGES["a.txt"], "b.txt": PAGES["b.txt"]})
    assert _build(src, out)["extracted"] == 1
    text = (out / "graph.ttl").read_text(encoding="utf-8")
    assert "urn:kg:note" in text and "嘉兴学院" in text


def test_an_entity_shared_by_two_documents_survives_removing_one(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    shared = "本报讯（记者 李华）苏州科达科技股份有限公司落户苏州工业园区。"
    _write(src, {"x.txt": shared, "y.txt": shared + "苏州科达科技股份有限公司与苏州大学签署合作协议。"})
    _build(src, out)
    _write(src, {"x.txt": shared})
    _build(src, out, "--prune")
    text = (out / "graph.ttl").read_text(encoding="utf-8")
    assert "苏州科达科技股份有限公司" in text and "苏州工业园区" in text and "苏州大学" not in text


def test_workers_give_identical_output(tmp_path):
    src = tmp_path / "src"
    _write(
        src,
        {f"p{i}.txt": PAGES[k] for i, k in enumerate(sorted(PAGES) * 3)}
        | {"seed.txt": SEED.read_text(encoding="utf-8")},
    )
    one = _build(src, tmp_path / "one", "--workers", "1")
    two = _build(src, tmp_path / "two", "--workers", "2")
    assert one["workers"] == 1 and two["workers"] == 2
    assert (tmp_path / "one" / "graph.ttl").read_bytes() == (tmp_path / "two" / "graph.ttl").read_bytes()


def test_a_second_build_into_the_same_folder_is_refused(tmp_path):
    from kg.errors import KgError
    from kg.graph.store import BuildLock

    out = tmp_path / "out"
    with BuildLock(out):
        proc = run_kg("build", SEED, "-o", out)
    assert proc.returncode == 1 and "another kg build is writing here" in proc.stderr
    with pytest.raises(KgError):
        with BuildLock(out):
            with BuildLock(out):
                pass


def test_dask_cluster_gives_the_same_graph(tmp_path):
    distributed = pytest.importorskip("dask.distributed", reason="dask.distributed is not installed")
    src = tmp_path / "src"
    _write(src, PAGES)
    _build(src, tmp_path / "local", "--workers", "1")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        rep = _build(src, tmp_path / "dask", "--dask", cluster.scheduler_address)
    assert rep["extracted"] == 3
    assert (tmp_path / "dask" / "graph.ttl").read_bytes() == (tmp_path / "local" / "graph.ttl").read_bytes()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def oxigraph_server(tmp_path):
    exe = shutil.which("oxigraph")
    if exe is None:
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    port = _free_port()
    proc = subprocess.Popen(
        [exe, "serve", "--location", str(tmp_path / "oxdb"), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_build_into_a_remote_store_and_query_it(tmp_path, oxigraph_server):
    out = tmp_path / "out"
    run_kg("build", SEED, "-o", out, "--store", f"{oxigraph_server}/store", "-q", check=True)
    q = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a kg:Company }"
    remote = run_kg("query", q, "--endpoint", f"{oxigraph_server}/query", "--format", "csv", check=True).stdout
    local = run_kg("query", q, "-g", out, "--format", "csv", check=True).stdout
    assert remote == local and int(remote.split()[-1]) >= 20
    graphs = run_kg(
        "query",
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
        "--endpoint",
        f"{oxigraph_server}/query",
        "--format",
        "csv",
        check=True,
    ).stdout
    assert "000_ec529398d460bb70.txt" in graphs
    proc = run_kg("push", out, "http://127.0.0.1:9/store")
    assert proc.returncode == 1 and "cannot reach the store" in proc.stderr


def test_a_failed_bulk_load_fails_the_build_and_every_batch_is_loaded_once():
    """Batches load in a background thread: each once and in order; an error there is raised."""
    from kg.graph.build import _Loader

    class Store:
        def __init__(self):
            self.loaded = []

        def add_new_documents(self, batch):
            if batch == ["bad"]:
                raise ValueError("bad batch")
            self.loaded.append(batch)

    store = Store()
    with _Loader(store) as loader:
        for b in (["a"], ["b"], ["c"]):
            loader.load(b)
    assert store.loaded == [["a"], ["b"], ["c"]]
    with pytest.raises(ValueError, match="bad batch"):
        with _Loader(Store()) as loader:
            loader.load(["bad"])


@pytest.mark.parametrize("reverse", [False, True])
def test_resolution_does_not_depend_on_the_order_a_set_iterates_in(monkeypatch, reverse):
    """Short names are a set; the order it iterates in (which varies between processes)
    must not decide which name is found first: workers gave different graphs once."""
    from kg.extract.pipeline import Corpus, extractor
    from kg.extract.resolve import Resolver
    from kg.graph.rdf import ntriples
    from kg.model import Document

    text = (
        "你想拿大奖吗？那就赶快登陆北京掌上明珠信息技术有限公司经典武侠题材手机网游《武林OL》。"
        "游戏类别：大型经典武侠题材手机网络游戏出品商：北京掌上明珠信息技术有限公司WEB官方网站：www.pipgame.com"
    )
    ex = extractor()

    def facts():
        c = Corpus()
        c.add(ex.process(Document("t", "t", text)))
        return ntriples(c, ex.rules)

    plain = facts()
    names = Resolver.short_names
    monkeypatch.setattr(Resolver, "short_names", lambda self, name: sorted(names(self, name), reverse=reverse))
    assert facts() == plain
