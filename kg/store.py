"""Where a built graph lives: an on-disk Oxigraph store in OUTDIR, plus exports.

OUTDIR/store -> stores/N   the current generation (a symlink, replaced atomically)
OUTDIR/stores/N/db/        pyoxigraph (RocksDB): each document's facts in its own named
                           graph; the default graph is their union (each triple once),
                           kept up to date incrementally; the ontology has a graph too.
OUTDIR/stores/N/manifest.json  document id → content hash, and the rules' fingerprint.
OUTDIR/stores/N/chunks/    each document's facts as Turtle statements (hard links across
                           generations): graph.ttl is their concatenation, so a build that
                           adds one page writes one chunk, not the whole graph again.
OUTDIR/graph.ttl           the default graph as Turtle (deterministic), the export.
OUTDIR/graph.html          the network page.
A build works on a new generation (a RocksDB checkpoint of the current one: hard links,
no copy) and switches the symlink only when it is complete, so a build killed half-way
leaves the previous generation in place. Files are written to a temporary name and
renamed; a lock refuses two builds at once.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable

from rdflib import BNode, Graph, Literal, URIRef

from .errors import KgError, UsageError

GRAPH_FILE = "graph.ttl"
PAGE_FILE = "graph.html"
STORE_DIR = "store"          # the symlink to the current generation
GENERATIONS = "stores"
DB = "db"
MANIFEST = "manifest.json"
CHUNKS = "chunks"
UPDATED = "updated"          # a marker: SPARQL Update wrote triples no document states
EVIDENCE = "evidence.json"   # the page's evidence per edge, reused where no document changed it
LOCK = ".kg.lock"
GRAPH_BASE = "https://kg.example.org/graph/"
DOC_BASE = "https://kg.example.org/document/"
ASSERTION_BASE = "https://kg.example.org/assertion/"
PRIVATE_BASES = (ASSERTION_BASE, DOC_BASE)   # subjects one document owns


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it into place."""
    atomic_write_parts(path, [data])


def atomic_write_parts(path: Path, parts: list) -> None:
    """Write bytes and the contents of files, in order, to a temporary file beside
    ``path`` and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as f:
            for part in parts:
                if isinstance(part, bytes):
                    f.write(part)
                else:
                    with open(part, "rb") as src:
                        shutil.copyfileobj(src, f, 1 << 20)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class BuildLock:
    """An exclusive lock on OUTDIR: a second build into it is refused, not interleaved."""

    def __init__(self, outdir: Path):
        self.path = outdir / LOCK
        self.fd: int | None = None

    def __enter__(self) -> "BuildLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            self.fd = None
            raise KgError(f"{self.path.parent}: another kg build is writing here; wait for it to finish") from None
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)


def graph_path(outdir: str | Path) -> Path:
    p = Path(outdir)
    if p.is_file():
        return p
    g = p / GRAPH_FILE
    if not g.exists():
        raise UsageError(f"{outdir}: no graph here (expected {g}); run `kg build SOURCE -o {outdir}` first")
    return g


def has_store(outdir: str | Path) -> bool:
    return (Path(outdir) / STORE_DIR / DB).is_dir() and (Path(outdir) / STORE_DIR / MANIFEST).is_file()


def current_generation(outdir: Path) -> int | None:
    link = outdir / STORE_DIR
    if not link.is_symlink():
        return None
    try:
        return int(Path(os.readlink(link)).name)
    except ValueError:
        return None


def switch_generation(outdir: Path, gen: int) -> None:
    """Point OUTDIR/store at generation ``gen`` in one atomic rename."""
    tmp = outdir / f".{STORE_DIR}.{gen}.tmp"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(f"{GENERATIONS}/{gen}", tmp)
    os.replace(tmp, outdir / STORE_DIR)


def load_graph(outdir: str | Path) -> Graph:
    """The graph as an rdflib Graph: from the store when there is one, else from Turtle."""
    p = Path(outdir)
    if p.is_dir() and has_store(p):
        return OxStore.open(p, read_only=True).to_rdflib()
    path = graph_path(outdir)
    g = Graph()
    try:
        g.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many kinds of parse errors
        raise KgError(f"{path}: not a readable Turtle graph ({type(exc).__name__})") from None
    return g


# ---- pyoxigraph <-> rdflib terms -----------------------------------------------------
_TERMS: dict = {}


def to_rdflib(term):
    """An rdflib term for an Oxigraph term; repeated terms (labels, rules, documents) are
    converted once."""
    if term is None:
        return None
    hit = _TERMS.get(term)
    if hit is not None:
        return hit
    out = _convert(term)
    if len(_TERMS) > 200_000:
        _TERMS.clear()
    _TERMS[term] = out
    return out


def _convert(term):
    import pyoxigraph as ox
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value if term.datatype else None
        if dt == "http://www.w3.org/2001/XMLSchema#string":
            dt = None
        return Literal(term.value, datatype=URIRef(dt) if dt else None)
    return Literal(str(term))


class OxStore:
    """The on-disk store of one OUTDIR."""

    def __init__(self, store, home: Path):
        self.ox = store
        self.home = home          # the generation folder: db/ and manifest.json

    @classmethod
    def open(cls, outdir: str | Path, read_only: bool = False) -> "OxStore":
        """The current generation of OUTDIR's store."""
        home = (Path(outdir) / STORE_DIR).resolve()
        return cls.open_at(home, read_only)

    @classmethod
    def open_at(cls, home: Path, read_only: bool = False) -> "OxStore":
        import pyoxigraph as ox
        path = home / DB
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
        except OSError as exc:
            raise KgError(f"{path}: cannot open the graph store ({str(exc).splitlines()[0][:120]})") from None
        return cls(store, home)

    def checkpoint(self, target: Path) -> None:
        """A consistent copy of this store at ``target`` (RocksDB hard links; the Turtle
        chunks hard-linked too: a chunk is replaced by a new file, never changed in place)."""
        target.mkdir(parents=True, exist_ok=True)
        self.ox.flush()
        self.ox.backup(str(target / DB))
        for name in (MANIFEST, UPDATED):
            if (self.home / name).exists():
                shutil.copyfile(self.home / name, target / name)
        if (self.home / CHUNKS).is_dir():
            (target / CHUNKS).mkdir(exist_ok=True)
            for f in (self.home / CHUNKS).iterdir():
                os.link(f, target / CHUNKS / f.name)

    # ---- Turtle chunks -------------------------------------------------------------
    def chunk_path(self, graph_iri: str) -> Path:
        import hashlib
        return self.home / CHUNKS / (hashlib.sha1(graph_iri.encode("utf-8")).hexdigest() + ".ttl")

    def write_chunk(self, graph_iri: str, body: bytes) -> None:
        path = self.chunk_path(graph_iri)
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(body)
        os.replace(tmp, path)     # a new inode: the previous generation's link keeps its bytes

    def drop_chunk(self, graph_iri: str) -> None:
        self.chunk_path(graph_iri).unlink(missing_ok=True)

    def mark_updated(self) -> None:
        (self.home / UPDATED).write_text("graph.ttl is dumped from the store\n", encoding="utf-8")
        (self.home / EVIDENCE).unlink(missing_ok=True)    # it may no longer be the store's

    def relation_subjects(self, graph_iri: str) -> set[str]:
        """The entities whose relations a document states, read from its named graph."""
        import pyoxigraph as ox
        from .rdf import RELATION_IRIS
        return {q.subject.value for q in self.ox.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri))
                if q.predicate.value in RELATION_IRIS}

    def export_turtle(self, path: Path, graph_iris: list[str]) -> None:
        """Write graph.ttl: the prefixes, then the chunks of ``graph_iris`` in that order;
        the whole default graph dumped from the store when a chunk is missing or SPARQL
        Update changed the store."""
        chunks = [self.chunk_path(g) for g in graph_iris]
        if (self.home / UPDATED).exists() or not all(c.exists() for c in chunks):
            atomic_write(path, self.turtle())
            return
        from .turtle import header
        atomic_write_parts(path, [header()] + chunks)

    def close(self) -> None:
        self.ox = None

    # ---- manifest ----------------------------------------------------------------
    def manifest(self) -> dict:
        p = self.home / MANIFEST
        if not p.exists():
            return {"version": 1, "rules": "", "documents": {}}
        try:
            return json.loads(p.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            raise KgError(f"{p}: the build manifest is damaged; delete that folder and build again") from None

    def save_manifest(self, manifest: dict) -> None:
        atomic_write(self.home / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1,
                                                        sort_keys=True).encode("utf-8"))

    # ---- per-document graphs -------------------------------------------------------
    @staticmethod
    def graph_iri(doc_id: str) -> str:
        from .rdf import iri_safe
        return GRAPH_BASE + iri_safe(doc_id)

    # Facts about an assertion, a document or its articles and sentences belong to that one document
    # (their IRIs name it): they live in the default graph only. Facts other documents may
    # state too (an entity's type and names, a relation, a rule) are also kept in the
    # document's named graph, which tells whether another document still states them.
    @staticmethod
    def _private(subject_iri: str) -> bool:
        return subject_iri.startswith(PRIVATE_BASES)

    def _shared_triples(self, graph_iri: str) -> set:
        import pyoxigraph as ox
        return {(q.subject, q.predicate, q.object) for q in
                self.ox.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri))}

    def _private_triples(self, graph_iri: str) -> set:
        """The default graph's facts about the document itself and what it owns: its articles
        and sentences (derived from it) and the assertions made from its sentences."""
        import pyoxigraph as ox
        from .rdf import KG, PROV
        dg = ox.DefaultGraph()
        doc = ox.NamedNode(DOC_BASE + graph_iri[len(GRAPH_BASE):])
        parts = {q.subject for q in self.ox.quads_for_pattern(None, ox.NamedNode(str(PROV.wasDerivedFrom)), doc, dg)
                 if isinstance(q.subject, ox.NamedNode) and self._private(q.subject.value)}
        said = ox.NamedNode(str(KG.sentence))
        assertions = {q.subject for part in parts for q in self.ox.quads_for_pattern(None, said, part, dg)}
        return {(q.subject, q.predicate, q.object) for s in {doc} | parts | assertions
                for q in self.ox.quads_for_pattern(s, None, None, dg)}

    def document_triples(self, graph_iri: str) -> set:
        """Everything one document states (a store built before private facts left the named
        graphs has them in both places: the union is the same)."""
        return self._shared_triples(graph_iri) | self._private_triples(graph_iri)

    def replace_document(self, graph_iri: str, ntriples: bytes) -> None:
        """Put one document's facts in the store in place of what it stated before."""
        import pyoxigraph as ox
        g = ox.NamedNode(graph_iri)
        new = {(t.subject, t.predicate, t.object) for t in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)}
        old = self.document_triples(graph_iri)
        added, removed = new - old, old - new
        self.ox.extend([ox.Quad(s, p, o, g) for s, p, o in added if not self._private(s.value)] +
                       [ox.Quad(s, p, o, ox.DefaultGraph()) for s, p, o in added])
        for s, p, o in removed:
            self.ox.remove(ox.Quad(s, p, o, g))
            self._forget(s, p, o)

    def add_new_documents(self, docs: list[tuple[str, bytes]]) -> None:
        """Load the facts of documents the store has never held, in one bulk load: each
        document's N-Triples go to the default graph, the shared ones also to its named graph
        (as N-Quads). (In N-Triples " .\n" only ends a line: newlines in literals are escaped.)"""
        import pyoxigraph as ox
        chunks = []
        private = tuple(b"<" + p.encode("utf-8") for p in PRIVATE_BASES)
        for graph_iri, ntriples in docs:
            chunks.append(ntriples)
            shared = b"".join(line for line in ntriples.splitlines(keepends=True) if not line.startswith(private))
            chunks.append(shared.replace(b" .\n", f" <{graph_iri}> .\n".encode("utf-8")))
        data = b"".join(chunks)
        if data:
            self.ox.bulk_load(data, format=ox.RdfFormat.N_QUADS, lenient=True)  # our own N-Triples

    def drop_document(self, graph_iri: str) -> None:
        import pyoxigraph as ox
        for s, p, o in self.document_triples(graph_iri):
            self.ox.remove(ox.Quad(s, p, o, ox.NamedNode(graph_iri)))
            self._forget(s, p, o)
        if self.ox.contains_named_graph(ox.NamedNode(graph_iri)):
            self.ox.remove_graph(ox.NamedNode(graph_iri))

    def _forget(self, s, p, o) -> None:
        """Remove a triple from the default graph unless another document still states it."""
        import pyoxigraph as ox
        if not any(not isinstance(q.graph_name, ox.DefaultGraph) for q in self.ox.quads_for_pattern(s, p, o, None)):
            self.ox.remove(ox.Quad(s, p, o, ox.DefaultGraph()))

    def documents(self) -> Iterable:
        """(named graph, every fact its document states, sorted), graph by graph."""
        for g in sorted(self.ox.named_graphs(), key=lambda g: g.value):
            yield g, sorted(self.document_triples(g.value), key=str)

    def dataset(self) -> Iterable:
        """The default graph, then each document's facts as its named graph, as quads."""
        import pyoxigraph as ox
        yield from self.ox.quads_for_pattern(None, None, None, ox.DefaultGraph())
        for g, triples in self.documents():
            yield from (ox.Quad(s, p, o, g) for s, p, o in triples)

    # ---- reading -----------------------------------------------------------------
    def default_triples(self) -> Iterable:
        import pyoxigraph as ox
        return ((q.subject, q.predicate, q.object) for q in
                self.ox.quads_for_pattern(None, None, None, ox.DefaultGraph()))

    def turtle(self) -> bytes:
        """The default graph as Turtle. Oxigraph writes in its index order, which depends
        only on the triples, so the same graph gives the same bytes."""
        import pyoxigraph as ox

        from .turtle import PREFIXES
        return self.ox.dump(format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(), prefixes=PREFIXES)

    def to_rdflib(self) -> Graph:
        g = Graph()
        for s, p, o in self.default_triples():
            g.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
        return g
