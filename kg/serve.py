"""One local web server: the network page at / and a read-only SPARQL 1.1 endpoint at /sparql."""
from __future__ import annotations

import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

from rdflib import BNode, Literal, URIRef

from . import query as q
from .errors import KgError

TYPES = {"json": "application/sparql-results+json", "csv": "text/csv", "tsv": "text/tab-separated-values",
         "xml": "application/sparql-results+xml"}


def _xml_term(t) -> str:
    if isinstance(t, URIRef):
        return f"<uri>{escape(str(t))}</uri>"
    if isinstance(t, BNode):
        return f"<bnode>{escape(str(t))}</bnode>"
    if isinstance(t, Literal):
        attr = f' xml:lang="{t.language}"' if t.language else (f' datatype="{escape(str(t.datatype))}"'
                                                                   if t.datatype else "")
        return f"<literal{attr}>{escape(str(t))}</literal>"
    return f"<literal>{escape(str(t))}</literal>"


def to_xml(r: q.Result) -> str:
    head = "".join(f'<variable name="{escape(v)}"/>' for v in r.vars) if r.kind == "SELECT" else ""
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', f"<head>{head}</head>"]
    if r.kind == "ASK":
        out.append(f"<boolean>{'true' if r.answer else 'false'}</boolean>")
    else:
        out.append("<results>")
        for row in r.rows:
            cells = "".join(f'<binding name="{escape(v)}">{_xml_term(t)}</binding>'
                            for v, t in zip(r.vars, row) if t is not None)
            out.append(f"<result>{cells}</result>")
        out.append("</results>")
    out.append("</sparql>")
    return "\n".join(out)


def negotiate(accept: str, fmt: str | None) -> str:
    if fmt in TYPES:
        return fmt
    accept = (accept or "").lower()
    for key, mime in (("json", "json"), ("xml", "xml"), ("csv", "csv"), ("tab-separated", "tsv")):
        if mime in accept or key in accept:
            return mime
    return "json"


class Backend:
    """Answers queries from the store of OUTDIR (or its Turtle)."""

    def __init__(self, outdir: str | Path):
        from .store import OxStore, has_store, load_graph
        self.outdir = Path(outdir)
        self.lock = threading.Lock()
        if has_store(self.outdir):
            self.store = OxStore.open(self.outdir, read_only=True).ox
            self.graph = None
        else:
            self.store, self.graph = None, load_graph(self.outdir)

    def run(self, text: str) -> q.Result:
        if q.is_update(text):
            raise KgError("this endpoint is read-only: SPARQL Update is refused")
        if self.store is not None:
            return q.run_store(self.store, text)
        with self.lock:
            return q.run(self.graph, text)


def make_handler(backend: Backend):
    class Handler(BaseHTTPRequestHandler):
        server_version = "kg"

        def log_message(self, fmt, *args):  # quiet by default
            pass

        def _send(self, code: int, body: bytes, ctype: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            self.wfile.write(body)

        def _answer(self, text: str | None, fmt: str | None) -> None:
            if not text:
                self._send(400, b"missing 'query' parameter\n", "text/plain; charset=utf-8")
                return
            try:
                res = backend.run(text)
            except KgError as exc:
                self._send(400, (str(exc) + "\n").encode("utf-8"), "text/plain; charset=utf-8")
                return
            if res.kind == "CONSTRUCT":
                self._send(200, res.graph.serialize(format="turtle", encoding="utf-8"), "text/turtle; charset=utf-8")
                return
            kind = negotiate(self.headers.get("Accept", ""), fmt)
            body = to_xml(res) if kind == "xml" else q.render(res, kind)
            self._send(200, body.encode("utf-8"), TYPES[kind] + "; charset=utf-8")

        def do_GET(self):  # noqa: N802
            url = urllib.parse.urlsplit(self.path)
            params = urllib.parse.parse_qs(url.query)
            if url.path in ("/", "/graph.html"):
                page = backend.outdir / "graph.html"
                if page.exists():
                    self._send(200, page.read_bytes(), "text/html; charset=utf-8")
                else:
                    self._send(404, b"no graph.html here\n", "text/plain")
            elif url.path == "/sparql":
                self._answer(params.get("query", [None])[0], params.get("format", [None])[0])
            else:
                self._send(404, b"not found\n", "text/plain")

        def do_POST(self):  # noqa: N802
            url = urllib.parse.urlsplit(self.path)
            if url.path != "/sparql":
                self._send(404, b"not found\n", "text/plain")
                return
            body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0)).decode("utf-8")
            ctype = self.headers.get("Content-Type", "")
            if ctype.startswith("application/sparql-update"):
                self._send(400, b"this endpoint is read-only: SPARQL Update is refused\n", "text/plain")
                return
            if ctype.startswith("application/sparql-query"):
                text, fmt = body, None
            else:
                form = urllib.parse.parse_qs(body)
                if "update" in form:
                    self._send(400, b"this endpoint is read-only: SPARQL Update is refused\n", "text/plain")
                    return
                text, fmt = form.get("query", [None])[0], form.get("format", [None])[0]
            self._answer(text, fmt)

    return Handler


def server(outdir: str | Path, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    try:
        return ThreadingHTTPServer((host, port), make_handler(Backend(outdir)))
    except OSError as exc:
        raise KgError(f"cannot listen on {host}:{port} ({exc.strerror})") from None
