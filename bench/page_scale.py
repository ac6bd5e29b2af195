"""Benchmark: how fast a large graph's page is written and drawn in headless Chromium.

Usage: python bench/page_scale.py [NODES]   (default 5000; needs Debian's chromium and playwright)
Prints the time to write the page and the time until the network is drawn and searchable.
"""

import random
import sys
import tempfile
import time
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.graph.analytics import to_networkx
from kg.graph.page import render
from kg.graph.rdf import ENT, KG

n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
rng = random.Random(1)
g = Graph()
types = ["Company", "Institution", "Project", "Place", "Person"]
nodes = [URIRef(f"{ENT}实体{i}") for i in range(n)]
for i, s in enumerate(nodes):
    g.add((s, RDF.type, KG[types[i % 5]]))
    g.add((s, RDFS.label, Literal(f"实体{i}", lang="zh")))
for _ in range(int(n * 1.3)):
    a, b = rng.sample(nodes, 2)
    g.add((a, KG[rng.choice(["locatedIn", "partOf", "develops", "worksFor"])], b))
t0 = time.perf_counter()
html = render(g, to_networkx(g), "scale")
t1 = time.perf_counter()
path = Path(tempfile.mkdtemp()) / "scale.html"
path.write_text(html, encoding="utf-8")
print(f"nodes {n}, edges {int(n * 1.3)}: page written in {t1 - t0:.2f} s ({len(html) / 1e6:.1f} MB)")

from playwright.sync_api import sync_playwright  # noqa: E402

with sync_playwright() as p:
    b = p.chromium.launch(
        executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    )
    page = b.new_page(viewport={"width": 1400, "height": 900})
    t2 = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_function("window.kgDrawn !== undefined", timeout=600000)
    page.evaluate("new Promise(function(r){ window.kgNetwork.once('afterDrawing', r); window.kgNetwork.redraw(); })")
    t3 = time.perf_counter()
    found = page.evaluate("window.kgSearch('实体42')")
    t4 = time.perf_counter()
    print(f"drawn in {t3 - t2:.2f} s; search focused {found} in {t4 - t3:.2f} s")
    b.close()
