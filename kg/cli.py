"""The `kg` command: a thin shell over the library."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .errors import KgError

EXAMPLES = {
    "build": "kg build seeds/ -o build/\n  kg build archive/ more.jsonl -o build/ --rules my_rules.yaml",
    "query": "kg query queries/companies_by_zone.rq -g build/\n"
             "  kg query 'SELECT ?s WHERE { ?s a kg:Company }' -g build/ --format csv",
    "extract": "kg extract seeds/000_ec529398d460bb70.txt -o mentions.jsonl\n"
               "  kg extract ../shared/benchmarks/cluener2020.dev.jsonl -o p.jsonl",
}


def _console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="kg", description="Build an RDF knowledge graph from Chinese regional news pages.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  " + "\n  ".join(EXAMPLES.values()))
    ap.add_argument("--debug", action="store_true", help="show a traceback on internal errors")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")

    def cmd(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text,
                              epilog="example:\n  " + EXAMPLES.get(name, ""),
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    b = cmd("build", "build the graph (graph.ttl and graph.html) from .txt files, folders and .jsonl files")
    b.add_argument("sources", nargs="+", metavar="SOURCE")
    b.add_argument("-o", "--out", required=True, metavar="OUTDIR", help="folder for graph.ttl and graph.html")
    b.add_argument("--rules", action="append", default=[], metavar="FILE", help="an extra rule file (YAML)")
    b.add_argument("--strict", action="store_true", help="fail if any input is skipped")
    b.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    b.add_argument("--json", action="store_true", help="print the summary as JSON")

    qp = cmd("query", "run a SPARQL query (.rq file or string) against a built graph")
    qp.add_argument("query", metavar="QUERY")
    qp.add_argument("-g", "--graph", required=True, metavar="OUTDIR", help="a folder made by kg build, or a .ttl file")
    qp.add_argument("--format", choices=["table", "csv", "tsv", "json"], default="table")

    e = cmd("extract", "write entity and relation mentions as JSON Lines, offsets into each raw text")
    e.add_argument("inputs", nargs="+", metavar="INPUT")
    e.add_argument("-o", "--out", required=True, metavar="OUT.jsonl")
    e.add_argument("--rules", action="append", default=[], metavar="FILE")
    e.add_argument("--nested", action="store_true", help="also list names nested in longer names")
    e.add_argument("-q", "--quiet", action="store_true")
    return ap


# ---- build -----------------------------------------------------------------------
def cmd_build(args) -> int:
    from .graph import KnowledgeGraph
    from .reader import expand

    err = _console(stderr=True)
    out = _console()
    expand(args.sources)  # fails early, with one line, on a missing source
    show = not args.quiet and not args.json and err.is_terminal
    if show:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        prog = Progress(TextColumn("building"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        TextColumn("{task.description}"), console=err, transient=True)
        with prog:
            task = prog.add_task("", total=None)
            kg = KnowledgeGraph.build(args.sources, args.rules,
                                      progress=lambda d: prog.update(task, advance=1, description=d.id[:40]))
    else:
        kg = KnowledgeGraph.build(args.sources, args.rules)
    s = kg.summary
    for sk in s.skipped:
        err.print(f"[yellow]skipped[/] {sk.reason}", markup=True)
    if args.strict and s.skipped:
        raise KgError(f"{len(s.skipped)} input(s) skipped and --strict given; nothing written")
    if s.documents == 0:
        raise KgError("no documents to build from (no .txt or .jsonl files in the sources)")
    path = kg.save(args.out)
    if args.json:
        print(json.dumps({"documents": s.documents, "articles": s.articles, "entities": dict(s.entities),
                          "relations": dict(s.relations), "skipped": len(s.skipped), "triples": s.triples,
                          "seconds": round(s.seconds, 3), "graph": str(path)}, ensure_ascii=False))
    elif not args.quiet:
        print_summary(out, s, path)
    return 0


def print_summary(out: Console, s, path: Path) -> None:
    t = Table(title=f"kg build → {path.parent}", show_header=True, header_style="bold")
    t.add_column("what")
    t.add_column("count", justify="right")
    t.add_row("documents", str(s.documents))
    t.add_row("articles", str(s.articles))
    for k, v in s.entities.items():
        t.add_row(f"[cyan]entity[/] {k}", str(v))
    for k, v in s.relations.items():
        t.add_row(f"[green]relation[/] {k}", str(v))
    t.add_row("skipped inputs", str(len(s.skipped)))
    t.add_row("triples", str(s.triples))
    t.add_row("time", f"{s.seconds:.2f} s")
    out.print(t)


# ---- query -----------------------------------------------------------------------
def cmd_query(args) -> int:
    from . import query as q
    from .store import load_graph

    text = q.read_query(args.query)
    res = q.run(load_graph(args.graph), text)
    if res.kind == "CONSTRUCT":
        sys.stdout.write(q.render(res, "turtle"))
    elif args.format != "table":
        sys.stdout.write(q.render(res, args.format))
    else:
        print_table(_console(), res)
    return 0


def print_table(out: Console, res) -> None:
    from .query import term_text
    if res.kind == "ASK":
        out.print("yes" if res.answer else "no")
        return
    t = Table(show_header=True, header_style="bold cyan", show_lines=False)
    for v in res.vars:
        t.add_column(v, overflow="fold")
    for row in res.rows:
        t.add_row(*[term_text(x) for x in row])
    out.print(t)
    out.print(f"[dim]{len(res.rows)} row(s)[/]")


# ---- extract ---------------------------------------------------------------------
def cmd_extract(args) -> int:
    from .extract import dumps
    from .pipeline import extractor
    from .reader import ReadReport, read_sources
    from .store import atomic_write

    ex = extractor(args.rules)
    report = ReadReport()
    lines = [dumps(ex.process(doc), args.nested) for doc in read_sources(args.inputs, report)]
    for sk in report.skipped:
        _console(stderr=True).print(f"skipped {sk.reason}")
    atomic_write(Path(args.out), ("\n".join(lines) + "\n").encode("utf-8") if lines else b"")
    if not args.quiet:
        _console(stderr=True).print(f"{len(lines)} document(s) → {args.out}")
    return 0


COMMANDS = {"build": cmd_build, "query": cmd_query, "extract": cmd_extract}


def main(argv: list[str] | None = None) -> int:
    ap = _parser()
    args = ap.parse_args(argv)
    if not args.command:
        ap.print_help()
        return 2
    try:
        return COMMANDS[args.command](args)
    except KgError as exc:
        print(f"kg: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("kg: interrupted; nothing was changed", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # an internal error: one line unless --debug
        if args.debug:
            raise
        print(f"kg: internal error: {type(exc).__name__}: {exc} (run with --debug for details)", file=sys.stderr)
        return 70
