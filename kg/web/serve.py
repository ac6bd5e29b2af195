"""One local web server: the network page at / and a read-only SPARQL 1.1 endpoint at /sparql.

Queries run in a small pool of worker processes: a query that runs past its time limit,
grows past its memory limit or whose client hangs up is stopped by killing its worker,
which is then replaced. Each worker reads the generation OUTDIR/store points at when a
query arrives, so a build into OUTDIR is followed at once; the generation a worker holds
is locked against removal until it moves on.
"""

from __future__ import annotations

import ipaddress
import json
import multiprocessing as mp
import os
import queue
import select
import shutil
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

from rdflib import BNode, Literal, URIRef

from ..errors import KgError
from ..graph import query as q
from ..graph.backends import Backend, open_backend

TYPES = {
    "json": "application/sparql-results+json",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "xml": "application/sparql-results+xml",
}
GRAPH_TYPES = {  # a CONSTRUCT's or a DESCRIBE's graph: rdflib's format name and the media type
    "turtle": ("turtle", "text/turtle"),
    "nt": ("nt", "application/n-triples"),
    "rdfxml": ("xml", "application/rdf+xml"),
    "jsonld": ("json-ld", "application/ld+json"),
}
MAX_BODY = 1_000_000  # bytes of a POSTed query
# the query form runs its own script only and fetches this endpoint only
FORM_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'"
READY_QUERIES = Path(__file__).resolve().parents[2] / "queries"  # a checkout's queries/, if there


def query_form() -> bytes:
    """The HTML form a browser gets at /sparql: a query box, the ready queries to pick from, a
    row limit; the rows and the time taken shown as text (never as markup)."""
    from importlib import resources

    ready = {p.name: p.read_text(encoding="utf-8") for p in sorted(READY_QUERIES.glob("*.rq"))}
    data = json.dumps(ready, ensure_ascii=False).replace("<", "\\u003c")
    page = resources.files("kg.web").joinpath("form.html").read_text(encoding="utf-8")
    return page.replace("__READY__", data).encode("utf-8")


READ_ONLY = "this endpoint is read-only: SPARQL Update is refused"


@dataclass
class Limits:
    timeout: float = 10.0  # seconds a query may run
    max_rows: int = 100_000  # rows (or triples) of one answer; the rest is cut
    max_memory: int = 2048  # MB a query worker may grow to
    workers: int = 2  # query processes: at most this many queries run at once
    connections: int = 64  # open connections; more are answered 503
    idle: float = 10.0  # seconds a connection may wait for its request
    allow_service: bool = False  # SERVICE (federated queries) fetch the URLs they name
    cors: str | None = None  # an origin allowed to read answers from a web page
    hosts: list[str] = field(default_factory=list)  # names besides localhost the Host header may give


def _xml_term(t) -> str:
    if isinstance(t, URIRef):
        return f"<uri>{escape(str(t))}</uri>"
    if isinstance(t, BNode):
        return f"<bnode>{escape(str(t))}</bnode>"
    if isinstance(t, Literal):
        attr = (
            f' xml:lang="{t.language}"'
            if t.language
            else (f' datatype="{escape(str(t.datatype))}"' if t.datatype else "")
        )
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
            cells = "".join(
                f'<binding name="{escape(v)}">{_xml_term(t)}</binding>' for v, t in zip(r.vars, row) if t is not None
            )
            out.append(f"<result>{cells}</result>")
        out.append("</results>")
    out.append("</sparql>")
    return "\n".join(out)


def negotiate(accept: str, fmt: str | None) -> tuple[str, str]:
    """The format of a table (SELECT, ASK) and of a graph (CONSTRUCT, DESCRIBE) the client asks
    for by ``format=`` or by Accept; JSON and Turtle when it asks for neither."""
    accept = (accept or "").lower()
    table = (
        fmt
        if fmt in TYPES
        else next(
            (
                kind
                for key, kind in (("json", "json"), ("xml", "xml"), ("csv", "csv"), ("tab-separated", "tsv"))
                if key in accept
            ),
            "json",
        )
    )
    graph = (
        fmt
        if fmt in GRAPH_TYPES
        else next(
            (kind for kind, (_, mime) in GRAPH_TYPES.items() if mime in accept),
            "nt" if "text/plain" in accept else "turtle",
        )
    )
    return table, graph


# ---- the query workers (separate processes) --------------------------------------------
class _Graph:
    """What a worker answers from: the generation OUTDIR/store points at now (held open
    and locked until the link moves), or graph.ttl when OUTDIR has no store."""

    def __init__(self, outdir: Path):
        self.outdir = outdir
        self.backend: Backend | None = None
        self.key: object = None  # the generation, or graph.ttl's (inode, mtime, size), it reads

    def run(self, text: str, max_rows: int) -> q.Result:
        from ..graph.store import has_store

        if has_store(self.outdir):
            key: object = (self.outdir / "store").resolve()
        else:
            stat = (self.outdir / "graph.ttl").stat()
            key = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if self.backend is None or key != self.key:
            fresh = open_backend(self.outdir)
            if self.backend is not None:
                self.backend.close()
            self.backend, self.key = fresh, getattr(fresh, "home", key)
        return self.backend.query(text, max_rows=max_rows)


def answer(res: q.Result, kind: tuple[str, str]) -> tuple[bytes, str]:
    """The body and content type of a result: a graph in the graph format asked for, a table
    (or a yes/no) in the table format."""
    table, graph = kind
    if res.kind == "CONSTRUCT":
        assert res.graph is not None  # a CONSTRUCT's Result has its graph
        name, mime = GRAPH_TYPES[graph]
        return res.graph.serialize(format=name, encoding="utf-8"), mime + "; charset=utf-8"
    if res.kind == "ASK" and table in ("csv", "tsv"):
        head = "_askResult" if table == "csv" else "?_askResult"
        body = f"{head}\r\n{'true' if res.answer else 'false'}\r\n"
    else:
        body = to_xml(res) if table == "xml" else q.render(res, table)
    return body.encode("utf-8"), TYPES[table] + "; charset=utf-8"


def _worker(conn, outdir: str, allow_service: bool) -> None:
    graph = _Graph(Path(outdir))
    while True:
        try:
            text, kind, max_rows = conn.recv()
        except (EOFError, OSError):
            return
        try:
            q.check_service(text, allow_service)
            res = graph.run(text, max_rows)
            body, ctype = answer(res, kind)
            conn.send(("ok", body, ctype, res.truncated))
        except Exception as exc:  # one query's failure is its answer, not the worker's end
            conn.send(("error", str(exc) if isinstance(exc, KgError) else f"query failed: {type(exc).__name__}"))


class Refused(Exception):
    """A query the pool did not answer: HTTP status and a one-line reason."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status


class QueryPool:
    def __init__(self, outdir: Path, limits: Limits):
        self.outdir, self.limits = outdir, limits
        self.ctx = mp.get_context("forkserver")
        self.ctx.set_forkserver_preload(["kg.web.serve"])
        self.idle: queue.Queue = queue.Queue()
        for _ in range(limits.workers):
            self.idle.put(self._start())

    def _start(self):
        mine, theirs = self.ctx.Pipe()
        proc = self.ctx.Process(target=_worker, args=(theirs, str(self.outdir), self.limits.allow_service), daemon=True)
        proc.start()
        theirs.close()
        return proc, mine

    def run(self, text: str, kind: tuple[str, str], hung_up) -> tuple[bytes, str, bool]:
        """The answer to a query, or Refused. ``hung_up()`` tells whether the client left."""
        try:
            worker = self.idle.get(timeout=self.limits.timeout)
        except queue.Empty:
            raise Refused(503, "all query workers are busy; try again") from None
        try:
            reply = self._wait(worker, text, kind, hung_up)
        except BaseException:
            self._kill(worker)
            worker = self._start()
            raise
        finally:
            self.idle.put(worker)
        if reply[0] == "error":
            raise Refused(400, reply[1])
        return reply[1], reply[2], reply[3]

    def _wait(self, worker, text: str, kind: tuple[str, str], hung_up):
        proc, conn = worker
        conn.send((text, kind, self.limits.max_rows))
        deadline = time.monotonic() + self.limits.timeout
        while not conn.poll(0.05):
            if time.monotonic() > deadline:
                raise Refused(503, f"the query ran longer than {self.limits.timeout:g} s and was stopped")
            if _rss_mb(proc.pid) > self.limits.max_memory:
                raise Refused(503, f"the query needed more than {self.limits.max_memory} MB and was stopped")
            if hung_up():
                raise Refused(499, "the client closed the connection")
            if not proc.is_alive():
                raise Refused(500, "the query worker stopped")
        try:
            return conn.recv()
        except (EOFError, OSError):
            raise Refused(500, "the query worker stopped") from None

    @staticmethod
    def _kill(worker) -> None:
        proc, conn = worker
        proc.kill()
        proc.join(5)
        conn.close()

    def close(self) -> None:
        while not self.idle.empty():
            self._kill(self.idle.get_nowait())


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, ValueError, IndexError):
        return 0.0


# ---- HTTP -----------------------------------------------------------------------------
def host_allowed(host: str | None, allowed: set[str]) -> bool:
    """A Host header a DNS-rebinding page cannot forge: an IP address, localhost or a
    name the user allowed (the port is not checked)."""
    if host is None:
        return True  # HTTP/1.0 clients; browsers always send Host
    name = host.strip().lower()
    if name.startswith("["):
        name = name[1 : name.find("]")] if "]" in name else name
    elif name.count(":") == 1:
        name = name.split(":")[0]
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return name in allowed


def make_handler(outdir: Path, pool: QueryPool, limits: Limits):
    allowed = {"localhost", *(h.lower() for h in limits.hosts)}

    class Handler(BaseHTTPRequestHandler):
        server_version = "kg"
        protocol_version = "HTTP/1.1"
        timeout = limits.idle

        def log_message(self, fmt, *args):  # quiet by default
            pass

        def _send(self, code: int, body: bytes, ctype: str, extra: dict | None = None) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if limits.cors:
                self.send_header("Access-Control-Allow-Origin", limits.cors)
                self.send_header("Vary", "Origin")
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _text(self, code: int, message: str) -> None:
            self._send(code, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8")

        def _hung_up(self) -> bool:
            try:
                readable, _, _ = select.select([self.connection], [], [], 0)
                return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
            except (OSError, ValueError):
                return True

        def _answer(self, text: str | None, fmt: str | None) -> None:
            if not text:
                self._text(400, "missing 'query' parameter")
                return
            if q.is_update(text):
                self._text(403, READ_ONLY)
                return
            kind = negotiate(self.headers.get("Accept", ""), fmt)
            started = time.monotonic()
            try:
                body, ctype, truncated = pool.run(text, kind, self._hung_up)
            except Refused as exc:
                if exc.status == 499:
                    self.close_connection = True
                    return
                self._text(exc.status, str(exc))
                return
            extra = {"KG-Query-Seconds": f"{time.monotonic() - started:.3f}"}
            if truncated:
                extra["KG-Truncated"] = f"rows beyond {limits.max_rows} were cut"
            self._send(200, body, ctype, extra)

        def _checked(self) -> urllib.parse.SplitResult | None:
            if not host_allowed(self.headers.get("Host"), allowed):
                self._text(
                    421,
                    "this server answers requests for localhost or its address only "
                    "(kg serve --allow-host NAME to add a name)",
                )
                return None
            return urllib.parse.urlsplit(self.path)

        def do_GET(self):  # noqa: N802
            url = self._checked()
            if url is None:
                return
            if url.path in ("/", "/graph.html"):
                self._page()
            elif url.path == "/sparql":
                try:
                    params = urllib.parse.parse_qs(url.query, errors="strict")
                except UnicodeDecodeError:
                    self._text(400, "the query string is not UTF-8")
                    return
                if "query" not in params and "text/html" in self.headers.get("Accept", ""):
                    self._send(200, query_form(), "text/html; charset=utf-8", {"Content-Security-Policy": FORM_CSP})
                    return
                self._answer(params.get("query", [None])[0], params.get("format", [None])[0])
            else:
                self._text(404, "not found")

        do_HEAD = do_GET  # noqa: N815

        def do_OPTIONS(self):  # noqa: N802
            if self._checked() is None:
                return
            extra = {"Allow": "GET, HEAD, POST, OPTIONS"}
            if limits.cors:
                extra |= {
                    "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
                    "Access-Control-Allow-Headers": "Content-Type, Accept",
                }
            self._send(204, b"", "text/plain", extra)

        def _page(self) -> None:
            try:
                with open(outdir / "graph.html", "rb") as f:
                    size = os.fstat(f.fileno()).st_size
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(size))
                    self.end_headers()
                    if self.command != "HEAD":
                        shutil.copyfileobj(f, self.wfile, 1 << 16)
            except FileNotFoundError:
                self._text(404, "no graph.html here")

        def do_POST(self):  # noqa: N802
            url = self._checked()
            if url is None:
                return
            if url.path != "/sparql":
                self._text(404, "not found")
                return
            body = self._body()
            if body is None:
                return
            ctype = self.headers.get("Content-Type", "")
            if ctype.startswith("application/sparql-update"):
                self._text(403, READ_ONLY)
                return
            if ctype.startswith("application/sparql-query"):
                self._answer(body, None)
                return
            form = urllib.parse.parse_qs(body)
            if "update" in form:
                self._text(403, READ_ONLY)
                return
            self._answer(form.get("query", [None])[0], form.get("format", [None])[0])

        def _body(self) -> str | None:
            """The request body as text, or None once a 4xx answer has been sent."""
            raw = self.headers.get("Content-Length", "0").strip() or "0"
            if not raw.isdigit():
                self.close_connection = True
                self._text(400, f"bad Content-Length: {raw[:40]!r}")
                return None
            if int(raw) > MAX_BODY:
                self.close_connection = True
                self._text(413, f"the request body is larger than {MAX_BODY} bytes")
                return None
            try:
                data = self.rfile.read(int(raw))
            except TimeoutError:
                self.close_connection = True
                self._text(408, "the request body did not arrive")
                return None
            if len(data) < int(raw):
                self.close_connection = True
                return None
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                self._text(400, "the request body is not UTF-8")
                return None

    return Handler


class Server(ThreadingHTTPServer):
    """A threading server that holds at most ``limits.connections`` connections at once."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address, handler, limits: Limits, pool: QueryPool):
        self.slots = threading.BoundedSemaphore(limits.connections)
        self.pool = pool
        super().__init__(address, handler)

    def process_request(self, request, client_address):
        if not self.slots.acquire(blocking=False):
            try:
                request.settimeout(1)
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            except OSError:
                pass
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()


def server(outdir: str | Path, host: str = "127.0.0.1", port: int = 8000, limits: Limits | None = None) -> Server:
    limits = limits or Limits()
    out = Path(outdir)
    if not out.is_dir() or not (out / "graph.ttl").exists():
        raise KgError(f"{outdir}: no graph here; run `kg build SOURCE -o {outdir}` first")
    allowed_host = host if not _is_ip(host) else None
    if allowed_host:
        limits.hosts = [*limits.hosts, allowed_host]
    pool = QueryPool(out, limits)
    try:
        return Server((host, port), make_handler(out, pool, limits), limits, pool)
    except OSError as exc:
        pool.close()
        raise KgError(f"cannot listen on {host}:{port} ({exc.strerror})") from None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False
