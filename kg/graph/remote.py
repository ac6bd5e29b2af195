"""Talk to a SPARQL 1.1 store over HTTP: push a build (Graph Store Protocol), query it."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef

from ..errors import KgError
from .query import Result


def _request(url: str, data: bytes | None, method: str, headers: dict) -> tuple[bytes, str]:
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=300) as resp:
            return resp.read(), resp.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", "replace").strip().splitlines()
        raise KgError(
            f"{url}: the store answered {exc.code} {exc.reason}{': ' + body[0][:200] if body else ''}"
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise KgError(f"{url}: cannot reach the store ({reason})") from None


def _with_param(url: str, param: str) -> str:
    return url + ("&" if "?" in url else "?") + param


def push(outdir: str | Path, url: str) -> int:
    """Write OUTDIR's graph into the store at ``url`` (a Graph Store Protocol endpoint such
    as Oxigraph's /store): the union as the default graph, each document as a named graph.
    Returns the number of graphs written."""
    from .store import GRAPH_FILE, OxStore, has_store

    out = Path(outdir)
    if not (out / GRAPH_FILE).exists():
        raise KgError(f"{outdir}: no graph here; run `kg build SOURCE -o {outdir}` first")
    headers = {"Content-Type": "text/turtle; charset=utf-8"}
    _request(_with_param(url, "default"), (out / GRAPH_FILE).read_bytes(), "PUT", headers)
    n = 1
    if has_store(out):
        import pyoxigraph as ox

        store = OxStore.open(out, read_only=True)
        for g, triples in store.documents():
            data = ox.serialize((ox.Triple(*t) for t in triples), format=ox.RdfFormat.N_TRIPLES)
            _request(
                _with_param(url, "graph=" + urllib.parse.quote(g.value, safe="")),
                data,
                "PUT",
                {"Content-Type": "application/n-triples"},
            )
            n += 1
    return n


def _term(b: dict):
    if b is None:
        return None
    if b["type"] == "uri":
        return URIRef(b["value"])
    if b["type"] == "bnode":
        return BNode(b["value"])
    if "xml:lang" in b:
        return Literal(b["value"], lang=b["xml:lang"])
    return Literal(b["value"], datatype=URIRef(b["datatype"]) if b.get("datatype") else None)


def query_endpoint(url: str, text: str) -> Result:
    """Run a query on a SPARQL 1.1 Protocol endpoint."""
    from .query import with_prefixes

    body, ctype = _request(
        url,
        with_prefixes(text).encode("utf-8"),
        "POST",
        {
            "Content-Type": "application/sparql-query; charset=utf-8",
            "Accept": "application/sparql-results+json, text/turtle;q=0.9, application/n-triples;q=0.8",
        },
    )
    if "json" in ctype:
        data = json.loads(body.decode("utf-8"))
        if "boolean" in data:
            return Result("ASK", ["answer"], [[data["boolean"]]], answer=bool(data["boolean"]))
        names = data["head"]["vars"]
        rows = [[_term(b.get(v)) for v in names] for b in data["results"]["bindings"]]
        return Result("SELECT", names, rows)
    g = Graph()
    g.parse(data=body.decode("utf-8"), format="turtle" if "turtle" in ctype else "nt")
    return Result("CONSTRUCT", [], [], graph=g)
