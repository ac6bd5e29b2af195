"""kg as analysts use it: the library API, entity cards, exports, the served endpoint, the notebook."""

import csv
import json
import re
import socket
import threading
import urllib.request
from urllib.parse import urlencode

import pytest
from conftest import ROOT, SEED, run_kg
from rdflib import Graph


@pytest.fixture(scope="module")
def outdir(tmp_path_factory):
    out = tmp_path_factory.mktemp("analyst") / "build"
    run_kg("build", SEED, "-o", out, "-q", check=True)
    return out


def test_library_api(seed_kg, tmp_path):

    c = seed_kg.entity("铂桐医疗")
    assert c.name == "上海铂桐医疗科技有限公司" and c.types == ["Company"] and "铂桐医疗" in c.aliases
    assert {(l.relation, l.other) for l in c.links} >= {("locatedIn", "松江经开区")}
    df = seed_kg.query("SELECT ?n WHERE { ?c a kg:Company ; rdfs:label ?n } ORDER BY ?n").df()
    assert list(df.columns) == ["n"] and "上海电气" in set(df.n)
    G = seed_kg.to_networkx()
    assert G.number_of_nodes() == 69 and any(d["label"] == "松江经开区" for _, d in G.nodes(data=True))
    html = seed_kg.show()
    assert "srcdoc" in html.data and "vis.Network" in html.data


def test_load_a_built_folder(outdir):
    import kg

    loaded = kg.load(outdir)
    assert len(loaded.graph) > 1000
    assert loaded.entity("工作站").name == "松江区生物医药产品注册指导服务工作站"


def test_show_prints_a_card_with_sources(outdir):
    out = run_kg("show", "松江经开区", "-g", outdir, check=True).stdout
    assert "松江经开区" in out and "Place" in out and "经开区" in out
    assert "← locatedIn" in out and "located.settle" in out and "000_ec529398d460bb70.txt" in out
    cards = json.loads(run_kg("show", "铂桐医疗", "-g", outdir, "--json", check=True).stdout)
    assert cards[0]["name"] == "上海铂桐医疗科技有限公司"
    assert any("上海铂桐医疗科技有限公司" in e["sentence"] for l in cards[0]["links"] for e in l["evidence"])
    several = run_kg("show", "大学", "-g", outdir, check=True).stdout
    assert "entities match" in several
    missing = run_kg("show", "没有这家公司", "-g", outdir)
    assert missing.returncode == 1 and "no entity named" in missing.stderr


@pytest.mark.parametrize(
    "fmt,name",
    [
        ("turtle", "g.ttl"),
        ("ntriples", "g.nt"),
        ("nquads", "g.nq"),
        ("trig", "g.trig"),
        ("jsonld", "g.jsonld"),
        ("graphml", "g.graphml"),
        ("gexf", "g.gexf"),
        ("csv", "edges.csv"),
    ],
)
def test_every_export_loads_back(outdir, tmp_path, fmt, name):
    target = tmp_path / name
    run_kg("export", outdir, "--format", fmt, "-o", target, check=True)
    base = Graph().parse(outdir / "graph.ttl")
    if fmt in ("turtle", "ntriples", "jsonld"):
        g = Graph().parse(target, format={"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld"}[fmt])
        assert len(g) == len(base)
    elif fmt in ("nquads", "trig"):
        import pyoxigraph as ox

        store = ox.Store()
        store.load(path=str(target), format=ox.RdfFormat.N_QUADS if fmt == "nquads" else ox.RdfFormat.TRIG)
        graphs = {q.graph_name.value for q in store if not isinstance(q.graph_name, ox.DefaultGraph)}
        assert any("000_ec529398d460bb70.txt" in g for g in graphs)
        assert sum(1 for q in store if isinstance(q.graph_name, ox.DefaultGraph)) == len(base)
    elif fmt in ("graphml", "gexf"):
        import networkx as nx

        G = nx.read_graphml(target) if fmt == "graphml" else nx.read_gexf(target)
        assert G.number_of_nodes() == 69 and "松江经开区" in {d["label"] for _, d in G.nodes(data=True)}
        zone = next(d for _, d in G.nodes(data=True) if d["label"] == "松江经开区")
        assert zone["type"] == "Place" and zone["degree"] >= 10 and zone["pagerank"] > 0 and zone["community"] >= 0
        assert zone["colour"].startswith("#") and isinstance(zone["x"], float)
        edges = list(G.edges(data=True))
        assert len({d["id"] for *_, d in edges}) == len(edges)  # every edge its own id
        assert all(d["relation"] and d["rule"] and d["sentence"] and d["document"] for *_, d in edges)
    else:
        edges = list(csv.DictReader(open(target, encoding="utf-8-sig")))
        nodes = list(csv.DictReader(open(tmp_path / "edges.nodes.csv", encoding="utf-8-sig")))
        assert {"上海铂桐医疗科技有限公司", "松江经开区"} <= {e["source_label"] for e in edges} | {
            e["target_label"] for e in edges
        }
        assert len(nodes) == 69


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(outdir):
    from kg.web.serve import server

    port = _free_port()
    httpd = server(outdir, "127.0.0.1", port)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{port}"
    httpd.shutdown()
    httpd.server_close()


def test_serve_page_and_sparql_with_a_real_client(served):
    page = urllib.request.urlopen(served + "/").read().decode("utf-8")
    assert "vis.Network" in page
    q = "SELECT ?n WHERE { ?c a kg:Company ; rdfs:label ?n } ORDER BY ?n"
    from urllib.parse import urlencode

    for accept, marker in [
        ("application/sparql-results+json", '"bindings"'),
        ("text/csv", "n\r\n"),
        ("text/tab-separated-values", "?n"),
        ("application/sparql-results+xml", "<sparql"),
    ]:
        req = urllib.request.Request(served + "/sparql?" + urlencode({"query": q}), headers={"Accept": accept})
        with urllib.request.urlopen(req) as resp:
            body = resp.read().decode("utf-8")
            assert marker in body and "上海电气" in body
            assert resp.headers["Content-Type"].startswith(accept)
    req = urllib.request.Request(
        served + "/sparql",
        data="DELETE WHERE { ?s ?p ?o }".encode(),
        headers={"Content-Type": "application/sparql-update"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req)
    assert err.value.code == 403  # refused, not a bad query


def test_sparqlwrapper_works_against_kg_serve(served):
    SPARQLWrapper = pytest.importorskip("SPARQLWrapper")
    sw = SPARQLWrapper.SPARQLWrapper(served + "/sparql")
    sw.setQuery("""PREFIX kg: <https://kg.example.org/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?p ?o WHERE { ?p kg:worksFor ?org . ?p rdfs:label ?o } ORDER BY ?o""")
    sw.setReturnFormat(SPARQLWrapper.JSON)
    sw.setMethod(SPARQLWrapper.POST)
    res = sw.query().convert()
    names = {b["o"]["value"] for b in res["results"]["bindings"]}
    assert names == {"叶枫", "曹雷军", "王浩东"}
    sw.setQuery("ASK { ?s a <https://kg.example.org/ontology#Person> }")
    assert sw.query().convert()["boolean"] is True


def test_construct_and_describe_answer_in_the_graph_format_asked_for(served):
    SPARQLWrapper = pytest.importorskip("SPARQLWrapper")
    import rdflib

    construct = """PREFIX kg: <https://kg.example.org/ontology#>
CONSTRUCT { ?p kg:worksFor ?org } WHERE { ?p kg:worksFor ?org }"""
    sw = SPARQLWrapper.SPARQLWrapper(served + "/sparql")
    sw.setQuery(construct)  # SPARQLWrapper's defaults: RDF/XML asked for, an rdflib Graph returned
    g = sw.query().convert()
    assert isinstance(g, rdflib.Graph) and len(g) >= 3
    for accept, fmt in [("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld")]:
        req = urllib.request.Request(served + "/sparql?" + urlencode({"query": construct}), headers={"Accept": accept})
        with urllib.request.urlopen(req) as resp:
            assert resp.headers["Content-Type"].startswith(accept)
            assert len(rdflib.Graph().parse(data=resp.read().decode("utf-8"), format=fmt)) == len(g)
    sw.setQuery("DESCRIBE <https://kg.example.org/entity/叶枫>")
    assert len(sw.query().convert()) > 0
    for accept, head in [("text/csv", "_askResult"), ("text/tab-separated-values", "?_askResult")]:
        ask = urlencode({"query": "ASK { ?s a <https://kg.example.org/ontology#Person> }"})
        req = urllib.request.Request(served + "/sparql?" + ask, headers={"Accept": accept})
        with urllib.request.urlopen(req) as resp:
            assert resp.read().decode("utf-8").split() == [head, "true"]


@pytest.mark.slow
def test_notebook_runs_top_to_bottom(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    path = ROOT / "notebooks" / "explore.ipynb"
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "outputs must be stripped in git"
    nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}}
    ).execute()
    texts = "".join(
        str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    )
    assert "上海铂桐医疗科技有限公司" in texts and "松江经开区" in texts
    assert "CJK font: " in texts  # the plot says which font draws its Chinese labels (or that none does)


def test_jsonld_export_has_one_compact_key_per_property(outdir, tmp_path):
    target = tmp_path / "g.jsonld"
    run_kg("export", outdir, "--format", "jsonld", "-o", target, check=True)
    nodes = json.loads(target.read_text(encoding="utf-8"))["@graph"]
    keys = {k for n in nodes for k in n}
    assert "rdfs:label" in keys and "skos:altLabel" in keys
    assert not [k for k in keys if k.startswith("http")]  # rdfs:label once compacted, never also as its IRI


def test_a_browser_gets_a_query_form_with_the_ready_queries(served):
    req = urllib.request.Request(served + "/sparql", headers={"Accept": "text/html,application/xhtml+xml"})
    with urllib.request.urlopen(req) as resp:
        page = resp.read().decode("utf-8")
        assert resp.headers["Content-Type"].startswith("text/html")
        assert "default-src 'none'" in resp.headers["Content-Security-Policy"]
    assert "people_posts.rq" in page and "__READY__" not in page
    plain = urllib.request.Request(served + "/sparql")  # a client that asks for no HTML: still an error
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(plain)
    assert err.value.code == 400


@pytest.mark.slow
def test_the_query_form_runs_a_ready_query_in_chromium(served):
    from test_page import _chromium

    exe, pw = _chromium()
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(served + "/sparql")
        page.wait_for_function("window.kgFormReady === true")
        page.select_option("#ready", "people_posts.rq")
        page.fill("#limit", "2")
        page.click("#run")
        page.wait_for_selector("#out table")
        cells = page.eval_on_selector_all("#out td", "tds => tds.map(td => td.textContent)")
        status = page.text_content("#status")
        browser.close()
    assert not errors
    assert "叶枫" in cells or "曹雷军" in cells
    assert "row(s), showing 2" in status and " ms " in status and "the server:" in status


def test_the_readme_serve_example_is_the_real_answer(served):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"--data-urlencode 'query=(.+?)' http://127\.0\.0\.1:8000/sparql\n(.*?)```", text, re.S)
    query, shown = m.group(1), m.group(2).split()
    req = urllib.request.Request(served + "/sparql?" + urlencode({"query": query}), headers={"Accept": "text/csv"})
    with urllib.request.urlopen(req) as resp:
        rows = resp.read().decode("utf-8").split()
    assert rows[0] == shown[0] and sorted(rows[1:]) == sorted(shown[1:])
