"""The `kg` command: a thin shell over the library."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..errors import KgError, UsageError
from ..model import RELATIONS as RELATION_CHOICES
from ..model import TYPES as TYPES_CHOICES
from ..terminal import safe, visible
from . import output

EXAMPLES = {
    "build": "kg build seeds/ -o build/\n  kg build archive/ more.jsonl -o build/ --rules my_rules.yaml",
    "query": "kg query queries/companies_by_zone.rq -g build/\n"
    "  kg query 'SELECT ?s WHERE { ?s a kg:Company }' -g build/ --format csv",
    "extract": "kg extract seeds/000_ec529398d460bb70.txt -o mentions.jsonl\n"
    "  kg extract ../shared/benchmarks/cluener2020.dev.jsonl -o p.jsonl",
    "explain": 'kg explain "嘉兴学院与浙江禾欣实业集团股份有限公司签署战略合作协议。"',
    "eval": "kg eval build/graph.ttl ../shared/eval/seed.gold.json --details\n"
    "  kg eval build/ ../shared/eval/dev/gold/   # every gold file of the folder: in total and per file",
    "rules": "kg rules            # list the rules and run every example\n  kg rules --rules my_rules.yaml",
    "viz": "kg viz build/ --focus 松江区 --hops 1 -o focus.html\n  kg viz build/ --types Company Place --relations locatedIn",  # noqa: E501
    "push": "kg push build/ http://127.0.0.1:7878/store",
    "show": "kg show 松江区 -g build/\n  kg show 上海市 -g build/ --json",
    "validate": "kg validate build/",
    "changes": "kg changes build/            # what the last build added and removed\n"
    "  kg changes build/ --since 3 --json",
    "export": "kg export build/ --format graphml -o graph.graphml\n  kg export build/ --format csv -o edges.csv",
    "serve": "kg serve build/ --port 8000   # then open http://127.0.0.1:8000/",
    "stats": "kg stats build/ --top 10\n  kg stats build/ --write   # store degree, pagerank, betweenness, community in graph.ttl",  # noqa: E501
}


def _console(stderr: bool = False) -> Console:
    return output.console(stderr)


class _Parser(argparse.ArgumentParser):
    """argparse, but a wrong argument is one line (and exit status 2)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    ap = _Parser(
        prog="kg",
        description="Build an RDF knowledge graph from Chinese regional news pages.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  " + "\n  ".join(EXAMPLES.values()),
    )
    ap.add_argument("--debug", action="store_true", help="show a traceback on internal errors")
    ap.add_argument(
        "--width",
        type=int,
        metavar="N",
        help="draw tables N columns wide, also when piped (piped output is otherwise whole tab-separated lines)",
    )
    sub = ap.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def cmd(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog="example:\n  " + EXAMPLES.get(name, ""),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    b = cmd("build", "build the graph (graph.ttl and graph.html) from .txt files, folders and .jsonl files")
    b.add_argument("sources", nargs="+", metavar="SOURCE")
    b.add_argument("-o", "--out", required=True, metavar="OUTDIR", help="folder for graph.ttl and graph.html")
    b.add_argument("--rules", action="append", default=[], metavar="FILE", help="an extra rule file (YAML)")
    b.add_argument("--strict", action="store_true", help="fail if any input is skipped")
    b.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    b.add_argument("--json", action="store_true", help="print the summary as JSON")
    b.add_argument("--workers", type=int, default=None, metavar="N", help="extraction processes (default: cores)")
    b.add_argument("--prune", action="store_true", help="drop the facts of documents no longer given")
    b.add_argument(
        "--prune-all",
        action="store_true",
        help="confirm a --prune that drops every document built so far (none is among the sources)",
    )
    b.add_argument("--date", type=_iso_date, metavar="YYYY-MM-DD", help=DATE_HELP)
    b.add_argument("--dask", metavar="ADDRESS", help="run extraction on a Dask cluster (tcp://host:8786)")
    b.add_argument("--store", metavar="URL", help="also write the graph into a SPARQL store (Graph Store Protocol)")
    b.add_argument(
        "--max-bytes", type=int, default=20_000_000, metavar="N", help="skip files larger than N bytes (default 20 MB)"
    )

    qp = cmd("query", "run a SPARQL query (.rq file or string) against a built graph")
    qp.add_argument("query", metavar="QUERY")
    src = qp.add_mutually_exclusive_group(required=True)
    src.add_argument("-g", "--graph", metavar="OUTDIR", help="a folder made by kg build, or a .ttl file")
    src.add_argument("--endpoint", metavar="URL", help="a SPARQL 1.1 endpoint to query instead")
    qp.add_argument("--format", choices=["table", "csv", "tsv", "json"], default="table")
    qp.add_argument("--timeout", type=float, default=None, metavar="SECONDS", help="stop a query that runs longer")
    qp.add_argument("--update", action="store_true", help="allow SPARQL Update (changes the store and graph.ttl)")
    qp.add_argument(
        "--allow-service", action="store_true", help="allow SERVICE (federated queries: kg fetches the URLs they name)"
    )

    e = cmd("extract", "write entity and relation mentions as JSON Lines, offsets into each raw text")
    e.add_argument("inputs", nargs="+", metavar="INPUT")
    e.add_argument("-o", "--out", required=True, metavar="OUT.jsonl")
    e.add_argument("--rules", action="append", default=[], metavar="FILE")
    e.add_argument("--nested", action="store_true", help="also list names nested in longer names")
    e.add_argument("--date", type=_iso_date, metavar="YYYY-MM-DD", help=DATE_HELP)
    e.add_argument("-q", "--quiet", action="store_true")
    e.add_argument("--max-bytes", type=int, default=20_000_000, metavar="N")

    x = cmd("explain", "show tokens, mentions, the rules that fired and the relations for a text")
    x.add_argument("text", metavar="TEXT", help="a sentence or a few, or a path to a .txt file")
    x.add_argument("--rules", action="append", default=[], metavar="FILE")
    x.add_argument("--date", type=_iso_date, metavar="YYYY-MM-DD", help=DATE_HELP)

    v = cmd("eval", "score a graph against gold annotations: P/R/F1 per type and relation, with misses")
    v.add_argument("graph", metavar="GRAPH", help="a .ttl file or a folder made by kg build")
    v.add_argument(
        "gold",
        nargs="+",
        metavar="GOLD",
        help="gold files (.json) or folders of them; with several, "
        "each is also scored against the part of the graph its documents state",
    )
    v.add_argument("--details", action="store_true", help="list every miss and spurious item")
    v.add_argument("--json", action="store_true")

    r = cmd("rules", "list the rules and run every example they carry")
    r.add_argument("--rules", action="append", default=[], metavar="FILE")
    r.add_argument("--markdown", action="store_true", help="print every rule as Markdown (docs/rules.md)")

    z = cmd("viz", "write an interactive network page for the whole graph or part of it")
    z.add_argument("graph", metavar="OUTDIR")
    z.add_argument("-o", "--out", metavar="FILE", help="default: OUTDIR/view.html")
    z.add_argument("--focus", metavar="NAME", help="an entity (any of its names): show its neighbourhood")
    z.add_argument("--hops", type=int, default=1, help="neighbourhood radius with --focus (default 1)")
    z.add_argument("--types", nargs="+", metavar="TYPE", choices=list(TYPES_CHOICES))
    z.add_argument("--relations", nargs="+", metavar="RELATION", choices=list(RELATION_CHOICES))

    pu = cmd("push", "write a built graph into a SPARQL store through the Graph Store Protocol")
    pu.add_argument("graph", metavar="OUTDIR")
    pu.add_argument("url", metavar="URL", help="the store's Graph Store endpoint, e.g. http://127.0.0.1:7878/store")

    sh = cmd("show", "an entity card: names, types, every relation in and out with its source sentence")
    sh.add_argument("name", metavar="NAME", help="any of the entity's names")
    sh.add_argument("-g", "--graph", required=True, metavar="OUTDIR")
    sh.add_argument("--json", action="store_true")

    ex = cmd("export", "export the graph: turtle, ntriples, nquads, trig, jsonld, graphml, gexf or csv")
    ex.add_argument("graph", metavar="OUTDIR")
    ex.add_argument(
        "--format", required=True, choices=["turtle", "ntriples", "nquads", "trig", "jsonld", "graphml", "gexf", "csv"]
    )
    ex.add_argument("-o", "--out", required=True, metavar="FILE")

    sv = cmd("serve", "serve the graph page and a read-only SPARQL endpoint at /sparql")
    sv.add_argument("graph", metavar="OUTDIR")
    sv.add_argument("--port", type=int, default=8000)
    sv.add_argument("--host", default="127.0.0.1", help="default: loopback only")
    sv.add_argument(
        "--timeout", type=float, default=10.0, metavar="SECONDS", help="stop a query that runs longer (default 10)"
    )
    sv.add_argument(
        "--max-rows",
        type=int,
        default=100_000,
        metavar="N",
        help="cut answers after N rows or triples (default 100000; the header KG-Truncated says so)",
    )
    sv.add_argument(
        "--max-memory",
        type=int,
        default=2048,
        metavar="MB",
        help="stop a query whose worker grows past MB (default 2048)",
    )
    sv.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="query processes, the queries that run at once (default: cores)",
    )
    sv.add_argument(
        "--idle",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="close a connection that sends nothing for this long (default 10)",
    )
    sv.add_argument("--cors", metavar="ORIGIN", help="let web pages from ORIGIN read answers (default: none)")
    sv.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name the Host header may give besides localhost and IP addresses",
    )
    sv.add_argument(
        "--allow-service", action="store_true", help="allow SERVICE (federated queries: kg fetches the URLs they name)"
    )

    st = cmd("stats", "graph analytics: size, components, top entities, communities")
    st.add_argument("graph", metavar="OUTDIR")
    st.add_argument("--top", type=int, default=10)
    st.add_argument("--write", action="store_true", help="store the scores in OUTDIR/graph.ttl for SPARQL")
    st.add_argument("--json", action="store_true")

    ch = cmd("changes", "what the last build added and removed: entities, relations, evidence, stages")
    ch.add_argument("graph", metavar="OUTDIR")
    ch.add_argument("--since", type=int, metavar="BUILD", help="since an earlier build (its number, from kg changes)")
    ch.add_argument("--json", action="store_true")

    va = cmd("validate", "check a build against kg's SHACL shapes and its places against the division table")
    va.add_argument("graph", metavar="OUTDIR")
    return ap


# ---- build -----------------------------------------------------------------------
DATE_HELP = "the date of documents that state none (relative dates such as 今年6月 count from it)"


def _iso_date(text: str) -> str:
    import argparse

    from ..text.reader import valid_date

    if not valid_date(text):
        raise argparse.ArgumentTypeError(f"{text!r} is no date written YYYY-MM-DD")
    return text


def cmd_build(args) -> int:
    from ..graph.build import build
    from ..text.reader import expand

    err = _console(stderr=True)
    out = _console()
    expand(args.sources)  # fails early, with one line, on a missing source
    if args.rules:
        from ..rules.load import load_rules

        load_rules(args.rules)  # and on a bad rule file
    show = not args.quiet and not args.json and err.is_terminal
    kwargs = dict(
        rules=args.rules,
        workers=args.workers,
        prune=args.prune or args.prune_all,
        dask=args.dask,
        strict=args.strict,
        max_bytes=args.max_bytes,
        prune_all=args.prune_all,
        date=args.date,
    )
    if show:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        prog = Progress(
            TextColumn("extracting"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=err,
            transient=True,
        )
        with prog:
            task = prog.add_task("", total=None)
            rep = build(
                args.sources, args.out, progress=lambda d: prog.update(task, advance=1, description=d[:40]), **kwargs
            )
    else:
        rep = build(args.sources, args.out, **kwargs)
    print_inputs(err, rep.skipped, rep.warnings)
    if args.store:
        from ..graph.remote import push

        push(args.out, args.store)
    path = Path(args.out) / "graph.ttl"
    if args.json:
        print(
            json.dumps(
                {
                    "documents": rep.documents,
                    "extracted": rep.extracted,
                    "unchanged": rep.unchanged,
                    "pruned": rep.pruned,
                    "articles": rep.articles,
                    "entities": dict(rep.entities),
                    "entity_total": rep.entity_total,
                    "relations": dict(rep.relations),
                    "skipped": len(rep.skipped),
                    "triples": rep.triples,
                    "seconds": round(rep.seconds, 3),
                    "workers": rep.workers,
                    "graph": str(path),
                },
                ensure_ascii=False,
            )
        )
    elif not args.quiet:
        print_summary(out, rep, path)
    return 0


def print_inputs(err: Console, skipped, warnings) -> None:
    """One line for each input skipped and each warning, the untrusted part escaped."""
    for label, lines in (("skipped", [sk.reason for sk in skipped]), ("warning", warnings)):
        for line in lines:
            err.print(Text(label, style="yellow").append(" ").append(safe(line)))


def _rank(order, key: str) -> tuple[int, str]:
    """A summary row's place: the model's order of types and relations, others after by name."""
    order = list(order)
    return (order.index(key) if key in order else len(order), key)


def print_summary(out: Console, s, path: Path) -> None:
    t = Table(title=safe(f"kg build → {path.parent}"), show_header=True, header_style="bold")
    t.add_column("what")
    t.add_column("count", justify="right")
    t.add_row("documents", str(s.documents))
    t.add_row("  extracted (new or changed)", str(s.extracted))
    t.add_row("  unchanged (skipped by hash)", str(s.unchanged))
    if s.pruned:
        t.add_row("  pruned", str(s.pruned))
    t.add_row("articles", str(s.articles))
    t.add_row("entities (each once; by type below, one of two types counts in both)", str(s.entity_total))
    for k, v in sorted(s.entities.items(), key=lambda kv: _rank(TYPES_CHOICES, kv[0])):
        t.add_row(f"[cyan]entity[/] {k}", str(v))
    for k, v in sorted(s.relations.items(), key=lambda kv: _rank(RELATION_CHOICES, kv[0])):
        t.add_row(f"[green]relation[/] {k}", str(v))
    t.add_row("skipped inputs", str(len(s.skipped)))
    t.add_row("triples", str(s.triples))
    t.add_row("time", f"{s.seconds:.2f} s")
    output.print_table(out, t)


# ---- query -----------------------------------------------------------------------
def cmd_query(args) -> int:
    from ..graph import query as q
    from ..graph.backends import open_backend
    from ..graph.store import has_store

    text = q.read_query(args.query)
    q.check_prefixes(text)
    if not args.endpoint:
        q.check_service(text, args.allow_service)
    if q.is_update(text):
        if not args.update:
            raise KgError(
                "kg query runs read-only queries; SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP …) "
                "is refused unless --update is given"
            )
        if args.endpoint or not has_store(args.graph):
            raise KgError("--update works on a folder made by kg build")
        q.update_store(args.graph, text)
        _console(stderr=True).print("updated the store and graph.ttl")
        return 0
    backend = open_backend(args.graph, args.endpoint)
    try:
        res = q.with_timeout(lambda: backend.query(text), None if args.endpoint else args.timeout)
    finally:
        backend.close()
    if res.kind == "CONSTRUCT":
        sys.stdout.write(q.render(res, "turtle"))
    elif args.format != "table":
        text = q.render(res, args.format)
        if args.format != "json" and sys.stdout.isatty():
            from ..terminal import delimited

            text = delimited(text, "\r\n" if args.format == "csv" else "\n")
        sys.stdout.write(text)
    else:
        print_table(_console(), res)
    return 0


def print_table(out: Console, res) -> None:
    from ..graph.query import term_text

    if res.kind == "ASK":
        out.print("yes" if res.answer else "no")
        return
    t = Table(show_header=True, header_style="bold cyan", show_lines=False)
    for v in res.vars:
        t.add_column(safe(v), overflow="fold")
    for row in res.rows:
        t.add_row(*[safe(term_text(x)) for x in row])
    output.print_table(out, t)
    if output.drawn(out):
        out.print(f"[dim]{len(res.rows)} row(s)[/]")


# ---- extract ---------------------------------------------------------------------
def cmd_extract(args) -> int:
    from ..extract.output import dumps
    from ..extract.pipeline import extractor
    from ..graph.store import atomic_write
    from ..text.reader import ReadReport, dated, read_sources

    ex = extractor(args.rules)
    report = ReadReport()
    docs = (dated(d, args.date) for d in read_sources(args.inputs, report, args.max_bytes))
    lines = [dumps(ex.process(doc), args.nested) for doc in docs]
    print_inputs(_console(stderr=True), report.skipped, report.warnings)
    atomic_write(Path(args.out), ("\n".join(lines) + "\n").encode("utf-8") if lines else b"")
    if not args.quiet:
        _console(stderr=True).print(safe(f"{len(lines)} document(s) → {args.out}"))
    return 0


def _table(columns: list[str], style: str) -> Table:
    t = Table(header_style=style, show_edge=False)
    for c in columns:
        t.add_column(c, overflow="fold")
    return t


# ---- explain ---------------------------------------------------------------------
def cmd_explain(args) -> int:
    from ..extract.pipeline import extractor
    from ..model import Document, Entity

    text = args.text
    if len(text) < 260 and text.endswith(".txt") and Path(text).is_file():
        text = Path(text).read_text(encoding="utf-8")
    ex = extractor(args.rules)
    res = ex.process(Document(id="explain", source="explain", raw=text, date=args.date or ""))
    out = _console()
    for art in res.articles:
        for sent in art.sentences:
            output.heading(out, safe(sent.text, "bold"))
            line = Text("tokens", style="dim")
            for tok in ex.entities.tokens(sent):
                line.append(" ").append(safe(tok.text)).append(safe(f"/{tok.pos}", "dim"))
            out.print(line)
            ms = sorted((m for m in res.mentions if m.sentence is sent), key=lambda m: (m.start, -m.end))
            t = _table(["mention", "type", "rule", "entity"], "bold cyan")
            for m in ms:
                ent = safe(m.entity.name) if m.entity else Text("dropped", style="red") if m.bare else Text("—")
                kind = m.type + (" (reference)" if m.bare else "")
                t.add_row(safe(m.text), safe(kind), safe(m.rule), ent)
            if ms:
                output.print_table(out, t)
            rels = [r for r in res.relations + res.planned + res.events if r.sentence is sent]
            if rels:
                t = _table(["subject", "relation", "object", "rule", "qualifiers (rules)"], "bold green")
                for r in rels:
                    obj = r.object.name if isinstance(r.object, Entity) else f"“{r.object}”" if r.object else ""
                    kind = f"{r.predicate} (planned: no triple)" if r.planned else r.predicate
                    t.add_row(safe(r.subject.name), safe(kind), safe(obj), safe(r.rule), safe(_qualifiers(r)))
                output.print_table(out, t)
    if not res.mentions:
        out.print("[yellow]no mentions found[/]")
    return 0


def _qualifiers(r) -> str:
    """A relation's qualifiers in one line, with the rules that read them."""
    q = r.qualifiers
    if not q:
        return ""
    parts = []
    if q.amount:
        parts.append(f"{q.measure or 'amount'} {q.amount} {q.currency} ({q.amount_text})")
    if q.date_text:
        parts.append(f"date {q.date or '?'} ({q.date_text})" + (f" {q.quarter}" if q.quarter else ""))
    if q.stage:
        parts.append(f"stage {q.stage}" + (f" ({q.stage_text})" if q.stage_text else ""))
    return "; ".join(parts) + (f" [{', '.join(q.rules)}]" if q.rules else "")


# ---- changes ---------------------------------------------------------------------
def cmd_changes(args) -> int:
    from dataclasses import asdict

    from ..graph import history
    from ..graph.store import HISTORY, STORE_DIR, require_outdir

    out_dir = Path(args.graph)
    require_outdir(out_dir)
    h = history.read(out_dir / STORE_DIR / HISTORY)
    if h is None or not h.builds:
        raise KgError(f"{out_dir}: no build history here (builds from kg 0.x before kg changes keep none); "
                      f"run kg build again to start one")  # fmt: skip
    numbers = [b["build"] for b in h.builds]
    if args.since is not None and args.since not in numbers and args.since != 0:
        raise UsageError(f"{out_dir} has no build {args.since}; its builds are {', '.join(map(str, numbers))}")
    c = history.changes(h, args.since)
    if args.json:
        print(json.dumps(asdict(c), ensure_ascii=False, indent=1))
        return 0
    out = _console()
    output.heading(out, safe(f"build {c.build} ({c.time}) against build {c.since}", "bold"))
    rel = lambda k: k.split("\t")  # noqa: E731
    sections = [
        ("entities added", ["entity", "type"], c.added["entities"]),
        ("entities removed", ["entity", "type"], c.removed["entities"]),
        ("relations added", ["subject", "relation", "object"], [rel(k) for k in c.added["relations"]]),
        ("relations removed", ["subject", "relation", "object"], [rel(k) for k in c.removed["relations"]]),
        ("new evidence for known relations", ["subject", "relation", "object", "new assertions"],
         [[*rel(k), str(n)] for k, n in c.evidence]),
        ("stage changes", ["entity", "from", "to"], c.stage_changes),
        ("stages reported", ["entity", "stage", "date"], [rel(k) for k in c.added["stages"]]),
    ]  # fmt: skip
    if output.drawn(out) and not any(rows for _, _, rows in sections):
        out.print("nothing changed")
    for title, columns, rows in sections:
        if output.drawn(out) and not rows:
            continue  # a terminal shows what changed; a pipe gets every section, each with its count
        t = _table(columns, "bold")
        t.title = f"{title}: {len(rows)}"
        for r in rows:
            t.add_row(*map(safe, r))
        output.print_table(out, t)
    return 0


# ---- eval ------------------------------------------------------------------------
def cmd_eval(args) -> int:
    from ..graph.evaluate import evaluate, evaluate_files, gold_files
    from ..graph.store import load_graph

    paths = gold_files(args.gold)
    g = load_graph(args.graph)
    rep, per = evaluate_files(g, paths) if len(paths) > 1 else (evaluate(g, paths), [])
    if args.json:
        print(json.dumps(_eval_json(rep, per), ensure_ascii=False, indent=1))
        return 0
    out = _console()
    t = Table("", "P", "R", "F1", "tp", "fp", "fn", header_style="bold", title="kg eval")

    def row(table, name, x, style=""):
        table.add_row(f"{style}{name}", f"{x.p:.3f}", f"{x.r:.3f}", f"{x.f1:.3f}", str(x.tp), str(x.fp), str(x.fn))

    row(t, "entities", rep.entities, "[bold]")
    for k, v in sorted(rep.by_type.items()):
        row(t, f"  {k}", v)
    row(t, "relations", rep.relations, "[bold]")
    for k, v in sorted(rep.by_relation.items()):
        row(t, f"  {k}", v)
    output.print_table(out, t)
    if per:
        out.print(_eval_files_table(per))
    if args.details:
        for m in rep.missed:
            out.print(Text("missed   ", style="red") + safe(m))
        for s in rep.spurious:
            out.print(Text("spurious ", style="yellow") + safe(s))
    print(f"entity_f1={rep.entities.f1:.3f} relation_f1={rep.relations.f1:.3f}")
    return 0


def _eval_files_table(per) -> Table:
    """One row per gold file: its documents' part of the graph against it."""
    t = Table("gold file", "entity P", "R", "F1", "relation P", "R", "F1", header_style="bold", title="per gold file")
    for f in per:
        e, r = f.report.entities, f.report.relations
        name = safe(Path(f.gold).name) + ("" if f.found else " [yellow](no document of it in the graph)[/]")
        t.add_row(name, f"{e.p:.3f}", f"{e.r:.3f}", f"{e.f1:.3f}", f"{r.p:.3f}", f"{r.r:.3f}", f"{r.f1:.3f}")
    return t


def _eval_json(rep, per) -> dict:
    def d(x):
        return {
            "precision": round(x.p, 4),
            "recall": round(x.r, 4),
            "f1": round(x.f1, 4),
            "tp": x.tp,
            "fp": x.fp,
            "fn": x.fn,
        }

    out = {
        "entities": d(rep.entities),
        "relations": d(rep.relations),
        "by_type": {k: d(v) for k, v in sorted(rep.by_type.items())},
        "by_relation": {k: d(v) for k, v in sorted(rep.by_relation.items())},
        "missed": rep.missed,
        "spurious": rep.spurious,
    }
    if per:
        out["files"] = [
            {
                "gold": f.gold,
                "documents": f.documents,
                "found": f.found,
                "entities": d(f.report.entities),
                "relations": d(f.report.relations),
            }
            for f in per
        ]
    return out


# ---- rules -----------------------------------------------------------------------
def cmd_rules(args) -> int:
    from ..extract.examples import check_all
    from ..extract.pipeline import extractor
    from ..rules.engine import describe

    ex = extractor(args.rules)
    if args.markdown:
        from ..rules.docs import markdown

        sys.stdout.write(markdown(ex.rules))
        return 0
    out = _console()
    t = Table("id", "kind", "type / relation", "examples", "description", header_style="bold", show_edge=False)
    for r in ex.rules.entity_rules:
        t.add_row(
            *map(safe, (r.id, r.kind, r.type or "(by list head)", f"{len(r.match)}+ {len(r.no_match)}-", r.description))
        )
    for rel in ex.rules.relation_rules:
        what = safe(rel.description) + (Text("\n  ") + safe(describe(rel.pattern), "dim") if rel.pattern else Text())
        t.add_row(*map(safe, (rel.id, "pattern", rel.relation, f"{len(rel.match)}+ {len(rel.no_match)}-")), what)
    for q in ex.rules.qualifiers.rules:
        what = safe(q.description) + Text("\n  ") + safe(q.pattern.pattern[:200], "dim")
        t.add_row(*map(safe, (q.id, "qualifier", q.kind, f"{len(q.match)}+ {len(q.no_match)}-")), what)
    output.print_table(out, t)
    n, fails = check_all(ex)
    for f in fails:
        out.print(Text("FAIL", style="red").append(" ").append(safe(f"{f.rule}: {f.text} — {f.problem}")))
    out.print(f"{n - len(fails)} passed, {len(fails)} failed")
    return 1 if fails else 0


# ---- viz -------------------------------------------------------------------------
def cmd_viz(args) -> int:
    from ..graph import analytics
    from ..graph import page as viz
    from ..graph.store import atomic_write, graph_path, load_graph

    g = load_graph(args.graph)
    G = analytics.to_networkx(g)
    focus = None
    if args.focus:
        hits = viz.find_node(G, args.focus)
        if not hits:
            raise KgError(f"no entity named {args.focus!r} in {args.graph}")
        focus = sorted(hits, key=lambda n: (G.nodes[n]["label"] != args.focus, n))[0]
        if len(hits) > 1:
            others = "、".join(G.nodes[n]["label"] for n in hits if n != focus)
            _console(stderr=True).print(
                safe(f"{len(hits)} entities match; showing {G.nodes[focus]['label']} (also: {others})")
            )
    H = viz.select(G, focus=focus, hops=args.hops, types=args.types, relations=args.relations)
    out = Path(args.out) if args.out else graph_path(args.graph).parent / "view.html"
    title = f"kg — {G.nodes[focus]['label']}" if focus else "kg"
    atomic_write(out, viz.render(g, H, title).encode("utf-8"))
    _console(stderr=True).print(safe(f"{H.number_of_nodes()} nodes, {H.number_of_edges()} edges → {out}"))
    return 0


# ---- show ------------------------------------------------------------------------
def cmd_show(args) -> int:
    from ..graph.card import card, find
    from ..graph.page import evidence
    from ..graph.store import load_graph

    g = load_graph(args.graph)
    hits = find(g, args.name)
    if not hits:
        from ..graph.card import closest

        near = closest(g, args.name)
        hint = f"; closest: {'、'.join(near)}" if near else ""
        raise KgError(f"no entity named {args.name!r} in {args.graph}{hint}")
    ev = evidence(g)
    cards = [card(g, h, ev) for h in hits]
    if args.json:
        from dataclasses import asdict

        print(json.dumps([asdict(c) for c in cards], ensure_ascii=False, indent=1))
        return 0
    out = _console()
    if len(cards) > 1:
        out.print(
            safe(f"{len(cards)} entities match {args.name!r}:", "yellow")
            .append(" ")
            .append(safe("、".join(c.name for c in cards)))
        )
    for c in cards:
        print_card(out, c)
    return 0


def print_card(out: Console, c) -> None:
    """An entity's names, then each source sentence once with the relations it states."""
    from rich.panel import Panel

    from ..graph.card import by_sentence
    from ..graph.page import REL_ZH

    head = safe(c.name, "bold").append(safe("  " + " · ".join(c.types), "cyan"))
    if c.aliases:
        head.append("\n别名 aliases: ").append(safe("、".join(c.aliases)))
    out.print(Panel(head, expand=False) if output.drawn(out) else head)
    names = sorted({visible(n) for n in [c.name] + c.aliases}, key=len, reverse=True)
    for group in by_sentence(c.links):
        for link in group.links:
            line = Text(f" {'→' if link.direction == 'out' else '←'} ")
            line.append(f"{link.relation} {REL_ZH.get(link.relation, '')}", style="green")
            out.print(line.append(safe(f"  {link.other}", "bold")))
        if group.sentence is None:
            continue
        s = Text("     “").append(safe(group.sentence["sentence"])).append("”")
        s.highlight_words(names, style="bold yellow")
        out.print(s)
        e = group.sentence
        rules = "、".join(group.rules)
        out.print(safe(f"       {e['document']} [{e['start']}:{e['end']}] rule {rules}", "dim"))
    if not c.links:
        out.print(" (no relations)")


# ---- validate --------------------------------------------------------------------
def cmd_validate(args) -> int:
    from ..graph.store import load_graph
    from ..graph.validate import validate

    problems = validate(load_graph(args.graph))
    out = _console()
    if problems:
        t = Table("check", "entity", "problem", header_style="bold red", title=f"kg validate {args.graph}")
        for p in problems:
            t.add_row(safe(p.check), safe(p.focus), safe(p.message))
        output.print_table(out, t)
    _console(stderr=True).print(
        safe(f"{len(problems)} problem(s) in {args.graph}" if problems else f"{args.graph}: conforms to kg's shapes")
    )
    return 1 if problems else 0


# ---- export ----------------------------------------------------------------------
def cmd_export(args) -> int:
    from ..graph.export import export
    from ..graph.store import OxStore, has_store, load_graph

    store = OxStore.open(args.graph, read_only=True) if has_store(args.graph) else None
    files = export(load_graph(args.graph), args.out, args.format, store=store)
    _console(stderr=True).print(safe("written " + ", ".join(str(f) for f in files)))
    return 0


# ---- serve -----------------------------------------------------------------------
def cmd_serve(args) -> int:
    import os

    from ..web.serve import Limits, server

    limits = Limits(
        timeout=args.timeout,
        max_rows=args.max_rows,
        max_memory=args.max_memory,
        workers=args.workers or os.cpu_count() or 1,
        idle=args.idle,
        cors=args.cors,
        hosts=args.allow_host,
        allow_service=args.allow_service,
    )
    httpd = server(args.graph, args.host, args.port, limits)
    _console(stderr=True).print(
        safe(
            f"serving {args.graph}: page http://{args.host}:{args.port}/ · "
            f"SPARQL http://{args.host}:{args.port}/sparql (read-only) · Ctrl-C to stop"
        )
    )
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0


# ---- push ------------------------------------------------------------------------
def cmd_push(args) -> int:
    from ..graph.remote import push

    n = push(args.graph, args.url)
    _console(stderr=True).print(safe(f"{n} graph(s) written to {args.url}"))
    return 0


# ---- stats -----------------------------------------------------------------------
def cmd_stats(args) -> int:
    from ..graph import analytics
    from ..graph.store import load_graph

    if args.write:
        from ..graph.build import write_scores

        G, s, where = write_scores(args.graph)
    else:
        G = analytics.to_networkx(load_graph(args.graph))
        s = analytics.compute(G)
    label = {n: d["label"] for n, d in G.nodes(data=True)}
    kind = {n: d["type"] for n, d in G.nodes(data=True)}

    def top(scores):
        return sorted(scores.items(), key=lambda kv: (-kv[1], label[kv[0]]))[: args.top]

    comms: dict[int, list[str]] = {}
    for n, c in s.community.items():
        comms.setdefault(c, []).append(n)
    if args.json:
        print(
            json.dumps(
                {
                    "nodes": s.nodes,
                    "edges": s.edges,
                    "components": s.components,
                    "largest_component": s.largest_component,
                    "degree": [[label[n], v] for n, v in top(s.degree)],
                    "betweenness": [[label[n], round(v, 4)] for n, v in top(s.betweenness)],
                    "pagerank": [[label[n], round(v, 4)] for n, v in top(s.pagerank)],
                    "communities": [sorted(label[n] for n in comms[c]) for c in sorted(comms)],
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        out = _console()
        t = Table("what", "value", title="graph", header_style="bold")
        for k, v in (
            ("entities", s.nodes),
            ("relations between entities", s.edges),
            ("connected components", s.components),
            ("largest component", s.largest_component),
            ("communities (Louvain)", len(comms)),
        ):
            t.add_row(k, str(v))
        output.print_table(out, t)
        for name, scores, fmt in (
            ("degree", s.degree, "{:.0f}"),
            ("betweenness", s.betweenness, "{:.3f}"),
            ("PageRank", s.pagerank, "{:.3f}"),
        ):
            t = Table("#", "entity", "type", name, title=f"top {args.top} by {name}", header_style="bold")
            for i, (n, v) in enumerate(top(scores), 1):
                t.add_row(str(i), safe(label[n]), kind[n], fmt.format(v))
            output.print_table(out, t)
        t = Table("#", "size", "members", title="communities", header_style="bold")
        for c in sorted(comms)[: args.top]:
            members = sorted(comms[c], key=lambda n: -s.degree.get(n, 0))
            t.add_row(
                str(c),
                str(len(members)),
                safe("、".join(label[n] for n in members[:8]) + (" …" if len(members) > 8 else "")),
            )
        output.print_table(out, t)
    if args.write:
        _console(stderr=True).print(
            safe(f"scores stored for {where} (kg:degree, kg:pagerank, kg:betweenness, kg:community)")
        )
    return 0


COMMANDS = {
    "build": cmd_build,
    "query": cmd_query,
    "extract": cmd_extract,
    "explain": cmd_explain,
    "eval": cmd_eval,
    "rules": cmd_rules,
    "viz": cmd_viz,
    "stats": cmd_stats,
    "push": cmd_push,
    "show": cmd_show,
    "validate": cmd_validate,
    "changes": cmd_changes,
    "export": cmd_export,
    "serve": cmd_serve,
}


def main(argv: list[str] | None = None) -> int:
    ap = _parser()
    args = ap.parse_args(argv)
    output.WIDTH = args.width if args.width and args.width > 0 else None
    if not args.command:
        ap.print_help()
        return 2
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"kg: error: {visible(str(exc))}", file=sys.stderr)
        return 2
    except KgError as exc:
        print(f"kg: error: {visible(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("kg: interrupted; nothing was changed", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # an internal error: one line unless --debug
        if args.debug:
            raise
        print(
            f"kg: internal error: {type(exc).__name__}: {visible(str(exc))} (run with --debug for details)",
            file=sys.stderr,
        )
        return 70
