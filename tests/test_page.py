"""The network page: offline, safe with hostile text, drawn and searchable in a real browser."""

import json
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import SEED, run_kg

HOSTILE = (
    "本报讯（记者 王明）\n“<script>alert(1)</script>公司”与'引号\"科技有限公司签署战略合作协议。"
    "<script>alert(1)</script>嘉兴华兴软件有限公司落户嘉兴经开区。"
    '<img src=x onerror=alert(2)>宁波"双引号"电子有限公司落户宁波高新区。\n'
)


def _chromium():
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        pytest.skip("no Chromium on this machine (CI installs Debian's chromium)")
    pw = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    return exe, pw


@contextmanager
def _drawn_page(page_path):
    """The page open in Chromium once the network is drawn, and the errors its scripts raise."""
    exe, pw = _chromium()
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(Path(page_path).resolve().as_uri())
        page.wait_for_function("window.kgDrawn !== undefined", timeout=60000)
        yield page, errors
        browser.close()


def _open(page_path, shot=None):
    exe, pw = _chromium()
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=exe,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        requests, dialogs, errors = [], [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(Path(page_path).resolve().as_uri())
        page.wait_for_function("window.kgDrawn !== undefined", timeout=60000)
        result = {
            "isolated": page.evaluate("window.kgData.isolated"),
            "drawn": page.evaluate("window.kgDrawn()"),
            "canvas": page.evaluate("document.querySelectorAll('#net canvas').length"),
            "scripts": page.evaluate("document.querySelectorAll('script').length"),
        }
        result["search"] = page.evaluate("window.kgSearch('铂桐医疗')")
        result["selected"] = page.evaluate("window.kgNetwork.getSelectedNodes()")
        result["info"] = page.evaluate("document.getElementById('info').textContent")
        result["labels"] = page.evaluate("window.kgData.nodes.map(function(n){return n.label})")
        hostile = page.evaluate("""(function(){ var e = window.kgData.edges.find(function(e){
            return (e.evidence || []).some(function(v){ return v.sentence.indexOf('<script>') >= 0; }); });
            if (!e) { return null; } window.kgShowEdge(e.id);
            return document.getElementById('info').textContent; })()""")
        result["hostile_panel"] = hostile
        result["scripts_after"] = page.evaluate("document.querySelectorAll('script').length")
        if shot:
            page.wait_for_timeout(1500)
            page.screenshot(path=str(shot))
        browser.close()
    return result, requests, dialogs, errors


@pytest.fixture(scope="module")
def seed_page(seed_out):
    return seed_out / "graph.html"


def test_page_has_no_remote_scripts_styles_or_fonts(seed_page):
    text = seed_page.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?https?://""", text)
    assert not re.search(r"url\(\s*['\"]?https?://", text)
    assert '<meta charset="utf-8">' in text and "vis.Network" in text


def test_page_data_matches_the_graph(seed_kg, seed_page):
    text = seed_page.read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', text, re.S).group(1))
    entities = [n for n in data["nodes"] if n["type"] != "Award"]
    from rdflib.namespace import RDF

    from kg.graph.rdf import KG

    ents = {
        s
        for t in ("Company", "Institution", "Project", "Place", "Person")
        for s in seed_kg.graph.subjects(RDF.type, KG[t])
    }
    assert len(entities) == len(ents)
    relations = sum(seed_kg.summary.relations.values())
    assert len(data["edges"]) == relations
    edge = next(e for e in data["edges"] if e["relation"] == "worksFor" and "叶枫" in e["from"])
    assert edge["label"] == "任职于" and edge["evidence"][0]["rule"] == "works.title"
    assert "叶枫" in edge["evidence"][0]["sentence"]
    sizes = {n["label"]: n["size"] for n in entities}
    assert sizes["松江经开区"] == max(sizes.values())


def test_hostile_text_is_escaped(tmp_path, seed_page):
    src = tmp_path / "hostile.txt"
    src.write_text(HOSTILE, encoding="utf-8")
    run_kg("build", src, "-o", tmp_path / "out", check=True)
    text = (tmp_path / "out" / "graph.html").read_text(encoding="utf-8")
    assert "<script>alert" not in text and "<img src=x" not in text
    assert text.count("<script") == seed_page.read_text(encoding="utf-8").count("<script")


@pytest.mark.slow
def test_browser_draws_searches_and_stays_offline(seed_kg, seed_page, tmp_path):
    shot = tmp_path / "seed.png"
    res, requests, dialogs, errors = _open(seed_page, shot)
    data_nodes = len(res["labels"])
    relations = sum(seed_kg.summary.relations.values())
    assert res["drawn"] == {"nodes": data_nodes - res["isolated"], "edges": relations}  # isolated hidden
    assert res["canvas"] >= 1
    assert res["search"] == "e:上海铂桐医疗科技有限公司" and res["selected"] == [res["search"]]
    assert "铂桐医疗" in res["info"] and "松江经开区" in res["info"]
    assert [u for u in requests if not u.startswith(("file:", "data:", "blob:"))] == []
    assert not errors and not dialogs
    assert shot.stat().st_size > 20_000


@pytest.mark.slow
def test_browser_shows_hostile_text_without_running_it(tmp_path):
    src = tmp_path / "hostile.txt"
    src.write_text(HOSTILE, encoding="utf-8")
    run_kg("build", src, "-o", tmp_path / "out", check=True)
    res, requests, dialogs, errors = _open(tmp_path / "out" / "graph.html")
    assert dialogs == [] and errors == []
    assert res["scripts"] == 3 and res["scripts_after"] == 3
    assert "<script>alert(1)</script>" in res["hostile_panel"]


def test_focus_view_and_stats(seed_out, tmp_path):
    out = tmp_path / "focus.html"
    proc = run_kg("viz", seed_out, "--focus", "铂桐医疗", "--hops", "1", "-o", out, check=True)
    assert "→" in proc.stderr
    text = out.read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="kg-data">(.*?)</script>', text, re.S).group(1))
    labels = {n["label"] for n in data["nodes"]}
    assert labels == {"上海铂桐医疗科技有限公司", "松江经开区", "上海市"}
    proc = run_kg("viz", seed_out, "--focus", "不存在的公司")
    assert proc.returncode == 1 and "no entity named" in proc.stderr


def test_stats_prints_tables_and_writes_scores(seed_out, tmp_path):
    import shutil as sh

    work = tmp_path / "g"
    sh.copytree(seed_out, work)
    proc = run_kg("stats", work, "--json", check=True)
    s = json.loads(proc.stdout)
    assert s["nodes"] == 69 and s["degree"][0][0] == "松江经开区" and s["communities"]
    run_kg("stats", work, "--write", check=True)
    q = "SELECT ?n WHERE { ?e kg:pagerank ?p ; rdfs:label ?n } ORDER BY DESC(?p) LIMIT 1"
    out = run_kg("query", q, "-g", work, "--format", "csv", check=True).stdout.splitlines()
    assert out[1] == "松江经开区"


def test_large_page_keeps_earlier_positions():
    """A page rebuilt after a few new nodes keeps the old nodes where they were and puts
    each new node beside a neighbour."""
    import networkx as nx

    from kg.graph import page as viz

    n = viz.LAYOUT_THRESHOLD + 100
    nodes = [{"id": f"e{i}"} for i in range(n)]
    edges = [{"from": f"e{i}", "to": f"e{(i * 7 + 1) % n}"} for i in range(n)]
    first = {
        "nodes": [dict(x) for x in nodes[:-20]],
        "edges": [e for e in edges if int(e["from"][1:]) < n - 20 and int(e["to"][1:]) < n - 20],
    }
    assert viz.layout(nx.MultiDiGraph(), first) is False
    previous = {x["id"]: (x["x"], x["y"]) for x in first["nodes"]}
    second = {"nodes": [dict(x) for x in nodes], "edges": edges}
    viz.layout(nx.MultiDiGraph(), second, previous)
    placed = {x["id"]: (x["x"], x["y"]) for x in second["nodes"]}
    assert all(placed[k] == v for k, v in previous.items())
    G = nx.Graph((e["from"], e["to"]) for e in edges)
    for a in set(placed) - set(previous):
        near = [placed[b] for b in G[a] if b in previous]
        if near:
            assert any(abs(placed[a][0] - x) <= 41 and abs(placed[a][1] - y) <= 41 for x, y in near)
    assert len(placed) == n


def test_layout_survives_a_spectral_layout_that_does_not_converge(monkeypatch):
    """ARPACK gives up on some graphs of many small components: the page is still laid out."""
    import networkx as nx
    from scipy.sparse.linalg import ArpackNoConvergence

    from kg.graph import page as viz

    def fail(*a, **k):
        raise ArpackNoConvergence("No convergence", None, None)

    monkeypatch.setattr(nx, "spectral_layout", fail)
    n = viz.LAYOUT_THRESHOLD + 50
    data = {
        "nodes": [{"id": f"e{i}"} for i in range(n)],
        "edges": [{"from": f"e{i}", "to": f"e{i + 1}"} for i in range(0, n - 1, 2)],
    }
    assert viz.layout(nx.MultiDiGraph(), data) is False
    assert all(isinstance(x["x"], float) and isinstance(x["y"], float) for x in data["nodes"])
    assert len({(x["x"], x["y"]) for x in data["nodes"]}) > n // 2


def test_a_capped_page_keeps_the_most_connected_entities_with_their_names(tmp_path):
    """With a cap, the page keeps the highest-degree entities (ties by IRI), their labels,
    aliases and edges among them, as the uncapped graph has them, and counts them all."""
    from kg.graph.analytics import store_networkx
    from kg.graph.build import build
    from kg.graph.store import OxStore

    build([str(SEED)], tmp_path / "out", page=False)
    ox = OxStore.open(tmp_path / "out", read_only=True).ox
    full, capped = store_networkx(ox), store_networkx(ox, 10)
    degree = {n: full.degree(n) for n in full}
    top = sorted(full, key=lambda n: (-degree[n], n))[:10]
    assert sorted(capped) == sorted(top) and capped.graph["entities"] == len(full) > 10
    for n in top:
        assert capped.nodes[n] == full.nodes[n]
    assert sorted(capped.edges(keys=True)) == sorted(full.subgraph(top).edges(keys=True))
    assert any(capped.nodes[n]["aliases"] for n in top)


def test_the_page_opens_on_the_connected_part_and_focuses_in_place(tmp_path):
    out = tmp_path / "b"
    run_kg("build", SEED, "-o", out, check=True)
    data = json.loads(
        re.search(
            r'<script type="application/json" id="kg-data">(.*?)</script>', (out / "graph.html").read_text(), re.S
        )
        .group(1)
        .replace("\\u003c", "<")
        .replace("\\u003e", ">")
        .replace("\\u0026", "&")
    )
    total, isolated = len(data["nodes"]), data["isolated"]
    lonely = next(n for n in data["nodes"] if n["degree"] == 0 and n["type"] != "Award")
    zone = next(n for n in data["nodes"] if n["label"] == "松江经开区")
    with _drawn_page(out / "graph.html") as (page, errors):
        first = page.evaluate("window.kgDrawn().nodes")
        page.evaluate("window.kgNetwork.fit()")
        page.wait_for_function("window.kgLabelMax() !== null")
        page.wait_for_timeout(200)
        hub = page.evaluate("""(function(){ var net = window.kgNetwork, ns = net.body.nodes, best = null;
            Object.keys(ns).forEach(function(i){
                if (!best || ns[i].options.value > best.options.value) { best = ns[i]; } });
            return best.labelModule.fontOptions.size * net.getScale(); })()""")
        page.evaluate("window.kgShowIsolated(true)")
        everything = page.evaluate("window.kgDrawn().nodes")
        page.evaluate("window.kgShowIsolated(false)")
        found = page.evaluate(f"window.kgSearch({json.dumps(lonely['label'])})")
        after_search = page.evaluate("window.kgDrawn().nodes")
        k = page.evaluate(f"window.kgFocus({json.dumps(zone['id'])})")
        focused = page.evaluate("window.kgDrawn().nodes")
        page.evaluate("window.kgUnfocus()")
        page.evaluate("window.kgMinDegree(3)")
        busy = page.evaluate("window.kgDrawn().nodes")
        page.evaluate("window.kgMinDegree(0)")
        edge = next(e for e in data["edges"] if e["evidence"] and e["relation"] == "locatedIn")
        page.evaluate(f"window.kgShowEdge({json.dumps(edge['id'])})")
        marks = page.eval_on_selector_all("#info mark", "ms => ms.map(m => m.textContent)")
    assert not errors
    assert isolated > 0 and first == total - isolated and everything == total  # isolated hidden by default
    assert hub >= 9  # the most important node's name is drawn readable at fit zoom
    assert found == lonely["id"] and after_search == first + 1  # a hidden match is shown when searched
    assert (
        focused
        == k
        == 1
        + len(
            {e["to"] for e in data["edges"] if e["from"] == zone["id"]}
            | {e["from"] for e in data["edges"] if e["to"] == zone["id"]}
        )
    )
    assert 0 < busy < first
    names = {n["label"] for n in data["nodes"] if n["id"] in (edge["from"], edge["to"])}
    assert marks and set(marks) & (
        names | {a for n in data["nodes"] if n["id"] in (edge["from"], edge["to"]) for a in n["aliases"]}
    )


@pytest.mark.slow
def test_a_large_page_hides_isolated_entities_and_searches_and_focuses_them(tmp_path):
    """A generated archive above the layout threshold (positions computed in Python, physics off)."""
    import random

    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDF, RDFS

    from kg.graph.analytics import to_networkx
    from kg.graph.page import render
    from kg.graph.rdf import ENT, KG

    rng = random.Random(3)
    g = Graph()
    nodes = [URIRef(f"{ENT}星禾实体{i}") for i in range(1500)]
    for i, s in enumerate(nodes):
        g.add((s, RDF.type, KG[["Company", "Institution", "Project", "Place", "Person"][i % 5]]))
        g.add((s, RDFS.label, Literal(f"星禾实体{i}", lang="zh")))
    for _ in range(1200):
        a, b = rng.sample(nodes[:1000], 2)  # the last 500 are isolated
        g.add((a, KG.locatedIn, b))
    path = tmp_path / "large.html"
    path.write_text(render(g, to_networkx(g), "large"), encoding="utf-8")
    with _drawn_page(path) as (page, errors):
        isolated = page.evaluate("window.kgData.isolated")
        first = page.evaluate("window.kgDrawn().nodes")
        found = page.evaluate("window.kgSearch('星禾实体1499')")
        shown = page.evaluate("window.kgDrawn().nodes")
        hub = page.evaluate("""(function(){ var deg = {};
            window.kgData.edges.forEach(function(e){ deg[e.from] = (deg[e.from] || 0) + 1; });
            return Object.keys(deg).sort(function(a, b){ return deg[b] - deg[a]; })[0]; })()""")
        k = page.evaluate(f"window.kgFocus({json.dumps(hub)})")
        focused = page.evaluate("window.kgDrawn().nodes")
    assert not errors
    assert isolated >= 450 and first == 1500 - isolated  # the connected part first
    assert found == "e:星禾实体1499" and shown == first + 1
    assert 1 < k == focused < first


def _page_data(html_path):
    text = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', html_path.read_text(), re.S)
    return json.loads(text.group(1).replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&"))


def test_the_page_shows_an_entitys_timeline_and_marks_what_the_last_build_brought(tmp_path):
    """Invented pages: a project signed, then started in a later build."""
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "p1.txt").write_text(
        "南屿日报 2024年5月20日\n\n本报讯 5月18日，星禾新材料项目签约落户南屿高新区，总投资约5.67亿元。\n",
        encoding="utf-8",
    )
    run_kg("build", src, "-o", out, check=True)
    (src / "p2.txt").write_text(
        "南屿日报 2024年9月26日\n\n本报讯 9月25日，星禾新材料项目开工。韦川光电有限公司落户南屿高新区。\n",
        encoding="utf-8",
    )
    run_kg("build", src, "-o", out, check=True)
    data = _page_data(out / "graph.html")
    project = next(n for n in data["nodes"] if n["label"] == "星禾新材料项目")
    assert [(t["date"], t["stage"]) for t in project["timeline"]] == [
        ("2024-05-18", "signed"),
        ("2024-09-25", "started"),
    ]
    assert {n["label"] for n in data["nodes"] if n["new"]} == {"韦川光电有限公司"} and data["new"] == 1
    with _drawn_page(out / "graph.html") as (page, errors):
        page.evaluate(f"window.kgShowNode({json.dumps(project['id'])})")
        items = page.eval_on_selector_all("#info ol.timeline li .when", "ls => ls.map(l => l.textContent.trim())")
        page.evaluate("window.kgMarkNew(true)")
        newcomer = next(n for n in data["nodes"] if n["new"])
        border = page.evaluate(f"window.kgNetwork.body.nodes[{json.dumps(newcomer['id'])}].options.borderWidth")
    assert not errors
    assert items == ["2024-05-18", "2024-09-25"]
    assert border == 4
