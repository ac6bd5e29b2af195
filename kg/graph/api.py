"""The library API: build a knowledge graph from sources, query it, save it."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from rdflib import Graph
from rdflib.namespace import RDF

from ..extract.pipeline import Corpus, extractor
from ..model import RELATIONS, TYPES, Document
from ..text.reader import ReadReport, read_sources
from . import query as q
from .rdf import KG, build_graph
from .store import GRAPH_FILE, PAGE_FILE, atomic_write, load_graph


@dataclass
class Summary:
    documents: int = 0
    articles: int = 0
    entities: Counter = field(default_factory=Counter)
    relations: Counter = field(default_factory=Counter)
    skipped: list = field(default_factory=list)
    seconds: float = 0.0
    triples: int = 0


class KnowledgeGraph:
    """An RDF knowledge graph with the corpus it was built from (when built here)."""

    def __init__(self, graph: Graph, corpus: Corpus | None = None, summary: Summary | None = None):
        self.graph = graph
        self.corpus = corpus
        self.summary = summary or summarise(graph)

    # ---- building ------------------------------------------------------------
    @classmethod
    def build(
        cls,
        sources: Iterable[str] | None = None,
        rules: list[str] | None = None,
        documents: Iterable[Document] | None = None,
        progress: Callable[[Document], None] | None = None,
    ) -> "KnowledgeGraph":
        t0 = time.perf_counter()
        ex = extractor(rules)
        report = ReadReport()
        docs = documents if documents is not None else read_sources(list(sources or []), report)
        corpus = Corpus()
        for doc in docs:
            corpus.add(ex.process(doc))
            if progress:
                progress(doc)
        graph = build_graph(corpus, ex.rules)
        s = summarise(graph)
        s.documents = len(corpus.results)
        s.articles = sum(len(r.articles) for r in corpus.results)
        s.skipped = report.skipped
        s.seconds = time.perf_counter() - t0
        return cls(graph, corpus, s)

    @classmethod
    def load(cls, outdir: str | Path) -> "KnowledgeGraph":
        return cls(load_graph(outdir))

    # ---- using ---------------------------------------------------------------
    def query(self, sparql: str) -> q.Result:
        from .backends import MemoryBackend

        return MemoryBackend(self.graph).query(q.read_query(sparql))

    def entity(self, name: str):
        """The card of the entity called ``name`` (any of its names); KgError if none."""
        from ..errors import KgError
        from .card import card, find

        hits = find(self.graph, name)
        if not hits:
            raise KgError(f"no entity named {name!r}")
        return card(self.graph, hits[0])

    def to_networkx(self):
        """Entities as nodes (label, type, aliases), relations as keyed edges."""
        from .analytics import to_networkx

        return to_networkx(self.graph)

    def show(self, height: int = 650, **view):
        """The network page inline in Jupyter (an iframe holding the offline page)."""
        import html as _html

        from IPython.display import HTML

        from .page import page

        doc = page(self.graph, "kg", **view)
        import warnings

        warnings.filterwarnings("ignore", message="Consider using IPython.display.IFrame")
        return HTML(f'<iframe srcdoc="{_html.escape(doc)}" style="width:100%;height:{height}px;border:0"></iframe>')

    def export(self, path: str | Path, format: str = "turtle") -> list[Path]:
        from .export import export

        return export(self.graph, path, format)

    def turtle(self) -> bytes:
        return self.graph.serialize(format="turtle", encoding="utf-8")

    def html(self, title: str = "kg") -> str:
        from .page import page

        return page(self.graph, title)

    def save(self, outdir: str | Path) -> Path:
        """graph.ttl and graph.html into a new or empty folder, or one kg made (not a build's:
        its exports are its store's)."""
        from ..errors import KgError
        from .store import claim_outdir, has_store

        out = Path(outdir)
        claim_outdir(out)
        if has_store(out):
            raise KgError(f"{out}: holds a kg build, whose exports are its store's; save into another folder")
        atomic_write(out / GRAPH_FILE, self.turtle())
        atomic_write(out / PAGE_FILE, self.html(title=f"kg — {out.name}").encode("utf-8"))
        return out / GRAPH_FILE


def summarise(graph: Graph) -> Summary:
    s = Summary()
    for t in TYPES:
        s.entities[t] = len(set(graph.subjects(RDF.type, KG[t])))
    for r in RELATIONS:
        s.relations[r] = len(list(graph.triples((None, KG[r], None))))
    s.documents = len(set(graph.subjects(RDF.type, KG.Document)))
    s.articles = len(set(graph.subjects(RDF.type, KG.Article)))
    s.triples = len(graph)
    return s


def build(
    sources: Iterable[str] | str, rules: list[str] | None = None, outdir: str | Path | None = None, **options
) -> KnowledgeGraph:
    """Build a knowledge graph from .txt files, folders and .jsonl files: in memory, or with
    ``outdir`` into a build folder exactly as ``kg build SOURCES -o OUTDIR`` does (the store,
    incremental rebuilds, workers: ``options`` are kg.graph.build.build's), and open it."""
    if isinstance(sources, (str, Path)):
        sources = [str(sources)]
    if outdir is None:
        if options:
            raise TypeError(f"build options {sorted(options)} need an outdir")
        return KnowledgeGraph.build([str(s) for s in sources], rules)
    from .build import build as build_into

    build_into([str(s) for s in sources], outdir, rules=rules, **options)
    return KnowledgeGraph.load(outdir)


def load(outdir: str | Path) -> KnowledgeGraph:
    """Open a graph built by `kg build -o OUTDIR` (or a .ttl file)."""
    return KnowledgeGraph.load(outdir)
