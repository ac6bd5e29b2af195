"""Where a built graph lives: an on-disk Oxigraph store in OUTDIR, plus exports.

OUTDIR/.kg-outdir          the marker: kg writes only into a new or empty folder, or one it made
OUTDIR/store -> stores/N   the current generation (a symlink, replaced atomically)
OUTDIR/stores/N/db/        pyoxigraph (RocksDB): each document's facts in its own named
                           graph; the default graph is their union (each triple once),
                           kept up to date incrementally; the ontology has a graph too.
OUTDIR/stores/N/manifest.json  document id → content hash, and the rules' fingerprint.
OUTDIR/stores/N/chunks/    each document's facts as Turtle statements (hard links across
                           generations): graph.ttl is their concatenation, so a build that
                           adds one page writes one chunk, not the whole graph again.
OUTDIR/stores/N/graph.ttl, graph.html, layout.json   the exports of that generation;
OUTDIR/graph.ttl -> store/graph.ttl (and graph.html, layout.json): so the store and its
                           exports switch together, in the one rename of OUTDIR/store.
A build works on a new generation (a RocksDB checkpoint of the current one: hard links,
no copy) and switches the symlink only when it is complete, so a build killed half-way
leaves the previous generation in place; a failed one removes what it made. A reader
holds a shared lock on the generation it reads, and a build removes only old
generations nobody reads. A lock refuses two writers at once.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable

from rdflib import BNode, Graph, Literal, URIRef

from .. import faults
from ..errors import KgError, UsageError
from ..namespaces import ASSERTION_BASE, DOC_BASE, GRAPH_BASE, KG, RELATION_IRIS, iri_safe

GRAPH_FILE = "graph.ttl"
PAGE_FILE = "graph.html"
STORE_DIR = "store"  # the symlink to the current generation
GENERATIONS = "stores"
DB = "db"
MANIFEST = "manifest.json"
CHUNKS = "chunks"
UPDATED = "updated"  # a marker: SPARQL Update wrote triples no document states
EVIDENCE = "evidence.json"  # the page's evidence per edge, reused where no document changed it
LAYOUT_FILE = "layout.json"  # the page's node positions, kept for the next build
EXPORTS = (GRAPH_FILE, PAGE_FILE, LAYOUT_FILE)  # in each generation, linked from OUTDIR
LOCK = ".kg.lock"
MARKER = ".kg-outdir"
ONTOLOGY_GRAPH = GRAPH_BASE + "ontology"  # the ontology and the rules' nodes
ANALYTICS_GRAPH = GRAPH_BASE + "analytics"  # the scores kg stats --write stores
HISTORY_GRAPH = GRAPH_BASE + "history"  # the builds and the assertions each brought: in no export
HISTORY = "history.json"  # what each build added and removed (kg changes)
NAMED_GRAPH_BATCH = 2_000_000  # characters of N-Triples per bulk load of a named graph
PRIVATE_BASES = (ASSERTION_BASE, DOC_BASE)  # subjects one document owns


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it into place."""
    atomic_write_parts(path, [data])


def atomic_write_parts(path: Path, parts: Iterable) -> None:
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


_HELD: set[int] = set()  # build-lock descriptors: closed in forked children


def _close_held_in_child() -> None:
    """A forked worker must not keep OUTDIR locked when the build that forked it dies."""
    for fd in list(_HELD):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


os.register_at_fork(after_in_child=_close_held_in_child)


class BuildLock:
    """An exclusive lock on OUTDIR: a second build into it is refused, not interleaved."""

    def __init__(self, outdir: Path):
        self.path = outdir / LOCK
        self.fd: int | None = None

    def __enter__(self) -> "BuildLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            self.fd = None
            raise KgError(f"{self.path.parent}: another kg build is writing here; wait for it to finish") from None
        _HELD.add(self.fd)
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            _HELD.discard(self.fd)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)


# ---- which folders kg writes into ----------------------------------------------------
def claim_outdir(outdir: Path) -> None:
    """Make OUTDIR kg's, or refuse: kg writes only into a new or empty folder, or one it
    made (its marker, or the store layout of a build from before the marker)."""
    if outdir.exists() and not outdir.is_dir():
        raise UsageError(f"{outdir}: is a file, not a folder; give -o a folder")
    if outdir.is_dir() and not (outdir / MARKER).is_file():
        entries = sorted(p.name for p in outdir.iterdir() if p.name != LOCK)
        if entries and not _older_build(outdir):
            shown = ", ".join(entries[:3]) + (" …" if len(entries) > 3 else "")
            raise UsageError(
                f"{outdir}: not a folder kg made (it holds {shown}); give a new or empty folder, kg writes nowhere else"
            )
    outdir.mkdir(parents=True, exist_ok=True)
    if not (outdir / MARKER).is_file():
        atomic_write(outdir / MARKER, b"a folder kg build writes into: its store and its exports\n")


def require_outdir(outdir: Path, store: bool = True) -> None:
    """A folder a command changes in place (SPARQL Update, scores) must be kg's: a build
    (``store``), or a folder the library saved a graph into."""
    ours = (outdir / MARKER).is_file() or _older_build(outdir)
    if not ours or (store and not has_store(outdir)):
        raise UsageError(f"{outdir}: not a folder made by kg build")


def _older_build(outdir: Path) -> bool:
    link = outdir / STORE_DIR
    if not link.is_symlink():
        return False
    target = Path(os.readlink(link))
    return target.parent.name == GENERATIONS and target.name.isdigit() and (outdir / target / MANIFEST).is_file()


def graph_path(outdir: str | Path) -> Path:
    p = Path(outdir)
    if p.is_file():
        return p
    g = p / GRAPH_FILE
    if not g.exists():
        raise UsageError(f"{outdir}: no graph here (expected {g}); run `kg build SOURCE -o {outdir}` first")
    return g


def has_store(outdir: str | Path) -> bool:
    p = Path(outdir)
    return (p / STORE_DIR).is_symlink() and (p / STORE_DIR / DB).is_dir() and (p / STORE_DIR / MANIFEST).is_file()


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
    _symlink(outdir / STORE_DIR, f"{GENERATIONS}/{gen}")


def _symlink(path: Path, target: str) -> None:
    """``path`` becomes a symbolic link to ``target``, in one rename."""
    tmp = path.with_name(f".{path.name}.link.tmp")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(target, tmp)
    os.replace(tmp, path)


def link_exports(outdir: Path) -> None:
    """OUTDIR/graph.ttl (and the page, its layout) point into the current generation; a
    file an older build left there is replaced, a link to a file the generation lacks removed."""
    for name in EXPORTS:
        path, target = outdir / name, f"{STORE_DIR}/{name}"
        if not (outdir / STORE_DIR / name).exists():
            if path.is_symlink():
                path.unlink()
        elif not (path.is_symlink() and os.readlink(path) == target):
            _symlink(path, target)


def exports_linked(outdir: Path, page: bool) -> bool:
    """The exports are the current generation's (what a no-op build checks before it stops)."""
    names = EXPORTS if page else (GRAPH_FILE,)
    return all(
        (outdir / n).is_symlink()
        and os.readlink(outdir / n) == f"{STORE_DIR}/{n}"
        and (outdir / STORE_DIR / n).is_file()
        for n in names
    )


def remove_old_generations(outdir: Path, keep: int | None) -> None:
    """Remove the generations before ``keep`` that no reader holds (a later build removes the rest);
    ``keep`` None (OUTDIR/store names no generation) keeps none by name."""
    root = outdir / GENERATIONS
    for old in root.iterdir() if root.is_dir() else []:
        if not old.name.isdigit() or old.name == str(keep) or old.is_symlink() or not old.is_dir():
            continue
        fd = os.open(old, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # kg serve or kg query still reads it
        else:
            shutil.rmtree(old, ignore_errors=True)
        finally:
            os.close(fd)


def _hold_generation(link: Path) -> tuple[Path, int]:
    """The generation ``link`` points at, with a shared lock that keeps builds from removing it."""
    for _ in range(20):
        home = link.resolve()
        try:
            fd = os.open(home, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except FileNotFoundError:
            continue  # switched and removed between the two steps: again
        fcntl.flock(fd, fcntl.LOCK_SH)
        if (home / DB).is_dir():
            return home, fd
        os.close(fd)
    raise KgError(f"{link}: the graph store is missing; build again")


class NewGeneration:
    """The next generation of OUTDIR's store, made from the current one (or empty): a
    writer changes ``store`` and writes its exports into ``home``; ``commit`` makes it
    current in one rename. Left without commit (an error, a full disk), it is removed."""

    def __init__(self, outdir: Path, current: "OxStore | None", keep_exports: bool = False):
        self.outdir, self.current, self.keep_exports = outdir, current, keep_exports
        self.gen = (current_generation(outdir) or 0) + 1
        self.home = outdir / GENERATIONS / str(self.gen)
        self._store: OxStore | None = None
        self.committed = False

    @property
    def store(self) -> OxStore:
        """The new generation's store, open inside the ``with`` block."""
        assert self._store is not None, "NewGeneration is used inside a with block"
        return self._store

    def __enter__(self) -> "NewGeneration":
        try:
            if self.home.exists():  # left by a build that was killed
                shutil.rmtree(self.home)
            if self.current is not None:
                self.current.checkpoint(self.home, self.keep_exports, self.outdir)
                self.current.close()
            self._store = OxStore.open_at(self.home)
        except BaseException as exc:
            self.__exit__(type(exc), exc, None)
            raise
        return self

    def commit(self) -> None:
        self.store.ox.flush()
        self.store.close()
        faults.point("before-switch")
        switch_generation(self.outdir, self.gen)
        self.committed = True
        faults.point("after-switch")
        link_exports(self.outdir)
        remove_old_generations(self.outdir, self.gen)

    def __exit__(self, kind, exc, tb) -> None:
        if self.committed:
            return
        if self._store is not None:
            self._store.close()
        shutil.rmtree(self.home, ignore_errors=True)
        if isinstance(exc, OSError) or (isinstance(exc, KgError) and "No space" in str(exc)):
            raise KgError(f"{self.outdir}: {_reason(exc)}; nothing was changed, the previous graph is intact") from None


def _reason(exc: BaseException) -> str:
    if getattr(exc, "errno", None) == errno.ENOSPC or "No space" in str(exc):
        return "no space left on the device"
    return getattr(exc, "strerror", None) or str(exc).splitlines()[0][:200]


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

    def __init__(self, store, home: Path, held: int | None = None):
        self.ox = store
        self.home = home  # the generation folder: db/ and manifest.json
        self.held = held  # the shared lock of a reader on its generation

    @classmethod
    def open(cls, outdir: str | Path, read_only: bool = False) -> "OxStore":
        """The current generation of OUTDIR's store; a reader holds it until ``close``."""
        if not read_only:
            return cls.open_at((Path(outdir) / STORE_DIR).resolve())
        home, fd = _hold_generation(Path(outdir) / STORE_DIR)
        try:
            store = cls.open_at(home, read_only=True)
        except BaseException:
            os.close(fd)
            raise
        store.held = fd
        return store

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

    def checkpoint(self, target: Path, exports: bool = False, outdir: Path | None = None) -> None:
        """A consistent copy of this store at ``target`` (RocksDB hard links; the Turtle
        chunks hard-linked too: a chunk is replaced by a new file, never changed in place);
        with ``exports``, the page and its layout too (from OUTDIR where an older build
        kept them)."""
        target.mkdir(parents=True, exist_ok=True)
        if self.held is None:
            self.ox.flush()
        self.ox.backup(str(target / DB))
        for name in (MANIFEST, UPDATED, EVIDENCE, HISTORY):
            if (self.home / name).exists():
                shutil.copyfile(self.home / name, target / name)
        if (self.home / CHUNKS).is_dir():
            (target / CHUNKS).mkdir(exist_ok=True)
            for f in (self.home / CHUNKS).iterdir():
                os.link(f, target / CHUNKS / f.name)
        for name in (PAGE_FILE, LAYOUT_FILE) if exports else ():
            src = self.home / name
            if (
                not src.is_file()
                and outdir is not None
                and (outdir / name).is_file()
                and not (outdir / name).is_symlink()
            ):
                src = outdir / name
            if src.is_file():
                os.link(src, target / name)

    # ---- Turtle chunks -------------------------------------------------------------
    def chunk_path(self, graph_iri: str) -> Path:
        import hashlib

        return self.home / CHUNKS / (hashlib.sha1(graph_iri.encode("utf-8")).hexdigest() + ".ttl")

    def write_chunk(self, graph_iri: str, body: bytes) -> None:
        path = self.chunk_path(graph_iri)
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(body)
        os.replace(tmp, path)  # a new inode: the previous generation's link keeps its bytes

    def drop_chunk(self, graph_iri: str) -> None:
        self.chunk_path(graph_iri).unlink(missing_ok=True)

    def mark_updated(self) -> None:
        (self.home / UPDATED).write_text("graph.ttl is dumped from the store\n", encoding="utf-8")
        (self.home / EVIDENCE).unlink(missing_ok=True)  # it may no longer be the store's

    def relation_subjects(self, graph_iri: str) -> set[str]:
        """The entities whose relations a document states, read from its named graph."""
        import pyoxigraph as ox

        return {
            q.subject.value
            for q in self.ox.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri))
            if q.predicate.value in RELATION_IRIS
        }

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

    def export_graphs(self, doc_ids: list[str]) -> list[str]:
        """The named graphs graph.ttl is made of, in its order."""
        scores = [ANALYTICS_GRAPH] if self.chunk_path(ANALYTICS_GRAPH).exists() else []
        return [ONTOLOGY_GRAPH] + [self.graph_iri(d) for d in doc_ids] + scores

    def forget_scores_of_gone_entities(self) -> None:
        """Scores stay until recomputed, but not on entities no document states any more."""

        if not self.chunk_path(ANALYTICS_GRAPH).exists():
            return
        rows = self.ox.query(
            f"SELECT DISTINCT ?s WHERE {{ GRAPH <{ANALYTICS_GRAPH}> {{ ?s ?p ?o }} FILTER NOT EXISTS {{ ?s a ?t }} }}"
        )
        gone = {r[0] for r in rows}
        if gone:
            kept = sorted(f"{s} {p} {o} .\n" for s, p, o in self._shared_triples(ANALYTICS_GRAPH) if s not in gone)
            self.replace_graph(ANALYTICS_GRAPH, "".join(kept).encode("utf-8"))

    def replace_graph(self, graph_iri: str, ntriples: bytes) -> None:
        """A graph that is no document's (the ontology, the scores): its facts and its chunk."""
        from .turtle import body

        self.replace_document(graph_iri, ntriples)
        self.write_chunk(graph_iri, body(ntriples))

    def change_named_graph(
        self, graph_iri: str, add: Iterable[str], remove: list[str], drop: Iterable[str] = ()
    ) -> None:
        """Add and remove N-Triples lines in a graph of its own only, in no document's union
        (the default graph) and no export: a query names it with GRAPH; ``drop``: subjects whose
        every triple in it goes. The added lines are bulk-loaded a few MB at a time (no Python
        object per triple, and not all of them held: a first build adds one node per relation)."""
        import pyoxigraph as ox

        g = ox.NamedNode(graph_iri)
        for subject in drop:  # a node and all it states in this graph
            for q in list(self.ox.quads_for_pattern(ox.NamedNode(subject), None, None, g)):
                self.ox.remove(q)
        if remove:
            data = "".join(line + "\n" for line in remove).encode("utf-8")
            for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES):
                self.ox.remove(ox.Quad(t.subject, t.predicate, t.object, g))
        batch: list[str] = []
        size = 0
        for line in add:
            batch.append(line)
            size += len(line)
            if size >= NAMED_GRAPH_BATCH:
                self._load_lines(batch, g)
                batch, size = [], 0
        self._load_lines(batch, g)

    def _load_lines(self, lines: list[str], g) -> None:
        import pyoxigraph as ox

        if lines:
            data = "\n".join(lines).encode("utf-8") + b"\n"
            self.ox.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=g, lenient=True)  # our own N-Triples

    def close(self) -> None:
        self.ox = None
        if self.held is not None:
            os.close(self.held)
            self.held = None

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
        atomic_write(
            self.home / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
        )

    # ---- per-document graphs -------------------------------------------------------
    @staticmethod
    def graph_iri(doc_id: str) -> str:
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

        return {
            (q.subject, q.predicate, q.object)
            for q in self.ox.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri))
        }

    def _private_triples(self, graph_iri: str) -> set:
        """The default graph's facts about the document itself and what it owns: its articles
        and sentences (derived from it) and the assertions made from its sentences."""
        import pyoxigraph as ox
        from rdflib.namespace import PROV

        dg = ox.DefaultGraph()
        doc = ox.NamedNode(DOC_BASE + graph_iri[len(GRAPH_BASE) :])
        parts = {
            q.subject
            for q in self.ox.quads_for_pattern(None, ox.NamedNode(str(PROV.wasDerivedFrom)), doc, dg)
            if isinstance(q.subject, ox.NamedNode) and self._private(q.subject.value)
        }
        said = ox.NamedNode(str(KG.sentence))
        assertions = {q.subject for part in parts for q in self.ox.quads_for_pattern(None, said, part, dg)}
        return {
            (q.subject, q.predicate, q.object)
            for s in {doc} | parts | assertions
            for q in self.ox.quads_for_pattern(s, None, None, dg)
        }

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
        self.ox.extend(
            [ox.Quad(s, p, o, g) for s, p, o in added if not self._private(s.value)]
            + [ox.Quad(s, p, o, ox.DefaultGraph()) for s, p, o in added]
        )
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

        return (
            (q.subject, q.predicate, q.object) for q in self.ox.quads_for_pattern(None, None, None, ox.DefaultGraph())
        )

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
