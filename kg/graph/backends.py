"""Where SPARQL is answered: one interface over the three graph back-ends, chosen in one place.

- ``MemoryBackend``: an rdflib Graph in memory (a graph.ttl, or a graph built in a notebook);
- ``StoreBackend``: the Oxigraph store of a folder made by ``kg build``, opened read-only
  (the generation ``OUTDIR/store`` points at when it is opened);
- ``RemoteBackend``: a SPARQL 1.1 Protocol endpoint.

``open_backend`` picks one from what the user named: ``kg query``, ``kg serve``'s workers and
``KnowledgeGraph.query`` all go through it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from rdflib import Graph

from . import query as q


class Backend(Protocol):
    name: str

    def query(self, text: str, max_rows: int | None = None) -> q.Result:
        """Run a read-only query; at most ``max_rows`` rows (the result says if it was cut)."""
        ...

    def close(self) -> None: ...


class MemoryBackend:
    name = "memory"

    def __init__(self, graph: Graph):
        self.graph = graph

    def query(self, text: str, max_rows: int | None = None) -> q.Result:
        return q.run(self.graph, text, max_rows=max_rows)

    def close(self) -> None:
        pass


class StoreBackend:
    name = "oxigraph"

    def __init__(self, outdir: str | Path):
        from .store import OxStore

        self.store = OxStore.open(outdir, read_only=True)
        self.home = self.store.home  # the generation it reads

    def query(self, text: str, max_rows: int | None = None) -> q.Result:
        return q.run_store(self.store.ox, text, max_rows=max_rows)

    def close(self) -> None:
        self.store.close()


class RemoteBackend:
    name = "remote"

    def __init__(self, url: str):
        self.url = url

    def query(self, text: str, max_rows: int | None = None) -> q.Result:
        from .remote import query_endpoint

        res = query_endpoint(self.url, text)
        if max_rows is not None and len(res.rows) > max_rows:
            res.rows, res.truncated = res.rows[:max_rows], True
        return res

    def close(self) -> None:
        pass


def open_backend(graph: str | Path | None = None, endpoint: str | None = None) -> Backend:
    """The back-end for what the user named: an endpoint URL, a folder with a store, or a
    graph.ttl (or a folder holding only one)."""
    if endpoint:
        return RemoteBackend(endpoint)
    if graph is None:
        raise ValueError("open_backend needs a graph or an endpoint")
    from .store import has_store, load_graph

    if has_store(graph):
        return StoreBackend(graph)
    return MemoryBackend(load_graph(graph))
