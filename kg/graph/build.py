"""Build into OUTDIR incrementally: extract new and changed documents (in parallel),
replace their named graphs in the store, prune removed ones, export Turtle and HTML."""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import os
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from .. import faults
from ..errors import KgError
from ..model import RELATIONS, TYPES, Document
from ..text.reader import ReadReport, dated, read_sources
from .store import (
    EVIDENCE,
    GRAPH_FILE,
    HISTORY,
    HISTORY_GRAPH,
    LAYOUT_FILE,
    ONTOLOGY_GRAPH,
    PAGE_FILE,
    BuildLock,
    NewGeneration,
    OxStore,
    atomic_write,
    atomic_write_parts,
    claim_outdir,
    current_generation,
    exports_linked,
    has_store,
    remove_old_generations,
)

MAX_PAGE_NODES = 3000
LOAD_BATCH_BYTES = 16_000_000


@dataclass
class BuildReport:
    documents: int = 0  # documents given
    extracted: int = 0  # new or changed, extracted this time
    unchanged: int = 0  # skipped by content hash
    pruned: int = 0  # dropped with --prune
    articles: int = 0
    entities: Counter = field(default_factory=Counter)  # by type: an entity of two types counts in both
    entity_total: int = 0  # entities, each once (what kg stats and kg viz count)
    relations: Counter = field(default_factory=Counter)
    skipped: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    triples: int = 0
    seconds: float = 0.0
    workers: int = 1


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hash(doc: Document) -> str:
    """What decides whether a document is extracted again: its text, and its date if it has one."""
    return sha256(doc.raw + (f"\0{doc.date}" if doc.date else ""))


def rules_fingerprint(rules: list[str] | None) -> str:
    from .. import __version__
    from ..rules.load import builtin_files
    from .rdf import MODEL

    h = hashlib.sha256(f"{__version__}/{MODEL}".encode())
    for _, text in builtin_files():
        h.update(text.encode("utf-8"))
    for path in rules or []:
        h.update(Path(path).read_bytes())
    return h.hexdigest()


# ---- extraction of one document (runs in workers) -------------------------------------
_RULES: list[str] | None = None


def _init_worker(rules: list[str] | None) -> None:
    global _RULES
    _RULES = rules
    _die_with_parent()


def _die_with_parent() -> None:
    """A worker is killed when the build that forked it dies (Linux), not left running."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def document_ntriples(doc: Document, rules: list[str] | None = None) -> tuple[str, bytes, int, bytes, dict]:
    """(document id, its facts as N-Triples, number of articles, the same as a Turtle chunk,
    what the build history needs of it)."""
    from ..extract.pipeline import Corpus, extractor
    from .history import document_facts
    from .rdf import ntriples
    from .turtle import body

    ex = extractor(rules if rules is not None else _RULES)
    res = ex.process(doc)
    facts = document_facts(res)
    corpus = Corpus()
    corpus.add(res)
    nt = ntriples(corpus)  # the rule nodes are the build's, in the ontology graph
    return doc.id, nt, len(res.articles), body(nt), facts


def _extract(
    docs: list[Document], rules: list[str] | None, workers: int, dask: str | None
) -> Iterator[tuple[str, bytes, int, bytes, dict]]:
    if dask:
        yield from _extract_dask(docs, rules, dask)
    elif workers <= 1 or len(docs) < 4:
        for d in docs:
            yield document_ntriples(d, rules)
    else:
        from ..extract.pipeline import extractor

        extractor(rules)  # built once, before the fork: the workers share it copy-on-write
        ctx = mp.get_context("fork")
        with ctx.Pool(workers, initializer=_init_worker, initargs=(rules,)) as pool:
            yield from pool.imap(document_ntriples, docs, chunksize=max(1, min(16, len(docs) // (workers * 8))))


def _extract_dask(docs: list[Document], rules: list[str] | None, address: str):
    try:
        from dask.distributed import Client
    except ImportError:
        raise KgError("--dask needs the dask.distributed package (pip install 'kg[dask]')") from None
    try:
        client = Client(address, timeout=10)
    except (OSError, TimeoutError) as exc:
        raise KgError(f"cannot reach the Dask scheduler at {address} ({exc})") from None
    try:
        futures = client.map(document_ntriples, docs, rules=rules, pure=False)
        for fut in futures:
            yield fut.result()
    finally:
        client.close()


# ---- the build ------------------------------------------------------------------------
def build(
    sources: list[str],
    outdir: str | Path,
    rules: list[str] | None = None,
    workers: int | None = None,
    prune: bool = False,
    dask: str | None = None,
    strict: bool = False,
    progress: Callable[[str], None] | None = None,
    page: bool = True,
    max_bytes: int = 20_000_000,
    prune_all: bool = False,
    date: str | None = None,
) -> BuildReport:
    t0 = time.perf_counter()
    out = Path(outdir)
    rep = BuildReport(workers=workers or os.cpu_count() or 1)
    read = ReadReport()
    docs = [dated(d, date) for d in read_sources(sources, read, max_bytes)]
    rep.skipped = read.skipped
    rep.warnings = read.warnings
    if strict and read.skipped:
        more = f" and {len(read.skipped) - 1} more" if len(read.skipped) > 1 else ""
        raise KgError(f"{read.skipped[0].reason}{more}; skipped inputs with --strict: nothing written")
    _check_ids(docs)
    if not docs and not prune:
        raise KgError("no documents to build from (no readable .txt or .jsonl files in the sources)")
    rep.documents = len(docs)
    claim_outdir(out)
    with BuildLock(out):
        current = OxStore.open(out, read_only=True) if has_store(out) else None
        manifest: dict = current.manifest() if current is not None else {"version": 1, "rules": "", "documents": {}}
        fingerprint = rules_fingerprint(rules)
        known = manifest["documents"] if manifest.get("rules") == fingerprint else {}
        todo = [d for d in docs if known.get(d.id, {}).get("sha256") != content_hash(d)]
        rep.unchanged = len(docs) - len(todo)
        entries = dict(manifest["documents"])
        gone = sorted(set(entries) - {d.id for d in docs}) if prune else []
        if gone and len(gone) == len(entries) and not prune_all:
            assert current is not None  # the entries are its manifest's
            current.close()
            raise KgError(
                f"--prune would drop all {len(gone)} documents of {out} (none of them is among the "
                f"sources); add --prune-all to confirm"
            )
        if not todo and not gone and current is not None and "summary" in manifest and exports_linked(out, page):
            current.close()
            remove_old_generations(out, current_generation(out))  # left by a build killed after its switch
            _restore_summary(rep, manifest["summary"])
            rep.seconds = time.perf_counter() - t0
            return rep
        cache = _read_evidence(current.home / EVIDENCE) if current is not None and page else None
        touched: set[str] | None = set() if cache is not None else None  # entities whose relations changed
        layout = read_layout(out / LAYOUT_FILE)
        with NewGeneration(out, current) as new:
            store = new.store
            changed: dict[str, dict | None] = {}
            _apply(store, todo, rules, rep, dask, entries, progress, touched, changed)
            for doc_id in gone:
                changed[doc_id] = None
                if touched is not None:
                    touched |= store.relation_subjects(store.graph_iri(doc_id))
                store.drop_document(store.graph_iri(doc_id))
                store.drop_chunk(store.graph_iri(doc_id))
                del entries[doc_id]
                rep.pruned += 1
            if manifest.get("rules") != fingerprint or not store.chunk_path(ONTOLOGY_GRAPH).exists():
                _ontology(store, rules)  # the same rules state the same rule nodes
            _missing_chunks(store, entries)
            store.forget_scores_of_gone_entities()
            brought = _record_history(store, new.gen, changed)
            changed.clear()  # the texts and facts are in the store now: their memory serves the exports
            docs.clear()
            todo.clear()
            store.ox.flush()
            title = f"kg — {out.name}"
            _export(store, new.home, entries, rep, title, layout if page else None, cache, touched, page, brought)
            store.save_manifest(
                {
                    "version": 1,
                    "rules": fingerprint,
                    "documents": entries,
                    "summary": {
                        "entities": dict(rep.entities),
                        "entity_total": rep.entity_total,
                        "relations": dict(rep.relations),
                        "articles": rep.articles,
                        "triples": rep.triples,
                    },
                }
            )
            new.commit()
    rep.seconds = time.perf_counter() - t0
    return rep


def _record_history(store: OxStore, build_number: int, changed: dict) -> set[str]:
    """What this build added and removed (history.json, for kg changes) and the history graph
    (its own named graph: a build's graph.ttl is the same however many builds made it), from
    the facts of the documents extracted (``changed``; None for one pruned). The names of
    the entities it brought (none on a first build, where all are new)."""
    from datetime import datetime, timezone

    from . import history
    from .rdf import _entity, _iri, _lit

    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")  # Oxigraph's own form: compared as stored
    h, moved = history.advance(history.read(store.home / HISTORY), changed, build_number, now)
    add, remove, drop = history.graph_changes(h, moved, lambda n: _iri(_entity(n)), lambda t: _lit(t, "zh"))
    store.change_named_graph(HISTORY_GRAPH, add, remove, drop)
    atomic_write_parts(store.home / HISTORY, history.dump_parts(h))
    if len(h.builds) < 2:
        return set()
    return {n for n, b in h.first.get("entities", {}).items() if b == build_number}


def write_scores(outdir: str | Path):
    """Compute the graph's scores and store them, under the build lock: in the store's
    analytics graph (so every export, kg serve and later builds have them until they are
    recomputed), or in graph.ttl where there is no store. (graph, stats, where)."""
    from . import analytics
    from .store import ANALYTICS_GRAPH, graph_path, load_graph, require_outdir

    out = Path(outdir)
    if not has_store(out):
        if out.is_dir():
            require_outdir(out, store=False)
        path = graph_path(out)
        with BuildLock(path.parent):
            g = load_graph(out)
            G = analytics.to_networkx(g)
            stats = analytics.compute(G)
            analytics.write_scores(g, stats)
            atomic_write(path, g.serialize(format="turtle", encoding="utf-8"))
        return G, stats, path
    require_outdir(out)
    with BuildLock(out):
        current = OxStore.open(out, read_only=True)
        G = analytics.to_networkx(current.to_rdflib())
        stats = analytics.compute(G)
        manifest = current.manifest()
        with NewGeneration(out, current, keep_exports=True) as new:
            new.store.replace_graph(ANALYTICS_GRAPH, analytics.score_ntriples(stats))
            new.store.ox.flush()
            new.store.export_turtle(new.home / GRAPH_FILE, new.store.export_graphs(sorted(manifest["documents"])))
            if "summary" in manifest:
                manifest["summary"]["triples"] = _count(new.store)
                new.store.save_manifest(manifest)
            new.commit()
    return G, stats, out / GRAPH_FILE


def _count(store: OxStore) -> int:
    return int(next(iter(store.ox.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))[0].value)


def _export(
    store: OxStore,
    home: Path,
    entries: dict,
    rep: BuildReport,
    title: str,
    layout,
    cache,
    touched,
    page: bool,
    brought: set[str] | None = None,
) -> None:
    """graph.ttl, the counts and the page, into the new generation; the export and the counts
    run while the page is drawn (Oxigraph queries release the GIL)."""
    with ThreadPoolExecutor(2) as pool:
        turtle = pool.submit(store.export_turtle, home / GRAPH_FILE, store.export_graphs(sorted(entries)))
        counts = pool.submit(_summarise, store, rep, entries)
        if page:
            write_page(store, home, title, layout, cache, touched, brought)
        counts.result()
        turtle.result()


def _apply(
    store: OxStore,
    todo: list[Document],
    rules,
    rep: BuildReport,
    dask,
    entries: dict,
    progress,
    touched: set[str] | None = None,
    changed: dict | None = None,
) -> None:
    """Extract the documents and put their facts in the store (new ones in bulk, loaded
    beside the extraction); add to ``touched`` the entities whose relations they change, and
    to ``changed`` each document's facts for the history."""
    changed = {} if changed is None else changed
    from .rdf import relation_subjects

    hashes = {d.id: content_hash(d) for d in todo}
    batch: list[tuple[str, bytes]] = []
    size = 0
    with _Loader(store) as loader:
        for doc_id, nt, n_articles, chunk, facts in _extract(todo, rules, rep.workers, dask):
            changed[doc_id] = facts
            store.write_chunk(store.graph_iri(doc_id), chunk)
            if touched is not None:
                touched |= relation_subjects(nt)
            if doc_id in entries:
                if touched is not None:
                    touched |= store.relation_subjects(store.graph_iri(doc_id))
                store.replace_document(store.graph_iri(doc_id), nt)
            else:
                batch.append((store.graph_iri(doc_id), nt))
                size += len(nt)
                if size >= LOAD_BATCH_BYTES:  # the bulk loader's memory grows with its input
                    loader.load(batch)
                    batch, size = [], 0
            entries[doc_id] = {"sha256": hashes[doc_id], "articles": n_articles}
            rep.extracted += 1
            if progress:
                progress(doc_id)
            faults.point("extracted")
        loader.load(batch)


class _Loader:
    """Bulk loads in a background thread, one batch at a time: Oxigraph's loader releases
    the GIL, so extraction goes on while a batch loads, and at most two batches are held."""

    def __init__(self, store: OxStore):
        self.store = store
        self.pool = ThreadPoolExecutor(1)
        self.pending: Future[None] | None = None

    def load(self, batch: list[tuple[str, bytes]]) -> None:
        self.wait()
        self.pending = self.pool.submit(self.store.add_new_documents, batch)

    def wait(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pending.result()

    def __enter__(self) -> "_Loader":
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.wait()  # a failed extraction still waits for the batch being loaded
        finally:
            self.pool.shutdown()


def _missing_chunks(store: OxStore, entries: dict) -> None:
    """A store built before chunks existed gets them from its facts, once."""
    from .turtle import body

    for doc_id in entries:
        g = store.graph_iri(doc_id)
        if not store.chunk_path(g).exists():
            nt = sorted(f"{s} {p} {o} .\n" for s, p, o in store.document_triples(g))
            store.write_chunk(g, body("".join(nt).encode("utf-8")))


def _check_ids(docs: list[Document]) -> None:
    seen: dict[str, str] = {}
    for d in docs:
        if d.id in seen and seen[d.id] != d.source:
            raise KgError(f"two inputs have the id {d.id!r} ({seen[d.id]} and {d.source}); rename one")
        seen[d.id] = d.source


def _ontology(store: OxStore, rules: list[str] | None) -> None:
    """The ontology and a node for every rule, in one graph of their own."""
    from ..rules.load import load_rules
    from .rdf import ontology, rule_triples

    nt = ontology().serialize(format="nt", encoding="utf-8")
    lines = {line + b"\n" for line in nt.splitlines() if line.strip()}
    lines |= {line.encode("utf-8") for line in rule_triples(load_rules(rules))}
    nt = b"".join(sorted(lines))
    store.replace_graph(ONTOLOGY_GRAPH, nt)


def _restore_summary(rep: BuildReport, summary: dict) -> None:
    rep.entities = Counter(summary["entities"])
    rep.entity_total = summary.get("entity_total", 0)
    rep.relations = Counter(summary["relations"])
    rep.articles = summary["articles"]
    rep.triples = summary["triples"]


def _summarise(store: OxStore, rep: BuildReport, entries: dict) -> None:
    """Counts of entities by type and relations by kind, in two grouped scans."""
    kg = "https://kg.example.org/ontology#"
    types = " ".join(f"<{kg}{t}>" for t in TYPES)
    rows = store.ox.query(
        f"SELECT ?t (COUNT(DISTINCT ?s) AS ?n) WHERE {{ VALUES ?t {{ {types} }} ?s a ?t }} GROUP BY ?t"
    )
    found = {r[0].value[len(kg) :]: int(r[1].value) for r in rows}
    for t in TYPES:
        rep.entities[t] = found.get(t, 0)
    rows = store.ox.query(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ VALUES ?t {{ {types} }} ?s a ?t }}")
    rep.entity_total = next((int(r[0].value) for r in rows), 0)
    preds = " ".join(f"<{kg}{r}>" for r in RELATIONS)
    rows = store.ox.query(f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ VALUES ?p {{ {preds} }} ?s ?p ?o }} GROUP BY ?p")
    found = {r[0].value[len(kg) :]: int(r[1].value) for r in rows}
    for r in RELATIONS:
        rep.relations[r] = found.get(r, 0)
    rep.articles = sum(e.get("articles", 0) for e in entries.values())
    rep.triples = _count(store)


def write_page(
    store: OxStore,
    home: Path,
    title: str,
    previous: dict | None = None,
    cache: dict | None = None,
    touched: set[str] | None = None,
    brought: set[str] | None = None,
) -> None:
    """The network page of the most connected entities, into the generation folder ``home``.
    Evidence of an edge is taken from ``cache`` (the previous build's) unless its subject is
    in ``touched``; nodes keep their ``previous`` positions; the entities named in ``brought``
    (by the last build) are marked new."""
    from . import analytics
    from . import page as viz

    G = analytics.store_networkx(store.ox, MAX_PAGE_NODES)
    if G.graph["entities"] > len(G):
        title += f" (the {MAX_PAGE_NODES} most connected entities; kg viz --focus for the rest)"
    wanted = {(u, k, v) for u, v, k in G.edges(keys=True)} | {
        (n, "award", a) for n, d in G.nodes(data=True) for a in d.get("awards", [])
    }
    evidence = _page_evidence(store, G, wanted, cache, touched)
    timelines = viz.store_timeline(store.ox, set(G.nodes))
    new = {n for n in G.nodes if G.nodes[n].get("label") in (brought or ())}
    page, positions = viz.render_with_positions(evidence, G, title, previous, timelines, new)
    atomic_write(home / PAGE_FILE, page.encode("utf-8"))
    atomic_write(home / LAYOUT_FILE, json.dumps(positions, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    _write_evidence(store.home / EVIDENCE, evidence)


def read_layout(path: Path) -> dict | None:
    """The node positions a previous build kept, or None when the file is missing or not
    of that shape (a damaged layout never stops a build)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return {
        k: (float(v[0]), float(v[1]))
        for k, v in data.items()
        if isinstance(v, list) and len(v) == 2 and all(isinstance(x, (int, float)) for x in v)
    }


def _page_evidence(store: OxStore, G, wanted: set, cache: dict | None, touched: set[str] | None) -> dict:
    """The evidence of the wanted edges: the cached where no document changed the subject's
    relations, the rest from the store (per edge the same either way: its first assertions)."""
    from . import page as viz

    if cache is None or touched is None:
        return viz.store_evidence(store.ox, sorted(G.nodes), wanted, viz.EVIDENCE_PER_EDGE)
    evidence = {k: v for k, v in cache.items() if k in wanted and k[0] not in touched}
    missing = wanted - evidence.keys()
    if missing:
        evidence.update(viz.store_evidence(store.ox, sorted({k[0] for k in missing}), missing, viz.EVIDENCE_PER_EDGE))
    return evidence


EVIDENCE_VERSION = 1


def _write_evidence(path: Path, evidence: dict) -> None:
    from . import page as viz

    edges = [[s, p, o, items] for (s, p, o), items in sorted(evidence.items())]
    data = {"version": EVIDENCE_VERSION, "most": viz.EVIDENCE_PER_EDGE, "edges": edges}
    atomic_write(path, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def _read_evidence(path: Path) -> dict | None:
    """The evidence a build kept for its page, or None when it is missing or of another kind."""
    from . import page as viz

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != EVIDENCE_VERSION or data.get("most") != viz.EVIDENCE_PER_EDGE:
            return None
        return {(s, p, o): items for s, p, o, items in data["edges"]}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
