"""Run SPARQL over a graph and render the results as a table, CSV, TSV or JSON."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD
from rdflib.query import ResultRow

from ..errors import KgError, UsageError
from ..namespaces import DOC, ENT, KG, RULE, SCHEMA, STMT

PREFIXES = {
    "kg": KG,
    "ent": ENT,
    "doc": DOC,
    "as": STMT,
    "rule": RULE,
    "rdf": RDF,
    "rdfs": RDFS,
    "skos": SKOS,
    "prov": PROV,
    "owl": OWL,
    "xsd": XSD,
    "schema": SCHEMA,
}


@dataclass
class Result:
    kind: str  # SELECT | ASK | CONSTRUCT
    vars: list[str]
    rows: list[list[object]]
    graph: Graph | None = None
    answer: bool | None = None
    truncated: bool = False  # rows (or triples) beyond a cap were cut

    def df(self):
        """The rows as a pandas DataFrame (plain Python values)."""
        import pandas as pd

        return pd.DataFrame(
            [
                [None if t is None else (t.toPython() if isinstance(t, Literal) else str(t)) for t in row]
                for row in self.rows
            ],
            columns=self.vars,
        )

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def read_query(query: str) -> str:
    """A .rq file's text, or the query string itself."""
    p = Path(query)
    if query.endswith((".rq", ".sparql")) or (len(query) < 300 and "\n" not in query and p.is_file()):
        try:
            return p.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UsageError(f"{query}: no such query file") from None
        except OSError as exc:
            raise KgError(f"{query}: cannot read query file ({exc.strerror})") from None
    return query


_QUOTED = re.compile(r"<[^<>\s]*>|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|#[^\n]*")
_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", re.I)
_USED = re.compile(r"(?<![\w?$:/.-])([A-Za-z][\w-]*(?:\.[\w-]+)*)?:(?=[\w%\\])")


def check_prefixes(text: str, known=PREFIXES) -> None:
    """A prefix the query uses that neither it nor kg declares: one line naming it."""
    bare = _QUOTED.sub(" ", text)
    declared = {p or "" for p in _DECLARED.findall(bare)}
    for p in _USED.findall(bare):
        p = p or ""
        if p not in declared and p not in known:
            raise KgError(
                f"unknown prefix {p}: in the query (declare it with PREFIX {p}: <…>, or use one of kg's: "
                f"{', '.join(sorted(known))})"
            )


def run(graph: Graph, text: str, max_rows: int | None = None) -> Result:
    import rdflib.plugins.sparql as rdflib_sparql

    rdflib_sparql.SPARQL_LOAD_GRAPHS = False  # FROM names a graph of ours, never a URL to fetch
    try:
        res = graph.query(text, initNs=PREFIXES)
    except Exception as exc:  # pyparsing and rdflib raise many kinds
        msg = str(exc).splitlines()[0][:200]
        raise KgError(f"bad SPARQL query: {msg}") from None
    if res.type == "ASK":
        return Result("ASK", ["answer"], [[res.askAnswer]], answer=bool(res.askAnswer))
    if res.type in ("CONSTRUCT", "DESCRIBE"):
        assert res.graph is not None  # rdflib gives these their graph
        return _constructed(iter(res.graph), max_rows)
    assert res.vars is not None  # and a SELECT its variables and rows
    names = [str(v) for v in res.vars]
    rows, cut = _capped((list(cast(ResultRow, r)) for r in res), max_rows)
    return Result("SELECT", names, rows, truncated=cut)


def _capped(items, max_rows: int | None) -> tuple[list, bool]:
    """At most ``max_rows`` items, and whether there were more."""
    if max_rows is None:
        return list(items), False
    out = list(itertools.islice(items, max_rows + 1))
    return out[:max_rows], len(out) > max_rows


def _constructed(triples, max_rows: int | None) -> Result:
    kept, cut = _capped(triples, max_rows)
    g = Graph()
    for t in kept:
        g.add(t)
    for p, ns in PREFIXES.items():
        g.bind(p, ns, override=True)
    return Result("CONSTRUCT", [], [], graph=g, truncated=cut)


PROLOGUE = r"(?:PREFIX\s+[^\s:]*:\s*<[^>]*>\s*|BASE\s*<[^>]*>\s*|#[^\n]*\n\s*)*"  # on one line or several
UPDATE = re.compile(r"^\s*" + PROLOGUE + r"(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.I)


def with_prefixes(text: str) -> str:
    """Declare kg's usual prefixes that a query uses without declaring (for remote endpoints)."""
    head = []
    for p, ns in PREFIXES.items():
        if re.search(rf"(?<![\w:]){re.escape(p)}:", text) and not re.search(rf"PREFIX\s+{re.escape(p)}:", text, re.I):
            head.append(f"PREFIX {p}: <{ns}>")
    return "\n".join(head + [text]) if head else text


def with_timeout(fn, seconds: float | None):
    """Run ``fn`` in a forked child and stop it after ``seconds`` (queries cannot be interrupted
    from Python otherwise). Without a timeout it runs here."""
    if not seconds:
        return fn()
    import multiprocessing as mp
    import pickle

    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)

    def work():
        try:
            child.send_bytes(pickle.dumps(("ok", fn())))
        except BaseException as exc:  # sent back and raised in the parent
            child.send_bytes(pickle.dumps(("err", KgError(str(exc)) if not isinstance(exc, KgError) else exc)))

    proc = ctx.Process(target=work, daemon=True)
    proc.start()
    if not parent.poll(seconds):
        proc.kill()
        proc.join()
        raise KgError(f"the query ran longer than {seconds:g} s and was stopped (--timeout)")
    kind, value = pickle.loads(parent.recv_bytes())
    proc.join()
    if kind == "err":
        raise value
    return value


def update_store(outdir, text: str) -> None:
    """Apply SPARQL Update to a new generation of OUTDIR's store (under the build lock),
    export graph.ttl from it, and switch to it: killed at any moment, OUTDIR shows the
    store and graph.ttl from before, or both from after."""
    from .. import faults
    from .store import GRAPH_FILE, BuildLock, NewGeneration, OxStore, atomic_write, require_outdir

    out = Path(outdir)
    require_outdir(out)
    with BuildLock(out), NewGeneration(out, OxStore.open(out, read_only=True), keep_exports=True) as new:
        try:
            new.store.ox.update(text, prefixes={p: str(ns) for p, ns in PREFIXES.items()})
        except SyntaxError as exc:
            raise KgError(f"bad SPARQL update: {str(exc).splitlines()[0][:300]}") from None
        new.store.ox.flush()
        new.store.mark_updated()
        atomic_write(new.home / GRAPH_FILE, new.store.turtle())
        faults.point("update-exported")
        new.commit()


_LEXEMES = re.compile(
    r"""'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|<[^<>"{}|^`\\\s]*>|#[^\n]*""", re.S
)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SERVICE = re.compile(r"(?<![\w:?$.-])SERVICE(?![\w:.-])", re.I)


def uses_service(text: str) -> bool:
    """Whether a query names a SERVICE (a federated query: the engine would fetch the URL it
    names), outside strings, IRIs and comments; codepoint escapes (\\u0053) count as what they stand for,
    as they do for the parser."""
    text = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    return bool(_SERVICE.search(_LEXEMES.sub(" ", text)))


def check_service(text: str, allow: bool) -> None:
    if not allow and uses_service(text):
        raise KgError(
            "SERVICE (a federated query) is refused: it would make kg fetch the URL it names; "
            "--allow-service permits it"
        )


def is_update(text: str) -> bool:
    return bool(UPDATE.match(text))


def run_store(store, text: str, max_rows: int | None = None) -> Result:
    """Run a query on an Oxigraph store (its default graph), results as rdflib terms."""
    import pyoxigraph as ox

    from .store import to_rdflib

    prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
    text, order = split_order(text)
    try:
        res = store.query(text, prefixes=prefixes)
    except SyntaxError as exc:
        raise KgError(f"bad SPARQL query: {str(exc).splitlines()[0][:300]}") from None
    except (OSError, ValueError) as exc:
        raise KgError(f"query failed: {str(exc).splitlines()[0][:300]}") from None
    if isinstance(res, ox.QueryBoolean):
        return Result("ASK", ["answer"], [[bool(res)]], answer=bool(res))
    if isinstance(res, ox.QueryTriples):
        return _constructed(
            ((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in res), max_rows
        )
    names = [v.value for v in res.variables]
    if order is not None:  # the query without its ORDER BY: sorted here
        text = res.serialize(format=ox.QueryResultsFormat.TSV).decode("utf-8")
        rows = tsv_terms(text)
        sort_rows(rows, [(names.index(v), desc) for v, desc in order])
        rows, cut = _capped(iter(rows), max_rows)
        return Result("SELECT", names, rows, truncated=cut)
    rows, cut = _capped(([to_rdflib(sol[v]) for v in res.variables] for sol in res), max_rows)
    return Result("SELECT", names, rows, truncated=cut)


ORDER_TAIL = re.compile(r"\bORDER\s+BY((?:\s+(?:\?\w+|(?:ASC|DESC)\s*\(\s*\?\w+\s*\)))+)\s*$", re.I)
ORDER_KEY = re.compile(r"(?:(ASC|DESC)\s*\(\s*)?\?(\w+)", re.I)


def split_order(text: str) -> tuple[str, list[tuple[str, bool]] | None]:
    """A SELECT ending in ORDER BY plain variables (no LIMIT or OFFSET after it) runs
    without it and is sorted in Python: Oxigraph fetches the strings for every comparison,
    and on tens of thousands of rows the sort took three quarters of the time."""
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    m = ORDER_TAIL.search(body)
    if not m or not re.match(r"\s*" + PROLOGUE + r"SELECT\b", body, re.I):
        return text, None
    if re.search(r"\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?\*", body, re.I):
        return text, None
    keys = [(v, (d or "").upper() == "DESC") for d, v in ORDER_KEY.findall(m.group(1))]
    projected = set(re.findall(r"\?(\w+)", body[: body.upper().find("WHERE")])) if "WHERE" in body.upper() else set()
    if not keys or not all(v in projected for v, _ in keys):
        return text, None
    return body[: m.start()], keys


def sort_rows(rows: list[list], keys: list[tuple[int, bool]]) -> None:
    """Sort rows in place by columns (index, descending?) in SPARQL's order. Equal cells are
    one term object (tsv_terms), so each cell's order key is computed once."""
    cache: dict[int, tuple] = {}

    def order(t) -> tuple:
        k = cache.get(id(t))
        if k is None:
            k = cache[id(t)] = sparql_order(t)
        return k

    if not any(desc for _, desc in keys):
        cols = [i for i, _ in keys]
        rows.sort(key=lambda r: [order(r[i]) for i in cols])
        return
    for i, desc in reversed(keys):  # stable sorts, last key first
        rows.sort(key=lambda r: order(r[i]), reverse=desc)


def sparql_order(t) -> tuple:
    """SPARQL's order of terms: unbound, blank nodes, IRIs, literals (numbers by value)."""
    if t is None:
        return (0, 0, "")
    if isinstance(t, BNode):
        return (1, 0, str(t))
    if isinstance(t, URIRef):
        return (2, 0, str(t))
    if isinstance(t, Literal) and t.datatype in NUMERIC:
        try:
            return (3, 0, float(t))
        except ValueError:
            pass
    return (3, 1, str(t))


NUMERIC = {
    XSD.integer,
    XSD.decimal,
    XSD.double,
    XSD.float,
    XSD.int,
    XSD.long,
    XSD.short,
    XSD.nonNegativeInteger,
    XSD.positiveInteger,
}
_TERM_CACHE: dict[str, object] = {}


def tsv_terms(text: str) -> list[list[object]]:
    """SPARQL TSV rows as rdflib terms, each distinct cell converted once."""
    cache = _TERM_CACHE if len(_TERM_CACHE) < 500_000 else {}
    rows = []
    for line in text.split("\n")[1:]:
        if not line:
            continue
        row = []
        for f in line.split("\t"):
            t = cache.get(f)
            if t is None and f:
                t = cache[f] = _term_from_tsv(f)
            row.append(t)
        rows.append(row)
    return rows


def _term_from_tsv(f: str):
    from .analytics import tsv_value

    if f.startswith("_:"):
        return BNode(f[2:])
    if f[0] == "<":
        return URIRef(f[1:-1])
    if f[0] == '"':
        cell = tsv_value(f)
        assert cell is not None  # f is not empty
        value, _ = cell
        rest = f[f.rfind('"') + 1 :]
        if rest.startswith("@"):
            return Literal(value, lang=rest[1:])
        if rest.startswith("^^<"):
            return Literal(value, datatype=URIRef(rest[3:-1]))
        return Literal(value)
    if f in ("true", "false"):
        return Literal(f == "true")
    if re.fullmatch(r"[+-]?\d+", f):
        return Literal(f, datatype=XSD.integer)
    if re.fullmatch(r"[+-]?\d*\.\d+", f):
        return Literal(f, datatype=XSD.decimal)
    return Literal(f, datatype=XSD.double)


def term_text(t: object, compact: bool = True) -> str:
    if t is None:
        return ""
    if isinstance(t, URIRef):
        s = str(t)
        if compact:
            for p, ns in PREFIXES.items():
                if s.startswith(str(ns)):
                    from urllib.parse import unquote

                    return f"{p}:{unquote(s[len(str(ns)) :])}"
        return s
    return str(t)


def _memo(fn):
    """``fn`` of each distinct cell once: the rows of tsv_terms share one object per term,
    alive while the rows are (so an id stands for one term during one rendering)."""
    seen: dict[int, str] = {}

    def once(t: object) -> str:
        text = seen.get(id(t))
        if text is None:
            text = seen[id(t)] = fn(t)
        return text

    return once


def to_csv(r: Result) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(r.vars)
    text = _memo(lambda t: term_text(t, compact=False))
    w.writerows([text(t) for t in row] for row in r.rows)
    return buf.getvalue()


def _tsv_term(t: object) -> str:
    if t is None:
        return ""
    if isinstance(t, (URIRef, BNode, Literal)):
        return t.n3()
    return str(t)


def to_tsv(r: Result) -> str:
    lines = ["\t".join("?" + v for v in r.vars)]
    cell = _memo(_tsv_term)
    lines += ["\t".join([cell(t) for t in row]) for row in r.rows]
    return "\n".join(lines) + "\n"


def _json_term(t: object) -> dict | None:
    if t is None:
        return None
    if isinstance(t, URIRef):
        return {"type": "uri", "value": str(t)}
    if isinstance(t, BNode):
        return {"type": "bnode", "value": str(t)}
    if isinstance(t, Literal):
        d = {"type": "literal", "value": str(t)}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype:
            d["datatype"] = str(t.datatype)
        return d
    return {"type": "literal", "value": str(t)}


def to_json(r: Result) -> str:
    if r.kind == "ASK":
        return json.dumps({"head": {}, "boolean": r.answer}, ensure_ascii=False, indent=1)
    bindings = []
    for row in r.rows:
        b = {v: _json_term(t) for v, t in zip(r.vars, row) if t is not None}
        bindings.append(b)
    return json.dumps({"head": {"vars": r.vars}, "results": {"bindings": bindings}}, ensure_ascii=False, indent=1)


def render(r: Result, fmt: str) -> str:
    """Text for --format csv|tsv|json|turtle; the table is drawn by the CLI."""
    if r.kind == "CONSTRUCT":
        assert r.graph is not None  # a CONSTRUCT's Result has its graph
        return r.graph.serialize(format="turtle")
    return {"csv": to_csv, "tsv": to_tsv, "json": to_json}[fmt](r)
