"""Benchmark: how fast a large graph's network page is written and used in headless Chromium.

Usage:
  python bench/page_scale.py [NODES] [--shot FILE]        a generated archive (default 20,000 entities,
                                                          three in four of them isolated, as in real ones)
  python bench/page_scale.py --page OUTDIR/graph.html [--shot FILE]   a page kg build wrote

Prints, for the page: its size, the time to write it (generated graphs), the time until the
network is first drawn, the time a search takes to find and focus a name, and the frame time
while panning (median and 90th percentile of 30 redraws at moved positions). Needs Debian's
chromium and playwright; the figures go to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

PAN = """async function () {
  var net = window.kgNetwork, times = [], p = net.getViewPosition();
  for (var i = 0; i < 30; i++) {
    net.moveTo({ position: { x: p.x + 40 * Math.cos(i / 3), y: p.y + 40 * Math.sin(i / 3) }, animation: false });
    var t0 = performance.now();
    await new Promise(function (r) { net.once("afterDrawing", r); net.redraw(); });
    times.push(performance.now() - t0);
  }
  return times;
}"""


def generated(n: int) -> tuple[Path, float, str]:
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDF, RDFS

    from kg.graph.analytics import to_networkx
    from kg.graph.page import render
    from kg.graph.rdf import ENT, KG

    rng = random.Random(1)
    g = Graph()
    types = ["Company", "Institution", "Project", "Place", "Person"]
    nodes = [URIRef(f"{ENT}实体{i}") for i in range(n)]
    for i, s in enumerate(nodes):
        g.add((s, RDF.type, KG[types[i % 5]]))
        g.add((s, RDFS.label, Literal(f"实体{i}", lang="zh")))
    connected = nodes[: n // 4]  # a quarter take part in relations, the rest are isolated
    for _ in range(int(len(connected) * 1.3)):
        a, b = rng.sample(connected, 2)
        g.add((a, KG[rng.choice(["locatedIn", "partOf", "develops", "worksFor"])], b))
    t0 = time.perf_counter()
    html = render(g, to_networkx(g), "scale")
    seconds = time.perf_counter() - t0
    path = Path(tempfile.mkdtemp()) / "scale.html"
    path.write_text(html, encoding="utf-8")
    return path, seconds, "实体42"


def measure(path: Path, name: str, shot: str | None) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = b.new_page(viewport={"width": 1400, "height": 900})
        t0 = time.perf_counter()
        page.goto(path.resolve().as_uri())
        page.wait_for_function("window.kgDrawn !== undefined", timeout=600000)
        page.evaluate(
            "new Promise(function(r){ window.kgNetwork.once('afterDrawing', r); window.kgNetwork.redraw(); })"
        )
        t1 = time.perf_counter()
        drawn = page.evaluate("window.kgDrawn()")
        total = page.evaluate("window.kgData.nodes.length")
        if shot:
            page.evaluate("window.kgNetwork.fit()")
            page.wait_for_timeout(300)
            page.screenshot(path=shot)
        t2 = time.perf_counter()
        found = page.evaluate(f"window.kgSearch({name!r})")
        t3 = time.perf_counter()
        frames = page.evaluate(PAN)
        b.close()
    p90 = sorted(frames)[int(0.9 * len(frames))]
    print(
        f"page {path.stat().st_size / 1e6:.1f} MB: {drawn['nodes']} of {total} nodes drawn (isolated hidden), "
        f"{drawn['edges']} edges"
    )
    print(
        f"first draw {t1 - t0:.2f} s; search found {found} in {t3 - t2:.2f} s; "
        f"panning: frame {statistics.median(frames):.0f} ms median, {p90:.0f} ms p90"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("nodes", nargs="?", type=int, default=20000)
    ap.add_argument("--page", help="a page kg build wrote (OUTDIR/graph.html)")
    ap.add_argument("--name", default=None, help="the name to search (default: the page's first node)")
    ap.add_argument("--shot", help="write a screenshot of the page at fit zoom")
    args = ap.parse_args()
    if args.page:
        import json
        import re

        path = Path(args.page)
        text = path.read_text(encoding="utf-8")
        data = re.search(r'id="kg-data">(.*?)</script>', text, re.S)
        first = json.loads(data.group(1))["nodes"][0]["label"] if data else ""
        name = args.name or first
        print(f"{path}:")
    else:
        path, seconds, name = generated(args.nodes)
        print(f"generated {args.nodes} entities ({args.nodes // 4} connected): page written in {seconds:.2f} s")
    measure(path, args.name or name, args.shot)


if __name__ == "__main__":
    main()
